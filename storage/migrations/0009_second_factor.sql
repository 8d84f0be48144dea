-- The second factor of staff accounts (server/api/auth.cpp, docs/security.md "Second factor",
-- docs/adr/0010-second-factor-totp.md): a TOTP secret per account (RFC 6238), its one-use
-- recovery codes, and the record of an admin clearing it.
--
-- One row per account that started enrolment. The secret is kept in clear in the database (ADR 10:
-- the server must compute codes from it, so it cannot be hashed like a password). confirmed_at_ms
-- is NULL until the owner proved with a first code that their authenticator holds it; only then
-- does the login ask for a code. last_step is the newest time step accepted: a code of that step
-- or an earlier one is never accepted again (replay), updated by one conditional statement so two
-- parallel uses of a code cannot both pass.
CREATE TABLE user_totp (
  user_id BIGINT PRIMARY KEY REFERENCES users (id),
  secret_base32 TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  confirmed_at_ms BIGINT,
  last_step BIGINT NOT NULL DEFAULT -1
);

-- Ten per enrolment, shown once; only the SHA-256 of each is kept (80 random bits each, so a hash
-- of the code cannot be searched). used_at_ms set: spent.
CREATE TABLE totp_recovery_codes (
  id {{ID}},
  user_id BIGINT NOT NULL REFERENCES users (id),
  code_hash TEXT NOT NULL UNIQUE,
  created_at_ms BIGINT NOT NULL,
  used_at_ms BIGINT
);
CREATE INDEX totp_recovery_codes_user ON totp_recovery_codes (user_id);

-- The last time an admin cleared the account's second factor (POST /api/v1/users/{id}/totp/clear):
-- who and when. The owner is told (GET /auth/me totp_cleared_by_admin) until they enrol again.
ALTER TABLE users ADD COLUMN totp_cleared_by BIGINT REFERENCES users (id);
ALTER TABLE users ADD COLUMN totp_cleared_at_ms BIGINT;
