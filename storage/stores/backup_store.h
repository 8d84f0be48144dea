#pragma once
// The scheduled backups' runs (storage/migrations/0013_backup_runs.sql): one named operation per
// question, as every store (docs/storage.md).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"

namespace kit::storage {

struct BackupRun {
  std::int64_t id = 0;
  std::int64_t started_at_ms = 0;
  std::int64_t finished_at_ms = 0;
  std::string folder;
  std::string file;
  std::string status;  // "ok" (written and verified) or "failed"
  std::string error;
  std::int64_t bytes = 0;
  std::int64_t schema_version = 0;
  std::string integrity;
  bool audit_chain_ok = false;
  std::int64_t audit_rows = 0;
  std::int64_t audit_head_seq = 0;
  std::string audit_head_hash;
  std::string table_rows_json = "{}";
  std::optional<std::int64_t> pruned_at_ms;
};

class BackupStore {
 public:
  explicit BackupStore(Transaction& tx) : tx_(tx) {}
  // Records a finished run; returns its id.
  std::int64_t record(const BackupRun& run);
  // The newest runs first (started_at_ms, then id), at most `limit`.
  std::vector<BackupRun> recent(std::int64_t limit);
  // The verified runs in `folder` whose file has not been pruned, newest first.
  std::vector<BackupRun> kept_in(const std::string& folder);
  // The newest run with status ok, if any.
  std::optional<BackupRun> last_ok();
  // Marks a run's file as deleted by pruning.
  void mark_pruned(std::int64_t id, std::int64_t at_ms);

 private:
  Transaction& tx_;
};

}  // namespace kit::storage
