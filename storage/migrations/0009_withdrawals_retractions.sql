-- Corrections that keep history (the infusion core's rules: core/infusion/):
-- a treatment consent can be withdrawn (it stays on file, marked); an alert raised by an entry
-- later marked entered-in-error is retracted (kept, closed, with the reason); an assessment can be
-- marked entered-in-error or amended like the chair-side entries (see `corrections`, 0006).
ALTER TABLE consents ADD COLUMN withdrawn_at_ms BIGINT;
ALTER TABLE consents ADD COLUMN withdrawn_by BIGINT REFERENCES users (id);
ALTER TABLE consents ADD COLUMN withdrawal_reason TEXT;
ALTER TABLE alerts ADD COLUMN retracted_at_ms BIGINT;
ALTER TABLE alerts ADD COLUMN retraction_reason TEXT;
ALTER TABLE assessments ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE assessments ADD COLUMN amends_id BIGINT;
ALTER TABLE clinics ADD COLUMN observation_minutes BIGINT NOT NULL DEFAULT 30;
-- A medication list is corrected like an assessment: the original stays with its status, an
-- amendment is a new list naming it (amends_id), and the MME trend reads active lists only.
ALTER TABLE medication_lists ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE medication_lists ADD COLUMN amends_id BIGINT;
