// `kit audit verify`: checks the audit log's hash chain in the database and that every chain head
// anchored in the data folder's anchor file (server/api/audit_anchor.h) is still in the chain with
// the same hash, and that the chain has not been cut below the last anchor.
// Prints a JSON report on stdout. Exit codes: 0 everything holds; 1 a problem (the report names
// the first one); 2 bad input (no database, an unusable key).
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command_registry.h"
#include "cli/json_command.h"
#include "server/api/audit.h"
#include "server/api/audit_anchor.h"
#include "storage/database.h"
#include "storage/postgres_database.h"

namespace {

namespace fs = std::filesystem;
using kit::cli::kBadInput;
constexpr int kProblem = 1;

struct AuditOptions {
  std::string data = "./kit-data";
  std::string database;
  std::string key_file;
};

[[noreturn]] void fail(int code, const std::string& message) {
  std::cerr << "kit: " << message << "\n";
  throw CLI::RuntimeError(code);
}

bool is_postgres(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

nlohmann::json opt(const std::optional<std::int64_t>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

void verify(const AuditOptions& o) {
  if (o.data.empty()) fail(kBadInput, "--data must name a path (it is empty)");
  const fs::path data(o.data);
  std::string where;
  if (is_postgres(o.database)) {
    where = kit::storage::redact_database_url(o.database);
  } else if (o.database.empty() || o.database == "sqlite:" || o.database == "sqlite") {
    const fs::path db = data / "kit.db";
    if (!fs::is_regular_file(db)) fail(kBadInput, "no database at " + db.string());
    where = db.string();
  } else if (o.database.rfind("sqlite:", 0) == 0) {
    const fs::path db(o.database.substr(7));
    if (!fs::is_regular_file(db)) fail(kBadInput, "no database at " + db.string());
    where = db.string();
  } else {
    fail(kBadInput, "unsupported --database-url '" + kit::storage::redact_database_url(o.database) +
                        "' (postgresql://... or leave it out for SQLite in --data)");
  }
  const fs::path key_file =
      o.key_file.empty() ? data / kit::server::kAnchorKeyFileName : fs::path(o.key_file);
  const fs::path anchor_file = data / kit::server::kAnchorFileName;

  std::optional<kit::server::AnchorKey> key;
  try {
    key = kit::server::load_anchor_key(key_file);
  } catch (const std::exception& e) {
    fail(kBadInput, e.what());
  }

  std::unique_ptr<kit::storage::Database> db;
  try {
    db = kit::storage::open_database(o.database, data);
  } catch (const std::exception& e) {
    fail(kBadInput, std::string("cannot open the database: ") + e.what());
  }

  nlohmann::json report = {
      {"database", where}, {"anchor_file", anchor_file.string()}, {"key_file", key_file.string()}};
  nlohmann::json problem = nullptr;
  // The anchors are read before the chain, so every anchor read refers to committed rows.
  std::optional<kit::server::AnchorFile> anchors;
  if (key) anchors = kit::server::read_anchor_file(anchor_file, *key);
  kit::storage::with_transaction(*db, [&](kit::storage::Transaction& tx) {
    const kit::server::ChainCheck c = kit::server::verify_chain(tx);
    report["chain"] = {{"ok", c.ok},
                       {"rows", c.rows},
                       {"first_bad_id", opt(c.first_bad_id)},
                       {"head_seq", c.head.seq},
                       {"head_hash", c.head.hash},
                       {"audit_head_matches", c.head_matches}};
    if (!c.ok) {
      problem = c.first_bad_id
                    ? nlohmann::json{{"code", "chain_broken"},
                                     {"message", "audit row id " + std::to_string(*c.first_bad_id) +
                                                     " does not follow from the row before it "
                                                     "(edited, deleted or reordered)"},
                                     {"id", *c.first_bad_id}}
                    : nlohmann::json{{"code", "head_mismatch"},
                                     {"message",
                                      "audit_head does not name the last row of the chain (rows "
                                      "removed from the end, or the head edited)"}};
    }
    if (anchors) {
      const kit::server::AnchorCheck a = kit::server::compare_anchors(tx, *anchors, c.head);
      report["anchors"] = a.to_json();
      if (!a.ok && problem.is_null()) {
        problem = {{"code", a.problem_code},
                   {"message", a.problem},
                   {"line", opt(a.line)},
                   {"seq", opt(a.seq)}};
      }
    } else {
      const bool file_exists = fs::exists(anchor_file);
      report["anchors"] = {{"checked", false}, {"file", anchor_file.string()}};
      if (problem.is_null()) {
        problem = file_exists
                      ? nlohmann::json{{"code", "anchor_key_missing"},
                                       {"message", "the anchor file exists but its key " +
                                                       key_file.string() +
                                                       " does not: the signatures cannot be "
                                                       "checked (--key names another key file)"}}
                      : nlohmann::json{
                            {"code", "anchor_file_missing"},
                            {"message", "no anchor key and no anchor file in " + data.string() +
                                            ": nothing was ever anchored here (kit "
                                            "serve writes both), or both were "
                                            "removed"}};
      }
    }
  });
  report["ok"] = problem.is_null();
  report["problem"] = problem;
  std::cout << report.dump(2) << "\n";
  if (!problem.is_null()) throw CLI::RuntimeError(kProblem);
}

kit::cli::Registration reg([](CLI::App& root) {
  CLI::App* audit = root.add_subcommand("audit", "The audit log: verify its chain and anchors");
  audit->require_subcommand(1);
  auto o = std::make_shared<AuditOptions>();
  CLI::App* v = audit->add_subcommand(
      "verify",
      "Check the audit chain in the database and the heads anchored in the data folder's "
      "audit-anchor.log (exit 0 ok, 1 a problem named in the JSON report, 2 bad input)");
  v->add_option("--data", o->data,
                "Data folder holding kit.db, audit-anchor.log and audit-anchor.key (default "
                "./kit-data)");
  v->add_option("--database-url,--database", o->database,
                "Database URL (postgresql://...; default: SQLite kit.db in --data)");
  v->add_option("--key", o->key_file,
                "The anchor's HMAC key file (default <data>/audit-anchor.key)");
  v->callback([o] { verify(*o); });
});

}  // namespace
