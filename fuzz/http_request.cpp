// Fuzz target: raw HTTP/1.1 request bytes into `kit serve`.
//
// The bytes are read as a connection reads them (parse_request_bytes: the same Beast parser with
// kit serve's default body and header limits, the same Transfer-Encoding check, the same decoding
// of the target, query and headers); up to eight pipelined requests are read in turn, each handed
// to what kit serve's handler (server/serve/serve.cpp) does with it: /api/... through the full
// route table (Router::dispatch: authentication, access rules, the handlers, the audit log), and
// everything else through the web application's static files. /healthz and /metrics read nothing
// of the request but its method and the metrics token, and are left out.
//
// The database is the demo clinic (seed_demo: the five demo accounts, 30 synthetic patients with
// their histories), seeded once per process in a temporary folder and copied fresh before every
// input, so each input runs on the same data and the run is deterministic (the clock is fixed).
// Each demo account has a login whose token is in the dictionary (fuzz/http_request.dict) and the
// seeds: "Authorization: Bearer fuzz-token-<username>" or "Cookie: kit_session=fuzz-token-
// <username>" with "X-CSRF-Token: fuzz-csrf-<username>", so the fuzzer reaches every role's routes.
//
// A finding: any 500 (an exception that is not a kit::Error reached the router: the contract
// says bad input is a 400 naming its field), a status outside 100-599, or a JSON answer that is
// not JSON; besides what ASan and UBSan catch.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.h"
#include "server/api/auth.h"
#include "server/api/router.h"
#include "server/api/services.h"
#include "server/demo/demo.h"
#include "server/http/http_server.h"
#include "server/web/static_files.h"
#include "storage/database.h"

namespace {

using namespace kit::server;

// 2026-11-25T10:00:00Z: every input sees the same clock.
constexpr std::int64_t kNowMs = 1'795'600'800'000;
constexpr const char* kDemoPassword = "fuzz-demo-password";

struct World {
  std::filesystem::path dir;     // temporary folder of this process
  std::filesystem::path seeded;  // the seeded database file (kit.db), never written again
  std::filesystem::path work;    // the folder each input's copy lives in
  ServerConfig config;
  Router router;
  HttpServerOptions http;  // kit serve's default limits
  std::unique_ptr<StaticFiles> web;
};

std::filesystem::path temp_root() {
  // tmpfs when there is one: the database commits (fsync) cost nothing there.
  if (std::filesystem::is_directory("/dev/shm")) return "/dev/shm";
  return std::filesystem::temp_directory_path();
}

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

World* make_world() {
  auto* w = new World;
  w->dir = temp_root() / ("kit-fuzz-http-" + std::to_string(getpid()));
  std::filesystem::remove_all(w->dir);
  std::filesystem::create_directories(w->dir / "seed");
  w->work = w->dir / "work";
  w->seeded = w->dir / "seed" / "kit.db";
  // The web application: an index, an asset, a dotfile and a link out of the folder (the resolver
  // must never follow it).
  const std::filesystem::path web = w->dir / "web";
  std::filesystem::create_directories(web / "assets");
  write_file(web / "index.html", "<!doctype html><title>KIT</title>");
  write_file(web / "assets" / "app-1234.js", "console.log(1)");
  write_file(web / ".secret", "not served");
  write_file(w->dir / "outside.txt", "outside the web folder");
  std::filesystem::create_symlink(w->dir / "outside.txt", web / "link.txt");
  w->web = std::make_unique<StaticFiles>(web);
  register_all_routes(w->router);
  {
    setenv("KIT_DEMO_SEED", "full", 0);
    auto db = kit::storage::open_database("", w->dir / "seed");
    Services services(*db, w->config);
    services.set_clock([] { return kNowMs; });
    seed_demo(services, kDemoPassword);
    // One login per demo account with a known token (the database keeps its SHA-256, as login()
    // does), valid for the fixed clock.
    kit::storage::with_transaction(*db, [&](kit::storage::Transaction& tx) {
      for (const std::string& name : demo_usernames()) {
        tx.exec(
            "INSERT INTO logins (token_hash, user_id, csrf_token, created_at_ms, last_seen_ms, "
            "expires_at_ms, remote_address) SELECT $1, id, $2, $3, $3, $4, '10.0.0.7' FROM users "
            "WHERE username = $5",
            {sha256_hex("fuzz-token-" + name), "fuzz-csrf-" + name, kNowMs, kNowMs + 3'600'000,
             name});
      }
    });
  }  // closed: the WAL is checkpointed into kit.db
  std::filesystem::remove(w->dir / "seed" / "kit.db-wal");
  std::filesystem::remove(w->dir / "seed" / "kit.db-shm");
  return w;
}

World& world() {
  static World* w = [] {
    World* made = make_world();
    std::atexit([] { std::filesystem::remove_all(world().dir); });
    return made;
  }();
  return *w;
}

void check(const Request& req, const Response& r) {
  const std::string what = req.method + " " + req.path;
  if (r.status < 100 || r.status > 599) {
    kit::fuzz::finding(what + ": status " + std::to_string(r.status));
  }
  if (r.status == 500) kit::fuzz::finding(what + ": 500 " + r.body);
  if (!r.event_stream && r.content_type.rfind("application/json", 0) == 0 && !r.body.empty() &&
      !nlohmann::json::accept(r.body)) {
    kit::fuzz::finding(what + ": the JSON answer is not JSON: " + r.body.substr(0, 200));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  World& w = world();
  std::string_view rest = kit::fuzz::as_text(data, size);
  // A fresh copy of the seeded clinic.
  std::filesystem::remove_all(w.work);
  std::filesystem::create_directories(w.work);
  std::filesystem::copy_file(w.seeded, w.work / "kit.db");
  auto db = kit::storage::open_database("", w.work);
  Services services(*db, w.config);
  services.set_clock([] { return kNowMs; });
  services.set_event_log([](const std::string&, const std::string&, const nlohmann::json&) {});
  for (int i = 0; i < 8 && !rest.empty(); ++i) {
    ParsedRequest parsed = parse_request_bytes(rest, w.http);
    if (parsed.outcome == ParsedRequest::Outcome::incomplete) break;
    if (parsed.outcome == ParsedRequest::Outcome::rejected) {
      check(parsed.request, parsed.rejection);
      break;  // the server answers and closes the connection
    }
    rest.remove_prefix(parsed.consumed);
    Request& req = parsed.request;
    req.remote_address = "10.0.0.7";
    Response resp = (req.path == "/api" || req.path.rfind("/api/", 0) == 0)
                        ? w.router.dispatch(req, services)
                        : w.web->serve(req);
    check(req, resp);
  }
  return 0;
}
