// Fuzz target: `kit vitals` (vital signs checked against the thresholds).
// The request text goes through the same parse and handler as the command (fuzz/fuzz_support.h).
#include <cstddef>
#include <cstdint>

#include "contract/safety_api.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return kit::fuzz::run_json_command(data, size, [](const nlohmann::json& request) {
    return kit::contract::handle_vitals(request);
  });
}
