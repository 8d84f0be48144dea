-- Questionnaires scored by the core (contract/instruments_api.h) and the alerts that need a
-- clinician (server/resources/assessment_routes.cpp, docs/api-chair.md).

-- One completed sheet. taken_on is the ISO date used by the outcome series; session_id is set for
-- in-session instruments (CADSS dissociation).
CREATE TABLE assessments (
  id {{ID}},
  patient_id BIGINT NOT NULL REFERENCES patients (id),
  course_id BIGINT REFERENCES courses (id),
  session_id BIGINT REFERENCES infusion_sessions (id),
  instrument TEXT NOT NULL,
  answers_json TEXT NOT NULL,
  result_json TEXT NOT NULL,
  total {{DOUBLE}} NOT NULL,
  band TEXT,
  flags_json TEXT NOT NULL,
  self_report BIGINT NOT NULL DEFAULT 0 CHECK (self_report IN (0, 1)),
  taken_on TEXT NOT NULL CHECK (length(taken_on) = 10),
  -- Corrections keep the original: entered_in_error or amended (the amendment names it).
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'entered_in_error', 'amended')),
  amends_id BIGINT REFERENCES assessments (id),
  recorded_by BIGINT NOT NULL REFERENCES users (id),
  at_ms BIGINT NOT NULL
);
CREATE INDEX assessments_patient ON assessments (patient_id, instrument, taken_on, id);
CREATE INDEX assessments_session ON assessments (session_id);

-- Alerts to the physician: a safety flag on a questionnaire, a vital sign whose action is not
-- `continue`, a severe adverse event. Open until a physician acknowledges it.
CREATE TABLE alerts (
  id {{ID}},
  patient_id BIGINT NOT NULL REFERENCES patients (id),
  session_id BIGINT REFERENCES infusion_sessions (id),
  assessment_id BIGINT REFERENCES assessments (id),
  kind TEXT NOT NULL CHECK (kind IN ('safety_flag', 'vitals', 'adverse_event', 'dose_limit')),
  message TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('moderate', 'high', 'critical')),
  created_at_ms BIGINT NOT NULL,
  acknowledged_by BIGINT REFERENCES users (id),
  acknowledged_at_ms BIGINT,
  acknowledge_note TEXT NOT NULL DEFAULT '',
  -- Raised by an entry later corrected: closed and kept, with why.
  retracted_at_ms BIGINT,
  retraction_reason TEXT,
  version BIGINT NOT NULL DEFAULT 1,
  CHECK ((acknowledged_by IS NULL) = (acknowledged_at_ms IS NULL))
);
CREATE INDEX alerts_open ON alerts (acknowledged_at_ms, created_at_ms);
CREATE INDEX alerts_patient ON alerts (patient_id, id);
