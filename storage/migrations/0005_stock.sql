-- Controlled-substance stock (server/resources/stock_routes.cpp, docs/api-chair.md). Ketamine is
-- a Schedule III drug: every vial is received into a lot, every draw is tied to an infusion
-- session, and the unused remainder is wasted in front of a second staff member (the witness).
-- Movements are append-only: no route updates or deletes one; a correction is an `adjust` row.

-- A lot as received: drug, strength, vial size, lot number and expiry.
CREATE TABLE stock_lots (
  id {{ID}},
  drug TEXT NOT NULL CHECK (length(drug) BETWEEN 1 AND 64),
  concentration_mg_per_ml REAL NOT NULL
    CHECK (concentration_mg_per_ml > 0 AND concentration_mg_per_ml <= 100),
  vial_volume_ml REAL NOT NULL CHECK (vial_volume_ml > 0 AND vial_volume_ml <= 1000),
  lot_number TEXT NOT NULL CHECK (length(lot_number) BETWEEN 1 AND 64),
  expiry_date TEXT NOT NULL CHECK (length(expiry_date) = 10),  -- ISO date; usable through that day
  vials_received BIGINT NOT NULL CHECK (vials_received BETWEEN 1 AND 100000),
  supplier TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_by BIGINT NOT NULL REFERENCES users (id),
  created_at_ms BIGINT NOT NULL,
  updated_at_ms BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  UNIQUE (drug, lot_number)
);

-- The ledger. mg and ml are magnitudes (> 0) for receive, draw and waste; an adjustment is signed
-- (positive adds to the lot) and needs a reason. The lot's book balance is
-- receive + adjust - draw; a waste disposes of part of what a session drew (drawn = delivered +
-- wasted), so it does not change the lot's balance. session_id names infusion_sessions (0006,
-- created after this table, so the link is checked by the routes).
CREATE TABLE stock_movements (
  id {{ID}},
  lot_id BIGINT NOT NULL REFERENCES stock_lots (id),
  kind TEXT NOT NULL CHECK (kind IN ('receive', 'draw', 'waste', 'adjust')),
  mg REAL NOT NULL,
  ml REAL NOT NULL,
  session_id BIGINT,
  witness_user_id BIGINT REFERENCES users (id),
  reason TEXT NOT NULL DEFAULT '',
  recorded_by BIGINT NOT NULL REFERENCES users (id),
  at_ms BIGINT NOT NULL,
  CHECK (kind = 'adjust' OR (mg > 0 AND ml > 0)),
  CHECK (kind <> 'adjust' OR (mg <> 0 AND length(reason) > 0)),
  CHECK ((kind IN ('draw', 'waste')) = (session_id IS NOT NULL)),
  CHECK ((kind = 'waste') = (witness_user_id IS NOT NULL)),
  CHECK (witness_user_id IS NULL OR witness_user_id <> recorded_by)
);
CREATE INDEX stock_movements_lot ON stock_movements (lot_id, id);
CREATE INDEX stock_movements_session ON stock_movements (session_id);
