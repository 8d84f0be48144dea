-- Courses of treatment and scheduling (server/resources/course_routes.cpp,
-- server/resources/scheduling_routes.cpp; rules in docs/api-journey.md).
-- Every mutable row carries `version` for optimistic concurrency (ETag / If-Match).

-- A course: one protocol of the drug library (validated by the server against the core library),
-- an explicit state, the planned number of infusions and how many were added by extensions.
CREATE TABLE courses (
  id {{ID}},
  patient_id BIGINT NOT NULL REFERENCES patients (id),
  protocol_id TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'planned'
    CHECK (state IN ('planned', 'induction', 'maintenance', 'completed', 'stopped')),
  planned_infusions BIGINT NOT NULL CHECK (planned_infusions BETWEEN 1 AND 12),
  extension_infusions BIGINT NOT NULL DEFAULT 0 CHECK (extension_infusions >= 0),
  notes TEXT NOT NULL DEFAULT '',
  created_by BIGINT NOT NULL REFERENCES users (id),
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  -- PMC9154276: at most 12 induction sessions (docs/api-journey.md).
  CHECK (planned_infusions + extension_infusions <= 12)
);
CREATE INDEX courses_patient ON courses (patient_id, id);
-- At most one course under way per patient, even with two server processes racing.
CREATE UNIQUE INDEX courses_one_active ON courses (patient_id)
  WHERE state IN ('induction', 'maintenance');

-- Every change of a course: creation, each transition, each extension.
CREATE TABLE course_events (
  id {{ID}},
  course_id BIGINT NOT NULL REFERENCES courses (id),
  event TEXT NOT NULL CHECK (event IN ('created', 'transition', 'extended')),
  from_state TEXT,
  to_state TEXT NOT NULL,
  infusions_added BIGINT NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  by_user_id BIGINT NOT NULL REFERENCES users (id),
  at_ms BIGINT NOT NULL
);
CREATE INDEX course_events_course ON course_events (course_id, id);

-- Clinics. `timezone` is an IANA zone name (validated by the server against the tz database): the
-- clinic's wall clock, on which its opening hours, staff windows and local dates are read.
-- recovery_minutes is the chair time kept after the infusion (policy, docs/api-journey.md).
CREATE TABLE clinics (
  id {{ID}},
  name TEXT NOT NULL UNIQUE,
  timezone TEXT NOT NULL DEFAULT 'UTC',     -- IANA, e.g. 'America/New_York'
  opens_at TEXT NOT NULL DEFAULT '08:00',   -- HH:MM, clinic-local
  closes_at TEXT NOT NULL DEFAULT '17:00',  -- HH:MM, clinic-local
  open_weekdays TEXT NOT NULL DEFAULT '12345',  -- ISO weekdays, 1 = Monday
  recovery_minutes BIGINT NOT NULL DEFAULT 60 CHECK (recovery_minutes BETWEEN 0 AND 480),
  -- Minimum observation after an infusion stops, before discharge (clinic policy, default 30,
  -- anchored on RCEM's 25 minutes: core/infusion/gates.h).
  observation_minutes BIGINT NOT NULL DEFAULT 30 CHECK (observation_minutes BETWEEN 0 AND 240),
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  CHECK (opens_at < closes_at)
);

CREATE TABLE chairs (
  id {{ID}},
  clinic_id BIGINT NOT NULL REFERENCES clinics (id),
  name TEXT NOT NULL,
  active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  UNIQUE (clinic_id, name)
);

-- When a staff member works: weekly (weekday 1-7, ISO) or on one date (on_date), in the clinic's
-- local time. A dated row with available = 0 is time off and overrides the weekly rows of that day.
CREATE TABLE staff_availability (
  id {{ID}},
  user_id BIGINT NOT NULL REFERENCES users (id),
  clinic_id BIGINT REFERENCES clinics (id),
  weekday BIGINT CHECK (weekday IS NULL OR weekday BETWEEN 1 AND 7),
  on_date TEXT,                              -- ISO date
  from_time TEXT NOT NULL,                   -- HH:MM
  to_time TEXT NOT NULL,                     -- HH:MM
  available BIGINT NOT NULL DEFAULT 1 CHECK (available IN (0, 1)),
  created_at_ms BIGINT NOT NULL,
  CHECK ((weekday IS NULL) <> (on_date IS NULL)),
  CHECK (weekday IS NULL OR available = 1),
  CHECK (from_time < to_time)
);
CREATE INDEX staff_availability_user ON staff_availability (user_id);

-- Appointments. starts_ms / ends_ms are UTC instants (ms since 1970-01-01T00:00Z), comparable with
-- every other timestamp (pump events, vitals, now). on_date is the clinic-LOCAL ISO date of
-- starts_ms in the zone of the chair's clinic, for day queries and the "appointment is today" gate.
CREATE TABLE appointments (
  id {{ID}},
  patient_id BIGINT NOT NULL REFERENCES patients (id),
  course_id BIGINT REFERENCES courses (id),
  chair_id BIGINT NOT NULL REFERENCES chairs (id),
  staff_user_id BIGINT REFERENCES users (id),
  kind TEXT NOT NULL DEFAULT 'infusion' CHECK (kind IN ('infusion', 'booster', 'consult')),
  starts_ms BIGINT NOT NULL,
  ends_ms BIGINT NOT NULL,
  on_date TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'booked'
    CHECK (status IN ('booked', 'completed', 'cancelled', 'no_show')),
  status_reason TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  -- Why a physician or nurse booked (or moved) it on a day already past: correcting the record.
  booking_reason TEXT NOT NULL DEFAULT '',
  created_by BIGINT NOT NULL REFERENCES users (id),
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  CHECK (ends_ms > starts_ms)
);
CREATE INDEX appointments_date ON appointments (on_date, chair_id);
CREATE INDEX appointments_patient ON appointments (patient_id, starts_ms);
CREATE INDEX appointments_course ON appointments (course_id);

-- One row per 15-minute slot a live (not cancelled) appointment holds, written in the booking's
-- transaction: the UNIQUE constraints make a double-booked chair or staff member impossible even
-- for two server processes racing on one PostgreSQL. Cancelling deletes the rows. slot_start is
-- the slot's UTC instant (a multiple of 15 minutes since the epoch), so slots of clinics in
-- different zones share one grid and a staff member cannot be booked twice across them.
CREATE TABLE appointment_slots (
  chair_id BIGINT NOT NULL REFERENCES chairs (id),
  slot_start BIGINT NOT NULL,
  appointment_id BIGINT NOT NULL REFERENCES appointments (id),
  UNIQUE (chair_id, slot_start)
);
CREATE INDEX appointment_slots_appointment ON appointment_slots (appointment_id);

CREATE TABLE staff_slots (
  user_id BIGINT NOT NULL REFERENCES users (id),
  slot_start BIGINT NOT NULL,
  appointment_id BIGINT NOT NULL REFERENCES appointments (id),
  UNIQUE (user_id, slot_start)
);
CREATE INDEX staff_slots_appointment ON staff_slots (appointment_id);
