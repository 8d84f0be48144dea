// `kit serve`: the clinic server. Settings: flags > environment (KIT_*) > --config FILE (TOML) >
// defaults; see server/app/config.h.
#include <iostream>
#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "server/app/config.h"
#include "server/app/serve.h"

namespace {

struct ServeArgs {
  std::string data_dir;
  std::string listen;
  std::string database;
  bool demo = false;
  std::string demo_password;
  std::string config_file;
  std::string log_level;
  int workers = 0;
};

kit::cli::Registration reg([](CLI::App& root) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = root.add_subcommand(
      "serve", "Run the clinic server: HTTP/1.1 JSON API under /api/v1, /healthz and /metrics");
  cmd->add_option("--data", args->data_dir, "Data folder (default ./kit-data; env KIT_DATA)");
  cmd->add_option("--listen", args->listen,
                  "HOST:PORT to listen on (default 127.0.0.1:8080; port 0 picks a free port; env "
                  "KIT_LISTEN)");
  cmd->add_option("--database", args->database,
                  "Database URL: postgresql://user:password@host:port/db (default: SQLite in the "
                  "data folder; env KIT_DATABASE)");
  cmd->add_flag("--demo", args->demo,
                "Demo clinic with demo accounts for every role (env KIT_DEMO)");
  cmd->add_option("--demo-password", args->demo_password,
                  "Password of the demo accounts (default: a random one, printed at start; env "
                  "KIT_DEMO_PASSWORD)");
  cmd->add_option("--config", args->config_file, "TOML settings file (env KIT_CONFIG)");
  cmd->add_option("--log-level", args->log_level,
                  "trace, debug, info, warn, error or off (default info; env KIT_LOG_LEVEL)");
  cmd->add_option("--workers", args->workers,
                  "Request handler threads (default 8; env KIT_WORKERS)")
      ->check(CLI::Range(1, 256));
  cmd->callback([cmd, args]() {
    kit::server::ServeFlags flags;
    if (cmd->count("--data")) flags.data_dir = args->data_dir;
    if (cmd->count("--listen")) flags.listen = args->listen;
    if (cmd->count("--database")) flags.database = args->database;
    if (cmd->count("--demo")) flags.demo = args->demo;
    if (cmd->count("--demo-password")) flags.demo_password = args->demo_password;
    if (cmd->count("--config")) flags.config_file = args->config_file;
    if (cmd->count("--log-level")) flags.log_level = args->log_level;
    if (cmd->count("--workers")) flags.workers = args->workers;
    kit::server::ServeOptions options;
    try {
      options = kit::server::resolve_serve_options(flags);
    } catch (const kit::server::ConfigError& e) {
      std::cerr << "kit serve: " << e.what() << "\n";
      throw CLI::RuntimeError(2);
    }
    const int rc = kit::server::run_serve(options);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
});

}  // namespace
