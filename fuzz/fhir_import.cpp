// Fuzz target: the FHIR Bundle reader of `kit import fhir` (fhir/mapping.h records_from_bundle).
// Any text: JSON that is not a Bundle KIT wrote must be refused as an InputError naming where;
// anything else thrown (or a crash) is a finding. Seeds: fuzz/corpus/fhir_import/ (a demo patient's
// Bundle and edits of it).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "fhir/mapping.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json bundle = nlohmann::json::parse(data, data + size, nullptr, false);
  if (bundle.is_discarded()) return 0;
  try {
    const auto records = kit::fhir::records_from_bundle(bundle);
    (void)records;
  } catch (const kit::InputError&) {
  }
  return 0;
}
