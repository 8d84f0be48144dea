-- Infusion sessions at the chair (server/resources/session_routes.cpp, storage/stores/infusion_store.h;
-- the rules are the core's: core/infusion/). Every mutable row carries `version` for optimistic
-- concurrency (ETag / If-Match). Nothing clinical is deleted: entries are corrected with a status
-- (entered_in_error, amended) and a reason, and the original stays.

-- One infusion. The dose plan is the core calculator's answer, stored whole; only an accepted plan
-- is ever stored (a hard-limit breach is refused before any write). A plan accepted on a soft-limit
-- override records the reason and the approving physician. Pump rates are exact integers: a count
-- of the pump's steps (pump_step_ul_per_h microlitres per hour each, 100 = 0.1 mL/h).
CREATE TABLE infusion_sessions (
  id {{ID}},
  patient_id BIGINT NOT NULL REFERENCES patients (id),
  course_id BIGINT REFERENCES courses (id),
  appointment_id BIGINT REFERENCES appointments (id),
  chair_id BIGINT REFERENCES chairs (id),
  unscheduled_reason TEXT,
  protocol_id TEXT NOT NULL,
  lot_id BIGINT REFERENCES stock_lots (id),
  plan_request_json TEXT NOT NULL,           -- what the calculator was asked (patient, preparation, dose)
  plan_json TEXT NOT NULL,                   -- its answer, with every check
  plan_status TEXT NOT NULL CHECK (plan_status = 'accepted'),
  concentration_mg_per_ml {{DOUBLE}} NOT NULL CHECK (concentration_mg_per_ml > 0),
  dosing_weight_kg {{DOUBLE}} NOT NULL CHECK (dosing_weight_kg > 0),
  planned_dose_mg {{DOUBLE}} NOT NULL CHECK (planned_dose_mg > 0),
  pump_step_ul_per_h BIGINT NOT NULL CHECK (pump_step_ul_per_h > 0),
  planned_rate_steps BIGINT NOT NULL CHECK (planned_rate_steps > 0),
  planned_duration_min {{DOUBLE}} NOT NULL CHECK (planned_duration_min > 0),
  override_reason TEXT,
  override_physician_id BIGINT REFERENCES users (id),
  state TEXT NOT NULL DEFAULT 'planned'
    CHECK (state IN ('planned', 'running', 'paused', 'stopped', 'discharged', 'voided')),
  delivered_mg {{DOUBLE}} NOT NULL DEFAULT 0 CHECK (delivered_mg >= 0),
  started_at_ms BIGINT,
  stopped_at_ms BIGINT,
  -- The dose-limit alerts already raised (so each is raised once, whichever request sees it).
  soft_limit_alert_id BIGINT,
  hard_limit_alert_id BIGINT,
  void_reason TEXT,
  voided_by BIGINT REFERENCES users (id),
  created_by BIGINT NOT NULL REFERENCES users (id),
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  CHECK ((override_reason IS NULL) = (override_physician_id IS NULL)),
  CHECK ((state = 'voided') = (void_reason IS NOT NULL)),
  CHECK (course_id IS NOT NULL OR unscheduled_reason IS NOT NULL)
);
CREATE INDEX infusion_sessions_patient ON infusion_sessions (patient_id, id);
CREATE INDEX infusion_sessions_course ON infusion_sessions (course_id);
-- One live session per appointment and one running or paused infusion per patient, even with
-- two server processes racing (the core's gates say why; these make it impossible).
CREATE UNIQUE INDEX infusion_one_per_appointment ON infusion_sessions (appointment_id)
  WHERE state <> 'voided';
CREATE UNIQUE INDEX infusion_one_active_per_patient ON infusion_sessions (patient_id)
  WHERE state IN ('running', 'paused');

-- Pump events, append-only. start, resume and rate_change carry the programmed rate in pump steps.
-- An event charted in error is marked (status), never removed; the delivered dose ignores it.
CREATE TABLE session_events (
  id {{ID}},
  session_id BIGINT NOT NULL REFERENCES infusion_sessions (id),
  kind TEXT NOT NULL CHECK (kind IN ('start', 'pause', 'resume', 'rate_change', 'stop')),
  rate_steps BIGINT,
  checks_json TEXT,                          -- the core's limit checks for the rate
  override_reason TEXT,
  override_physician_id BIGINT REFERENCES users (id),
  gate_override_reason TEXT,                 -- a physician started despite a failed day-of check
  note TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'entered_in_error', 'amended')),
  amends_id BIGINT REFERENCES session_events (id),
  recorded_by BIGINT NOT NULL REFERENCES users (id),
  at_ms BIGINT NOT NULL,
  recorded_at_ms BIGINT NOT NULL,
  CHECK ((kind IN ('start', 'resume', 'rate_change')) = (rate_steps IS NOT NULL)),
  CHECK (rate_steps IS NULL OR rate_steps > 0),
  CHECK ((override_reason IS NULL) = (override_physician_id IS NULL))
);
CREATE INDEX session_events_session ON session_events (session_id, at_ms, id);

