// The medication store (storage/stores/medication_store.h) on both back ends: lists read back as
// written (the daily MME an exact double), listed by date, the active list in force on a date, and
// corrections that keep the original. Nothing is ever deleted.
#include "storage/stores/medication_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/migration_runner.h"
#include "storage/migrations.h"
#include "tests/storage/storage_fixture.h"

namespace kit::storage::test {
namespace {

constexpr std::int64_t kNowMs = 1'800'000'000'000;

class MedicationStoreTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;  // no PostgreSQL
    apply_migrations(*db, embedded_migrations());
    with_transaction(*db, [&](Transaction& tx) {
      nurse_ = tx.query(
                     "INSERT INTO users (username, password_hash, role, disabled, "
                     "created_at_ms, updated_at_ms) VALUES ('nurse1', 'hash', 'nurse', 0, $1, "
                     "$1) RETURNING id",
                     {kNowMs})
                   .front()
                   .i64("id");
      for (const char* mrn : {"MRN-M1", "MRN-M2"}) {
        const std::int64_t id =
            tx.query(
                  "INSERT INTO patients (mrn, given_name, family_name, date_of_birth, sex, "
                  "indication, created_at_ms, updated_at_ms) VALUES ($1, 'Ada', 'Test', "
                  "'1980-01-01', 'female', 'chronic_pain', $2, $2) RETURNING id",
                  {std::string(mrn), kNowMs})
                .front()
                .i64("id");
        (patient_ == 0 ? patient_ : other_patient_) = id;
      }
    });
  }

  NewMedicationList list(const std::string& as_of, double total_mme_per_day,
                         std::int64_t at_ms = kNowMs) const {
    NewMedicationList m;
    m.patient_id = patient_;
    m.as_of = as_of;
    m.items_json =
        "[{\"drug\":\"morphine\",\"route\":\"oral\",\"dose_mg\":10,\"doses_per_day\":4}]";
    m.result_json = "{\"total_mme_per_day\":40}";
    m.total_mme_per_day = total_mme_per_day;
    m.note = "from the pharmacy record";
    m.recorded_by = nurse_;
    m.at_ms = at_ms;
    return m;
  }

  std::int64_t count() {
    return with_transaction(*db, [&](Transaction& tx) {
      return tx.query("SELECT COUNT(*) AS n FROM medication_lists").front().i64("n");
    });
  }

  std::int64_t nurse_ = 0;
  std::int64_t patient_ = 0;
  std::int64_t other_patient_ = 0;
};

TEST_P(MedicationStoreTest, AListReadsBackAsWritten) {
  // 0.1 + 0.2: not representable in a float4; the 8-byte double comes back digit for digit.
  const double mme = 0.1 + 0.2;
  const std::int64_t id = with_transaction(
      *db, [&](Transaction& tx) { return MedicationStore(tx).insert(list("2027-01-04", mme)); });
  with_transaction(*db, [&](Transaction& tx) {
    MedicationStore store(tx);
    const auto m = store.find(id);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->patient_id, patient_);
    EXPECT_EQ(m->as_of, "2027-01-04");
    EXPECT_EQ(m->items_json,
              "[{\"drug\":\"morphine\",\"route\":\"oral\",\"dose_mg\":10,\"doses_per_day\":4}]");
    EXPECT_EQ(m->result_json, "{\"total_mme_per_day\":40}");
    EXPECT_EQ(m->total_mme_per_day, mme);
    EXPECT_EQ(m->note, "from the pharmacy record");
    EXPECT_EQ(m->recorded_by, nurse_);
    EXPECT_EQ(m->recorded_at_ms, kNowMs);
    EXPECT_EQ(m->status, "active");
    EXPECT_FALSE(m->amends_id.has_value());
    EXPECT_FALSE(m->correction.has_value());
    EXPECT_FALSE(store.find(id + 1000).has_value());
  });
}

