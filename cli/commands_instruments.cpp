// kit score / kit outcome: outcome instruments and outcome rules (JSON in, JSON out).
#include <nlohmann/json.hpp>

#include "contract/instruments_api.h"
#include "cli/command_registry.h"
#include "cli/json_command.h"

namespace {

kit::cli::Registration reg([](CLI::App& root) {
  kit::cli::add_json_command(
      root, "score",
      "Score a questionnaire: {\"instrument\":\"phq9\",\"answers\":[...]} (JSON on stdin or "
      "--input)",
      [](const nlohmann::json& req) {
        return kit::cli::HandlerResult{kit::cli::dump(kit::contract::handle_score(req)), kit::cli::kOk};
      });
  kit::cli::add_json_command(
      root, "outcome",
      "Judge response/remission/relapse from a dated series: {\"instrument\":\"phq9\","
      "\"series\":[{\"date\":\"2026-01-05\",\"total\":20},...]}",
      [](const nlohmann::json& req) {
        return kit::cli::HandlerResult{kit::cli::dump(kit::contract::handle_outcome(req)),
                                       kit::cli::kOk};
      });
});

}  // namespace
