// The migration runner: render per dialect, apply in order, record, refuse newer databases.
#include "storage/migration_runner.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <set>
#include <string>

namespace kit::storage {
namespace {

// Any constant: the advisory lock that serialises schema changes between kit processes.
constexpr std::int64_t kMigrationLockKey = 0x4b49545f4d494752;  // "KIT_MIGR"

std::string utc_now_iso() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void lock_if_postgres(Database& db, Transaction& tx) {
  if (db.backend() == "postgresql") {
    tx.query("SELECT pg_advisory_xact_lock($1)", {Value{kMigrationLockKey}});
  }
}

std::set<std::int64_t> recorded_versions(Transaction& tx) {
  std::set<std::int64_t> versions;
  for (const auto& row : tx.query("SELECT version FROM schema_migrations ORDER BY version")) {
    versions.insert(row.i64("version"));  // 64-bit: 4294967297 is not 1
  }
  return versions;
}

}  // namespace

std::string render_migration(const std::string& sql, const std::string& backend) {
  struct Token {
    const char* name;
    const char* sqlite;
    const char* postgresql;
  };
  static const Token tokens[] = {
      {"{{ID}}", "INTEGER PRIMARY KEY AUTOINCREMENT",
       "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"},
      {"{{BLOB}}", "BLOB", "BYTEA"},
      // PostgreSQL's REAL is float4 (about 7 significant digits: 35.123456 reads back as
      // 35.12346); SQLite's REAL is already an 8-byte IEEE double.
      {"{{DOUBLE}}", "REAL", "DOUBLE PRECISION"},
  };
  if (backend != "sqlite" && backend != "postgresql") {
    throw std::invalid_argument("unknown database back end '" + backend + "'");
  }
  std::string out;
  out.reserve(sql.size() + 64);
  std::size_t i = 0;
  while (i < sql.size()) {
    const std::size_t open = sql.find("{{", i);
    if (open == std::string::npos) {
      out.append(sql, i, std::string::npos);
      break;
    }
    out.append(sql, i, open - i);
    const std::size_t close = sql.find("}}", open);
    const std::string token =
        sql.substr(open, close == std::string::npos ? std::string::npos : close + 2 - open);
    // A block for one back end only: {{SQLITE}} ... {{END}} or {{POSTGRESQL}} ... {{END}} (a
    // change the two cannot write alike, such as a CHECK constraint: SQLite rebuilds the table).
    if (token == "{{SQLITE}}" || token == "{{POSTGRESQL}}") {
      const std::size_t body = open + token.size();
      const std::size_t end = sql.find("{{END}}", body);
      if (end == std::string::npos) {
        throw std::invalid_argument("migration block " + token + " has no {{END}}");
      }
      const std::string inner = sql.substr(body, end - body);
      if (inner.find("{{SQLITE}}") != std::string::npos ||
          inner.find("{{POSTGRESQL}}") != std::string::npos) {
        throw std::invalid_argument("migration block " + token + " opens another block");
      }
      if ((token == "{{SQLITE}}") == (backend == "sqlite")) {
        out += render_migration(inner, backend);
      }
      i = end + std::string("{{END}}").size();
      continue;
    }
    const Token* match = nullptr;
    for (const auto& t : tokens) {
      if (token == t.name) match = &t;
    }
    if (!match) {
      throw std::invalid_argument(
          "unknown migration token '" + token.substr(0, 40) +
          "' (known: {{ID}}, {{BLOB}}, {{DOUBLE}}, {{SQLITE}}/{{POSTGRESQL}} ... {{END}})");
    }
    out += backend == "sqlite" ? match->sqlite : match->postgresql;
    i = open + token.size();
  }
  return out;
}

MigrationReport apply_migrations(Database& db, const std::vector<Migration>& migrations) {
  std::vector<const Migration*> ordered;
  for (const auto& m : migrations) ordered.push_back(&m);
  std::sort(ordered.begin(), ordered.end(),
            [](const Migration* a, const Migration* b) { return a->version < b->version; });
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    if (ordered[i]->version <= 0) {
      throw std::invalid_argument("migration '" + ordered[i]->name + "' has version " +
                                  std::to_string(ordered[i]->version) + "; versions start at 1");
    }
    if (i > 0 && ordered[i]->version == ordered[i - 1]->version) {
      throw std::invalid_argument("two migrations share version " +
                                  std::to_string(ordered[i]->version) + ": '" +
                                  ordered[i - 1]->name + "' and '" + ordered[i]->name + "'");
    }
  }

  MigrationReport report;
  std::set<std::int64_t> known;
  for (const auto* m : ordered) known.insert(m->version);

  with_transaction(db, [&](Transaction& tx) {
    lock_if_postgres(db, tx);
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "name TEXT NOT NULL, applied_at TEXT NOT NULL)");
    const auto versions = recorded_versions(tx);
    report.version_before = versions.empty() ? 0 : *versions.rbegin();
    for (std::int64_t v : versions) {
      if (!known.count(v)) {
        const int latest = ordered.empty() ? 0 : ordered.back()->version;
        throw std::runtime_error(
            "the database has schema migration " + std::to_string(v) +
            ", which this kit binary does not know (it knows up to " + std::to_string(latest) +
            "): the database was written by a newer kit; upgrade kit, or restore a backup");
      }
    }
  });

  for (const auto* m : ordered) {
    const bool applied = with_transaction(db, [&](Transaction& tx) {
      lock_if_postgres(db, tx);
      // Re-read under the lock: another process may have applied it meanwhile.
      if (!tx.query("SELECT version FROM schema_migrations WHERE version = $1",
                    {Value{std::int64_t{m->version}}})
               .empty()) {
        return false;
      }
      try {
        tx.exec(render_migration(m->sql, db.backend()));
      } catch (const std::exception& e) {
        throw std::runtime_error("migration " + m->name + " failed on " + db.backend() + ": " +
                                 e.what());
      }
      tx.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
              {Value{std::int64_t{m->version}}, Value{m->name}, Value{utc_now_iso()}});
      return true;
    });
    if (applied) report.applied.push_back(m->version);
  }
  return report;
}

}  // namespace kit::storage
