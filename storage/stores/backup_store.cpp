// The scheduled backups' runs (storage/stores/backup_store.h).
#include "storage/stores/backup_store.h"

namespace kit::storage {

namespace {

constexpr const char* kColumns =
    "SELECT id, started_at_ms, finished_at_ms, folder, file, status, error, bytes, schema_version, "
    "integrity, audit_chain_ok, audit_rows, audit_head_seq, audit_head_hash, table_rows, "
    "pruned_at_ms FROM backup_runs ";

BackupRun from_row(const Row& r) {
  BackupRun b;
  b.id = r.i64("id");
  b.started_at_ms = r.i64("started_at_ms");
  b.finished_at_ms = r.i64("finished_at_ms");
  b.folder = r.text("folder");
  b.file = r.text("file");
  b.status = r.text("status");
  b.error = r.text("error");
  b.bytes = r.i64("bytes");
  b.schema_version = r.i64("schema_version");
  b.integrity = r.text("integrity");
  b.audit_chain_ok = r.i64("audit_chain_ok") != 0;
  b.audit_rows = r.i64("audit_rows");
  b.audit_head_seq = r.i64("audit_head_seq");
  b.audit_head_hash = r.text("audit_head_hash");
  b.table_rows_json = r.text("table_rows");
  b.pruned_at_ms = r.opt_i64("pruned_at_ms");
  return b;
}

std::vector<BackupRun> all(const Rows& rows) {
  std::vector<BackupRun> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(from_row(r));
  return out;
}

}  // namespace

std::int64_t BackupStore::record(const BackupRun& b) {
  Rows rows = tx_.query(
      "INSERT INTO backup_runs (started_at_ms, finished_at_ms, folder, file, status, error, bytes, "
      "schema_version, integrity, audit_chain_ok, audit_rows, audit_head_seq, audit_head_hash, "
      "table_rows) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) "
      "RETURNING id",
      {b.started_at_ms, b.finished_at_ms, b.folder, b.file, b.status, b.error, b.bytes,
       b.schema_version, b.integrity, std::int64_t{b.audit_chain_ok ? 1 : 0}, b.audit_rows,
       b.audit_head_seq, b.audit_head_hash, b.table_rows_json});
  return rows.front().i64("id");
}

std::vector<BackupRun> BackupStore::recent(std::int64_t limit) {
  return all(
      tx_.query(std::string(kColumns) + "ORDER BY started_at_ms DESC, id DESC LIMIT $1", {limit}));
}

std::vector<BackupRun> BackupStore::kept_in(const std::string& folder) {
  return all(tx_.query(std::string(kColumns) +
                           "WHERE folder = $1 AND status = 'ok' AND pruned_at_ms IS NULL "
                           "ORDER BY started_at_ms DESC, id DESC",
                       {folder}));
}

std::optional<BackupRun> BackupStore::last_ok() {
  Rows rows = tx_.query(std::string(kColumns) +
                        "WHERE status = 'ok' ORDER BY started_at_ms DESC, id DESC LIMIT 1");
  if (rows.empty()) return std::nullopt;
  return from_row(rows.front());
}

void BackupStore::mark_pruned(std::int64_t id, std::int64_t at_ms) {
  tx_.exec("UPDATE backup_runs SET pruned_at_ms = $1 WHERE id = $2 AND pruned_at_ms IS NULL",
           {at_ms, id});
}

}  // namespace kit::storage
