-- Emergency-department procedural sedation (ketamine): one episode per sedation, its doses with
-- the running total each was checked against, monitoring, adverse events and corrections
-- (core/sedation/, server/resources/sedation_routes.cpp, docs/api-sedation.md). Nothing is deleted:
-- an entry is corrected (entered_in_error, or amended by a replacement that points back at it)
-- with a reason in sedation_corrections. The episode's version guards every dose: two doses
-- computed on the same history cannot both be stored.
CREATE TABLE sedation_episodes (
  id {{ID}},
  patient_id BIGINT NOT NULL REFERENCES patients (id),
  procedure_name TEXT NOT NULL CHECK (length(procedure_name) > 0),
  weight_kg {{DOUBLE}} NOT NULL CHECK (weight_kg > 0 AND weight_kg <= 400),
  age_y {{DOUBLE}} NOT NULL CHECK (age_y >= 0),   -- completed months / 12, on the day it opened
  screening_json TEXT NOT NULL,                    -- the contraindication answers as received
  findings_json TEXT NOT NULL,                     -- absolute and relative findings
  gates_json TEXT NOT NULL,                        -- the opening gates, every one passed
  relative_review_reason TEXT,
  relative_review_physician_id BIGINT REFERENCES users (id),
  state TEXT NOT NULL DEFAULT 'open'
    CHECK (state IN ('open', 'sedated', 'recovering', 'discharged', 'voided')),
  procedure_ended_at_ms BIGINT,
  procedure_ended_by BIGINT REFERENCES users (id),
  discharge_json TEXT,                             -- checklist answers and the readiness gates
  discharged_at_ms BIGINT,
  discharged_by BIGINT REFERENCES users (id),
  void_reason TEXT,
  voided_by BIGINT REFERENCES users (id),
  opened_at_ms BIGINT NOT NULL,                    -- when the patient came under sedation care
  created_by BIGINT NOT NULL REFERENCES users (id),
  created_at_ms BIGINT NOT NULL,                   -- when it was charted
  updated_at_ms BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  CHECK (opened_at_ms <= created_at_ms + 60000),
  CHECK ((relative_review_reason IS NULL) = (relative_review_physician_id IS NULL)),
  CHECK ((state = 'voided') = (void_reason IS NOT NULL)),
  CHECK ((state = 'discharged') = (discharged_at_ms IS NOT NULL)),
  CHECK (state NOT IN ('recovering', 'discharged') OR procedure_ended_at_ms IS NOT NULL)
);
CREATE INDEX sedation_episodes_patient ON sedation_episodes (patient_id, id);
CREATE INDEX sedation_episodes_state ON sedation_episodes (state, id);

CREATE TABLE sedation_doses (
  id {{ID}},
  episode_id BIGINT NOT NULL REFERENCES sedation_episodes (id),
  route TEXT NOT NULL CHECK (route IN ('iv', 'im')),
  protocol_id TEXT NOT NULL,
  is_repeat BIGINT NOT NULL CHECK (is_repeat IN (0, 1)),
  dose_mg {{DOUBLE}} NOT NULL CHECK (dose_mg > 0),
  dose_mg_per_kg {{DOUBLE}} NOT NULL CHECK (dose_mg_per_kg > 0),
  concentration_mg_per_ml {{DOUBLE}} NOT NULL CHECK (concentration_mg_per_ml > 0),
  volume_ml {{DOUBLE}} NOT NULL CHECK (volume_ml > 0),
  running_total_mg {{DOUBLE}} NOT NULL CHECK (running_total_mg >= dose_mg),
  running_total_mg_per_kg {{DOUBLE}} NOT NULL,
  cumulative_hard_limit_mg_per_kg {{DOUBLE}} NOT NULL,
  limit_status TEXT NOT NULL CHECK (limit_status IN ('within', 'soft_limit_overridden')),
  plan_json TEXT NOT NULL,                         -- the calculator's answer, every check
  gates_json TEXT NOT NULL,
  override_reason TEXT,
  override_physician_id BIGINT REFERENCES users (id),
  ordered_by TEXT,                                 -- the ordering physician, when a nurse gives it
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'entered_in_error')),
  given_by BIGINT NOT NULL REFERENCES users (id),
  at_ms BIGINT NOT NULL,
  recorded_at_ms BIGINT NOT NULL,
  -- A hard limit is never stored, whatever the caller: the running total is within it.
  CHECK (running_total_mg_per_kg <= cumulative_hard_limit_mg_per_kg),
  CHECK ((override_reason IS NULL) = (override_physician_id IS NULL)),
  CHECK (limit_status = 'within' OR override_reason IS NOT NULL)
);
CREATE INDEX sedation_doses_episode ON sedation_doses (episode_id, at_ms, id);

CREATE TABLE sedation_monitoring (
  id {{ID}},
  episode_id BIGINT NOT NULL REFERENCES sedation_episodes (id),
  spo2_percent {{DOUBLE}},
  hr_bpm {{DOUBLE}},
  sbp_mmhg {{DOUBLE}},
  dbp_mmhg {{DOUBLE}},
  rr_per_min {{DOUBLE}},
  on_oxygen BIGINT CHECK (on_oxygen IS NULL OR on_oxygen IN (0, 1)),
  sedation_observation TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'entered_in_error', 'amended')),
  amends_id BIGINT REFERENCES sedation_monitoring (id),
  recorded_by BIGINT NOT NULL REFERENCES users (id),
  at_ms BIGINT NOT NULL,
  recorded_at_ms BIGINT NOT NULL
);
CREATE INDEX sedation_monitoring_episode ON sedation_monitoring (episode_id, at_ms, id);

CREATE TABLE sedation_adverse_events (
  id {{ID}},
  episode_id BIGINT NOT NULL REFERENCES sedation_episodes (id),
  kind TEXT NOT NULL CHECK (kind IN ('laryngospasm', 'emesis', 'emergence_reaction', 'hypoxia',
    'apnoea', 'other')),
  severity TEXT NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe', 'life_threatening')),
  interventions_json TEXT NOT NULL,                -- JSON array of intervention codes
  description TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'entered_in_error', 'amended')),
  amends_id BIGINT REFERENCES sedation_adverse_events (id),
  recorded_by BIGINT NOT NULL REFERENCES users (id),
  at_ms BIGINT NOT NULL,
  recorded_at_ms BIGINT NOT NULL
);
CREATE INDEX sedation_adverse_events_episode ON sedation_adverse_events (episode_id, at_ms, id);

CREATE TABLE sedation_corrections (
  id {{ID}},
  episode_id BIGINT NOT NULL REFERENCES sedation_episodes (id),
  patient_id BIGINT NOT NULL REFERENCES patients (id),
  entity TEXT NOT NULL CHECK (entity IN ('dose', 'monitoring', 'adverse_event')),
  entity_id BIGINT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('entered_in_error', 'amend')),
  reason TEXT NOT NULL CHECK (length(reason) > 0),
  replacement_id BIGINT,
  by_user_id BIGINT NOT NULL REFERENCES users (id),
  at_ms BIGINT NOT NULL,
  CHECK (entity <> 'dose' OR action = 'entered_in_error'),
  CHECK ((action = 'amend') = (replacement_id IS NOT NULL))
);
CREATE INDEX sedation_corrections_episode ON sedation_corrections (episode_id, id);
CREATE UNIQUE INDEX sedation_corrections_once ON sedation_corrections (entity, entity_id);