-- Vital signs and the core's assessment of them (core/safety assess_vitals).
CREATE TABLE session_vitals (
  id {{ID}},
  session_id BIGINT NOT NULL REFERENCES infusion_sessions (id),
  point TEXT NOT NULL
    CHECK (point IN ('baseline', 'interval', 'end_of_infusion', 'recovery', 'discharge')),
  sbp_mmhg {{DOUBLE}},
  dbp_mmhg {{DOUBLE}},
  hr_bpm {{DOUBLE}},
  spo2_percent {{DOUBLE}},
  rr_per_min {{DOUBLE}},
  consciousness TEXT,
  action TEXT NOT NULL CHECK (action IN ('continue', 'slow', 'pause', 'stop', 'call_physician')),
  reasons_json TEXT NOT NULL,
  alert_id BIGINT,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'entered_in_error', 'amended')),
  amends_id BIGINT REFERENCES session_vitals (id),
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
    'excessive_dissociation', 'headache', 'dizziness', 'anxiety', 'allergic_reaction',
    'laryngospasm', 'hypoxia', 'other')),
  severity TEXT NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe', 'life_threatening')),
  description TEXT NOT NULL DEFAULT '',
  action_taken TEXT NOT NULL DEFAULT '',
  alert_id BIGINT,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'entered_in_error', 'amended')),
  amends_id BIGINT REFERENCES adverse_events (id),
  recorded_by BIGINT NOT NULL REFERENCES users (id),
  at_ms BIGINT NOT NULL
);
CREATE INDEX adverse_events_session ON adverse_events (session_id, id);
CREATE INDEX adverse_events_patient ON adverse_events (patient_id, id);

-- Discharge: the core's discharge gates (observation time, critical alerts, score); a discharge
-- while the score is not ready needs a physician and a reason.
CREATE TABLE session_discharges (
  id {{ID}},
  session_id BIGINT NOT NULL UNIQUE REFERENCES infusion_sessions (id),
  request_json TEXT NOT NULL,
  result_json TEXT NOT NULL,
  gates_json TEXT NOT NULL,
  aldrete_score BIGINT NOT NULL CHECK (aldrete_score BETWEEN 0 AND 10),
  ready BIGINT NOT NULL CHECK (ready IN (0, 1)),
  override_reason TEXT,
  override_physician_id BIGINT REFERENCES users (id),
  recorded_by BIGINT NOT NULL REFERENCES users (id),
  at_ms BIGINT NOT NULL,
  CHECK ((override_reason IS NULL) = (override_physician_id IS NULL)),
  CHECK (ready = 1 OR override_reason IS NOT NULL)
);

-- Every correction of a clinical entry: what (entity and id), how (entered_in_error or amended,
-- with the replacing entry), why, who and when. The entry itself keeps its values and gets a status.
CREATE TABLE corrections (
  id {{ID}},
  entity TEXT NOT NULL CHECK (entity IN ('pump_event', 'vital', 'adverse_event', 'dissociation',
    'assessment', 'medication_list')),
  entity_id BIGINT NOT NULL,
  session_id BIGINT REFERENCES infusion_sessions (id),
  patient_id BIGINT NOT NULL REFERENCES patients (id),
  action TEXT NOT NULL CHECK (action IN ('entered_in_error', 'amend')),
  reason TEXT NOT NULL CHECK (length(reason) > 0),
  replacement_id BIGINT,
  by_user_id BIGINT NOT NULL REFERENCES users (id),
  at_ms BIGINT NOT NULL
);
CREATE INDEX corrections_entity ON corrections (entity, entity_id);
