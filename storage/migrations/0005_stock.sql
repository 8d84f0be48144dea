-- Controlled-substance stock (storage/stores/stock_store.h, server/resources/stock_routes.cpp,
-- docs/api-chair.md). Ketamine is a Schedule III drug: every vial is received into a lot, every
-- draw is tied to an infusion session, and the unused remainder is wasted in front of a second
-- staff member (the witness). Movements are append-only: nothing updates or deletes one; a
-- correction is an `adjust` row.
-- Amounts of drug are whole micrograms in BIGINT *_mcg columns: integer sums are exact on both
-- back ends, so a ledger reconciles to the microgram (the API speaks mg with 3 decimals).
-- Concentrations and volumes are {{DOUBLE}} (8-byte on both back ends, storage/migrations.h).

-- A lot as received: drug, strength, vial size, lot number and expiry. vial_mcg is the drug in one
-- vial (concentration x volume), fixed at receipt so the received amount is exact.
CREATE TABLE stock_lots (
  id {{ID}},
  drug TEXT NOT NULL CHECK (length(drug) BETWEEN 1 AND 64),
  concentration_mg_per_ml {{DOUBLE}} NOT NULL
    CHECK (concentration_mg_per_ml > 0 AND concentration_mg_per_ml <= 100),
  vial_volume_ml {{DOUBLE}} NOT NULL CHECK (vial_volume_ml > 0 AND vial_volume_ml <= 1000),
  vial_mcg BIGINT NOT NULL CHECK (vial_mcg BETWEEN 1 AND 100000000),
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

-- The ledger. amount_mcg and volume_ml are magnitudes (> 0) for receive, draw and waste; an
-- adjustment is signed (positive adds to the lot) and needs a reason. The lot's book balance is
-- receive + adjust - draw; a waste disposes of part of what a session drew (drawn = delivered +
-- wasted), so it does not change the lot's balance. volume_ml describes the amount at the lot's
-- concentration; the amount is the record. session_id names infusion_sessions (0006, created
-- after this table, so the link is checked by the store).
CREATE TABLE stock_movements (
  id {{ID}},
  lot_id BIGINT NOT NULL REFERENCES stock_lots (id),
  kind TEXT NOT NULL CHECK (kind IN ('receive', 'draw', 'waste', 'adjust')),
  amount_mcg BIGINT NOT NULL,
  volume_ml {{DOUBLE}} NOT NULL,
  session_id BIGINT,
  witness_user_id BIGINT REFERENCES users (id),
  reason TEXT NOT NULL DEFAULT '',
  recorded_by BIGINT NOT NULL REFERENCES users (id),
  at_ms BIGINT NOT NULL,
  CHECK (kind = 'adjust' OR (amount_mcg > 0 AND volume_ml > 0)),
  CHECK (kind <> 'adjust' OR (amount_mcg <> 0 AND length(reason) > 0)),
  CHECK ((kind IN ('draw', 'waste')) = (session_id IS NOT NULL)),
  CHECK ((kind = 'waste') = (witness_user_id IS NOT NULL)),
  CHECK (witness_user_id IS NULL OR witness_user_id <> recorded_by)
);
CREATE INDEX stock_movements_lot ON stock_movements (lot_id, id);
CREATE INDEX stock_movements_session ON stock_movements (session_id);
