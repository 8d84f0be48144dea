-- Infusion sessions at the chair (server/resources/session_routes.cpp, docs/api-chair.md).
-- Every mutable row carries `version` for optimistic concurrency (ETag / If-Match).

-- One infusion. The dose plan is the core calculator's answer (app/dosing_api.h), stored whole;
-- only an accepted plan is ever stored (a hard-limit breach is refused before any write). A plan
-- accepted on a soft-limit override records the reason and the approving physician.
CREATE TABLE infusion_sessions (
  id {{ID}},
  patient_id BIGINT NOT NULL REFERENCES patients (id),
  course_id BIGINT REFERENCES courses (id),
  appointment_id BIGINT REFERENCES appointments (id),
  protocol_id TEXT NOT NULL,
  lot_id BIGINT REFERENCES stock_lots (id),
  plan_request_json TEXT NOT NULL,           -- what the calculator was asked (patient, preparation, dose)
  plan_json TEXT NOT NULL,                   -- its answer, with every check
  plan_status TEXT NOT NULL CHECK (plan_status = 'accepted'),
  concentration_mg_per_ml REAL NOT NULL CHECK (concentration_mg_per_ml > 0),
  dosing_weight_kg REAL NOT NULL CHECK (dosing_weight_kg > 0),
  planned_dose_mg REAL NOT NULL CHECK (planned_dose_mg > 0),
  planned_rate_ml_per_h REAL NOT NULL CHECK (planned_rate_ml_per_h > 0),
  planned_duration_min REAL NOT NULL CHECK (planned_duration_min > 0),
  override_reason TEXT,
  override_physician_id BIGINT REFERENCES users (id),
  state TEXT NOT NULL DEFAULT 'planned'
    CHECK (state IN ('planned', 'running', 'paused', 'stopped', 'completed')),
  delivered_mg REAL NOT NULL DEFAULT 0 CHECK (delivered_mg >= 0),
  started_at_ms BIGINT,
  stopped_at_ms BIGINT,
  created_by BIGINT NOT NULL REFERENCES users (id),
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  CHECK ((override_reason IS NULL) = (override_physician_id IS NULL))
);
CREATE INDEX infusion_sessions_patient ON infusion_sessions (patient_id, id);
CREATE INDEX infusion_sessions_course ON infusion_sessions (course_id);

-- Pump events, append-only. start, resume and rate_change carry the programmed rate.
CREATE TABLE session_events (
  id {{ID}},
  session_id BIGINT NOT NULL REFERENCES infusion_sessions (id),
  kind TEXT NOT NULL CHECK (kind IN ('start', 'pause', 'resume', 'rate_change', 'stop')),
  rate_ml_per_h REAL,
  checks_json TEXT,                          -- the core's limit checks for the rate
  override_reason TEXT,
  override_physician_id BIGINT REFERENCES users (id),
  note TEXT NOT NULL DEFAULT '',
  recorded_by BIGINT NOT NULL REFERENCES users (id),
  at_ms BIGINT NOT NULL,
  CHECK ((kind IN ('start', 'resume', 'rate_change')) = (rate_ml_per_h IS NOT NULL)),
  CHECK (rate_ml_per_h IS NULL OR rate_ml_per_h > 0),
  CHECK ((override_reason IS NULL) = (override_physician_id IS NULL))
);
CREATE INDEX session_events_session ON session_events (session_id, at_ms, id);

-- Vital signs and the core's assessment of them (core/safety assess_vitals).
CREATE TABLE session_vitals (
  id {{ID}},
  session_id BIGINT NOT NULL REFERENCES infusion_sessions (id),
  point TEXT NOT NULL
    CHECK (point IN ('baseline', 'interval', 'end_of_infusion', 'recovery', 'discharge')),
  sbp_mmhg REAL,
  dbp_mmhg REAL,
  hr_bpm REAL,
  spo2_percent REAL,
  rr_per_min REAL,
  consciousness TEXT,
  action TEXT NOT NULL CHECK (action IN ('continue', 'slow', 'pause', 'stop', 'call_physician')),
  reasons_json TEXT NOT NULL,
  recorded_by BIGINT NOT NULL REFERENCES users (id),
  at_ms BIGINT NOT NULL
);
CREATE INDEX session_vitals_session ON session_vitals (session_id, at_ms, id);

CREATE TABLE adverse_events (
  id {{ID}},
  session_id BIGINT NOT NULL REFERENCES infusion_sessions (id),
  patient_id BIGINT NOT NULL REFERENCES patients (id),
  kind TEXT NOT NULL CHECK (kind IN ('hypertension', 'hypotension', 'tachycardia', 'bradycardia',
    'desaturation', 'respiratory_depression', 'nausea', 'vomiting', 'emergence_reaction',
    'excessive_dissociation', 'headache', 'dizziness', 'anxiety', 'allergic_reaction', 'other')),
  severity TEXT NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe', 'life_threatening')),
  description TEXT NOT NULL DEFAULT '',
  action_taken TEXT NOT NULL DEFAULT '',
  recorded_by BIGINT NOT NULL REFERENCES users (id),
  at_ms BIGINT NOT NULL
);
CREATE INDEX adverse_events_session ON adverse_events (session_id, id);
CREATE INDEX adverse_events_patient ON adverse_events (patient_id, id);

-- Discharge: the Aldrete (and optional RCEM) assessment by the core; a discharge while not ready
-- needs a physician and a reason.
CREATE TABLE session_discharges (
  id {{ID}},
  session_id BIGINT NOT NULL UNIQUE REFERENCES infusion_sessions (id),
  request_json TEXT NOT NULL,
  result_json TEXT NOT NULL,
  aldrete_score BIGINT NOT NULL CHECK (aldrete_score BETWEEN 0 AND 10),
  ready BIGINT NOT NULL CHECK (ready IN (0, 1)),
  override_reason TEXT,
  override_physician_id BIGINT REFERENCES users (id),
  recorded_by BIGINT NOT NULL REFERENCES users (id),
  at_ms BIGINT NOT NULL,
  CHECK ((override_reason IS NULL) = (override_physician_id IS NULL)),
  CHECK (ready = 1 OR override_reason IS NOT NULL)
);
