#pragma once
// `kit serve` settings: command-line flags > environment (KIT_*) > an optional TOML file
// (--config FILE or KIT_CONFIG) > defaults. Relative paths are relative to the working directory.
//
// Every setting has one TOML key (flat, no tables) and one environment variable, KIT_ followed by
// the key in capitals (data -> KIT_DATA, login_ttl_minutes -> KIT_LOGIN_TTL_MINUTES). The full
// list, with defaults, units and ranges, is docs/kit.example.toml (a test loads it through this
// loader, so it cannot drift); `settings()` below is the same list in code. An unknown TOML key, a
// value of the wrong type and a value out of range are refused with a ConfigError naming the key
// (or the environment variable) and the file.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "server/api/services.h"
#include "server/http/client_address.h"

namespace kit::server {

struct ServeOptions {
  std::string data_dir = "./kit-data";
  std::string listen = "127.0.0.1:8080";
  std::string database;  // empty: SQLite file kit.db in data_dir
  bool demo = false;
  // Never from the command line (every local user sees argv): KIT_DEMO_PASSWORD, the TOML key, or
  // read from demo_password_file (--demo-password-file). Empty in demo mode: the one stored in the
  // data folder by an earlier start, else a random one; printed at start either way.
  std::string demo_password;
  std::string demo_password_file;
  std::string log_level = "info";  // trace, debug, info, warn, error, off
  int workers = 8;                 // request handler threads (they may wait on the database)
  int io_threads = 1;              // socket threads
  std::size_t body_limit_bytes = 1024 * 1024;
  int header_timeout_s = 10;
  int idle_timeout_s = 60;
  int request_timeout_s = 30;
  int drain_timeout_s = 10;
  // GET /metrics answers loopback peers, and others only with "Authorization: Bearer <token>"
  // when this is set (empty: loopback only).
  std::string metrics_token;
  // The web application's folder (index.html, assets/). Empty: the source tree's web/dist, as
  // configured at build time (default_web_dir()).
  std::string web_dir;
  // The request handlers' settings (ServerConfig); defaults come from ServerConfig itself.
  bool tls = ServerConfig{}.tls;  // clients reach kit over HTTPS (a TLS proxy): Secure cookies
  // The reverse proxies whose X-Forwarded-For is believed (server/http/client_address.h):
  // addresses or CIDR networks, comma-separated (in TOML also an array of strings). Empty (the
  // default): the header is never believed and the TCP peer is the client.
  std::string trusted_proxies;
  int login_ttl_minutes = ServerConfig{}.login_ttl_minutes;
  int login_max_failures = ServerConfig{}.login_max_failures;
  int login_lock_minutes = ServerConfig{}.login_lock_minutes;
  int inquiry_limit_per_hour = ServerConfig{}.inquiry_limit_per_hour;
  int login_idle_minutes = ServerConfig{}.login_idle_minutes;
  int screening_max_age_days = ServerConfig{}.screening_max_age_days;
  // The audit chain's head is anchored in <data>/audit-anchor.log (server/api/audit_anchor.h)
  // after this many audit rows, and every this many seconds when rows were added; plus at start
  // and stop. The HMAC key: this file, or <data>/audit-anchor.key (created on first use).
  int audit_anchor_every_rows = 1000;
  int audit_anchor_every_s = 60;
  std::string audit_anchor_key_file;
  // SQLite: a file of this many MiB kept in the data folder and released when the disk fills up,
  // so that reads (each writes its audit row) go on while writes are refused (ADR 0018). 0: none.
  int storage_reserve_mb = 64;
  // Staff roles that must enrol a second factor (TOTP), comma-separated: admin, physician, nurse,
  // front_desk. Empty (the default): nobody is required to. Recommended: "admin,physician".
  std::string totp_required_roles;
  int ed_sedation_min_after_iv_dose_minutes = ServerConfig{}.ed_sedation_min_after_iv_dose_minutes;
  int ed_sedation_min_after_im_dose_minutes = ServerConfig{}.ed_sedation_min_after_im_dose_minutes;
  int ed_sedation_after_adverse_event_minutes =
      ServerConfig{}.ed_sedation_after_adverse_event_minutes;
  // Scheduled backups (server/backup/backup_runner.h, docs/adr/0020-scheduled-backups.md): off
  // while backup_folder is empty. backup_every: "daily at HH:MM" on the clinic's wall clock or
  // "every N seconds|minutes|hours"; backup_keep: the newest verified backups kept;
  // backup_timezone: the zone of "daily at" (empty: the first clinic's zone, else UTC).
  std::string backup_folder;
  std::string backup_every = "daily at 02:00";
  int backup_keep = 14;
  std::string backup_timezone;
  // Printed on the escort's discharge instructions after an infusion (core/infusion/escort.h):
  // the clinic's phone number for an emergency, and a text file of the clinic's own instructions
  // (at most 4 KiB, read at start). Empty: the printout leaves a line to write the number on.
  std::string discharge_phone;
  std::string discharge_instructions_file;
  std::string discharge_instructions;  // the file's text (not a setting)
  // The patient portal (ServerConfig): invitation lifetime, the clinic's name and phone number,
  // and a JSON file of the clinic's own licensed questionnaire texts (docs/web-portal.md).
  int invitation_ttl_hours = ServerConfig{}.invitation_ttl_hours;
  std::string clinic_name;
  std::string clinic_phone;
  std::string questionnaire_texts_file;
  std::string config_file;  // the TOML file read, if any (for the start-up log)
  // `--test-clock FILE` (command line only: no TOML key, no environment variable; only with
  // demo): the server's clock runs ahead by the minutes FILE holds (server/api/test_clock.h,
  // docs/adr/0029-test-clock.md). Empty: the real clock.
  std::string test_clock_file;
  // Reminders by e-mail (server/reminders/reminder_runner.h, docs/reminders.md, ADR 0025): planned
  // into the outbox every reminders_every_s (0: off); sent through smtp_url (smtp:// with STARTTLS
  // when offered, or smtps://) from smtp_from; empty smtp_url: planned, never sent. The relay's
  // login comes only from the environment (KIT_SMTP_USER, KIT_SMTP_PASSWORD).
  std::string smtp_url;
  std::string smtp_from;
  std::string smtp_ca_file;  // the relay's CA (PEM) when not in the system's store
  int reminders_every_s = 300;
  int reminder_max_attempts = 3;  // reminders per due item, at most one a day
  int reminder_delivery_tries = 5;
  int reminder_retry_s = 300;  // first retry after a refused try, then doubling (at most 6 h)
  int reminder_send_timeout_s = 60;
  std::string reminder_hours = "09:00-20:00";  // clinic-local sending hours
  int reminder_appointment_lead_h = 48;
  int reminder_reassess_after_days = 28;
  std::string portal_base_url;  // the link in messages: <base>/portal (empty: http://<listen>)
};

// The folder the web application is served from: options.web_dir, or when that is empty the
// build's default (the source tree's web/dist, the compile definition KIT_DEFAULT_WEB_DIR).
std::string web_dir_of(const ServeOptions& options);
std::string default_web_dir();

// The handlers' configuration from resolved options (demo, tls, logins, inquiry limit).
ServerConfig server_config(const ServeOptions& options);

// "admin, physician" -> {"admin", "physician"}. Throws ConfigError naming `what` for a name that is
// not a staff role (patients have no second factor).
std::set<std::string> parse_totp_required_roles(const std::string& text, const std::string& what);

// "127.0.0.1, 10.0.0.0/8" -> the trusted proxies. Throws ConfigError naming `what` for an entry
// that is not an address nor a network.
TrustedProxies parse_trusted_proxies(const std::string& text, const std::string& what);

// What the command line gave; unset means "not on the command line".
struct ServeFlags {
  std::optional<std::string> data_dir;
  std::optional<std::string> listen;
  std::optional<std::string> database;
  std::optional<bool> demo;
  std::optional<std::string> demo_password_file;
  std::optional<std::string> config_file;
  std::optional<std::string> log_level;
  std::optional<int> workers;
  std::optional<bool> tls;
  std::optional<int> login_ttl_minutes;
  std::optional<int> login_max_failures;
  std::optional<int> login_lock_minutes;
  std::optional<int> inquiry_limit_per_hour;
  std::optional<std::string> web_dir;
  std::optional<std::string> totp_required_roles;
  std::optional<std::string> test_clock_file;  // --test-clock (refused without demo)
};

// A setting that cannot be used; the message names it and where it came from.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& what) : std::runtime_error(what) {}
};

