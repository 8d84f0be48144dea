#pragma once
// The SQLite back end of storage/database.h (the default: one file <data>/kit.db, zero set-up).
// SQLiteCpp stays inside sqlite_database.cpp; this header only names what callers need.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/database.h"

namespace kit::storage {

struct SqliteOptions {
  // How long a transaction waits for the write lock (held by this or another process) before it
  // fails with TransientConflict.
  int busy_timeout_ms = 10000;
  // Upper bound on pooled connections kept open.
  int max_idle_connections = 4;
  // Group commit (docs/adr/0021-write-path-and-load.md): a batch is committed when no transaction
  // waits for the writer, or once it holds this many transactions or is this old, so that a
  // steady stream of writers cannot defer its COMMIT.
  int group_commit_max_transactions = 256;
  int group_commit_max_age_ms = 10;
  // false: the file must already exist (kit backup must not create an empty database).
  bool create = true;
  // true: opened read-only, the file left exactly as it is (no WAL switch, no -wal/-shm files for
  // a rollback-journal file such as a backup); transactions are plain BEGIN and may only read.
  bool read_only = false;
};

// Opens the SQLite database file (WAL, foreign_keys=ON, synchronous=FULL). No migrations run:
// open_database() runs them.
std::unique_ptr<Database> open_sqlite(const std::filesystem::path& file,
                                      const SqliteOptions& options = {});

// What the writer queue of a SQLite database has done since it was opened (all zero for another
// back end). transactions / batches is the mean group-commit size; one fsync per batch.
struct SqliteWriterStats {
  std::int64_t transactions = 0;    // transactions begun
  std::int64_t batches = 0;         // COMMITs that succeeded (one fsync each)
  std::int64_t failed_batches = 0;  // batches rolled back (their transactions all failed)
  std::int64_t waited = 0;          // transactions that queued behind another one
};
SqliteWriterStats sqlite_writer_stats(Database& db);

// Translates portable $N placeholders to SQLite's ?N, leaving string literals, quoted identifiers
// and comments alone ($1 used twice binds the same value twice, as in PostgreSQL).
std::string sqlite_placeholders(std::string_view sql);

// A consistent copy of the live database file `from` (the server may be writing: WAL readers never
// block the writer) written atomically to `to` (temporary file, fsync, rename). The copy is in
// rollback-journal mode, a single self-contained file.
void sqlite_backup_file(const std::filesystem::path& from, const std::filesystem::path& to);

// Copies `from` into the existing database `into` inside one SQLite write transaction (the
// online backup API in reverse): readers see either the old or the new database, never a mix,
// and a crash half-way leaves the old one. Safe while a server holds the file open.
void sqlite_restore_into(const std::filesystem::path& from, const std::filesystem::path& into,
                         int busy_timeout_ms = 30000);

// Runs PRAGMA integrity_check on a database file opened read-only: "ok" or the problems found.
// Throws std::runtime_error if the file is not a SQLite database.
std::string sqlite_integrity_check(const std::filesystem::path& file);

// Highest version recorded in schema_migrations of the file (0 if none, or no such table).
std::int64_t sqlite_schema_version(const std::filesystem::path& file);
// The names of the tables in a SQLite file (read-only).
std::vector<std::string> sqlite_table_names(const std::filesystem::path& file);

}  // namespace kit::storage
