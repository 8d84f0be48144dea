// The stock store (storage/stores/stock_store.h) on both back ends: exact microgram ledgers, the
// reconciliation sums, the session rows the stock rules read; and no float4 anywhere in the schema
// (every non-integer quantity is an 8-byte double on both back ends).
#include "storage/stores/stock_store.h"

#include <gtest/gtest.h>

#include <cctype>
#include <sstream>
#include <string>
#include <vector>

#include "storage/migration_runner.h"
#include "tests/storage/storage_fixture.h"

namespace kit::storage::test {
namespace {

constexpr std::int64_t kNowMs = 1'800'000'000'000;
// Draws and wastes name a session; stock_movements.session_id has no foreign key (the sessions
// table comes in a later migration), so ledger tests need no session row.
constexpr std::int64_t kSessionId = 9001;

class StockStoreTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;  // no PostgreSQL
    apply_migrations(*db, embedded_migrations());
    nurse_ = add_user("nurse1", "nurse");
    physician_ = add_user("physician1", "physician");
  }

  std::int64_t add_user(const std::string& name, const std::string& role) {
    return with_transaction(*db, [&](Transaction& tx) {
      return tx
          .query(
              "INSERT INTO users (username, password_hash, role, disabled, created_at_ms, "
              "updated_at_ms) VALUES ($1, $2, $3, 0, $4, $4) RETURNING id",
              {name, "hash-of-" + name, role, kNowMs})
          .front()
          .i64("id");
    });
  }

  // 50 mg/mL x 10 mL = 500 mg per vial.
  NewStockLot lot_of(const std::string& number, std::int64_t vials = 1) const {
    NewStockLot lot;
    lot.drug = "ketamine";
    lot.concentration_mg_per_ml = 50;
    lot.vial_volume_ml = 10;
    lot.vial_mcg = 500'000;
    lot.lot_number = number;
    lot.expiry_date = "2030-01-31";
    lot.vials_received = vials;
    lot.received_by = nurse_;
    lot.at_ms = kNowMs;
    return lot;
  }

  NewStockMovement movement(std::int64_t lot_id, std::int64_t mcg) const {
    NewStockMovement m;
    m.lot_id = lot_id;
    m.amount_mcg = mcg;
    m.volume_ml = static_cast<double>(mcg) / 50'000.0;
    m.recorded_by = nurse_;
    m.at_ms = kNowMs;
    return m;
  }

  // One infusion session row with only the columns the stock store reads set to chosen values.
  // The session tables belong to the session module: this is the one place these tests write
  // them, so a change of that schema changes this function only.
  std::int64_t add_session(const std::string& state, double delivered_mg,
                           std::optional<std::int64_t> planned_lot_id) {
    return with_transaction(*db, [&](Transaction& tx) {
      const std::int64_t patient =
          tx.query(
                "INSERT INTO patients (mrn, given_name, family_name, date_of_birth, sex, "
                "indication, created_at_ms, updated_at_ms) VALUES ($1, 'Ada', 'Test', "
                "'1980-01-01', 'female', 'depression', $2, $2) RETURNING id",
                {"MRN-" + std::to_string(++patients_), kNowMs})
              .front()
              .i64("id");
      return tx
          .query(
              "INSERT INTO infusion_sessions (patient_id, unscheduled_reason, protocol_id, lot_id, "
              "plan_request_json, plan_json, plan_status, concentration_mg_per_ml, "
              "dosing_weight_kg, planned_dose_mg, pump_step_ul_per_h, planned_rate_steps, "
              "planned_duration_min, state, delivered_mg, created_by, created_at_ms, "
              "updated_at_ms) VALUES ($1, 'storage test', 'depression-induction', $2, '{}', '{}', "
              "'accepted', 1, 70, 35, 100, 525, 40, $3, $4, $5, $6, $6) RETURNING id",
              {patient, planned_lot_id ? Value(*planned_lot_id) : null(), state, delivered_mg,
               nurse_, kNowMs})
          .front()
          .i64("id");
    });
  }

  std::int64_t nurse_ = 0;
  std::int64_t physician_ = 0;
  int patients_ = 0;
};

