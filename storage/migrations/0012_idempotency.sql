-- Idempotent writes (server/api/idempotency.cpp; IETF draft-ietf-httpapi-idempotency-key-header-07):
-- the first successful answer to an authenticated POST or PATCH that carried an Idempotency-Key,
-- kept so that a retry of the same request (a tablet on flaky Wi-Fi) gets that answer again and
-- stores nothing twice. Scoped to the account; a key is kept for 24 hours (policy), then purged:
-- these rows are copies of answers, not clinical records (the records themselves are never deleted).
CREATE TABLE idempotency_keys (
  id {{ID}},
  user_id BIGINT NOT NULL REFERENCES users (id),
  idempotency_key TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  request_sha256 TEXT NOT NULL,  -- method, path and body: a reused key with another request is refused
  patient_id BIGINT,             -- the patient the answer is about, for the audit row of a replay
  status INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  headers_json TEXT NOT NULL,
  response_body TEXT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  UNIQUE (user_id, idempotency_key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at_ms);
