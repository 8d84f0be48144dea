-- Patients and their intake. Owned by the journey work (patients, intake, consent, approval).
-- Every mutable row carries `version` for optimistic concurrency (ETag / If-Match).
-- Non-integer quantities are {{DOUBLE}} (8-byte on both back ends, storage/migrations.h).
CREATE TABLE patients (
  id {{ID}},
  mrn TEXT NOT NULL UNIQUE,
  given_name TEXT NOT NULL,
  family_name TEXT NOT NULL,
  date_of_birth TEXT NOT NULL,              -- ISO date
  sex TEXT NOT NULL CHECK (sex IN ('female', 'male')),
  weight_kg {{DOUBLE}} CHECK (weight_kg IS NULL OR (weight_kg > 0 AND weight_kg <= 400)),
  height_cm {{DOUBLE}} CHECK (height_cm IS NULL OR (height_cm >= 20 AND height_cm <= 260)),
  email TEXT,
  phone TEXT,
  indication TEXT NOT NULL CHECK (indication IN ('depression', 'ptsd', 'ocd', 'chronic_pain', 'other')),
  status TEXT NOT NULL DEFAULT 'intake'
    CHECK (status IN ('intake', 'approved', 'declined', 'in_treatment', 'maintenance', 'discharged')),
  inquiry_id BIGINT,
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
-- One patient per inquiry (NULLs are distinct in both back ends).
CREATE UNIQUE INDEX patients_inquiry ON patients (inquiry_id);
CREATE INDEX patients_family_name ON patients (family_name, given_name);

-- Intake screening: the request exactly as received and the core rules' answer
-- (contract/screening_api.h, docs/screening-schema.md), both as JSON text. `eligible` is copied out
-- of the result so approval can check the latest screening without parsing JSON in SQL.
CREATE TABLE screenings (
  id {{ID}},
  patient_id BIGINT NOT NULL REFERENCES patients (id),
  request_json TEXT NOT NULL,
  result_json TEXT NOT NULL,
  eligible BIGINT NOT NULL CHECK (eligible IN (0, 1)),
  screened_by BIGINT NOT NULL REFERENCES users (id),
  screened_at_ms BIGINT NOT NULL
);
CREATE INDEX screenings_patient ON screenings (patient_id, id);

-- Consents as signed: what (type and the version of the form), when, who recorded it.
CREATE TABLE consents (
  id {{ID}},
  patient_id BIGINT NOT NULL REFERENCES patients (id),
  consent_type TEXT NOT NULL
    CHECK (consent_type IN ('treatment', 'off_label_use', 'privacy', 'research')),
  form_version TEXT NOT NULL CHECK (length(form_version) BETWEEN 1 AND 64),
  signed_at_ms BIGINT NOT NULL,
  recorded_by BIGINT NOT NULL REFERENCES users (id),
  recorded_at_ms BIGINT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  -- A withdrawn consent stays on file, marked: when, recorded by whom, why.
  withdrawn_at_ms BIGINT,
  withdrawn_by BIGINT REFERENCES users (id),
  withdrawal_reason TEXT,
  CHECK ((withdrawn_at_ms IS NULL) = (withdrawal_reason IS NULL))
);
CREATE INDEX consents_patient ON consents (patient_id, consent_type);

-- The physician's decision. Approving against an ineligible screening needs override_reason;
-- declining needs reason.
CREATE TABLE approvals (
  id {{ID}},
  patient_id BIGINT NOT NULL REFERENCES patients (id),
  decision TEXT NOT NULL CHECK (decision IN ('approved', 'declined')),
  reason TEXT NOT NULL DEFAULT '',
  override_reason TEXT,
  screening_id BIGINT REFERENCES screenings (id),
  physician_user_id BIGINT NOT NULL REFERENCES users (id),
  decided_at_ms BIGINT NOT NULL,
  CHECK (decision = 'approved' OR length(reason) > 0)
);
CREATE INDEX approvals_patient ON approvals (patient_id, id);

-- Every change of a field the dosing depends on (weight, height, date of birth, sex) or that
-- decides the protocols (indication): the old and the new value, who and when. Append-only; the
-- router's audit row of the same request names the route, this names the values.
CREATE TABLE patient_field_changes (
  id {{ID}},
  patient_id BIGINT NOT NULL REFERENCES patients (id),
  field TEXT NOT NULL CHECK (field IN ('weight_kg', 'height_cm', 'date_of_birth', 'sex',
    'indication')),
  old_value TEXT,
  new_value TEXT,
  by_user_id BIGINT NOT NULL REFERENCES users (id),
  at_ms BIGINT NOT NULL
);
CREATE INDEX patient_field_changes_patient ON patient_field_changes (patient_id, id);
