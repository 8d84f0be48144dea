// kit screen (intake screening and pre-infusion checks), kit vitals (one intra-infusion reading ->
// action) and kit discharge (modified Aldrete, optional RCEM checklist).
#include <nlohmann/json.hpp>

#include "contract/safety_api.h"
#include "contract/screening_api.h"
#include "cli/command_registry.h"
#include "cli/json_command.h"

namespace {
kit::cli::Registration reg([](CLI::App& root) {
  kit::cli::add_json_command(
      root, "screen",
      "Intake screening: contraindications, actions, pre-infusion checks (JSON on stdin or "
      "--input); exits 3 when not eligible or not cleared to start",
      [](const nlohmann::json& req) {
        const nlohmann::json response = kit::contract::handle_screen(req);
        return kit::cli::HandlerResult{kit::cli::dump(response), kit::contract::screen_refused(response)
                                                                     ? kit::cli::kRefused
                                                                     : kit::cli::kOk};
      });
  kit::cli::add_json_command(
      root, "vitals",
      "One intra-infusion vital-signs reading -> continue/slow/pause/stop/call_physician",
      [](const nlohmann::json& req) {
        return kit::cli::HandlerResult{kit::cli::dump(kit::contract::handle_vitals(req)), kit::cli::kOk};
      });
  kit::cli::add_json_command(
      root, "discharge",
      "Discharge readiness: modified Aldrete score and optional RCEM checklist; exits 3 when not "
      "ready",
      [](const nlohmann::json& req) {
        const nlohmann::json response = kit::contract::handle_discharge(req);
        return kit::cli::HandlerResult{
            kit::cli::dump(response),
            response["ready_for_discharge"].get<bool>() ? kit::cli::kOk : kit::cli::kRefused};
      });
});
}  // namespace
