// The controlled-substance stock store (storage/stores/stock_store.h): the SQL of lots, movements
// and reconciliation sums, and the one place the stock rules read the infusion-session tables.
#include "storage/stores/stock_store.h"

#include <cmath>
#include <map>
#include <stdexcept>

namespace kit::storage {
namespace {

constexpr const char* kLotColumns =
    "id, drug, concentration_mg_per_ml, vial_volume_ml, vial_mcg, lot_number, expiry_date, "
    "vials_received, supplier, notes, active, created_by, created_at_ms, updated_at_ms, version";

constexpr const char* kMovementColumns =
    "id, lot_id, kind, amount_mcg, volume_ml, session_id, witness_user_id, reason, recorded_by, "
    "at_ms";

// The session columns the stock rules need; nothing else of the session tables is read here.
constexpr const char* kSessionColumns =
    "id, patient_id, state, lot_id, delivered_mg, planned_dose_mg, created_at_ms";

// Sums are cast back to BIGINT because PostgreSQL widens SUM(bigint) to numeric.
constexpr const char* kBalanceSql =
    "SELECT CAST(COALESCE(SUM(CASE kind WHEN 'draw' THEN -amount_mcg WHEN 'waste' THEN 0 "
    "ELSE amount_mcg END), 0) AS BIGINT) AS balance_mcg FROM stock_movements WHERE lot_id = $1";

MovementKind kind_from_text(const std::string& text) {
  if (text == "receive") return MovementKind::receive;
  if (text == "draw") return MovementKind::draw;
  if (text == "waste") return MovementKind::waste;
  if (text == "adjust") return MovementKind::adjust;
  throw std::runtime_error("stock_movements.kind holds '" + text + "', not a movement kind");
}

Value opt_value(const std::optional<std::int64_t>& v) { return v ? Value(*v) : null(); }

StockLot lot_from_row(const Row& r) {
  StockLot lot;
  lot.id = r.i64("id");
  lot.drug = r.text("drug");
  lot.concentration_mg_per_ml = r.f64("concentration_mg_per_ml");
  lot.vial_volume_ml = r.f64("vial_volume_ml");
  lot.vial_mcg = r.i64("vial_mcg");
  lot.lot_number = r.text("lot_number");
  lot.expiry_date = r.text("expiry_date");
  lot.vials_received = r.i64("vials_received");
  lot.supplier = r.text("supplier");
  lot.notes = r.text("notes");
  lot.active = r.i64("active") == 1;
  lot.created_by = r.i64("created_by");
  lot.created_at_ms = r.i64("created_at_ms");
  lot.updated_at_ms = r.i64("updated_at_ms");
  lot.version = r.i64("version");
  return lot;
}

StockMovement movement_from_row(const Row& r) {
  StockMovement m;
  m.id = r.i64("id");
  m.lot_id = r.i64("lot_id");
  m.kind = kind_from_text(r.text("kind"));
  m.amount_mcg = r.i64("amount_mcg");
  m.volume_ml = r.f64("volume_ml");
  m.session_id = r.opt_i64("session_id");
  m.witness_user_id = r.opt_i64("witness_user_id");
  m.reason = r.text("reason");
  m.recorded_by = r.i64("recorded_by");
  m.at_ms = r.i64("at_ms");
  return m;
}

SessionForDraw session_from_row(const Row& r) {
  SessionForDraw s;
  s.id = r.i64("id");
  s.patient_id = r.i64("patient_id");
  s.state = r.text("state");
  s.planned_lot_id = r.opt_i64("lot_id");
  // The pump's dose is a computed real number; the ledger counts whole micrograms, so the
  // delivered dose is compared to the nearest microgram.
  s.delivered_mcg = std::llround(r.f64("delivered_mg") * 1000.0);
  s.planned_dose_mcg = std::llround(r.f64("planned_dose_mg") * 1000.0);
  s.created_at_ms = r.i64("created_at_ms");
  return s;
}

LotTotals lot_totals_from_row(const Row& r) {
  LotTotals t;
  t.lot_id = r.i64("lot_id");
  t.received_mcg = r.i64("received_mcg");
  t.adjusted_mcg = r.i64("adjusted_mcg");
  t.drawn_mcg = r.i64("drawn_mcg");
  t.wasted_mcg = r.i64("wasted_mcg");
  return t;
}

SessionStock session_stock_from_row(const Row& r) {
  return SessionStock{r.opt_i64("lot_id"), r.i64("drawn_mcg"), r.i64("wasted_mcg")};
}

WitnessAccount witness_from_row(const Row& r) {
  return WitnessAccount{r.i64("id"), r.text("role"), r.i64("disabled") != 0,
                        r.text("password_hash")};
}

// Drawn and wasted per session, and the lot of its draws. MIN(lot_id) over draws: a session draws
// from one lot (record_draw's callers enforce it), so any draw names it.
constexpr const char* kSessionSumsSelect =
    "SELECT session_id, MIN(CASE kind WHEN 'draw' THEN lot_id END) AS lot_id, "
    "CAST(COALESCE(SUM(CASE kind WHEN 'draw' THEN amount_mcg ELSE 0 END), 0) AS BIGINT) "
    "AS drawn_mcg, "
    "CAST(COALESCE(SUM(CASE kind WHEN 'waste' THEN amount_mcg ELSE 0 END), 0) AS BIGINT) "
    "AS wasted_mcg FROM stock_movements";

}  // namespace

const char* movement_kind_name(MovementKind kind) {
  switch (kind) {
    case MovementKind::receive:
      return "receive";
    case MovementKind::draw:
      return "draw";
    case MovementKind::waste:
      return "waste";
    case MovementKind::adjust:
      return "adjust";
  }
  return "adjust";  // unreachable: every kind is named above
}

std::int64_t StockMovement::balance_change_mcg() const {
  switch (kind) {
    case MovementKind::draw:
      return -amount_mcg;
    case MovementKind::waste:
      return 0;
    case MovementKind::receive:
    case MovementKind::adjust:
      return amount_mcg;
  }
  return 0;  // unreachable
}

// ---------------------------------------------------------------------------------------------
// Lots

std::int64_t StockStore::receive_lot(const NewStockLot& lot) {
  const std::int64_t id =
      tx_.query(
             "INSERT INTO stock_lots (drug, concentration_mg_per_ml, vial_volume_ml, vial_mcg, "
             "lot_number, expiry_date, vials_received, supplier, notes, active, created_by, "
             "created_at_ms, updated_at_ms, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
             "1, $10, $11, $11, 1) RETURNING id",
             {lot.drug, lot.concentration_mg_per_ml, lot.vial_volume_ml, lot.vial_mcg,
              lot.lot_number, lot.expiry_date, lot.vials_received, lot.supplier, lot.notes,
              lot.received_by, lot.at_ms})
          .front()
          .i64("id");
  insert_movement(
      MovementKind::receive,
      {id, lot.vial_mcg * lot.vials_received,
       lot.vial_volume_ml * static_cast<double>(lot.vials_received), std::nullopt, std::nullopt,
       "received " + std::to_string(lot.vials_received) + " vials", lot.received_by, lot.at_ms});
  return id;
}

std::optional<StockLot> StockStore::find_lot(std::int64_t lot_id) {
  const Rows rows =
      tx_.query(std::string("SELECT ") + kLotColumns + " FROM stock_lots WHERE id = $1", {lot_id});
  if (rows.empty()) return std::nullopt;
  return lot_from_row(rows.front());
}

bool StockStore::lot_number_taken(const std::string& drug, const std::string& lot_number) {
  return !tx_.query("SELECT id FROM stock_lots WHERE drug = $1 AND lot_number = $2",
                    {drug, lot_number})
              .empty();
}

std::vector<StockLot> StockStore::list_lots(std::optional<bool> active) {
  std::string sql = std::string("SELECT ") + kLotColumns + " FROM stock_lots";
  std::vector<Value> params;
  if (active) {
    sql += " WHERE active = $1";
    params.emplace_back(std::int64_t{*active ? 1 : 0});
  }
  sql += " ORDER BY expiry_date, id";
  std::vector<StockLot> out;
  for (const Row& r : tx_.query(sql, params)) out.push_back(lot_from_row(r));
  return out;
}

bool StockStore::edit_lot(std::int64_t lot_id, std::int64_t expected_version,
                          const StockLotEdit& edit, std::int64_t now_ms) {
  return tx_.exec(
             "UPDATE stock_lots SET active = $2, notes = $3, supplier = $4, updated_at_ms = $5, "
             "version = version + 1 WHERE id = $1 AND version = $6",
             {lot_id, std::int64_t{edit.active ? 1 : 0}, edit.notes, edit.supplier, now_ms,
              expected_version}) == 1;
}

std::int64_t StockStore::lot_balance_mcg(std::int64_t lot_id) {
  return tx_.query(kBalanceSql, {lot_id}).front().i64("balance_mcg");
}

// ---------------------------------------------------------------------------------------------
// Movements

std::int64_t StockStore::insert_movement(MovementKind kind, const NewStockMovement& m) {
  return tx_
      .query(
          "INSERT INTO stock_movements (lot_id, kind, amount_mcg, volume_ml, session_id, "
          "witness_user_id, reason, recorded_by, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
          "$9) RETURNING id",
          {m.lot_id, std::string(movement_kind_name(kind)), m.amount_mcg, m.volume_ml,
           opt_value(m.session_id), opt_value(m.witness_user_id), m.reason, m.recorded_by, m.at_ms})
      .front()
      .i64("id");
}

std::int64_t StockStore::record_draw(const NewStockMovement& draw) {
  return insert_movement(MovementKind::draw, draw);
}

std::int64_t StockStore::record_waste(const NewStockMovement& waste) {
  return insert_movement(MovementKind::waste, waste);
}

std::int64_t StockStore::record_adjustment(const NewStockMovement& adjustment) {
  return insert_movement(MovementKind::adjust, adjustment);
}

std::vector<StockMovement> StockStore::ledger(std::int64_t lot_id) {
  std::vector<StockMovement> out;
  for (const Row& r : tx_.query(std::string("SELECT ") + kMovementColumns +
                                    " FROM stock_movements WHERE lot_id = $1 ORDER BY id",
                                {lot_id})) {
    out.push_back(movement_from_row(r));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sessions: every read of the infusion-session tables by the stock rules is below.

std::optional<SessionForDraw> StockStore::session_for_draw(std::int64_t session_id) {
  const Rows rows =
      tx_.query(std::string("SELECT ") + kSessionColumns + " FROM infusion_sessions WHERE id = $1",
                {session_id});
  if (rows.empty()) return std::nullopt;
  return session_from_row(rows.front());
}

void StockStore::assign_session_lot(std::int64_t session_id, std::int64_t lot_id) {
  tx_.exec("UPDATE infusion_sessions SET lot_id = $2 WHERE id = $1 AND lot_id IS NULL",
           {session_id, lot_id});
}

SessionStock StockStore::session_stock(std::int64_t session_id) {
  const Rows rows = tx_.query(
      std::string(kSessionSumsSelect) + " WHERE session_id = $1 GROUP BY session_id", {session_id});
  if (rows.empty()) return SessionStock{};
  return session_stock_from_row(rows.front());
}

std::optional<WitnessAccount> StockStore::find_witness(std::int64_t user_id) {
  const Rows rows =
      tx_.query("SELECT id, role, disabled, password_hash FROM users WHERE id = $1", {user_id});
  if (rows.empty()) return std::nullopt;
  return witness_from_row(rows.front());
}

// ---------------------------------------------------------------------------------------------
// Reconciliation

std::vector<LotTotals> StockStore::lot_totals() {
  std::vector<LotTotals> out;
  for (const Row& r : tx_.query(
           "SELECT lot_id, "
           "CAST(COALESCE(SUM(CASE kind WHEN 'receive' THEN amount_mcg ELSE 0 END), 0) AS BIGINT) "
           "AS received_mcg, "
           "CAST(COALESCE(SUM(CASE kind WHEN 'adjust' THEN amount_mcg ELSE 0 END), 0) AS BIGINT) "
           "AS adjusted_mcg, "
           "CAST(COALESCE(SUM(CASE kind WHEN 'draw' THEN amount_mcg ELSE 0 END), 0) AS BIGINT) "
           "AS drawn_mcg, "
           "CAST(COALESCE(SUM(CASE kind WHEN 'waste' THEN amount_mcg ELSE 0 END), 0) AS BIGINT) "
           "AS wasted_mcg FROM stock_movements GROUP BY lot_id ORDER BY lot_id")) {
    out.push_back(lot_totals_from_row(r));
  }
  return out;
}

std::vector<SessionReconciliationRow> StockStore::session_reconciliation_rows() {
  std::map<std::int64_t, SessionStock> sums;
  for (const Row& r :
       tx_.query(std::string(kSessionSumsSelect) +
                 " WHERE session_id IS NOT NULL GROUP BY session_id ORDER BY session_id")) {
    sums[r.i64("session_id")] = session_stock_from_row(r);
  }
  std::vector<SessionReconciliationRow> out;
  // A session given drug without any draw is listed too: that is a discrepancy to explain.
  for (const Row& r :
       tx_.query(std::string("SELECT ") + kSessionColumns +
                 " FROM infusion_sessions WHERE delivered_mg > 0 OR id IN (SELECT session_id "
                 "FROM stock_movements WHERE session_id IS NOT NULL) ORDER BY id")) {
    SessionReconciliationRow row;
    row.session = session_from_row(r);
    const auto it = sums.find(row.session.id);
    const SessionStock stock = it == sums.end() ? SessionStock{} : it->second;
    row.lot_id = stock.lot_id ? stock.lot_id : row.session.planned_lot_id;
    row.drawn_mcg = stock.drawn_mcg;
    row.wasted_mcg = stock.wasted_mcg;
    out.push_back(row);
  }
  return out;
}

}  // namespace kit::storage
