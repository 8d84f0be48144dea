#include "server/serve/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/common/error.h"
#include "server/api/auth.h"
#include "server/backup/backup_schedule.h"
#include "server/http/client_address.h"
#include "server/reminders/reminder_runner.h"
#include "server/reminders/smtp_client.h"
#include "server/resources/questionnaire_text.h"

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

// The settings as data: TOML key, the ServeOptions member it sets and, for integers, the range.
// The environment variable is KIT_ + the key in capitals. docs/kit.example.toml documents each.
using Member = std::variant<std::string ServeOptions::*, bool ServeOptions::*, int ServeOptions::*,
                            std::size_t ServeOptions::*>;
struct Setting {
  std::string_view key;
  Member member;
  long long min = 0;
  long long max = 0;
};

const std::vector<Setting>& table() {
  static const std::vector<Setting> t = {
      {"data", &ServeOptions::data_dir},
      {"listen", &ServeOptions::listen},
      {"database", &ServeOptions::database},
      {"demo", &ServeOptions::demo},
      {"demo_password", &ServeOptions::demo_password},
      {"demo_password_file", &ServeOptions::demo_password_file},
      {"log_level", &ServeOptions::log_level},
      {"workers", &ServeOptions::workers, 1, 256},
      {"io_threads", &ServeOptions::io_threads, 1, 64},
      {"body_limit_bytes", &ServeOptions::body_limit_bytes, 1024, 1024LL * 1024 * 1024},
      {"header_timeout_s", &ServeOptions::header_timeout_s, 1, 3600},
      {"idle_timeout_s", &ServeOptions::idle_timeout_s, 1, 3600},
      {"request_timeout_s", &ServeOptions::request_timeout_s, 1, 3600},
      {"drain_timeout_s", &ServeOptions::drain_timeout_s, 1, 3600},
      {"metrics_token", &ServeOptions::metrics_token},
      {"web_dir", &ServeOptions::web_dir},
      {"tls", &ServeOptions::tls},
      // Addresses or networks, comma-separated (validated in set_text and validate()).
      {"trusted_proxies", &ServeOptions::trusted_proxies},
      // A login lasts at most a week; lock-out cannot be switched off (at least 1 failure, 1 min).
      {"login_ttl_minutes", &ServeOptions::login_ttl_minutes, 1, 7 * 24 * 60},
      {"login_idle_minutes", &ServeOptions::login_idle_minutes, 1, 24 * 60},
      {"login_max_failures", &ServeOptions::login_max_failures, 1, 100},
      {"login_lock_minutes", &ServeOptions::login_lock_minutes, 1, 24 * 60},
      {"inquiry_limit_per_hour", &ServeOptions::inquiry_limit_per_hour, 1, 10000},
      // Re-screening at least every two years; a clinic may require it far more often.
      {"screening_max_age_days", &ServeOptions::screening_max_age_days, 1, 730},
      // The audit anchor: at most a day between anchors, at least every million rows.
      {"audit_anchor_every_rows", &ServeOptions::audit_anchor_every_rows, 1, 1'000'000},
      {"audit_anchor_every_s", &ServeOptions::audit_anchor_every_s, 1, 86'400},
      {"audit_anchor_key_file", &ServeOptions::audit_anchor_key_file},
      // The full-disk reserve (SQLite): at most 4 GiB; 0 switches it off.
      {"storage_reserve_mb", &ServeOptions::storage_reserve_mb, 0, 4096},
      // Staff roles that must enrol a second factor, comma-separated (validated in validate()).
      {"totp_required_roles", &ServeOptions::totp_required_roles},
      // ED sedation discharge intervals: IV never below RCEM's 25 min (core/sedation/rules.h).
      {"ed_sedation_min_after_iv_dose_minutes",
       &ServeOptions::ed_sedation_min_after_iv_dose_minutes, 25, 1440},
      {"ed_sedation_min_after_im_dose_minutes",
       &ServeOptions::ed_sedation_min_after_im_dose_minutes, 1, 1440},
      {"ed_sedation_after_adverse_event_minutes",
       &ServeOptions::ed_sedation_after_adverse_event_minutes, 1, 1440},
      // Scheduled backups (validated in validate(): the schedule's grammar, the zone's name).
      {"backup_folder", &ServeOptions::backup_folder},
      {"backup_every", &ServeOptions::backup_every},
      {"backup_keep", &ServeOptions::backup_keep, 1, 1000},
      {"backup_timezone", &ServeOptions::backup_timezone},
      // The escort's discharge instructions (validated in validate()).
      {"discharge_phone", &ServeOptions::discharge_phone},
      {"discharge_instructions_file", &ServeOptions::discharge_instructions_file},
      // The patient portal: an invitation lasts at most 30 days (validated texts file: validate()).
      {"invitation_ttl_hours", &ServeOptions::invitation_ttl_hours, 1, 720},
      {"clinic_name", &ServeOptions::clinic_name},
      {"clinic_phone", &ServeOptions::clinic_phone},
      {"questionnaire_texts_file", &ServeOptions::questionnaire_texts_file},
      // Reminders by e-mail (validated in set_text and validate(): URL scheme, address, hours).
      {"smtp_url", &ServeOptions::smtp_url},
      {"smtp_from", &ServeOptions::smtp_from},
      {"smtp_ca_file", &ServeOptions::smtp_ca_file},
      {"reminders_every_s", &ServeOptions::reminders_every_s, 0, 86'400},
      {"reminder_max_attempts", &ServeOptions::reminder_max_attempts, 1, 10},
      {"reminder_delivery_tries", &ServeOptions::reminder_delivery_tries, 1, 20},
      {"reminder_retry_s", &ServeOptions::reminder_retry_s, 1, 86'400},
      {"reminder_send_timeout_s", &ServeOptions::reminder_send_timeout_s, 1, 600},
      {"reminder_hours", &ServeOptions::reminder_hours},
      {"reminder_appointment_lead_h", &ServeOptions::reminder_appointment_lead_h, 1, 14 * 24},
      {"reminder_reassess_after_days", &ServeOptions::reminder_reassess_after_days, 1, 365},
      {"portal_base_url", &ServeOptions::portal_base_url},
  };
  return t;
}

std::string env_name(std::string_view key) {
  std::string name = "KIT_";
  for (char c : key) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

std::string known_keys() {
  std::string out;
  for (const Setting& s : table()) out += (out.empty() ? "" : ", ") + std::string(s.key);
  return out;
}

std::set<std::string> parse_roles(const std::string& text, const std::string& what);

// Sets a normalised text value (log_level is case-insensitive); `what` names the source in errors.
void set_text(ServeOptions& o, const Setting& s, std::string value, const std::string& what) {
  if (s.key == "log_level") value = lower(std::move(value));
  if (s.key == "totp_required_roles") parse_roles(value, what);
  if (s.key == "trusted_proxies") parse_trusted_proxies(value, what);
  try {  // errors name the file and key, or the environment variable
    if (s.key == "backup_every") parse_backup_schedule(value, what);
    if (s.key == "backup_timezone" && !value.empty()) zone_named(value, what);
    if (s.key == "reminder_hours") parse_reminder_hours(value, what);
  } catch (const kit::Error& e) {
    throw ConfigError(e.field() + ": " + e.message());
  }
  o.*std::get<std::string ServeOptions::*>(s.member) = std::move(value);
}

void set_integer(ServeOptions& o, const Setting& s, long long v, const std::string& what) {
  check_range(v, s.min, s.max, what);
  if (auto m = std::get_if<int ServeOptions::*>(&s.member)) {
    o.** m = static_cast<int>(v);
  } else {
    o.*std::get<std::size_t ServeOptions::*>(s.member) = static_cast<std::size_t>(v);
  }
}

// A value from the environment (text); errors name the variable.
void apply_env_text(ServeOptions& o, const Setting& s, const std::string& text,
                    const std::string& name) {
  if (std::holds_alternative<std::string ServeOptions::*>(s.member)) {
    set_text(o, s, text, name);
  } else if (auto m = std::get_if<bool ServeOptions::*>(&s.member)) {
    o.** m = parse_bool(text, name);
  } else {
    set_integer(o, s, parse_int(text, name), name);
  }
}

long long value_of(const ServeOptions& o, const Setting& s) {
  if (auto m = std::get_if<int ServeOptions::*>(&s.member)) return o.**m;
  return static_cast<long long>(o.*std::get<std::size_t ServeOptions::*>(s.member));
}

// The relay's URL and the sender's address, when reminders are sent; the portal's base URL.
void validate_reminder_settings(const ServeOptions& o) {
  if (!o.smtp_url.empty()) {
    if (o.smtp_url.rfind("smtp://", 0) != 0 && o.smtp_url.rfind("smtps://", 0) != 0) {
      throw ConfigError("smtp_url: '" + o.smtp_url +
                        "' must start with smtp:// (STARTTLS when offered) or smtps://");
    }
    if (o.smtp_url.find('@') != std::string::npos) {
      throw ConfigError(
          "smtp_url: no login in the URL (it would be logged); set KIT_SMTP_USER and "
          "KIT_SMTP_PASSWORD in the environment");
    }
    if (!header_safe(o.smtp_url)) throw ConfigError("smtp_url: must not hold control characters");
    if (!plain_address(o.smtp_from)) {
      throw ConfigError(
          "smtp_from: a plain sender address (name@domain) is required with smtp_url");
    }
  } else if (!o.smtp_from.empty() && !plain_address(o.smtp_from)) {
    throw ConfigError("smtp_from: '" + o.smtp_from + "' is not a plain address (name@domain)");
  }
  if (!o.smtp_ca_file.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(o.smtp_ca_file, ec)) {
      throw ConfigError("smtp_ca_file: '" + o.smtp_ca_file + "' is not a readable file");
    }
  }
  if (!o.portal_base_url.empty() && o.portal_base_url.rfind("https://", 0) != 0 &&
      o.portal_base_url.rfind("http://", 0) != 0) {
    throw ConfigError("portal_base_url: must start with https:// (or http://)");
  }
  if (!o.portal_base_url.empty() && !header_safe(o.portal_base_url)) {
    throw ConfigError("portal_base_url: must not hold control characters");
  }
}

void validate(const ServeOptions& o) {
  static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error", "off"};
  if (!levels.count(o.log_level)) {
    throw ConfigError("log_level: '" + o.log_level +
                      "' is not one of trace, debug, info, warn, error, off");
  }
  if (o.data_dir.empty()) throw ConfigError("data: the data folder must not be empty");
  parse_totp_required_roles(o.totp_required_roles, "totp_required_roles");
  parse_trusted_proxies(o.trusted_proxies, "trusted_proxies");
  parse_listen(o.listen);
  // A phone number as people write it: digits, spaces, + ( ) - . / and at most 40 characters.
  if (o.discharge_phone.size() > 40 ||
      o.discharge_phone.find_first_not_of("0123456789 +()-./") != std::string::npos) {
    throw ConfigError("discharge_phone: '" + o.discharge_phone +
                      "' is not a phone number (digits, spaces and + ( ) - . /, at most 40)");
  }
  // The backup settings are checked even while backups are off, so that turning them on later
  // cannot fail on a typo left in the file.
  try {
    parse_backup_schedule(o.backup_every, "backup_every");
    if (!o.backup_timezone.empty()) zone_named(o.backup_timezone, "backup_timezone");
  } catch (const kit::Error& e) {
    throw ConfigError(e.field() + ": " + e.message());
  }
  if (!o.questionnaire_texts_file.empty()) {
    try {
      load_clinic_questionnaire_texts(o.questionnaire_texts_file);
    } catch (const std::runtime_error& e) {
      throw ConfigError(e.what());
    }
  }
  try {
    parse_reminder_hours(o.reminder_hours, "reminder_hours");
  } catch (const kit::Error& e) {
    throw ConfigError(e.field() + ": " + e.message());
  }
  validate_reminder_settings(o);
  for (const Setting& s : table()) {
    if (std::holds_alternative<int ServeOptions::*>(s.member) ||
        std::holds_alternative<std::size_t ServeOptions::*>(s.member)) {
      check_range(value_of(o, s), s.min, s.max, std::string(s.key));
    }
  }
}

std::set<std::string> parse_roles(const std::string& text, const std::string& what) {
  return parse_totp_required_roles(text, what);
}

}  // namespace

std::string read_small_file(const std::string& path, const std::string& setting,
                            std::uintmax_t max_bytes) {
  std::error_code ec;
  const std::filesystem::file_status st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st)) {
    throw ConfigError(setting + ": '" + path + "' does not exist or cannot be read");
  }
  // A folder would be read as nothing (the defaults), /dev/zero never ends, a FIFO may block.
  if (!std::filesystem::is_regular_file(st)) {
    throw ConfigError(setting + ": '" + path + "' is not a regular file");
  }
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec || size > max_bytes) {
    throw ConfigError(setting + ": '" + path + "' is larger than " + std::to_string(max_bytes) +
                      " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(setting + ": '" + path + "' cannot be read");
  std::string text;
  text.resize(static_cast<std::size_t>(max_bytes) + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > max_bytes) {
    throw ConfigError(setting + ": '" + path + "' is larger than " + std::to_string(max_bytes) +
                      " bytes");
  }
  return text;
}

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

const std::vector<SettingInfo>& settings() {
  static const std::vector<SettingInfo> out = [] {
    std::vector<SettingInfo> v;
    for (const Setting& s : table()) {
      SettingInfo info{s.key, env_name(s.key), SettingInfo::Type::integer, s.min, s.max};
      if (std::holds_alternative<std::string ServeOptions::*>(s.member)) {
        info.type = SettingInfo::Type::text;
      } else if (std::holds_alternative<bool ServeOptions::*>(s.member)) {
        info.type = SettingInfo::Type::boolean;
      }
      v.push_back(info);
    }
    return v;
  }();
  return out;
}

std::string default_web_dir() {
#ifdef KIT_DEFAULT_WEB_DIR
  return KIT_DEFAULT_WEB_DIR;
#else
  return "web/dist";
#endif
}

std::string web_dir_of(const ServeOptions& o) {
  return o.web_dir.empty() ? default_web_dir() : o.web_dir;
}

TrustedProxies parse_trusted_proxies(const std::string& text, const std::string& what) {
  try {
    return TrustedProxies::parse_list(text);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(what + ": " + e.what());
  }
}

std::set<std::string> parse_totp_required_roles(const std::string& text, const std::string& what) {
  static const std::set<std::string> staff = {"admin", "physician", "nurse", "front_desk"};
  std::set<std::string> roles;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    std::string name = lower(text.substr(pos, comma - pos));
    while (!name.empty() && std::isspace(static_cast<unsigned char>(name.front()))) {
      name.erase(name.begin());
    }
    while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.pop_back();
    if (!name.empty()) {
      if (!staff.count(name)) {
        throw ConfigError(what + ": '" + name +
                          "' is not a staff role (admin, physician, nurse, front_desk)");
      }
      roles.insert(name);
    }
    pos = comma + 1;
  }
  return roles;
}

