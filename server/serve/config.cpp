#include "server/serve/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace kit::server {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool parse_bool(const std::string& text, const std::string& what) {
  const std::string v = lower(text);
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off" || v.empty()) return false;
  throw ConfigError(what + ": expected true or false, got '" + text + "'");
}

long long parse_int(const std::string& text, const std::string& what) {
  long long v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end)
    throw ConfigError(what + ": expected an integer, got '" + text + "'");
  return v;
}

void check_range(long long v, long long lo, long long hi, const std::string& what) {
  if (v < lo || v > hi) {
    throw ConfigError(what + ": " + std::to_string(v) + " is outside " + std::to_string(lo) + ".." +
                      std::to_string(hi));
  }
}

void validate(const ServeOptions& o) {
  static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error", "off"};
  if (!levels.count(o.log_level)) {
    throw ConfigError("log_level: '" + o.log_level +
                      "' is not one of trace, debug, info, warn, error, off");
  }
  if (o.data_dir.empty()) throw ConfigError("data: the data folder must not be empty");
  parse_listen(o.listen);
  check_range(o.workers, 1, 256, "workers");
  check_range(o.io_threads, 1, 64, "io_threads");
  check_range(static_cast<long long>(o.body_limit_bytes), 1024, 1024LL * 1024 * 1024,
              "body_limit_bytes");
  check_range(o.header_timeout_s, 1, 3600, "header_timeout_s");
  check_range(o.idle_timeout_s, 1, 3600, "idle_timeout_s");
  check_range(o.request_timeout_s, 1, 3600, "request_timeout_s");
  check_range(o.drain_timeout_s, 1, 3600, "drain_timeout_s");
}

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

ListenAddress parse_listen(const std::string& listen) {
  ListenAddress out;
  std::string port_text;
  if (!listen.empty() && listen.front() == '[') {
    const std::size_t close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      throw ConfigError("listen: expected [IPv6]:PORT, got '" + listen + "'");
    }
    out.host = listen.substr(1, close - 1);
    port_text = listen.substr(close + 2);
  } else {
    const std::size_t colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0 || listen.find(':') != colon) {
      throw ConfigError("listen: expected HOST:PORT (for example 127.0.0.1:8080), got '" + listen +
                        "'");
    }
    out.host = listen.substr(0, colon);
    port_text = listen.substr(colon + 1);
  }
  if (out.host.empty()) throw ConfigError("listen: the host is missing in '" + listen + "'");
  long long port = 0;
  try {
    port = parse_int(port_text, "listen");
  } catch (const ConfigError&) {
    throw ConfigError("listen: the port in '" + listen + "' is not a number");
  }
  check_range(port, 0, 65535, "listen port");
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

void apply_toml(ServeOptions& o, const std::string& toml_text, const std::string& source) {
  toml::table table;
  try {
    table = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    throw ConfigError(msg.str());
  }
  for (auto&& [key_node, node] : table) {
    const std::string key(key_node.str());
    const std::string where = source + ": " + key;
    auto text = [&]() -> std::string {
      if (auto v = node.value_exact<std::string>()) return *v;
      throw ConfigError(where + ": expected a string");
    };
    auto integer = [&](long long lo, long long hi) -> long long {
      auto v = node.value_exact<std::int64_t>();
      if (!v) throw ConfigError(where + ": expected an integer");
      check_range(*v, lo, hi, where);
      return *v;
    };
    if (key == "data") {
      o.data_dir = text();
    } else if (key == "listen") {
      o.listen = text();
    } else if (key == "database") {
      o.database = text();
    } else if (key == "demo") {
      auto v = node.value_exact<bool>();
      if (!v) throw ConfigError(where + ": expected true or false");
      o.demo = *v;
    } else if (key == "demo_password") {
      o.demo_password = text();
    } else if (key == "log_level") {
      o.log_level = lower(text());
    } else if (key == "workers") {
      o.workers = static_cast<int>(integer(1, 256));
    } else if (key == "io_threads") {
      o.io_threads = static_cast<int>(integer(1, 64));
    } else if (key == "body_limit_bytes") {
      o.body_limit_bytes = static_cast<std::size_t>(integer(1024, 1024LL * 1024 * 1024));
    } else if (key == "header_timeout_s") {
      o.header_timeout_s = static_cast<int>(integer(1, 3600));
    } else if (key == "idle_timeout_s") {
      o.idle_timeout_s = static_cast<int>(integer(1, 3600));
    } else if (key == "request_timeout_s") {
      o.request_timeout_s = static_cast<int>(integer(1, 3600));
    } else if (key == "drain_timeout_s") {
      o.drain_timeout_s = static_cast<int>(integer(1, 3600));
    } else {
      throw ConfigError(where +
                        ": unknown setting (known: data, listen, database, demo, "
                        "demo_password, log_level, workers, io_threads, body_limit_bytes, "
                        "header_timeout_s, idle_timeout_s, request_timeout_s, drain_timeout_s)");
    }
  }
}

ServeOptions resolve_serve_options(const ServeFlags& flags, const EnvLookup& env) {
  ServeOptions o;
  // 1. The TOML file, if any.
  std::optional<std::string> config = flags.config_file;
  if (!config) config = env("KIT_CONFIG");
  if (config && !config->empty()) {
    std::ifstream in(*config, std::ios::binary);
    if (!in) throw ConfigError("config file '" + *config + "' cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    apply_toml(o, text.str(), *config);
    o.config_file = *config;
  }
  // 2. The environment.
  if (auto v = env("KIT_DATA")) o.data_dir = *v;
  if (auto v = env("KIT_LISTEN")) o.listen = *v;
  if (auto v = env("KIT_DATABASE")) o.database = *v;
  if (auto v = env("KIT_DEMO")) o.demo = parse_bool(*v, "KIT_DEMO");
  if (auto v = env("KIT_DEMO_PASSWORD")) o.demo_password = *v;
  if (auto v = env("KIT_LOG_LEVEL")) o.log_level = lower(*v);
  if (auto v = env("KIT_WORKERS")) {
    const long long n = parse_int(*v, "KIT_WORKERS");
    check_range(n, 1, 256, "KIT_WORKERS");
    o.workers = static_cast<int>(n);
  }
  // 3. The command line.
  if (flags.data_dir) o.data_dir = *flags.data_dir;
  if (flags.listen) o.listen = *flags.listen;
  if (flags.database) o.database = *flags.database;
  if (flags.demo) o.demo = *flags.demo;
  if (flags.demo_password) o.demo_password = *flags.demo_password;
  if (flags.log_level) o.log_level = lower(*flags.log_level);
  if (flags.workers) o.workers = *flags.workers;
  validate(o);
  return o;
}

}  // namespace kit::server