TEST_P(MedicationStoreTest, ListsByDateAndTheActiveListInForceOnADate) {
  std::int64_t jan = 0, feb = 0, feb_later = 0, mar = 0;
  with_transaction(*db, [&](Transaction& tx) {
    MedicationStore store(tx);
    // Recorded out of date order: the history follows as_of, then id.
    mar = store.insert(list("2027-03-01", 30));
    jan = store.insert(list("2027-01-01", 40));
    feb = store.insert(list("2027-02-01", 60));
    feb_later = store.insert(list("2027-02-01", 50));
    NewMedicationList theirs = list("2027-02-15", 90);
    theirs.patient_id = other_patient_;
    store.insert(theirs);
  });
  with_transaction(*db, [&](Transaction& tx) {
    MedicationStore store(tx);
    std::vector<std::int64_t> ids;
    for (const auto& m : store.of_patient(patient_)) ids.push_back(m.id);
    EXPECT_EQ(ids, (std::vector<std::int64_t>{jan, feb, feb_later, mar}));
    EXPECT_EQ(store.of_patient(other_patient_).size(), 1u);
    EXPECT_FALSE(store.in_force_on(patient_, "2026-12-31").has_value());
    EXPECT_EQ(store.in_force_on(patient_, "2027-01-31")->id, jan);
    EXPECT_EQ(store.in_force_on(patient_, "2027-02-01")->id, feb_later);  // last of the day
    EXPECT_EQ(store.in_force_on(patient_, "2027-02-20")->id, feb_later);  // not another's
    EXPECT_EQ(store.in_force_on(patient_, "2027-12-31")->id, mar);
    // A list out of force is skipped: the one before it is in force again.
    ASSERT_TRUE(store.mark_corrected(feb_later, "entered_in_error"));
    EXPECT_EQ(store.in_force_on(patient_, "2027-02-20")->id, feb);
  });
}

TEST_P(MedicationStoreTest, ACorrectionKeepsTheOriginalAndNamesTheReplacement) {
  const std::int64_t original = with_transaction(
      *db, [&](Transaction& tx) { return MedicationStore(tx).insert(list("2027-01-04", 400)); });
  const std::int64_t before = count();
  std::int64_t replacement = 0, correction = 0;
  with_transaction(*db, [&](Transaction& tx) {
    MedicationStore store(tx);
    ASSERT_TRUE(store.mark_corrected(original, "amended"));
    EXPECT_FALSE(store.mark_corrected(original, "entered_in_error"));  // not active any more
    NewMedicationList fixed = list("2027-01-04", 40, kNowMs + 60'000);
    fixed.amends_id = original;
    replacement = store.insert(fixed);
    NewMedicationListCorrection c;
    c.list_id = original;
    c.patient_id = patient_;
    c.action = "amend";
    c.reason = "dose typed as 100 mg, the label says 10 mg";
    c.replacement_id = replacement;
    c.by_user_id = nurse_;
    c.at_ms = kNowMs + 60'000;
    correction = store.record_correction(c);
  });
  with_transaction(*db, [&](Transaction& tx) {
    MedicationStore store(tx);
    const auto o = store.find(original);
    EXPECT_EQ(o->status, "amended");
    EXPECT_EQ(o->total_mme_per_day, 400.0);  // the original keeps its values
    ASSERT_TRUE(o->correction.has_value());
    EXPECT_EQ(o->correction->id, correction);
    EXPECT_EQ(o->correction->action, "amend");
    EXPECT_EQ(o->correction->reason, "dose typed as 100 mg, the label says 10 mg");
    EXPECT_EQ(o->correction->replacement_id, replacement);
    EXPECT_EQ(o->correction->by_user_id, nurse_);
    EXPECT_EQ(o->correction->at_ms, kNowMs + 60'000);
    const auto r = store.find(replacement);
    EXPECT_EQ(r->status, "active");
    EXPECT_EQ(r->amends_id, original);
    EXPECT_FALSE(r->correction.has_value());
    EXPECT_EQ(store.in_force_on(patient_, "2027-01-04")->id, replacement);
    EXPECT_EQ(store.of_patient(patient_).size(), 2u);
    Rows c = tx.query("SELECT entity, session_id FROM corrections WHERE id = $1", {correction});
    EXPECT_EQ(c.front().text("entity"), "medication_list");
    EXPECT_FALSE(c.front().opt_i64("session_id").has_value());
  });
  EXPECT_EQ(count(), before + 1);  // one added, none removed
}

INSTANTIATE_TEST_SUITE_P(Backends, MedicationStoreTest, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

}  // namespace
}  // namespace kit::storage::test
