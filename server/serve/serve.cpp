// `kit serve`: database, services, routes, /healthz and /metrics, JSON logs, demo banner and
// graceful shutdown on SIGTERM/SIGINT, composed around HttpServer.
#include "server/serve/serve.h"

#include <fcntl.h>
#include <sodium.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "server/api/audit_anchor.h"
#include "server/api/auth.h"
#include "server/api/router.h"
#include "server/api/services.h"
#include "server/api/snapshot_cache.h"
#include "server/api/storage_guard.h"
#include "server/api/test_clock.h"
#include "server/backup/backup_runner.h"
#include "server/demo/demo.h"
#include "server/http/client_address.h"
#include "server/http/http_server.h"
#include "server/http/metrics.h"
#include "server/http/security_headers.h"
#include "server/reminders/reminder_runner.h"
#include "server/resources/portal.h"
#include "server/serve/change_feed.h"
#include "server/web/static_files.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/postgres_database.h"
#include "storage/serve_lock.h"

namespace kit::server {

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

const char* level_name(spdlog::level::level_enum level);

// One JSON object per line on stderr: ts, level, msg, then the fields. Never bodies or patient
// data: callers pass only methods, paths, statuses, timings and addresses.
class JsonLog {
 public:
  explicit JsonLog(const std::string& level) {
    logger_ =
        std::make_shared<spdlog::logger>("kit", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger_->set_pattern("%v");
    logger_->set_level(spdlog::level::from_str(level));
    logger_->flush_on(spdlog::level::trace);
  }
  void debug(const std::string& msg, nlohmann::json fields = nlohmann::json::object()) {
    write(spdlog::level::debug, msg, std::move(fields));
  }
  void info(const std::string& msg, nlohmann::json fields = nlohmann::json::object()) {
    write(spdlog::level::info, msg, std::move(fields));
  }
  void warn(const std::string& msg, nlohmann::json fields = nlohmann::json::object()) {
    write(spdlog::level::warn, msg, std::move(fields));
  }
  void error(const std::string& msg, nlohmann::json fields = nlohmann::json::object()) {
    write(spdlog::level::err, msg, std::move(fields));
  }
  void write(spdlog::level::level_enum level, const std::string& msg, nlohmann::json fields) {
    if (!logger_->should_log(level)) return;
    nlohmann::json line = nlohmann::json::object();
    line["ts"] = iso8601_ms(wall_ms());
    line["level"] = level_name(level);
    line["msg"] = msg;
    if (fields.is_object()) {
      for (auto& [k, v] : fields.items()) line[k] = std::move(v);
    }
    logger_->log(level, "{}", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }

 private:
  std::shared_ptr<spdlog::logger> logger_;
};

const char* level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    default:
      return "critical";
  }
}

double resident_memory_bytes() {
  std::ifstream statm("/proc/self/statm");
  long long size = 0;
  long long resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

Response text_response(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  r.set_header("Cache-Control", "no-store");
  return r;
}

std::string display_host(const std::string& host) {
  if (host == "0.0.0.0" || host.empty()) return "127.0.0.1";
  if (host == "::") return "[::1]";
  if (host.find(':') != std::string::npos) return "[" + host + "]";
  return host;
}

// GET /metrics: loopback callers (a local Prometheus agent, an operator on the machine), or any
// caller presenting "Authorization: Bearer <metrics_token>" when one is configured.
bool is_loopback(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address == "::1" || address.rfind("::ffff:127.", 0) == 0;
}

bool may_read_metrics(const Request& req, const std::string& token) {
  if (is_loopback(req.remote_address)) return true;
  if (token.empty()) return false;
  const std::optional<std::string> auth = req.header("authorization");
  const std::string expected = "Bearer " + token;
  return auth && auth->size() == expected.size() &&
         sodium_memcmp(auth->data(), expected.data(), expected.size()) == 0;
}

// GET /healthz: the database answers a cheap query and holds the schema version this kit knows
// (the last embedded migration). The reason given to the caller names no SQL; the log has it.
std::optional<std::string> database_problem(storage::Database& db, JsonLog& log) {
  const int expected = storage::embedded_migrations().back().version;
  try {
    std::unique_ptr<storage::Transaction> tx = db.begin();
    const storage::Rows rows = tx->query("SELECT MAX(version) AS version FROM schema_migrations");
    const std::optional<std::int64_t> version =
        rows.empty() ? std::nullopt : rows.front().opt_i64("version");
    if (version != expected) {
      return "the database's schema version is " +
             (version ? std::to_string(*version) : std::string("missing")) + "; this kit needs " +
             std::to_string(expected);
    }
  } catch (const std::exception& e) {
    log.error("health check: the database does not answer", {{"error", e.what()}});
    return std::string("the database does not answer a query");
  }
  return std::nullopt;
}

constexpr const char* kDemoPasswordFile = "demo-password";

// The demo password an earlier start kept, if any (and if it still passes the password rules).
std::optional<std::string> read_kept_demo_password(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
  try {
    std::string text = read_small_file(file.string(), "demo password file", kMaxPasswordFileBytes);
    if (!text.empty() && text.back() == '\n') text.pop_back();
    check_new_password("demo_password", text);
    return text;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Written with mode 0600 (created so, and tightened if it existed): only the server's user reads
// it.
void write_kept_demo_password(const std::filesystem::path& file, const std::string& password) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + file.string());
  ::fchmod(fd, 0600);
  const std::string text = password + "\n";
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace

std::string random_demo_password() {
  static constexpr char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
  std::string out;
  for (int i = 0; i < 16; ++i) out += alphabet[randombytes_uniform(sizeof alphabet - 1)];
  return out;
}

int run_serve(const ServeOptions& o) {
  const auto started = Clock::now();
  JsonLog log(o.log_level);
  std::signal(SIGPIPE, SIG_IGN);
  const ListenAddress listen = parse_listen(o.listen);
  log.info("starting", {{"data", o.data_dir},
                        {"listen", o.listen},
                        {"database", o.database.empty() ? std::string("sqlite (data folder)")
                                                        : storage::redact_database_url(o.database)},
                        {"config", o.config_file},
                        {"demo", o.demo},
                        {"tls", o.tls},
                        {"trusted_proxies", o.trusted_proxies},
                        {"workers", o.workers},
                        {"pid", static_cast<long long>(getpid())}});
  // SIGTERM / SIGINT: stop accepting, finish what is in flight, then return. Installed first, so
  // a signal during start-up also ends the process cleanly.
  std::atomic<bool> stop_requested{false};
  std::atomic<HttpServer*> server_ptr{nullptr};
  boost::asio::io_context signal_ioc;
  boost::asio::signal_set signals(signal_ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    log.info("stopping", {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"},
                          {"drain_timeout_s", o.drain_timeout_s}});
    stop_requested = true;
    if (HttpServer* s = server_ptr.load()) s->stop();
  });
  std::thread signal_thread([&signal_ioc] { signal_ioc.run(); });
  struct SignalThreadJoin {
    boost::asio::signal_set& signals;
    boost::asio::io_context& ioc;
    std::thread& thread;
    ~SignalThreadJoin() {
      boost::system::error_code ec;
      signals.cancel(ec);
      ioc.stop();
      thread.join();
    }
  } join_signal_thread{signals, signal_ioc, signal_thread};

  if (sodium_init() < 0) {
    log.error("libsodium cannot be initialised");
    return 1;
  }

  std::unique_ptr<storage::Database> db;
  // While this server runs, `kit restore` cannot replace its SQLite database underneath it.
  std::unique_ptr<storage::ServeLock> serve_lock;
  try {
    const bool sqlite = o.database.empty() || o.database.rfind("sqlite", 0) == 0;
    if (sqlite) {
      std::filesystem::create_directories(o.data_dir);
      serve_lock =
          std::make_unique<storage::ServeLock>(o.data_dir, storage::ServeLock::Mode::shared);
      if (!serve_lock->held()) {
        log.error("the data folder is being restored (kit restore holds it); try again after it");
        return 1;
      }
    }
    db = storage::open_database(o.database, o.data_dir);
  } catch (const std::exception& e) {
    log.error("cannot open the database", {{"error", e.what()}});
    return 1;
  }
  log.info("database ready", {{"backend", db->backend()}});

  Services services(*db, server_config(o));
  services.set_event_log(
      [&log](const std::string& level, const std::string& msg, const nlohmann::json& fields) {
        log.write(level == "error"  ? spdlog::level::err
                  : level == "info" ? spdlog::level::info
                                    : spdlog::level::warn,
                  msg, fields);
      });
  // The test clock (ADR 0029): only a demo server (resolve_serve_options), loudly.
  std::unique_ptr<TestClock> test_clock;
  if (!o.test_clock_file.empty()) {
    try {
      test_clock = std::make_unique<TestClock>(
          o.test_clock_file, [&log](const std::string& message, const std::string& file) {
            log.warn(message, {{"test_clock", file}});
          });
    } catch (const std::exception& e) {
      log.error("cannot use the test clock", {{"error", e.what()}});
      return 2;
    }
    services.set_test_clock(test_clock.get());
    log.warn("TEST CLOCK: this server's clock runs ahead of the real one by the minutes in " +
                 o.test_clock_file +
                 " (browser tests of a demo clinic only; every screen shows TEST CLOCK)",
             {{"test_clock", o.test_clock_file},
              {"offset_minutes", test_clock->offset_minutes()},
              {"now", iso8601_ms(services.now_ms())}});
  }
  Router router;
  register_all_routes(router);

  // The audit chain's head, anchored outside the database (server/api/audit_anchor.h): at start,
  // every audit_anchor_every_rows rows or audit_anchor_every_s seconds, and at stop.
  std::unique_ptr<AuditAnchor> anchor;
  try {
    std::filesystem::create_directories(o.data_dir);
    const std::filesystem::path key_file =
        o.audit_anchor_key_file.empty() ? std::filesystem::path(o.data_dir) / kAnchorKeyFileName
                                        : std::filesystem::path(o.audit_anchor_key_file);
    AuditAnchor::Options ao;
    ao.file = std::filesystem::path(o.data_dir) / kAnchorFileName;
    ao.key_existed = std::filesystem::exists(key_file);
    ao.key = load_or_create_anchor_key(key_file);
    ao.every_rows = o.audit_anchor_every_rows;
    ao.every_s = o.audit_anchor_every_s;
    char host[256] = {0};
    if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    ao.by = "kit serve pid " + std::to_string(getpid()) + " on " + host;
    ao.log = [&log](const nlohmann::json& line) { log.info("audit anchor", {{"anchor", line}}); };
    ao.warn = [&log](const std::string& message) { log.warn(message); };
    anchor = std::make_unique<AuditAnchor>(*db, std::move(ao));
    anchor->start();
    services.set_audit_anchor(anchor.get());
  } catch (const std::exception& e) {
    log.error("cannot set up the audit anchor", {{"error", e.what()}});
    return 1;
  }

  // A full disk under the SQLite database: reads go on in a reserve while writes are refused
  // (server/api/storage_guard.h, ADR 0018). PostgreSQL's disk is the database server's.
  std::unique_ptr<StorageGuard> storage_guard;
  if (db->backend() == "sqlite") {
    storage_guard = std::make_unique<StorageGuard>(
        o.data_dir, static_cast<std::uint64_t>(o.storage_reserve_mb) * 1024ULL * 1024ULL,
        [&log](const std::string& level, const std::string& msg, const nlohmann::json& fields) {
          log.write(level == "error"  ? spdlog::level::err
                    : level == "warn" ? spdlog::level::warn
                                      : spdlog::level::info,
                    msg, fields);
        });
    storage_guard->start();
    services.set_storage_guard(storage_guard.get());
  }

  std::string demo_password = o.demo_password;
  // given (KIT_DEMO_PASSWORD, the TOML key or --demo-password-file), kept or generated.
  std::string demo_password_source = "given";
  if (o.demo) {
    try {
      // The demo password in force is kept in the data folder (0600, like kit.db), so that a
      // restart prints it again and can tell a demo account still on it from one whose password
      // was changed since (which is never reset).
      std::filesystem::create_directories(o.data_dir);
      const std::filesystem::path kept_file = std::filesystem::path(o.data_dir) / kDemoPasswordFile;
      const std::optional<std::string> previous = read_kept_demo_password(kept_file);
      if (demo_password.empty() && previous) {
        demo_password = *previous;
        demo_password_source = "kept";
      } else if (demo_password.empty()) {
        demo_password = random_demo_password();
        demo_password_source = "generated";
      }
      const DemoSummary demo = seed_demo(services, demo_password, previous);
      write_kept_demo_password(kept_file, demo_password);
      log.warn(
          demo.seeded ? "DEMO MODE: demo clinic seeded" : "DEMO MODE: demo clinic already present",
          {{"demo", true},
           {"seeded", demo.seeded},
           {"counts", demo.counts},
           {"elapsed_ms", std::round(demo.elapsed_ms)},
           {"password_reset", demo.reset}});
      if (!demo.kept_own_password.empty()) {
        log.warn(
            "DEMO MODE: these demo accounts keep the password they were given since; the "
            "demo password does not apply to them",
            {{"demo", true}, {"accounts", demo.kept_own_password}});
      }
    } catch (const std::exception& e) {
      log.error("cannot seed the demo clinic", {{"error", e.what()}});
      return 1;
    }
  }

  auto metrics = std::make_shared<MetricsRegistry>();
  metrics->describe_gauge("process_resident_memory_bytes", "Resident memory size in bytes.");
  metrics->describe_gauge("process_start_time_seconds",
                          "Start time of the process since the epoch.");
  metrics->describe_gauge("kit_info",
                          "Constant 1, labelled with the database back end and demo mode.");
  metrics->describe_counter("kit_snapshot_cache_lookups_total",
                            "Reads looked up in the snapshot cache (the chair board), by result "
                            "(hit: served as read before in a snapshot with the same data).");
  metrics->set_gauge("process_start_time_seconds", static_cast<double>(wall_ms()) / 1000.0);
  metrics->set_gauge("kit_info", 1,
                     {{"backend", db->backend()}, {"demo", o.demo ? "true" : "false"}});

  // The web application: every GET/HEAD outside /api/ (docs/adr/0012-web-application.md).
  const StaticFiles web(web_dir_of(o));
  if (web.has_index()) {
    log.info("web application", {{"web_dir", web.root().string()}});
  } else {
    log.warn("the web application is not built: GET / answers 503 until it is",
             {{"web_dir", web.root().string()},
              {"build", "cd web && npm ci && npm run build (scripts/run.sh does it)"}});
  }

  std::atomic<bool> ready{false};
  std::atomic<ChangeFeed*> change_feed_ptr{nullptr};
  auto serve_request = [&](const Request& req) -> Response {
    if (req.path == "/healthz" || req.path == "/metrics") {
      if (req.method != "GET" && req.method != "HEAD") {
        Response r = http_error_response(405, "method_not_allowed", "use GET");
        r.set_header("Allow", "GET, HEAD");
        return r;
      }
      if (req.path == "/healthz") {
        HttpServer* s = server_ptr.load();
        if (!ready || s == nullptr)
          return text_response(503, "{\"status\":\"starting\"}", "application/json");
        if (s->draining())
          return text_response(503, "{\"status\":\"draining\"}", "application/json");
        if (const std::optional<std::string> problem = database_problem(*db, log)) {
          const nlohmann::json body = {{"status", "database_unavailable"}, {"reason", *problem}};
          return text_response(503, body.dump(), "application/json");
        }
        if (TestClock* clock = services.test_clock()) {
          const std::int64_t now = services.now_ms();
          const nlohmann::json body = {
              {"status", "ok"},
              {"test_clock",
               {{"offset_minutes", clock->offset_minutes()}, {"now", iso8601_ms(now)}}}};
          return text_response(200, body.dump(), "application/json");
        }
        return text_response(200, "{\"status\":\"ok\"}", "application/json");
      }
      if (!may_read_metrics(req, o.metrics_token)) {
        return http_error_response(403, "forbidden",
                                   "metrics are for loopback callers or the metrics token");
      }
      metrics->set_gauge("process_resident_memory_bytes", resident_memory_bytes());
      const SnapshotCache::Stats cache = services.snapshot_cache().stats();
      metrics->set_counter("kit_snapshot_cache_lookups_total", static_cast<double>(cache.hits),
                           {{"result", "hit"}});
      metrics->set_counter("kit_snapshot_cache_lookups_total", static_cast<double>(cache.misses),
                           {{"result", "miss"}});
      return text_response(200, metrics->render(), kPrometheusContentType);
    }
    // The API, and its FHIR R4 face (/fhir/r4/..., docs/fhir.md): both through the router.
    if (req.path == "/api" || req.path.rfind("/api/", 0) == 0 || req.path.rfind("/fhir/", 0) == 0) {
      Response resp = router.dispatch(req, services);
      // A write just committed: live screens hear of it now rather than at the next look.
      if (req.method != "GET" && req.method != "HEAD" && resp.status < 400) {
        if (ChangeFeed* feed = change_feed_ptr.load()) feed->poke();
      }
      return resp;
    }
    return web.serve(req);
  };
  // Behind a trusted proxy the client's address comes from X-Forwarded-For (client_address.h):
  // the audit log and per-address limits see the client, not nginx. With `tls`, every answer
  // carries Strict-Transport-Security (docs/adr/0019-behind-a-tls-proxy.md).
  const TrustedProxies trusted_proxies =
      parse_trusted_proxies(o.trusted_proxies, "trusted_proxies");
  auto handler = [&](const Request& req) -> Response {
    Response resp;
    if (trusted_proxies.empty() || !trusted_proxies.contains(req.remote_address)) {
      resp = serve_request(req);
    } else {
      Request forwarded = req;
      forwarded.remote_address =
          client_address(req.remote_address, req.header("x-forwarded-for"), trusted_proxies);
      resp = serve_request(forwarded);
    }
    if (o.tls) {
      resp.set_header("Strict-Transport-Security", std::string(kStrictTransportSecurity));
    }
    return resp;
  };

  HttpServerOptions http;
  {
    std::vector<std::string> patterns = {"/healthz", "/metrics"};
    for (const Route& route : router.routes()) patterns.push_back(route.pattern);
    http.route_label = RouteLabels(patterns);
  }
  http.host = listen.host;
  http.port = listen.port;
  http.body_limit_bytes = o.body_limit_bytes;
  http.header_read_timeout = std::chrono::seconds(o.header_timeout_s);
  http.idle_timeout = std::chrono::seconds(o.idle_timeout_s);
  http.request_timeout = std::chrono::seconds(o.request_timeout_s);
  http.drain_timeout = std::chrono::seconds(o.drain_timeout_s);
  http.io_threads = o.io_threads;
  http.worker_threads = o.workers;
  http.access_log = [&log](const AccessRecord& r) {
    log.info("request", {{"method", r.method},
                         {"path", loggable_path(r.path)},  // never an invitation token
                         {"status", r.status},
                         {"duration_ms", std::round(r.duration_ms * 1000.0) / 1000.0},
                         {"remote", r.remote},
                         {"bytes", r.response_bytes}});
  };
  http.event_log = [&log](const std::string& level, const std::string& message) {
    if (level == "error") {
      log.error(message);
    } else {
      log.warn(message);
    }
  };

  // Scheduled backups (docs/adr/0020-scheduled-backups.md): SQLite only; started below, once the
  // server listens, and stopped before the database closes.
  std::unique_ptr<BackupRunner> backups;
  if (!o.backup_folder.empty()) {
    if (db->backend() != "sqlite") {
      log.error(
          "backup_folder: kit serve's scheduled backups copy the SQLite database; with PostgreSQL "
          "leave backup_folder empty and back up with pg_dump or WAL archiving (docs/deploy.md, "
          "Backups)",
          {{"backup_folder", o.backup_folder}});
      return 1;
    }
    BackupSettings bs;
    bs.folder = std::filesystem::absolute(o.backup_folder).lexically_normal();
    bs.schedule = parse_backup_schedule(o.backup_every, "backup_every");
    bs.keep = o.backup_keep;
    bs.timezone = o.backup_timezone;
    backups = std::make_unique<BackupRunner>(services, std::move(bs));
    services.set_backup_runner(backups.get());
  }

  std::unique_ptr<HttpServer> server;
  try {
    server = std::make_unique<HttpServer>(http, handler, metrics);
  } catch (const std::exception& e) {
    log.error("cannot listen", {{"listen", o.listen}, {"error", e.what()}});
    return 1;
  }
  server_ptr = server.get();
  // Live updates for the chair board and alert inbox (GET /api/v1/events).
  ChangeFeed change_feed(
      *db, [&server](std::int64_t seq) { server->publish(seq); }, std::chrono::milliseconds(2000));
  change_feed_ptr = &change_feed;
  if (stop_requested) server->stop();
  ready = true;
  const std::string url =
      "http://" + display_host(listen.host) + ":" + std::to_string(server->port()) + "/";
  const double startup_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  log.info("listening", {{"address", listen.host + ":" + std::to_string(server->port())},
                         {"host", listen.host},
                         {"port", server->port()},
                         {"url", url},
                         {"startup_ms", std::round(startup_ms * 10.0) / 10.0}});
  if (o.demo) {
    // One JSON line like every other: where to open the app, the accounts and the password.
    log.warn("DEMO MODE: open " + url + " in a browser and sign in (" + url +
                 "signin) as admin, physician, nurse, frontdesk or patient with password " +
                 demo_password + " (synthetic demo data). API: " + url + "api/v1/openapi.json",
             {{"demo", true},
              {"url", url},
              {"signin", url + "signin"},
              {"openapi", url + "api/v1/openapi.json"},
              {"login", url + "api/v1/auth/login"},
              {"demo_accounts", demo_usernames()},
              {"demo_password", demo_password},
              {"demo_password_source", demo_password_source}});
  }

  if (backups) {
    backups->start();
    const BackupSettings& bs = backups->settings();
    std::error_code ec;
    nlohmann::json fields = {{"backup_folder", bs.folder.string()},
                             {"backup_every", bs.schedule.text()},
                             {"backup_keep", bs.keep},
                             {"backup_timezone", backups->zone().name}};
    if (!std::filesystem::is_directory(bs.folder, ec)) {
      log.error("BACKUP FOLDER MISSING: every scheduled backup fails until " + bs.folder.string() +
                    " exists (kit does not create it: is the disk mounted?)",
                fields);
    } else {
      log.info("scheduled backups", fields);
    }
  }
  // Reminders by e-mail (docs/reminders.md, docs/adr/0025-reminders-outbox.md): planned into the
  // outbox; sent only when smtp_url is set.
  std::unique_ptr<ReminderRunner> reminder_runner;
  if (o.reminders_every_s > 0) {
    ReminderSettings rs;
    rs.every_ms = o.reminders_every_s * 1000LL;
    rs.policy.max_reminders = o.reminder_max_attempts;
    rs.policy.appointment_lead_ms = o.reminder_appointment_lead_h * 3'600'000LL;
    rs.policy.reassessment_after_ms = o.reminder_reassess_after_days * 86'400'000LL;
    std::tie(rs.policy.send_from_min, rs.policy.send_until_min) =
        parse_reminder_hours(o.reminder_hours, "reminder_hours");
    rs.delivery.max_tries = o.reminder_delivery_tries;
    rs.delivery.first_retry_ms = o.reminder_retry_s * 1000LL;
    rs.smtp.url = o.smtp_url;
    rs.smtp.from = o.smtp_from;
    rs.smtp.user = process_env("KIT_SMTP_USER").value_or("");
    rs.smtp.password = process_env("KIT_SMTP_PASSWORD").value_or("");
    rs.smtp.timeout_s = o.reminder_send_timeout_s;
    rs.smtp.ca_file = o.smtp_ca_file;
    rs.portal_base_url = o.portal_base_url.empty() ? url : o.portal_base_url;
    reminder_runner = std::make_unique<ReminderRunner>(services, std::move(rs));
    reminder_runner->start();
    const ReminderSettings& s = reminder_runner->settings();
    log.info(s.smtp.url.empty() ? "reminders: planned into the outbox, not sent (no smtp_url)"
                                : "reminders: planned into the outbox and sent",
             {{"reminders_every_s", o.reminders_every_s},
              {"smtp_url", s.smtp.url},
              {"smtp_login", !s.smtp.user.empty()},
              {"reminder_hours", o.reminder_hours},
              {"reminder_max_attempts", o.reminder_max_attempts},
              {"portal", s.portal_base_url}});
  }
  server->run();
  if (reminder_runner) reminder_runner->stop();  // a message being sent finishes first
  if (backups) backups->stop();                  // a run in progress finishes first
  change_feed_ptr = nullptr;
  server_ptr = nullptr;
  services.set_audit_anchor(nullptr);
  services.set_storage_guard(nullptr);
  services.set_test_clock(nullptr);
  anchor->stop();
  log.info(
      "stopped",
      {{"uptime_s", std::round(std::chrono::duration<double>(Clock::now() - started).count())}});
  return 0;
}

}  // namespace kit::server
