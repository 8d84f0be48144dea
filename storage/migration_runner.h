#pragma once
// Applies versioned migrations (storage/migrations.h) to a Database. open_database() calls it with
// the embedded migrations; tests call it with their own lists.
#include <vector>

#include "storage/database.h"
#include "storage/migrations.h"

namespace kit::storage {

struct MigrationReport {
  std::int64_t version_before = 0;  // highest version recorded before (0: empty database)
  std::vector<int> applied;  // versions applied now, in order
};

// Creates schema_migrations(version, name, applied_at) if needed, then applies every migration not
// yet recorded, in ascending version order, each in its own transaction together with its
// schema_migrations row. Refuses (std::runtime_error) a database that records a version this list
// does not have: it was written by a newer kit. On PostgreSQL each transaction first takes
// pg_advisory_xact_lock, so several processes starting at once apply each migration exactly once.
MigrationReport apply_migrations(Database& db, const std::vector<Migration>& migrations);

}  // namespace kit::storage
