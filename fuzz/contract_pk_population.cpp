// Fuzz target: `kit pk population` (a simulated population: covariate distributions, IIV).
// The request text goes through the same parse and handler as the command (fuzz/fuzz_support.h);
// requests asking for more work than fuzz/contract_pk_budget.h allows are skipped.
#include <cstddef>
#include <cstdint>

#include "contract/pk_api.h"
#include "fuzz/contract_pk_budget.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (kit::fuzz::over_pk_budget(kit::fuzz::as_text(data, size))) return 0;
  return kit::fuzz::run_json_command(data, size, [](const nlohmann::json& request) {
    return kit::contract::handle_pk_population(request).response;
  });
}