// One setting as the TOML file and the environment name it.
struct SettingInfo {
  std::string_view key;  // TOML key, e.g. "login_ttl_minutes"
  std::string env;       // environment variable, e.g. "KIT_LOGIN_TTL_MINUTES"
  enum class Type { text, boolean, integer } type;
  long long min = 0;  // integers only: the accepted range, inclusive
  long long max = 0;
};
// Every setting the TOML file and the environment accept (each documented in
// docs/kit.example.toml).
const std::vector<SettingInfo>& settings();

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
std::optional<std::string> process_env(const std::string& name);  // std::getenv

// Resolves and validates the settings. Throws ConfigError. The --config file must be a regular
// file of at most 1 MiB; a demo password (given or read from its file) must pass the password
// rules of accounts (check_new_password).
ServeOptions resolve_serve_options(const ServeFlags& flags, const EnvLookup& env = process_env);

// Applies the keys of a TOML document (text) to `options`; `source` names it in errors. Unknown
// keys, wrong types and out-of-range values throw ConfigError.
void apply_toml(ServeOptions& options, const std::string& toml_text, const std::string& source);

// The --config file is at most 1 MiB; a password file at most 4 KiB.
inline constexpr std::uintmax_t kMaxConfigBytes = 1024 * 1024;
inline constexpr std::uintmax_t kMaxPasswordFileBytes = 4096;
// The text of a regular file of at most max_bytes; anything else (a folder, a device such as
// /dev/zero, a FIFO, a larger file) is a ConfigError naming `setting` and the path.
std::string read_small_file(const std::string& path, const std::string& setting,
                            std::uintmax_t max_bytes);

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};
// "HOST:PORT" or "[IPv6]:PORT"; port 0 asks for an ephemeral port. Throws ConfigError.
ListenAddress parse_listen(const std::string& listen);

}  // namespace kit::server
