-- The patient portal (server/resources/portal_routes.cpp, docs/web-portal.md, ADR 0024).
--
-- Invitations: the clinic invites a patient to the portal with a one-time link. The token is given
-- to the staff member once; only its SHA-256 is kept (a copy of the database opens no account).
-- A new invitation revokes the patient's pending ones; an accepted one records the account it
-- activated. Rows are never deleted: who invited whom, when, and what became of it stays on file.
CREATE TABLE portal_invitations (
  id {{ID}},
  patient_id BIGINT NOT NULL REFERENCES patients (id),
  token_hash TEXT NOT NULL UNIQUE,
  created_by BIGINT NOT NULL REFERENCES users (id),
  created_at_ms BIGINT NOT NULL,
  expires_at_ms BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'revoked')),
  ended_at_ms BIGINT,                       -- accepted or revoked at
  user_id BIGINT REFERENCES users (id),     -- the account the acceptance created or activated
  CHECK ((status = 'pending') = (ended_at_ms IS NULL)),
  CHECK (expires_at_ms > created_at_ms)
);
CREATE INDEX portal_invitations_patient ON portal_invitations (patient_id, status);

-- A questionnaire the patient has started in the portal and not yet submitted: the answers so far
-- and the question they were on. A working copy, not an assessment (no score, no alert, not part
-- of the clinical record); one per patient and instrument, replaced by each save and removed when
-- the patient submits the assessment or discards the draft.
CREATE TABLE questionnaire_drafts (
  patient_id BIGINT NOT NULL REFERENCES patients (id),
  instrument TEXT NOT NULL,
  answers_json TEXT NOT NULL,               -- JSON array: an integer or null per item
  position BIGINT NOT NULL DEFAULT 0,       -- 0-based index of the question on screen
  language TEXT NOT NULL CHECK (language IN ('en', 'es')),
  updated_at_ms BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  PRIMARY KEY (patient_id, instrument)
);

-- The portal language of each patient ("en" or "es"), set by the patient or the clinic's staff.
-- A patient without a row reads the portal in English.
CREATE TABLE patient_preferences (
  patient_id BIGINT PRIMARY KEY REFERENCES patients (id),
  language TEXT NOT NULL CHECK (language IN ('en', 'es')),
  updated_by BIGINT NOT NULL REFERENCES users (id),
  updated_at_ms BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
