// `kit backup` and `kit restore`: a consistent copy of the clinic's SQLite database while the
// server runs, and putting one back without ever leaving a half-written database. For PostgreSQL
// the tools are pg_dump / pg_restore; kit says which command to run.
// Exit codes: 0 done; 1 the copy failed; 2 bad input (no database, not a valid backup, PostgreSQL
// URL); 3 refused (restore over an existing database without --force).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/command_registry.h"
#include "cli/json_command.h"
#include "server/api/audit.h"
#include "server/api/audit_anchor.h"
#include "server/backup/backup_check.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/postgres_database.h"
#include "storage/serve_lock.h"
#include "storage/sqlite_database.h"

namespace {

namespace fs = std::filesystem;
using kit::cli::kBadInput;
using kit::cli::kRefused;
constexpr int kFailed = 1;

struct StorageOptions {
  std::string data = "./kit-data";
  std::string database;
  std::string file;
  std::string verify;
  bool force = false;
};

[[noreturn]] void fail(int code, const std::string& message) {
  std::cerr << "kit: " << message << "\n";
  throw CLI::RuntimeError(code);
}

bool is_postgres(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

// The SQLite file a --data / --database pair names.
fs::path sqlite_file(const StorageOptions& o) {
  if (o.database.empty() || o.database == "sqlite:" || o.database == "sqlite") {
    return fs::path(o.data) / "kit.db";
  }
  if (o.database.rfind("sqlite:", 0) == 0) return fs::path(o.database.substr(7));
  fail(kBadInput, "unsupported --database URL '" + kit::storage::redact_database_url(o.database) +
                      "' (postgresql://... or leave it out for SQLite)");
}

std::string utc_stamp() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

// An option that names a path must name one: "" would silently mean the current folder.
void require_path(const std::string& value, const std::string& option) {
  if (value.empty()) fail(kBadInput, option + " must name a path (it is empty)");
}

// The tables a database of this kit has: those of a freshly migrated one.
std::vector<std::string> kit_tables() {
  const fs::path tmp = fs::temp_directory_path() / ("kit-schema-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  std::vector<std::string> names;
  { auto db = kit::storage::open_database("", tmp); }
  names = kit::storage::sqlite_table_names(tmp / "kit.db");
  std::error_code ec;
  fs::remove_all(tmp, ec);
  return names;
}

// A name for the copy of the database a restore replaces, never one that exists already.
fs::path safety_copy_name(const fs::path& folder) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count() %
                  1000;
  for (int n = 0;; ++n) {
    const fs::path p = folder / ("kit-before-restore-" + utc_stamp() + "." + std::to_string(ms) +
                                 (n == 0 ? "" : "-" + std::to_string(n)) + ".db");
    if (!fs::exists(p)) return p;
  }
}

std::int64_t latest_known_version() {
  std::int64_t latest = 0;
  for (const auto& m : kit::storage::embedded_migrations())
    latest = std::max<std::int64_t>(latest, m.version);
  return latest;
}

// `kit backup --verify FILE`: the checks the backup schedule runs on each copy (integrity_check,
// a kit schema, the audit chain), as a JSON report. Exit 0 sound, 1 a problem, 2 no such file.
void verify_backup(const StorageOptions& o) {
  require_path(o.verify, "--verify");
  const fs::path file = fs::absolute(o.verify);
  if (!fs::is_regular_file(file)) fail(kBadInput, "no backup file at " + file.string());
  const kit::server::BackupCheck check = kit::server::verify_backup_file(file);
  nlohmann::json report = check.to_json();
  report["file"] = file.string();
  std::cout << report.dump(2) << "\n";
  if (!check.ok) throw CLI::RuntimeError(kFailed);
}

void backup(const StorageOptions& o) {
  if (!o.verify.empty()) {
    if (!o.file.empty()) fail(kBadInput, "--verify checks a backup; it takes no --to");
    verify_backup(o);
    return;
  }
  if (o.file.empty()) fail(kBadInput, "--to is required (or --verify FILE to check a backup)");
  if (is_postgres(o.database)) {
    std::cerr << "kit: kit backup copies the SQLite database; for PostgreSQL use pg_dump, which is "
                 "consistent while the servers run:\n"
              << "  pg_dump --format=custom --file='" << o.file << "' '"
              << kit::storage::redact_database_url(o.database) << "'\n";
    throw CLI::RuntimeError(kBadInput);
  }
  require_path(o.file, "--to");
  require_path(o.data, "--data");
  const fs::path db = sqlite_file(o);
  if (!fs::is_regular_file(db)) fail(kBadInput, "no database at " + db.string());
  const fs::path to = fs::absolute(o.file);
  if (fs::exists(to) && fs::equivalent(to, db)) fail(kBadInput, "--to names the database itself");
  if (fs::exists(to)) {
    // Only an earlier kit backup may be replaced, and only when asked to.
    bool earlier_backup = false;
    try {
      earlier_backup = fs::is_regular_file(to) && kit::storage::sqlite_schema_version(to) > 0;
    } catch (const std::exception&) {
      earlier_backup = false;
    }
    if (!earlier_backup) {
      fail(kRefused, "--to names an existing file that is not a kit backup: " + to.string() +
                         " (choose another name)");
    }
    if (!o.force) {
      fail(kRefused,
           "--to names an existing backup: " + to.string() + " (add --force to replace it)");
    }
  }
  try {
    kit::storage::sqlite_backup_file(db, to);
    const std::string check = kit::storage::sqlite_integrity_check(to);
    if (check != "ok") fail(kFailed, "the copy failed its integrity check: " + check);
    std::cout << "backup of " << db.string() << " written to " << to.string() << " ("
              << fs::file_size(to) << " bytes, schema version "
              << kit::storage::sqlite_schema_version(to) << ", integrity ok)\n";
  } catch (const CLI::RuntimeError&) {
    throw;
  } catch (const std::exception& e) {
    fail(kFailed, std::string("backup failed: ") + e.what());
  }
}

void restore(const StorageOptions& o) {
  if (is_postgres(o.database)) {
    std::cerr << "kit: kit restore writes the SQLite database; for PostgreSQL use pg_restore into "
                 "an empty database, with the kit servers stopped:\n"
              << "  pg_restore --clean --if-exists --no-owner --dbname='"
              << kit::storage::redact_database_url(o.database) << "' '" << o.file << "'\n";
    throw CLI::RuntimeError(kBadInput);
  }
  require_path(o.file, "--from");
  require_path(o.data, "--data");
  const fs::path from = fs::absolute(o.file);
  const fs::path target = sqlite_file(o);
  if (!fs::is_regular_file(from)) fail(kBadInput, "no backup file at " + from.string());
  if (fs::file_size(from) == 0) fail(kBadInput, "the backup file is empty: " + from.string());

  // 0. Never under a running server: it would keep its logins, caches and writes (and access an
  // account lost by the restore would come back). kit serve holds the folder's lock shared.
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  const kit::storage::ServeLock lock(target.parent_path(),
                                     kit::storage::ServeLock::Mode::exclusive);
  if (!lock.held()) {
    fail(kRefused, "a kit serve is running on " + target.parent_path().string() +
                       ": stop it first, then restore");
  }

  // 1. The backup must be a sound SQLite database from this kit or an older one.
  std::string check;
  std::int64_t version = 0;
  try {
    check = kit::storage::sqlite_integrity_check(from);
    version = kit::storage::sqlite_schema_version(from);
  } catch (const std::exception& e) {
    fail(kBadInput, std::string("not a usable backup: ") + e.what());
  }
  if (check != "ok") fail(kBadInput, "the backup failed its integrity check: " + check);
  if (version > latest_known_version()) {
    fail(kBadInput, "the backup has schema version " + std::to_string(version) +
                        ", newer than this kit (" + std::to_string(latest_known_version()) +
                        "): restore it with a newer kit");
  }
  if (version < 1) fail(kBadInput, "not a kit database (no schema version): " + from.string());
  if (version == latest_known_version()) {
    // Every table this kit needs must be there (a backup with dropped tables would give 500s).
    const auto have = kit::storage::sqlite_table_names(from);
    for (const std::string& t : kit_tables()) {
      if (std::find(have.begin(), have.end(), t) == have.end()) {
        fail(kBadInput, "not a complete kit database: table " + t + " is missing");
      }
    }
  }

  // 2. Never over an existing database by accident.
  const bool exists = fs::exists(target);
  if (exists && !o.force) {
    fail(kRefused, "a database already exists at " + target.string() +
                       "; add --force to replace it (the current one is kept as a copy)");
  }
  if (exists && fs::equivalent(from, target)) fail(kBadInput, "--from names the database itself");

  // The head of the database being replaced, for the anchor file's restore line.
  std::optional<kit::server::ChainHead> replaced;
  fs::path kept;

  try {
    if (!exists) {
      // A fresh data folder: write a temporary file, fsync it, rename it into place. Stale WAL
      // files without their database would be replayed into the new one: remove them first.
      if (target.has_parent_path()) fs::create_directories(target.parent_path());
      fs::remove(fs::path(target.string() + "-wal"));
      fs::remove(fs::path(target.string() + "-shm"));
      kit::storage::sqlite_backup_file(from, target);
      std::cout << "restored " << from.string() << " to " << target.string() << " (schema version "
                << version << ")\n";
    } else {
      // Replace in place through SQLite itself: one write transaction, so readers (even a running
      // server) see the old database or the new one, and a crash half-way leaves the old one.
      const fs::path keep = safety_copy_name(target.parent_path());
      kept = keep;
      kit::storage::sqlite_backup_file(target, keep);
      try {  // read after the safety copy is taken, so the copy is exactly what was there
        replaced =
            kit::server::read_chain_head(*kit::storage::open_database("", target.parent_path()));
      } catch (const std::exception&) {
        replaced.reset();  // unreadable: the restore line says so (replaced_seq null)
      }
      kit::storage::sqlite_restore_into(from, target);
      const std::string after = kit::storage::sqlite_integrity_check(target);
      if (after != "ok")
        fail(kFailed, "the restored database failed its integrity check: " + after);
      std::cout << "restored " << from.string() << " over " << target.string()
                << " (schema version " << version << "); the previous database is kept as "
                << keep.string() << "\n";
    }
    // Every login of the restored database ends (a password reset or a disabled account after
    // the backup must not be undone by it), and the restore is recorded in its audit chain.
    auto restored = kit::storage::open_database("", target.parent_path());
    const kit::server::ChainHead head =
        kit::storage::with_transaction(*restored, [&](kit::storage::Transaction& tx) {
          tx.exec("DELETE FROM logins");
          kit::server::AuditEntry e;
          e.at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
          e.action = "kit restore --from " + from.string();
          e.outcome = "allowed";
          e.remote_address = "local";
          return kit::server::append_audit(tx, e);
        });
    std::cout << "every login ended; the restore is recorded in the audit log\n";
    // The anchor file keeps every line; a signed restore line says that the database was replaced
    // here, from which head to which: `kit audit verify` checks the anchors after it against the
    // restored chain and those before it (the replaced database's) for their signature only.
    const fs::path folder = target.parent_path();
    kit::server::AnchorLine line;
    line.kind = "restore";
    line.seq = head.seq;
    line.hash = head.hash;
    line.at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
    line.by = "kit restore pid " + std::to_string(::getpid());
    line.reason = "restore";
    if (replaced) {
      line.replaced_seq = replaced->seq;
      line.replaced_hash = replaced->hash;
    }
    line.note =
        "from " + from.string() +
        (kept.empty() ? std::string() : "; the replaced database is kept as " + kept.string());
    const kit::server::AnchorKey key =
        kit::server::load_or_create_anchor_key(folder / kit::server::kAnchorKeyFileName);
    kit::server::append_anchor_line(folder / kit::server::kAnchorFileName,
                                    kit::server::signed_anchor_line(line, key));
    std::cout << "the restore is anchored in " << (folder / kit::server::kAnchorFileName).string()
              << " (chain head seq " << head.seq << ")\n";
  } catch (const CLI::RuntimeError&) {
    throw;
  } catch (const std::exception& e) {
    fail(kFailed, std::string("restore failed: ") + e.what());
  }
}

kit::cli::Registration reg([](CLI::App& root) {
  auto o = std::make_shared<StorageOptions>();
  CLI::App* b = root.add_subcommand(
      "backup", "Copy the clinic database to a file (consistent while kit serve runs)");
  b->add_option("--data", o->data, "Data folder holding kit.db (default ./kit-data)");
  b->add_option("--to", o->file, "Backup file to write (replaced atomically)");
  b->add_option("--verify", o->verify,
                "Check a backup file instead: integrity_check, kit schema and audit chain (JSON "
                "report; exit 0 sound, 1 a problem)");
  b->add_option("--database", o->database, "Database URL (PostgreSQL: prints the pg_dump command)");
  b->add_flag("--force", o->force, "Replace an earlier kit backup of the same name");
  b->callback([o] { backup(*o); });

  auto r = std::make_shared<StorageOptions>();
  CLI::App* c = root.add_subcommand(
      "restore", "Put a backup back as the clinic database (checked first, never half-written)");
  c->add_option("--data", r->data, "Data folder to restore into (default ./kit-data)");
  c->add_option("--from", r->file, "Backup file written by kit backup")->required();
  c->add_flag("--force", r->force, "Replace an existing database (a copy of it is kept)");
  c->add_option("--database", r->database,
                "Database URL (PostgreSQL: prints the pg_restore command)");
  c->callback([r] { restore(*r); });
});

}  // namespace
