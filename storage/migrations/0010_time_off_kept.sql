-- Staff availability and time off are never deleted (docs/security.md, finding 11/19 "time off"):
-- who set each row, and who removed it and when. A row set by someone other than the staff member
-- it is for (an admin: only admins may set another person's availability) may be removed only by
-- an admin. Rows from before this migration have no set_by (unknown; treated as the staff
-- member's own). A removed row no longer counts for scheduling.
ALTER TABLE staff_availability ADD COLUMN set_by BIGINT REFERENCES users (id);
ALTER TABLE staff_availability ADD COLUMN removed_at_ms BIGINT;
ALTER TABLE staff_availability ADD COLUMN removed_by BIGINT REFERENCES users (id);