ServerConfig server_config(const ServeOptions& o) {
  ServerConfig c;
  c.demo = o.demo;
  c.tls = o.tls;
  c.login_ttl_minutes = o.login_ttl_minutes;
  c.login_max_failures = o.login_max_failures;
  c.login_lock_minutes = o.login_lock_minutes;
  c.inquiry_limit_per_hour = o.inquiry_limit_per_hour;
  c.login_idle_minutes = o.login_idle_minutes;
  c.screening_max_age_days = o.screening_max_age_days;
  c.totp_required_roles = parse_totp_required_roles(o.totp_required_roles, "totp_required_roles");
  c.ed_sedation_min_after_iv_dose_minutes = o.ed_sedation_min_after_iv_dose_minutes;
  c.ed_sedation_min_after_im_dose_minutes = o.ed_sedation_min_after_im_dose_minutes;
  c.ed_sedation_after_adverse_event_minutes = o.ed_sedation_after_adverse_event_minutes;
  c.discharge_phone = o.discharge_phone;
  c.discharge_instructions = o.discharge_instructions;
  c.invitation_ttl_hours = o.invitation_ttl_hours;
  c.clinic_name = o.clinic_name;
  c.clinic_phone = o.clinic_phone;
  // The demo clinic's number is a fictional one (555-0100 to 555-0199 are reserved for fiction
  // in the North American numbering plan); a real clinic sets clinic_phone.
  if (o.demo && c.clinic_phone.empty()) c.clinic_phone = "(555) 555-0100 (demo)";
  // One number for the clinic unless it keeps a separate one for emergencies after discharge:
  // the escort's sheet prints the configured clinic_phone when discharge_phone is not set (never
  // the demo's fictional one: a printed emergency number is never invented).
  if (c.discharge_phone.empty()) c.discharge_phone = o.clinic_phone;
  if (!o.questionnaire_texts_file.empty()) {
    c.clinic_questionnaire_texts = load_clinic_questionnaire_texts(o.questionnaire_texts_file);
  }
  return c;
}