TEST_P(StockStoreTest, TheJourneyGivesExactMicrograms) {
  // Receive 500 mg, draw 35.7 mg, waste 0.3 mg of it, adjust by -1.234 mg.
  std::int64_t lot_id = 0, draw_id = 0, waste_id = 0, adjust_id = 0;
  with_transaction(*db, [&](Transaction& tx) {
    StockStore store(tx);
    const std::int64_t lot = store.receive_lot(lot_of("K-EXACT"));
    NewStockMovement draw = movement(lot, 35'700);
    draw.session_id = kSessionId;
    NewStockMovement waste = movement(lot, 300);
    waste.session_id = kSessionId;
    waste.witness_user_id = physician_;
    waste.reason = "unused remainder";
    NewStockMovement adjust = movement(lot, -1'234);
    adjust.reason = "count correction";
    lot_id = lot;
    draw_id = store.record_draw(draw);
    waste_id = store.record_waste(waste);
    adjust_id = store.record_adjustment(adjust);
  });

  with_transaction(*db, [&](Transaction& tx) {
    StockStore store(tx);
    EXPECT_EQ(store.lot_balance_mcg(lot_id), 500'000 - 35'700 - 1'234);
    const std::vector<StockMovement> ledger = store.ledger(lot_id);
    ASSERT_EQ(ledger.size(), 4u);
    EXPECT_EQ(ledger[0].kind, MovementKind::receive);
    EXPECT_EQ(ledger[0].amount_mcg, 500'000);
    EXPECT_EQ(ledger[0].volume_ml, 10.0);
    EXPECT_EQ(ledger[1].id, draw_id);
    EXPECT_EQ(ledger[1].kind, MovementKind::draw);
    EXPECT_EQ(ledger[1].amount_mcg, 35'700);
    EXPECT_EQ(ledger[1].balance_change_mcg(), -35'700);
    EXPECT_EQ(ledger[1].volume_ml, 0.714);  // exactly the double written: 8 bytes on both
    EXPECT_EQ(ledger[1].session_id, kSessionId);
    EXPECT_EQ(ledger[2].id, waste_id);
    EXPECT_EQ(ledger[2].kind, MovementKind::waste);
    EXPECT_EQ(ledger[2].amount_mcg, 300);
    EXPECT_EQ(ledger[2].balance_change_mcg(), 0);
    EXPECT_EQ(ledger[2].witness_user_id, physician_);
    EXPECT_EQ(ledger[3].id, adjust_id);
    EXPECT_EQ(ledger[3].amount_mcg, -1'234);
    EXPECT_EQ(ledger[3].reason, "count correction");

    const std::vector<LotTotals> totals = store.lot_totals();
    ASSERT_EQ(totals.size(), 1u);
    EXPECT_EQ(totals[0].lot_id, lot_id);
    EXPECT_EQ(totals[0].received_mcg, 500'000);
    EXPECT_EQ(totals[0].drawn_mcg, 35'700);
    EXPECT_EQ(totals[0].wasted_mcg, 300);
    EXPECT_EQ(totals[0].adjusted_mcg, -1'234);

    const SessionStock s = store.session_stock(kSessionId);
    EXPECT_EQ(s.lot_id, lot_id);
    EXPECT_EQ(s.drawn_mcg, 35'700);
    EXPECT_EQ(s.wasted_mcg, 300);
    const SessionStock none = store.session_stock(kSessionId + 1);
    EXPECT_EQ(none.lot_id, std::nullopt);
    EXPECT_EQ(none.drawn_mcg, 0);
  });
}

TEST_P(StockStoreTest, SumsStayExactWhereFloatsWouldNot) {
  // 1000 draws of 0.100 to 0.106 mg. Summed as doubles in mg they would carry rounding noise (0.1
  // has no exact binary form), as float4 far more; summed as micrograms they are exact.
  const std::int64_t lot = with_transaction(*db, [&](Transaction& tx) {
    StockStore store(tx);
    const std::int64_t id = store.receive_lot(lot_of("K-MANY"));
    for (int i = 0; i < 1000; ++i) {
      NewStockMovement d = movement(id, 100 + (i % 7));  // 0.100 .. 0.106 mg
      d.session_id = kSessionId + i;
      store.record_draw(d);
    }
    return id;
  });
  std::int64_t expected = 0;
  for (int i = 0; i < 1000; ++i) expected += 100 + (i % 7);
  with_transaction(*db, [&](Transaction& tx) {
    StockStore store(tx);
    EXPECT_EQ(store.lot_balance_mcg(lot), 500'000 - expected);
    EXPECT_EQ(store.lot_totals().at(0).drawn_mcg, expected);
  });
}

TEST_P(StockStoreTest, LotsAreFoundListedAndEditedWithTheirVersion) {
  with_transaction(*db, [&](Transaction& tx) {
    StockStore store(tx);
    NewStockLot later = lot_of("K-LATER", 3);
    later.expiry_date = "2031-06-30";
    later.supplier = "Pharma";
    const std::int64_t b = store.receive_lot(later);
    const std::int64_t a = store.receive_lot(lot_of("K-SOONER"));
    EXPECT_TRUE(store.lot_number_taken("ketamine", "K-LATER"));
    EXPECT_FALSE(store.lot_number_taken("esketamine", "K-LATER"));
    EXPECT_EQ(store.find_lot(a + b + 100), std::nullopt);

    const std::optional<StockLot> got = store.find_lot(b);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->drug, "ketamine");
    EXPECT_EQ(got->concentration_mg_per_ml, 50.0);
    EXPECT_EQ(got->vial_volume_ml, 10.0);
    EXPECT_EQ(got->vial_mcg, 500'000);
    EXPECT_EQ(got->vials_received, 3);
    EXPECT_EQ(got->received_mcg(), 1'500'000);
    EXPECT_EQ(got->supplier, "Pharma");
    EXPECT_TRUE(got->active);
    EXPECT_EQ(got->version, 1);
    EXPECT_EQ(store.lot_balance_mcg(b), 1'500'000);

    // Ordered by expiry: the sooner lot first.
    std::vector<StockLot> all = store.list_lots();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, a);
    EXPECT_EQ(all[1].id, b);

    EXPECT_FALSE(store.edit_lot(b, 7, {false, "n", "s"}, kNowMs + 1));  // stale version
    EXPECT_TRUE(store.edit_lot(b, 1, {false, "retired: recall", "Pharma"}, kNowMs + 1));
    const StockLot edited = *store.find_lot(b);
    EXPECT_FALSE(edited.active);
    EXPECT_EQ(edited.notes, "retired: recall");
    EXPECT_EQ(edited.version, 2);
    EXPECT_EQ(edited.updated_at_ms, kNowMs + 1);
    ASSERT_EQ(store.list_lots(true).size(), 1u);
    EXPECT_EQ(store.list_lots(true)[0].id, a);
    ASSERT_EQ(store.list_lots(false).size(), 1u);
    EXPECT_EQ(store.list_lots(false)[0].id, b);
  });
}

TEST_P(StockStoreTest, TheSchemaRefusesImpossibleMovements) {
  const std::int64_t lot = with_transaction(
      *db, [&](Transaction& tx) { return StockStore(tx).receive_lot(lot_of("K-C")); });
  auto refused = [&](auto&& write) {
    try {
      with_transaction(*db, [&](Transaction& tx) {
        StockStore store(tx);
        write(store);
      });
    } catch (const ConstraintViolation&) {
      return true;
    }
    return false;
  };
  EXPECT_TRUE(refused([&](StockStore& s) {  // no amount
    NewStockMovement d = movement(lot, 0);
    d.session_id = kSessionId;
    s.record_draw(d);
  }));
  EXPECT_TRUE(refused([&](StockStore& s) { s.record_draw(movement(lot, 10)); }));  // no session
  EXPECT_TRUE(refused([&](StockStore& s) {  // the recorder as their own witness
    NewStockMovement w = movement(lot, 10);
    w.session_id = kSessionId;
    w.witness_user_id = nurse_;
    s.record_waste(w);
  }));
  EXPECT_TRUE(refused([&](StockStore& s) { s.record_adjustment(movement(lot, -5)); }));  // reason
  EXPECT_TRUE(refused([&](StockStore& s) { s.receive_lot(lot_of("K-C")); }));  // duplicate lot
  with_transaction(*db, [&](Transaction& tx) {
    EXPECT_EQ(StockStore(tx).ledger(lot).size(), 1u);  // only the receipt
  });
}

TEST_P(StockStoreTest, SessionsAreReadForDrawsAndReconciliation) {
  const std::int64_t lot = with_transaction(
      *db, [&](Transaction& tx) { return StockStore(tx).receive_lot(lot_of("K-S")); });
  // Discharged with 35.4 mg given; still running; given drug but never drawn; never used.
  const std::int64_t done = add_session("discharged", 35.4, lot);
  const std::int64_t running = add_session("running", 12.5, std::nullopt);
  const std::int64_t undrawn = add_session("stopped", 20.0, std::nullopt);
  add_session("planned", 0.0, std::nullopt);
  with_transaction(*db, [&](Transaction& tx) {
    StockStore store(tx);
    NewStockMovement d1 = movement(lot, 35'700);
    d1.session_id = done;
    store.record_draw(d1);
    NewStockMovement w1 = movement(lot, 300);
    w1.session_id = done;
    w1.witness_user_id = physician_;
    store.record_waste(w1);
    NewStockMovement d2 = movement(lot, 40'000);
    d2.session_id = running;
    store.record_draw(d2);
    store.assign_session_lot(running, lot);
  });
  with_transaction(*db, [&](Transaction& tx) {
    StockStore store(tx);
    const std::optional<SessionForDraw> s = store.session_for_draw(done);
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->id, done);
    EXPECT_GT(s->patient_id, 0);
    EXPECT_EQ(s->state, "discharged");
    EXPECT_TRUE(s->ended());
    EXPECT_EQ(s->planned_lot_id, lot);
    EXPECT_EQ(s->delivered_mcg, 35'400);
    EXPECT_EQ(store.session_for_draw(done + 1000), std::nullopt);
    EXPECT_EQ(store.session_for_draw(running)->planned_lot_id, lot);  // set by the first draw
    EXPECT_FALSE(store.session_for_draw(running)->ended());
    for (const char* state : {"stopped", "discharged", "voided"}) {
      EXPECT_TRUE(SessionForDraw{.state = state}.ended()) << state;
    }
    for (const char* state : {"planned", "running", "paused"}) {
      EXPECT_FALSE(SessionForDraw{.state = state}.ended()) << state;
    }

    const std::vector<SessionReconciliationRow> rows = store.session_reconciliation_rows();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].session.id, done);
    EXPECT_EQ(rows[0].lot_id, lot);
    EXPECT_EQ(rows[0].drawn_mcg, 35'700);
    EXPECT_EQ(rows[0].wasted_mcg, 300);
    EXPECT_EQ(rows[0].drawn_mcg - rows[0].wasted_mcg - rows[0].session.delivered_mcg, 0);
    EXPECT_EQ(rows[1].session.id, running);
    EXPECT_EQ(rows[1].drawn_mcg, 40'000);
    EXPECT_EQ(rows[2].session.id, undrawn);
    EXPECT_EQ(rows[2].lot_id, std::nullopt);
    EXPECT_EQ(rows[2].drawn_mcg, 0);
    EXPECT_EQ(rows[2].session.delivered_mcg, 20'000);
  });
}

TEST_P(StockStoreTest, WitnessesAreReadWithTheirRoleAndState) {
  with_transaction(*db, [&](Transaction& tx) {
    StockStore store(tx);
    const std::optional<WitnessAccount> w = store.find_witness(physician_);
    ASSERT_TRUE(w.has_value());
    EXPECT_EQ(w->user_id, physician_);
    EXPECT_EQ(w->role, "physician");
    EXPECT_FALSE(w->disabled);
    EXPECT_EQ(w->password_hash, "hash-of-physician1");
    EXPECT_EQ(store.find_witness(physician_ + nurse_ + 100), std::nullopt);
  });
}

// The declared type of a column, as the back end reports it.
std::string column_type(Transaction& tx, bool sqlite, const std::string& table,
                        const std::string& column) {
  if (sqlite) {
    for (const Row& r : tx.query("SELECT name, type FROM pragma_table_info($1)", {table})) {
      if (r.text("name") == column) return r.text("type");
    }
    return "";
  }
  const Rows rows = tx.query(
      "SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() "
      "AND table_name = $1 AND column_name = $2",
      {table, column});
  return rows.empty() ? "" : rows.front().text("data_type");
}

TEST_P(StockStoreTest, ClinicalQuantitiesAreEightByteDoublesAndAmountsIntegers) {
  with_transaction(*db, [&](Transaction& tx) {
    const std::string dbl = is_sqlite() ? "REAL" : "double precision";
    const std::string big = is_sqlite() ? "BIGINT" : "bigint";
    for (const auto& [table, column] : std::vector<std::pair<std::string, std::string>>{
             {"patients", "weight_kg"},
             {"patients", "height_cm"},
             {"stock_lots", "concentration_mg_per_ml"},
             {"stock_lots", "vial_volume_ml"},
             {"stock_movements", "volume_ml"},
             {"assessments", "total"},
             {"medication_lists", "total_mme_per_day"}}) {
      EXPECT_EQ(column_type(tx, is_sqlite(), table, column), dbl) << table << "." << column;
    }
    for (const auto& [table, column] : std::vector<std::pair<std::string, std::string>>{
             {"stock_lots", "vial_mcg"}, {"stock_movements", "amount_mcg"}}) {
      EXPECT_EQ(column_type(tx, is_sqlite(), table, column), big) << table << "." << column;
    }
  });
  if (!is_sqlite()) {
    // Nowhere in the schema a float4: every migration declares {{DOUBLE}} for real numbers.
    const Rows float4 = with_transaction(*db, [](Transaction& tx) {
      return tx.query(
          "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = "
          "current_schema() AND data_type = 'real' ORDER BY table_name, column_name");
    });
    for (const Row& r : float4) {
      ADD_FAILURE() << r.text("table_name") << "." << r.text("column_name")
                    << " is float4 (REAL) on PostgreSQL; declare it {{DOUBLE}}";
    }
  }
  // Every digit survives: float4 would answer 70.12346.
  const double weight_kg = 70.123456789012;
  const double height_cm = 172.987654321;
  const Row r = with_transaction(*db, [&](Transaction& tx) {
    tx.exec(
        "INSERT INTO patients (mrn, given_name, family_name, date_of_birth, sex, weight_kg, "
        "height_cm, indication, created_at_ms, updated_at_ms) VALUES ('MRN-W', 'Ada', 'Test', "
        "'1980-01-01', 'female', $1, $2, 'depression', $3, $3)",
        {weight_kg, height_cm, kNowMs});
    return tx.query("SELECT weight_kg, height_cm FROM patients WHERE mrn = 'MRN-W'").front();
  });
  EXPECT_EQ(r.f64("weight_kg"), weight_kg);
  EXPECT_EQ(r.f64("height_cm"), height_cm);
}

// A bare REAL is float4 on PostgreSQL; the migrations say {{DOUBLE}} (comments aside).
TEST(MigrationTypes, NoMigrationDeclaresABareReal) {
  for (const Migration& m : embedded_migrations()) {
    std::istringstream lines(m.sql);
    std::string line;
    int number = 0;
    while (std::getline(lines, line)) {
      ++number;
      std::string code = line.substr(0, line.find("--"));
      for (char& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      for (std::size_t at = code.find("REAL"); at != std::string::npos;
           at = code.find("REAL", at + 1)) {
        const bool word_start =
            at == 0 ||
            !(std::isalnum(static_cast<unsigned char>(code[at - 1])) || code[at - 1] == '_');
        const std::size_t end = at + 4;
        const bool word_end =
            end >= code.size() ||
            !(std::isalnum(static_cast<unsigned char>(code[end])) || code[end] == '_');
        EXPECT_FALSE(word_start && word_end) << m.name << ":" << number << ": " << line;
      }
    }
  }
}

TEST(RenderMigration, DoubleIsEightBytesOnBothBackEnds) {
  EXPECT_EQ(render_migration("w {{DOUBLE}} NOT NULL", "sqlite"), "w REAL NOT NULL");
  EXPECT_EQ(render_migration("w {{DOUBLE}} NOT NULL", "postgresql"), "w DOUBLE PRECISION NOT NULL");
}

INSTANTIATE_TEST_SUITE_P(Backends, StockStoreTest, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

}  // namespace
}  // namespace kit::storage::test
