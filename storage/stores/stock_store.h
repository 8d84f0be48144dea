#pragma once
// The controlled-substance stock store: lots, the append-only movement ledger and the sums the
// reconciliation needs (tables in storage/migrations/0005_stock.sql). Every amount of drug is a
// whole number of micrograms (std::int64_t *_mcg), so balances and reconciliations are exact
// integer sums on both back ends; callers convert to mg at their edge.
//
// The pattern every store follows (docs/storage.md): a class over the caller's Transaction (the
// caller decides what commits together), one named operation per question or change, records as
// plain structs with units in their names, and exactly one function turning a row into each
// record type. No JSON and no HTTP here: "not found" is std::nullopt, a refused write is the
// database's ConstraintViolation.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"

namespace kit::storage {

struct StockLot {
  std::int64_t id = 0;
  std::string drug;
  double concentration_mg_per_ml = 0;
  double vial_volume_ml = 0;
  std::int64_t vial_mcg = 0;  // drug in one vial, fixed at receipt
  std::string lot_number;
  std::string expiry_date;  // ISO date; usable through that day
  std::int64_t vials_received = 0;
  std::string supplier;
  std::string notes;
  bool active = true;
  std::int64_t created_by = 0;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t version = 0;

  std::int64_t received_mcg() const { return vial_mcg * vials_received; }
};

struct NewStockLot {
  std::string drug;
  double concentration_mg_per_ml = 0;
  double vial_volume_ml = 0;
  std::int64_t vial_mcg = 0;
  std::string lot_number;
  std::string expiry_date;
  std::int64_t vials_received = 0;
  std::string supplier;
  std::string notes;
  std::int64_t received_by = 0;
  std::int64_t at_ms = 0;
};

// The fields a lot's owner may edit; amounts change only through movements.
struct StockLotEdit {
  bool active = true;
  std::string notes;
  std::string supplier;
};

enum class MovementKind { receive, draw, waste, adjust };
const char* movement_kind_name(MovementKind kind);

struct StockMovement {
  std::int64_t id = 0;
  std::int64_t lot_id = 0;
  MovementKind kind = MovementKind::receive;
  std::int64_t amount_mcg = 0;             // > 0, except an adjustment, which is signed
  double volume_ml = 0;                    // the amount at the lot's concentration (signed like it)
  std::optional<std::int64_t> session_id;  // draws and wastes
  std::optional<std::int64_t> witness_user_id;  // wastes
  std::string reason;
  std::int64_t recorded_by = 0;
  std::int64_t at_ms = 0;

  // What the movement does to the lot's book balance: a waste disposes of drug a session already
  // drew, so it changes nothing.
  std::int64_t balance_change_mcg() const;
};

struct NewStockMovement {
  std::int64_t lot_id = 0;
  std::int64_t amount_mcg = 0;
  double volume_ml = 0;
  std::optional<std::int64_t> session_id;
  std::optional<std::int64_t> witness_user_id;
  std::string reason;
  std::int64_t recorded_by = 0;
  std::int64_t at_ms = 0;
};

// The stock module's view of an infusion session. The session tables belong to the session
// module; this is everything the stock rules read from them (one query, session_for_draw).
struct SessionForDraw {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::string state;  // planned, running, paused, stopped, discharged, voided
  std::optional<std::int64_t> planned_lot_id;  // the lot named when the session was planned
  std::int64_t delivered_mcg = 0;              // the pump's delivered dose, to the microgram
  std::int64_t planned_dose_mcg = 0;           // the accepted plan's dose, to the microgram
  std::int64_t created_at_ms = 0;              // when the session was planned

  // No more drug goes in: what was drawn must now be delivered or wasted. A voided session counts
  // too, so drug drawn for it shows up until it is wasted.
  bool ended() const { return state == "stopped" || state == "discharged" || state == "voided"; }
};

// What a session drew and wasted, from the ledger.
struct SessionStock {
  std::optional<std::int64_t> lot_id;  // the lot its draws came from (none drawn yet: nullopt)
  std::int64_t drawn_mcg = 0;
  std::int64_t wasted_mcg = 0;
};

// Per lot, every movement summed by kind (adjustments signed).
struct LotTotals {
  std::int64_t lot_id = 0;
  std::int64_t received_mcg = 0;
  std::int64_t adjusted_mcg = 0;
  std::int64_t drawn_mcg = 0;
  std::int64_t wasted_mcg = 0;
};

// One session in the reconciliation: the session, the lot its drug came from and its ledger sums.
struct SessionReconciliationRow {
  SessionForDraw session;
  std::optional<std::int64_t> lot_id;
  std::int64_t drawn_mcg = 0;
  std::int64_t wasted_mcg = 0;
};

// The account a waste names as its witness.
struct WitnessAccount {
  std::int64_t user_id = 0;
  std::string role;
  bool disabled = false;
  std::string password_hash;
};

class StockStore {
 public:
  explicit StockStore(Transaction& tx) : tx_(tx) {}

  // Lots.
  // Inserts the lot and its `receive` movement (vials x vial_mcg); returns the lot's id.
  std::int64_t receive_lot(const NewStockLot& lot);
  std::optional<StockLot> find_lot(std::int64_t lot_id);
  bool lot_number_taken(const std::string& drug, const std::string& lot_number);
  // active: nullopt lists every lot. Ordered by expiry, then id (the first to use comes first).
  std::vector<StockLot> list_lots(std::optional<bool> active = std::nullopt);
  // Applies the edit if the lot is still at expected_version; false if it changed meanwhile.
  bool edit_lot(std::int64_t lot_id, std::int64_t expected_version, const StockLotEdit& edit,
                std::int64_t now_ms);
  // Book balance: received + adjusted - drawn.
  std::int64_t lot_balance_mcg(std::int64_t lot_id);

  // Movements (append-only). Each returns the new movement's id.
  std::int64_t record_draw(const NewStockMovement& draw);
  std::int64_t record_waste(const NewStockMovement& waste);
  std::int64_t record_adjustment(const NewStockMovement& adjustment);
  // Every movement of the lot, oldest first.
  std::vector<StockMovement> ledger(std::int64_t lot_id);

  // Sessions.
  std::optional<SessionForDraw> session_for_draw(std::int64_t session_id);
  // The first draw sets the session's lot (a no-op once it has one).
  void assign_session_lot(std::int64_t session_id, std::int64_t lot_id);
  SessionStock session_stock(std::int64_t session_id);
  std::optional<WitnessAccount> find_witness(std::int64_t user_id);

  // Reconciliation.
  std::vector<LotTotals> lot_totals();
  // Every session that drew, wasted or was given drug, by id.
  std::vector<SessionReconciliationRow> session_reconciliation_rows();

 private:
  std::int64_t insert_movement(MovementKind kind, const NewStockMovement& m);
  Transaction& tx_;
};

}  // namespace kit::storage