void apply_toml(ServeOptions& o, const std::string& toml_text, const std::string& source) {
  toml::table doc;
  try {
    doc = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    throw ConfigError(msg.str());
  }
  for (auto&& [key_node, node] : doc) {
    const std::string key(key_node.str());
    const std::string where = source + ": " + key;
    const auto& t = table();
    const auto it =
        std::find_if(t.begin(), t.end(), [&](const Setting& s) { return s.key == key; });
    if (it == t.end()) throw ConfigError(where + ": unknown setting (known: " + known_keys() + ")");
    const Setting& s = *it;
    if (std::holds_alternative<std::string ServeOptions::*>(s.member)) {
      std::optional<std::string> v = node.value_exact<std::string>();
      // A list setting may also be written as an array of strings: ["127.0.0.1", "::1"].
      if (!v && s.key == "trusted_proxies" && node.is_array()) {
        std::string joined;
        for (const toml::node& item : *node.as_array()) {
          const std::optional<std::string> text = item.value_exact<std::string>();
          if (!text) throw ConfigError(where + ": expected an array of strings");
          joined += (joined.empty() ? "" : ",") + *text;
        }
        v = joined;
      }
      if (!v) throw ConfigError(where + ": expected a string");
      set_text(o, s, *v, where);
    } else if (auto m = std::get_if<bool ServeOptions::*>(&s.member)) {
      auto v = node.value_exact<bool>();
      if (!v) throw ConfigError(where + ": expected true or false");
      o.** m = *v;
    } else {
      auto v = node.value_exact<std::int64_t>();
      if (!v) throw ConfigError(where + ": expected an integer");
      set_integer(o, s, *v, where);
    }
  }
}

