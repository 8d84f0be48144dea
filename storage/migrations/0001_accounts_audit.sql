-- Accounts, sessions, login throttling and the hash-chained audit log (server/api/auth.cpp,
-- server/api/audit.cpp). Portable SQL; {{ID}} is replaced per back end.
CREATE TABLE users (
  id {{ID}},
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,              -- Argon2id, libsodium crypto_pwhash_str format
  role TEXT NOT NULL CHECK (role IN ('admin', 'physician', 'nurse', 'front_desk', 'patient')),
  patient_id BIGINT,                        -- patient accounts only: the one record they may see
  disabled BIGINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  -- The last password reset by an admin (POST /api/v1/users/{id}/password): who and when, and the
  -- hash the admin set. While password_hash still equals it the owner is told (GET /auth/me
  -- password_reset_by_admin) and everything the account does can be read against the reset.
  password_reset_by BIGINT REFERENCES users (id),
  password_reset_at_ms BIGINT,
  password_reset_hash TEXT,
  CHECK ((role = 'patient' AND patient_id IS NOT NULL) OR (role <> 'patient' AND patient_id IS NULL))
);
CREATE UNIQUE INDEX users_patient ON users (patient_id);

-- The token is given to the client once; only its SHA-256 is kept.
CREATE TABLE logins (
  id {{ID}},
  token_hash TEXT NOT NULL UNIQUE,
  user_id BIGINT NOT NULL REFERENCES users (id),
  csrf_token TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  last_seen_ms BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  remote_address TEXT NOT NULL
);
CREATE INDEX logins_user ON logins (user_id);

-- Consecutive failed logins per username, known or not (so lock-out does not reveal which
-- usernames exist).
CREATE TABLE login_throttle (
  username TEXT PRIMARY KEY,
  failures BIGINT NOT NULL DEFAULT 0,
  locked_until_ms BIGINT NOT NULL DEFAULT 0,
  updated_at_ms BIGINT NOT NULL
);

-- Append-only: no route updates or deletes a row. hash = SHA-256(prev_hash | canonical row);
-- seq numbers the chain without gaps.
CREATE TABLE audit_log (
  id {{ID}},
  seq BIGINT NOT NULL UNIQUE,
  at_ms BIGINT NOT NULL,
  user_id BIGINT,
  username TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  patient_id BIGINT,
  remote_address TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('allowed', 'denied')),
  status BIGINT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_patient ON audit_log (patient_id, seq);
CREATE INDEX audit_log_at ON audit_log (at_ms);

-- The chain head, one row. Appends update it first, which takes its row lock on PostgreSQL and
-- so serialises appends; SQLite write transactions are serialised already.
CREATE TABLE audit_head (
  id BIGINT PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL,
  last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
