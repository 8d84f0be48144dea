-- Scheduled backups (server/backup/backup_runner.h, docs/adr/0020-scheduled-backups.md): one row
-- per run of `kit serve`'s backup schedule, written after the run, so an admin sees the last
-- backup's time and result (GET /api/v1/backups) and the scheduler prunes only files it wrote and
-- verified itself. A pruned backup keeps its row (pruned_at_ms set): the history stays.
CREATE TABLE backup_runs (
  id {{ID}},
  started_at_ms BIGINT NOT NULL,
  finished_at_ms BIGINT NOT NULL,
  folder TEXT NOT NULL,                    -- the backup folder of the run (absolute)
  file TEXT NOT NULL DEFAULT '',           -- the file's name in the folder; '' when none was kept
  status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
  error TEXT NOT NULL DEFAULT '',          -- why a failed run failed
  bytes BIGINT NOT NULL DEFAULT 0,
  schema_version BIGINT NOT NULL DEFAULT 0,
  integrity TEXT NOT NULL DEFAULT '',      -- PRAGMA integrity_check of the copy ("ok")
  audit_chain_ok BIGINT NOT NULL DEFAULT 0 CHECK (audit_chain_ok IN (0, 1)),
  audit_rows BIGINT NOT NULL DEFAULT 0,    -- the copy's audit chain: rows, head seq and hash
  audit_head_seq BIGINT NOT NULL DEFAULT 0,
  audit_head_hash TEXT NOT NULL DEFAULT '',
  table_rows TEXT NOT NULL DEFAULT '{}',   -- JSON {"table": rows} of the copy
  pruned_at_ms BIGINT,
  CHECK (status = 'failed' OR (file <> '' AND integrity = 'ok' AND audit_chain_ok = 1))
);
CREATE INDEX backup_runs_started ON backup_runs (started_at_ms);