ServeOptions resolve_serve_options(const ServeFlags& flags, const EnvLookup& env) {
  ServeOptions o;
  // 1. The TOML file, if any.
  std::optional<std::string> config = flags.config_file;
  const std::string config_name = flags.config_file ? "--config" : "KIT_CONFIG";
  if (!config) config = env("KIT_CONFIG");
  if (config && !config->empty()) {
    apply_toml(o, read_small_file(*config, config_name, kMaxConfigBytes), *config);
    o.config_file = *config;
  }
  // 2. The environment: KIT_ + the key in capitals, for every setting.
  for (const Setting& s : table()) {
    const std::string name = env_name(s.key);
    if (auto v = env(name)) apply_env_text(o, s, *v, name);
  }
  // 3. The command line.
  if (flags.data_dir) o.data_dir = *flags.data_dir;
  if (flags.listen) o.listen = *flags.listen;
  if (flags.database) o.database = *flags.database;
  if (flags.demo) o.demo = *flags.demo;
  if (flags.demo_password_file) o.demo_password_file = *flags.demo_password_file;
  if (!o.demo_password_file.empty()) {
    const std::string name =
        flags.demo_password_file ? "--demo-password-file" : "demo_password_file";
    std::string text = read_small_file(o.demo_password_file, name, kMaxPasswordFileBytes);
    // One trailing line end is the file's, not the password's.
    if (!text.empty() && text.back() == '\n') text.pop_back();
    if (!text.empty() && text.back() == '\r') text.pop_back();
    o.demo_password = text;
  }
  if (!o.demo_password.empty()) {
    try {
      check_new_password("demo_password", o.demo_password);
    } catch (const kit::InputError& e) {
      throw ConfigError(
          "the demo password (KIT_DEMO_PASSWORD, demo_password or "
          "--demo-password-file) " +
          e.message() + " (the password rules of every account)");
    }
  }
  if (flags.log_level) o.log_level = lower(*flags.log_level);
  if (flags.workers) o.workers = *flags.workers;
  if (flags.tls) o.tls = *flags.tls;
  if (flags.login_ttl_minutes) o.login_ttl_minutes = *flags.login_ttl_minutes;
  if (flags.login_max_failures) o.login_max_failures = *flags.login_max_failures;
  if (flags.login_lock_minutes) o.login_lock_minutes = *flags.login_lock_minutes;
  if (flags.inquiry_limit_per_hour) o.inquiry_limit_per_hour = *flags.inquiry_limit_per_hour;
  if (flags.web_dir) o.web_dir = *flags.web_dir;
  if (flags.totp_required_roles) o.totp_required_roles = *flags.totp_required_roles;
  if (!o.discharge_instructions_file.empty()) {
    o.discharge_instructions = read_small_file(
        o.discharge_instructions_file, "discharge_instructions_file", kMaxPasswordFileBytes);
  }
  if (flags.test_clock_file) {
    // A moved clock would date a real patient's treatment wrongly: only a demo clinic (synthetic
    // patients, accounts with a printed password) may run on one (ADR 0029).
    if (!o.demo) {
      throw ConfigError(
          "--test-clock is accepted only with --demo: it moves the server's clock for browser "
          "tests and must never run a real clinic");
    }
    if (flags.test_clock_file->empty()) throw ConfigError("--test-clock needs a file");
    o.test_clock_file = *flags.test_clock_file;
  }
  validate(o);
  return o;
}

}  // namespace kit::server
