#pragma once
// The PostgreSQL back end of storage/database.h (several `kit serve` processes, one PostgreSQL).
// libpqxx stays inside postgres_database.cpp.
#include <memory>
#include <string>

#include "storage/database.h"

namespace kit::storage {

struct PostgresOptions {
  // Connections open at once (one per transaction in flight); begin() waits for a free one.
  int max_connections = 32;
  // How long begin() waits for a free connection before TransientConflict.
  int wait_timeout_ms = 10000;
};

// Connects to `url` (postgresql://user:password@host:port/database?options, anything libpq takes).
// No migrations run: open_database() runs them.
std::unique_ptr<Database> open_postgres(const std::string& url,
                                        const PostgresOptions& options = {});

// The URL with its password replaced by "***", for messages and logs.
std::string redact_database_url(const std::string& url);

}  // namespace kit::storage
