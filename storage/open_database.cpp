// open_database: the --database URL picks the back end; migrations run before the caller sees it.
#include <filesystem>

#include "storage/database.h"
#include "storage/migration_runner.h"
#include "storage/migrations.h"
#include "storage/postgres_database.h"
#include "storage/sqlite_database.h"

namespace kit::storage {

std::unique_ptr<Database> open_database(const std::string& url,
                                        const std::filesystem::path& data_dir) {
  std::unique_ptr<Database> db;
  if (url.empty() || url == "sqlite:" || url == "sqlite") {
    std::filesystem::create_directories(data_dir);
    db = open_sqlite(data_dir / "kit.db");
  } else if (url.rfind("sqlite:", 0) == 0) {
    // sqlite:/path/to/file.db names the file explicitly (data_dir still holds everything else).
    const std::filesystem::path file = url.substr(7);
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
    db = open_sqlite(file);
  } else if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    db = open_postgres(url);
  } else {
    throw std::invalid_argument("unsupported --database URL '" + redact_database_url(url) +
                                "': use postgresql://user:password@host:port/database, or leave "
                                "it out for SQLite in the data folder");
  }
  apply_migrations(*db, embedded_migrations());
  return db;
}

}  // namespace kit::storage
