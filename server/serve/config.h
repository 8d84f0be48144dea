#pragma once
// `kit serve` settings: command-line flags > environment (KIT_*) > an optional TOML file
// (--config FILE or KIT_CONFIG) > defaults. Relative paths are relative to the working directory.
//
// TOML keys (all optional, flat):
//   data = "./kit-data"            listen = "127.0.0.1:8080"     database = "postgresql://..."
//   demo = false                    demo_password = "..."          log_level = "info"
//   workers = 8                     io_threads = 1                 body_limit_bytes = 1048576
//   header_timeout_s = 10           idle_timeout_s = 60            request_timeout_s = 30
//   drain_timeout_s = 10
// Environment: KIT_DATA, KIT_LISTEN, KIT_DATABASE, KIT_DEMO (1/0, true/false, yes/no, on/off),
//   KIT_DEMO_PASSWORD, KIT_CONFIG, KIT_LOG_LEVEL, KIT_WORKERS.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace kit::server {

struct ServeOptions {
  std::string data_dir = "./kit-data";
  std::string listen = "127.0.0.1:8080";
  std::string database;  // empty: SQLite file kit.db in data_dir
  bool demo = false;
  std::string demo_password;       // empty in demo mode: a random one, printed at start
  std::string log_level = "info";  // trace, debug, info, warn, error, off
  int workers = 8;                 // request handler threads (they may wait on the database)
  int io_threads = 1;              // socket threads
  std::size_t body_limit_bytes = 1024 * 1024;
  int header_timeout_s = 10;
  int idle_timeout_s = 60;
  int request_timeout_s = 30;
  int drain_timeout_s = 10;
  std::string config_file;  // the TOML file read, if any (for the start-up log)
};

// What the command line gave; unset means "not on the command line".
struct ServeFlags {
  std::optional<std::string> data_dir;
  std::optional<std::string> listen;
  std::optional<std::string> database;
  std::optional<bool> demo;
  std::optional<std::string> demo_password;
  std::optional<std::string> config_file;
  std::optional<std::string> log_level;
  std::optional<int> workers;
};

// A setting that cannot be used; the message names it and where it came from.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& what) : std::runtime_error(what) {}
};

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
std::optional<std::string> process_env(const std::string& name);  // std::getenv

// Resolves and validates the settings. Throws ConfigError.
ServeOptions resolve_serve_options(const ServeFlags& flags, const EnvLookup& env = process_env);

// Applies the keys of a TOML document (text) to `options`; `source` names it in errors.
void apply_toml(ServeOptions& options, const std::string& toml_text, const std::string& source);

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};
// "HOST:PORT" or "[IPv6]:PORT"; port 0 asks for an ephemeral port. Throws ConfigError.
ListenAddress parse_listen(const std::string& listen);

}  // namespace kit::server
