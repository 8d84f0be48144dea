-- The `director` role (docs/adr/0026-director-role-and-small-cells.md): a clinic director sees the
-- clinic's aggregated outcomes and reports, never an individual patient's record. Only the CHECK
-- on users.role changes; every account, id and reference stays as it was.
--
-- PostgreSQL changes the constraint in place. SQLite cannot alter a CHECK: the table is rebuilt
-- (copied aside, dropped, created with the new CHECK, copied back) inside the migration's
-- transaction. Foreign keys stay on: `defer_foreign_keys` holds the references from logins,
-- audit rows, sessions, ... to users until the commit, by which time every user row is back under
-- its own id (SQLite decrements the deferred count as each parent row returns), so a rebuild that
-- lost a row would be refused at the commit. The column list is the table as of 0015 (0001 and
-- 0009 `totp_cleared_by`, `totp_cleared_at_ms`); tests/storage/director_migration_test.cpp fails
-- if a column added by an earlier migration is missing here.
{{POSTGRESQL}}
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('admin', 'physician', 'nurse', 'front_desk', 'patient', 'director'));
{{END}}
{{SQLITE}}
PRAGMA defer_foreign_keys = ON;
CREATE TABLE users_before_0016 AS SELECT * FROM users;
DROP TABLE users;
CREATE TABLE users (
  id {{ID}},
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,              -- Argon2id, libsodium crypto_pwhash_str format
  role TEXT NOT NULL
    CHECK (role IN ('admin', 'physician', 'nurse', 'front_desk', 'patient', 'director')),
  patient_id BIGINT,                        -- patient accounts only: the one record they may see
  disabled BIGINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  password_reset_by BIGINT REFERENCES users (id),
  password_reset_at_ms BIGINT,
  password_reset_hash TEXT,
  totp_cleared_by BIGINT REFERENCES users (id),
  totp_cleared_at_ms BIGINT,
  CHECK ((role = 'patient' AND patient_id IS NOT NULL) OR (role <> 'patient' AND patient_id IS NULL))
);
INSERT INTO users (id, username, password_hash, role, patient_id, disabled, created_at_ms,
  updated_at_ms, version, password_reset_by, password_reset_at_ms, password_reset_hash,
  totp_cleared_by, totp_cleared_at_ms)
  SELECT id, username, password_hash, role, patient_id, disabled, created_at_ms, updated_at_ms,
    version, password_reset_by, password_reset_at_ms, password_reset_hash, totp_cleared_by,
    totp_cleared_at_ms
  FROM users_before_0016 ORDER BY id;
DROP TABLE users_before_0016;
CREATE UNIQUE INDEX users_patient ON users (patient_id);
{{END}}
