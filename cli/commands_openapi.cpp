// `kit openapi`: prints the OpenAPI document of the HTTP API (the same one `kit serve` answers at
// GET /api/v1/openapi.json) without a server or a database, for tools/openapi/check.sh (lint and
// the web app's generated client types).
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command_registry.h"
#include "server/api/router.h"
#include "server/resources/modules.h"

namespace {

kit::cli::Registration reg([](CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "openapi", "Print the OpenAPI document of the HTTP API (as served at /api/v1/openapi.json)");
  cmd->callback([] {
    kit::server::Router router;
    kit::server::register_all_routes(router);
    std::cout << kit::server::openapi_document(router).dump(2) << "\n";
  });
});

}  // namespace
