// `kit serve`: the clinic server. Settings: flags > environment (KIT_*) > --config FILE (TOML) >
// defaults; see server/serve/config.h.
#include <iostream>
#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "server/serve/config.h"
#include "server/serve/serve.h"

namespace {

struct ServeArgs {
  std::string data_dir;
  std::string listen;
  std::string database;
  bool demo = false;
  std::string demo_password;
  std::string demo_password_file;
  std::string config_file;
  std::string log_level;
  int workers = 0;
  bool tls = false;
  int login_ttl_minutes = 0;
  int login_max_failures = 0;
  int login_lock_minutes = 0;
  int inquiry_limit_per_hour = 0;
  std::string web_dir;
  std::string totp_required_roles;
  std::string test_clock_file;
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
  // Refused: every local user can read a process's arguments (ps, /proc/PID/cmdline).
  cmd->add_option("--demo-password", args->demo_password,
                  "Refused: a password on the command line is visible to every local user; use "
                  "KIT_DEMO_PASSWORD or --demo-password-file");
  cmd->add_option("--demo-password-file", args->demo_password_file,
                  "File holding the password of the demo accounts (default: env "
                  "KIT_DEMO_PASSWORD, else the one kept in the data folder, else a random one; "
                  "printed at start; env KIT_DEMO_PASSWORD_FILE)");
  cmd->add_option("--config", args->config_file, "TOML settings file (env KIT_CONFIG)");
  cmd->add_option("--log-level", args->log_level,
                  "trace, debug, info, warn, error or off (default info; env KIT_LOG_LEVEL)");
  cmd->add_option("--workers", args->workers,
                  "Request handler threads (default 8; env KIT_WORKERS)")
      ->check(CLI::Range(1, 256));
  // Ranges are checked by resolve_serve_options, which names the setting.
  CLI::Option* tls = cmd->add_flag("--tls,!--no-tls", args->tls,
                                   "Clients reach kit over HTTPS through a TLS proxy: login "
                                   "cookies get Secure (default off; env KIT_TLS)");
  cmd->add_option("--login-ttl-minutes", args->login_ttl_minutes,
                  "How long a login lasts, minutes (default 720; env KIT_LOGIN_TTL_MINUTES)");
  cmd->add_option("--login-max-failures", args->login_max_failures,
                  "Failed passwords before a username locks (default 5; env "
                  "KIT_LOGIN_MAX_FAILURES)");
  cmd->add_option("--login-lock-minutes", args->login_lock_minutes,
                  "How long a locked username stays locked, minutes (default 15; env "
                  "KIT_LOGIN_LOCK_MINUTES)");
  cmd->add_option("--inquiry-limit-per-hour", args->inquiry_limit_per_hour,
                  "Public inquiries per remote address per hour (default 10; env "
                  "KIT_INQUIRY_LIMIT_PER_HOUR)");
  cmd->add_option("--web-dir", args->web_dir,
                  "Folder of the built web application (default: the source tree's web/dist; env "
                  "KIT_WEB_DIR)");
  cmd->add_option("--totp-required-roles", args->totp_required_roles,
                  "Staff roles that must enrol a second factor (TOTP), comma-separated, e.g. "
                  "admin,physician (default none; env KIT_TOTP_REQUIRED_ROLES)");
  cmd->add_option("--test-clock", args->test_clock_file,
                  "Browser tests only, accepted only with --demo: the server's clock runs ahead of "
                  "the real one by the whole number of minutes this file holds, read again at "
                  "every reading (never backwards; no setting or variable enables it)");
  cmd->callback([cmd, args, tls]() {
    kit::server::ServeFlags flags;
    if (cmd->count("--data")) flags.data_dir = args->data_dir;
    if (cmd->count("--listen")) flags.listen = args->listen;
    if (cmd->count("--database")) flags.database = args->database;
    if (cmd->count("--demo")) flags.demo = args->demo;
    if (cmd->count("--demo-password")) {
      std::cerr << "kit serve: --demo-password is refused: a password on the command line is "
                   "visible to every local user (ps); give it in the environment "
                   "(KIT_DEMO_PASSWORD) or in a file (--demo-password-file FILE)\n";
      throw CLI::RuntimeError(2);
    }
    if (cmd->count("--demo-password-file")) flags.demo_password_file = args->demo_password_file;
    if (cmd->count("--config")) flags.config_file = args->config_file;
    if (cmd->count("--log-level")) flags.log_level = args->log_level;
    if (cmd->count("--workers")) flags.workers = args->workers;
    if (tls->count()) flags.tls = args->tls;
    if (cmd->count("--login-ttl-minutes")) flags.login_ttl_minutes = args->login_ttl_minutes;
    if (cmd->count("--login-max-failures")) flags.login_max_failures = args->login_max_failures;
    if (cmd->count("--login-lock-minutes")) flags.login_lock_minutes = args->login_lock_minutes;
    if (cmd->count("--inquiry-limit-per-hour"))
      flags.inquiry_limit_per_hour = args->inquiry_limit_per_hour;
    if (cmd->count("--web-dir")) flags.web_dir = args->web_dir;
    if (cmd->count("--totp-required-roles")) flags.totp_required_roles = args->totp_required_roles;
    if (cmd->count("--test-clock")) flags.test_clock_file = args->test_clock_file;
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
