// `kit protocols` (prints the drug library) and `kit dose` (plans one dose). The JSON contract is
// in app/dosing_api.h and docs/clinical-rules/dosing.md.
#include <iostream>
#include <nlohmann/json.hpp>

#include "contract/dosing_api.h"
#include "cli/command_registry.h"
#include "cli/json_command.h"

namespace {

kit::cli::Registration reg([](CLI::App& root) {
  CLI::App* protocols = root.add_subcommand(
      "protocols", "Print the drug library: protocols with their limits and citations (JSON)");
  protocols->callback([] { std::cout << kit::cli::dump(kit::contract::handle_protocols()); });

  kit::cli::add_json_command(root, "dose", "Compute a dose plan (JSON on stdin or --input)",
                             [](const nlohmann::json& req) {
                               const kit::contract::DoseResponse r = kit::contract::handle_dose(req);
                               return kit::cli::HandlerResult{
                                   kit::cli::dump(r.body),
                                   r.accepted ? kit::cli::kOk : kit::cli::kRefused};
                             });
});

}  // namespace
