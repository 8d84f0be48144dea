// The ED sedation store (storage/stores/sedation_store.h) on both back ends: an episode and its
// doses read back as written, version compare-and-set (two doses computed on the same history
// cannot both land), corrections that keep the original (once per entry), and the schema's own
// refusal of a dose whose running total is above the hard limit it was checked against.
#include "storage/stores/sedation_store.h"

#include <gtest/gtest.h>

#include "storage/migration_runner.h"
#include "storage/migrations.h"
#include "tests/storage/storage_fixture.h"

namespace kit::storage::test {
namespace {

constexpr std::int64_t kNowMs = 1'800'000'000'000;

class SedationStoreTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;  // no PostgreSQL
    apply_migrations(*db, embedded_migrations());
    with_transaction(*db, [&](Transaction& tx) {
      physician_ = tx.query(
                         "INSERT INTO users (username, password_hash, role, disabled, "
                         "created_at_ms, updated_at_ms) VALUES ('doc', 'hash', 'physician', 0, "
                         "$1, $1) RETURNING id",
                         {kNowMs})
                       .front()
                       .i64("id");
      patient_ = tx.query(
                       "INSERT INTO patients (mrn, given_name, family_name, date_of_birth, sex, "
                       "indication, created_at_ms, updated_at_ms) VALUES ('ED-1', 'Ada', 'Child', "
                       "'2020-01-01', 'female', 'other', $1, $1) RETURNING id",
                       {kNowMs})
                     .front()
                     .i64("id");
      SedationEpisode e;
      e.patient_id = patient_;
      e.procedure_name = "fracture reduction";
      e.weight_kg = 20.5;
      e.age_y = 6.25;
      e.screening_json = "{}";
      e.findings_json = "{}";
      e.gates_json = "[]";
      e.opened_at_ms = kNowMs - 60'000;
      e.created_by = physician_;
      e.created_at_ms = kNowMs;
      episode_ = SedationStore(tx).create_episode(e);
    });
  }

  SedationDose dose(double mg, double running_per_kg, double hard = 5.0) const {
    SedationDose d;
    d.episode_id = episode_;
    d.route = "iv";
    d.protocol_id = "ed-sedation-pediatric-iv";
    d.dose_mg = mg;
    d.dose_mg_per_kg = mg / 20.5;
    d.concentration_mg_per_ml = 10;
    d.volume_ml = mg / 10;
    d.running_total_mg = running_per_kg * 20.5;
    d.running_total_mg_per_kg = running_per_kg;
    d.cumulative_hard_limit_mg_per_kg = hard;
    d.limit_status = "within";
    d.plan_json = "{}";
    d.gates_json = "[]";
    d.given_by = physician_;
    d.at_ms = kNowMs;
    d.recorded_at_ms = kNowMs;
    return d;
  }

  std::int64_t physician_ = 0, patient_ = 0, episode_ = 0;
};

TEST_P(SedationStoreTest, EpisodeAndDoseReadBackAsWritten) {
  with_transaction(*db, [&](Transaction& tx) {
    SedationStore s(tx);
    const std::int64_t id = s.insert_dose(dose(30.75, 1.5));
    const auto e = s.find_episode(episode_);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->state, "open");
    EXPECT_EQ(e->version, 1);
    EXPECT_DOUBLE_EQ(e->weight_kg, 20.5);
    EXPECT_DOUBLE_EQ(e->age_y, 6.25);
    EXPECT_EQ(e->opened_at_ms, kNowMs - 60'000);
    const auto ds = s.doses(episode_);
    ASSERT_EQ(ds.size(), 1u);
    EXPECT_EQ(ds[0].id, id);
    EXPECT_DOUBLE_EQ(ds[0].dose_mg, 30.75);
    EXPECT_EQ(ds[0].status, "active");
    EXPECT_EQ(s.search({patient_, std::nullopt, 10}).size(), 1u);
  });
}

TEST_P(SedationStoreTest, VersionIsCompareAndSet) {
  with_transaction(*db, [&](Transaction& tx) {
    SedationStore s(tx);
    EXPECT_TRUE(s.set_state(episode_, 1, "sedated", kNowMs));
    EXPECT_FALSE(s.set_state(episode_, 1, "sedated", kNowMs));  // a second writer on version 1
    EXPECT_EQ(s.find_episode(episode_)->version, 2);
  });
}

TEST_P(SedationStoreTest, SchemaRefusesADoseAboveItsHardLimit) {
  EXPECT_THROW(with_transaction(*db,
                                [&](Transaction& tx) {
                                  return SedationStore(tx).insert_dose(dose(20.5, 5.5, 5.0));
                                }),
               ConstraintViolation);
  SedationDose unreasoned = dose(20.5, 1.0);
  unreasoned.limit_status = "soft_limit_overridden";  // without a reason
  EXPECT_THROW(with_transaction(
                   *db, [&](Transaction& tx) { return SedationStore(tx).insert_dose(unreasoned); }),
               ConstraintViolation);
  with_transaction(
      *db, [&](Transaction& tx) { EXPECT_TRUE(SedationStore(tx).doses(episode_).empty()); });
}

TEST_P(SedationStoreTest, CorrectionsKeepTheOriginalOnce) {
  with_transaction(*db, [&](Transaction& tx) {
    SedationStore s(tx);
    const std::int64_t id = s.insert_dose(dose(30, 1.5));
    EXPECT_TRUE(s.set_entry_status("dose", id, episode_, "entered_in_error"));
    EXPECT_FALSE(s.set_entry_status("dose", id, episode_, "entered_in_error"));
    SedationCorrection c;
    c.episode_id = episode_;
    c.patient_id = patient_;
    c.entity = "dose";
    c.entity_id = id;
    c.action = "entered_in_error";
    c.reason = "wrong patient";
    c.by_user_id = physician_;
    c.at_ms = kNowMs;
    s.insert_correction(c);
    EXPECT_EQ(s.doses(episode_).size(), 1u);  // still on file
    EXPECT_EQ(s.doses(episode_)[0].status, "entered_in_error");
    EXPECT_EQ(s.corrections(episode_).size(), 1u);
  });
  // A dose is never amended, and an entry is corrected once.
  SedationCorrection amend;
  amend.episode_id = episode_;
  amend.patient_id = patient_;
  amend.entity = "dose";
  amend.entity_id = 1;
  amend.action = "amend";
  amend.reason = "x";
  amend.replacement_id = 2;
  amend.by_user_id = physician_;
  amend.at_ms = kNowMs;
  EXPECT_THROW(
      with_transaction(*db,
                       [&](Transaction& tx) { return SedationStore(tx).insert_correction(amend); }),
      ConstraintViolation);
}

INSTANTIATE_TEST_SUITE_P(Backends, SedationStoreTest, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

}  // namespace
}  // namespace kit::storage::test
