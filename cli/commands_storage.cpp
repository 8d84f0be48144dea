// `kit backup` and `kit restore`: a consistent copy of the clinic's SQLite database while the
// server runs, and putting one back without ever leaving a half-written database. For PostgreSQL
// the tools are pg_dump / pg_restore; kit says which command to run.
// Exit codes: 0 done; 1 the copy failed; 2 bad input (no database, not a valid backup, PostgreSQL
// URL); 3 refused (restore over an existing database without --force).
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "cli/json_command.h"
#include "storage/migrations.h"
#include "storage/postgres_database.h"
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

int latest_known_version() {
  int latest = 0;
  for (const auto& m : kit::storage::embedded_migrations()) latest = std::max(latest, m.version);
  return latest;
}

void backup(const StorageOptions& o) {
  if (is_postgres(o.database)) {
    std::cerr << "kit: kit backup copies the SQLite database; for PostgreSQL use pg_dump, which is "
                 "consistent while the servers run:\n"
              << "  pg_dump --format=custom --file='" << o.file << "' '"
              << kit::storage::redact_database_url(o.database) << "'\n";
    throw CLI::RuntimeError(kBadInput);
  }
  const fs::path db = sqlite_file(o);
  if (!fs::is_regular_file(db)) fail(kBadInput, "no database at " + db.string());
  const fs::path to = fs::absolute(o.file);
  if (fs::exists(to) && fs::equivalent(to, db)) fail(kBadInput, "--to names the database itself");
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
  const fs::path from = fs::absolute(o.file);
  const fs::path target = sqlite_file(o);
  if (!fs::is_regular_file(from)) fail(kBadInput, "no backup file at " + from.string());

  // 1. The backup must be a sound SQLite database from this kit or an older one.
  std::string check;
  int version = 0;
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

  // 2. Never over an existing database by accident.
  const bool exists = fs::exists(target);
  if (exists && !o.force) {
    fail(kRefused, "a database already exists at " + target.string() +
                       "; add --force to replace it (the current one is kept as a copy)");
  }
  if (exists && fs::equivalent(from, target)) fail(kBadInput, "--from names the database itself");

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
      const fs::path keep = target.parent_path() / ("kit-before-restore-" + utc_stamp() + ".db");
      kit::storage::sqlite_backup_file(target, keep);
      kit::storage::sqlite_restore_into(from, target);
      const std::string after = kit::storage::sqlite_integrity_check(target);
      if (after != "ok")
        fail(kFailed, "the restored database failed its integrity check: " + after);
      std::cout << "restored " << from.string() << " over " << target.string()
                << " (schema version " << version << "); the previous database is kept as "
                << keep.string() << "\n";
    }
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
  b->add_option("--to", o->file, "Backup file to write (replaced atomically)")->required();
  b->add_option("--database", o->database, "Database URL (PostgreSQL: prints the pg_dump command)");
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
