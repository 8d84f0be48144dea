#include "server/backup/backup_check.h"

#include "storage/sqlite_database.h"

namespace kit::server {

namespace {

std::string quoted_identifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

nlohmann::json BackupCheck::to_json() const {
  nlohmann::json j = {
      {"ok", ok},
      {"problem_code",
       problem_code.empty() ? nlohmann::json(nullptr) : nlohmann::json(problem_code)},
      {"problem", problem.empty() ? nlohmann::json(nullptr) : nlohmann::json(problem)},
      {"bytes", bytes},
      {"integrity", integrity},
      {"schema_version", schema_version},
      {"audit_chain",
       {{"ok", chain.ok},
        {"rows", chain.rows},
        {"first_bad_id",
         chain.first_bad_id ? nlohmann::json(*chain.first_bad_id) : nlohmann::json(nullptr)},
        {"head_seq", chain.head.seq},
        {"head_hash", chain.head.hash},
        {"audit_head_matches", chain.head_matches}}},
      {"table_rows", table_rows}};
  return j;
}

BackupCheck verify_backup_file(const std::filesystem::path& file) {
  BackupCheck c;
  c.chain.ok = false;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    c.problem_code = "not_a_file";
    c.problem = "no backup file at " + file.string();
    return c;
  }
  c.bytes = std::filesystem::file_size(file, ec);
  try {
    c.integrity = storage::sqlite_integrity_check(file);
  } catch (const std::exception& e) {
    c.problem_code = "not_sqlite";
    c.problem = std::string("not a readable SQLite database: ") + e.what();
    return c;
  }
  if (c.integrity != "ok") {
    c.problem_code = "integrity";
    c.problem = "PRAGMA integrity_check on the copy: " + c.integrity;
    return c;
  }
  try {
    c.schema_version = storage::sqlite_schema_version(file);
    if (c.schema_version < 1) {
      c.problem_code = "not_kit";
      c.problem = "not a kit database (no schema version)";
      return c;
    }
    storage::SqliteOptions options;
    options.create = false;
    options.read_only = true;
    options.max_idle_connections = 0;
    auto db = storage::open_sqlite(file, options);
    auto tx = db->begin();
    c.chain = verify_chain(*tx);
    for (const std::string& table : storage::sqlite_table_names(file)) {
      const storage::Rows rows = tx->query("SELECT count(*) AS n FROM " + quoted_identifier(table));
      c.table_rows[table] = rows.front().i64("n");
    }
  } catch (const std::exception& e) {
    c.chain.ok = false;
    c.problem_code = "not_kit";
    c.problem = std::string("the copy cannot be read as a kit database: ") + e.what();
    return c;
  }
  if (!c.chain.ok || !c.chain.head_matches) {
    c.problem_code = "chain";
    c.problem = c.chain.first_bad_id
                    ? "the copy's audit chain breaks at audit row id " +
                          std::to_string(*c.chain.first_bad_id)
                    : std::string("the copy's audit_head does not name the last row of its chain");
    return c;
  }
  c.ok = true;
  return c;
}

}  // namespace kit::server
