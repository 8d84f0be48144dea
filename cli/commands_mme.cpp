// kit mme: daily morphine milligram equivalents from a medication list (CDC 2022 factors).
#include <nlohmann/json.hpp>

#include "contract/mme_api.h"
#include "cli/command_registry.h"
#include "cli/json_command.h"

namespace {
kit::cli::Registration reg([](CLI::App& root) {
  kit::cli::add_json_command(
      root, "mme", "Daily morphine milligram equivalents (JSON on stdin or --input)",
      [](const nlohmann::json& req) {
        return kit::cli::HandlerResult{kit::cli::dump(kit::contract::handle_mme(req)), kit::cli::kOk};
      });
});
}  // namespace
