-- Pain medications (server/resources/medication_routes.cpp): each list is a dated snapshot of what
-- the patient takes, with the daily morphine milligram equivalents computed by the core
-- (contract/mme_api.h, CDC 2022 factors). The history of totals is the trend.
CREATE TABLE medication_lists (
  id {{ID}},
  patient_id BIGINT NOT NULL REFERENCES patients (id),
  as_of TEXT NOT NULL CHECK (length(as_of) = 10),  -- ISO date the list describes
  items_json TEXT NOT NULL,                         -- the medications as entered
  result_json TEXT NOT NULL,                        -- the core's answer (items, flags, caution)
  total_mme_per_day {{DOUBLE}} NOT NULL CHECK (total_mme_per_day >= 0),
  note TEXT NOT NULL DEFAULT '',
  -- Corrected like an assessment: the original stays with its status, an amendment is a new list
  -- naming it (amends_id), and the MME trend reads active lists only.
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'entered_in_error', 'amended')),
  amends_id BIGINT REFERENCES medication_lists (id),
  recorded_by BIGINT NOT NULL REFERENCES users (id),
  recorded_at_ms BIGINT NOT NULL
);
CREATE INDEX medication_lists_patient ON medication_lists (patient_id, as_of, id);
