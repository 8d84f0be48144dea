// The intake store (storage/stores/intake_store.h) on both back ends: screenings, consents (a
// withdrawn consent stays on file) and approvals round-trip, each patient's own, in order.
#include "storage/stores/intake_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/migration_runner.h"
#include "storage/stores/account_store.h"
#include "storage/stores/patient_store.h"
#include "tests/storage/storage_fixture.h"

namespace kit::storage::test {
namespace {

constexpr std::int64_t kNowMs = 1'800'000'000'000;

class IntakeStoreTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;  // no PostgreSQL
    apply_migrations(*db, embedded_migrations());
    with_transaction(*db, [&](Transaction& tx) {
      AccountStore accounts(tx);
      physician_ = accounts.create_user({.username = "physician1",
                                         .password_hash = "hash",
                                         .role = "physician",
                                         .patient_id = std::nullopt,
                                         .at_ms = kNowMs});
      nurse_ = accounts.create_user({.username = "nurse1",
                                     .password_hash = "hash",
                                     .role = "nurse",
                                     .patient_id = std::nullopt,
                                     .at_ms = kNowMs});
      PatientStore patients(tx);
      for (std::int64_t* id : {&patient_, &other_patient_}) {
        NewPatient p;
        p.given_name = "Ada";
        p.family_name = "Test";
        p.date_of_birth = "1980-01-01";
        p.sex = "female";
        p.indication = "depression";
        p.at_ms = kNowMs;
        *id = patients.create(p);
      }
    });
  }

  NewScreening screening(std::int64_t patient_id, bool eligible, std::int64_t at_ms) const {
    return {.patient_id = patient_id,
            .request_json = R"({"answers":{"age_y":40}})",
            .result_json = eligible ? R"({"eligible":true})" : R"({"eligible":false})",
            .eligible = eligible,
            .screened_by = nurse_,
            .at_ms = at_ms};
  }

  NewConsent consent(std::int64_t patient_id, const std::string& type) const {
    return {.patient_id = patient_id,
            .consent_type = type,
            .form_version = "v2.1",
            .signed_at_ms = kNowMs - 60'000,
            .note = "signed on paper",
            .recorded_by = nurse_,
            .at_ms = kNowMs};
  }

  std::int64_t physician_ = 0;
  std::int64_t nurse_ = 0;
  std::int64_t patient_ = 0;
  std::int64_t other_patient_ = 0;
};

TEST_P(IntakeStoreTest, ScreeningsRoundTripLatestFirst) {
  with_transaction(*db, [&](Transaction& tx) {
    IntakeStore store(tx);
    EXPECT_EQ(store.latest_screening(patient_), std::nullopt);
    const std::int64_t first = store.add_screening(screening(patient_, false, kNowMs));
    const std::int64_t second = store.add_screening(screening(patient_, true, kNowMs + 1));
    store.add_screening(screening(other_patient_, false, kNowMs + 2));

    const std::optional<Screening> got = store.find_screening(first);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->id, first);
    EXPECT_EQ(got->patient_id, patient_);
    EXPECT_EQ(got->request_json, R"({"answers":{"age_y":40}})");
    EXPECT_EQ(got->result_json, R"({"eligible":false})");
    EXPECT_FALSE(got->eligible);
    EXPECT_EQ(got->screened_by, nurse_);
    EXPECT_EQ(got->screened_at_ms, kNowMs);
    EXPECT_EQ(store.find_screening(first + 1000), std::nullopt);

    const std::vector<Screening> all = store.screenings(patient_);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, second);
    EXPECT_TRUE(all[0].eligible);
    EXPECT_EQ(all[1].id, first);
    ASSERT_TRUE(store.latest_screening(patient_).has_value());
    EXPECT_EQ(store.latest_screening(patient_)->id, second);
  });
}

TEST_P(IntakeStoreTest, ConsentsRoundTripAndBelongToTheirPatient) {
  with_transaction(*db, [&](Transaction& tx) {
    IntakeStore store(tx);
    EXPECT_FALSE(store.treatment_consent_in_force(patient_));
    const std::int64_t privacy = store.add_consent(consent(patient_, "privacy"));
    EXPECT_FALSE(store.treatment_consent_in_force(patient_));
    const std::int64_t treatment = store.add_consent(consent(patient_, "treatment"));
    EXPECT_TRUE(store.treatment_consent_in_force(patient_));
    EXPECT_FALSE(store.treatment_consent_in_force(other_patient_));

    const std::optional<Consent> got = store.find_consent(patient_, treatment);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->id, treatment);
    EXPECT_EQ(got->patient_id, patient_);
    EXPECT_EQ(got->consent_type, "treatment");
    EXPECT_EQ(got->form_version, "v2.1");
    EXPECT_EQ(got->signed_at_ms, kNowMs - 60'000);
    EXPECT_EQ(got->recorded_by, nurse_);
    EXPECT_EQ(got->recorded_at_ms, kNowMs);
    EXPECT_EQ(got->note, "signed on paper");
    EXPECT_FALSE(got->withdrawn());
    EXPECT_EQ(got->withdrawn_at_ms, std::nullopt);
    EXPECT_EQ(got->withdrawn_by, std::nullopt);
    EXPECT_EQ(got->withdrawal_reason, std::nullopt);

    // Another patient's consent is not found under this patient.
    EXPECT_EQ(store.find_consent(other_patient_, treatment), std::nullopt);

    const std::vector<Consent> all = store.consents(patient_);  // oldest first
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, privacy);
    EXPECT_EQ(all[1].id, treatment);
    EXPECT_TRUE(store.consents(other_patient_).empty());
  });
  EXPECT_THROW(with_transaction(*db,
                                [&](Transaction& tx) {
                                  IntakeStore(tx).add_consent(consent(patient_, "marketing"));
                                }),
               ConstraintViolation);
}

TEST_P(IntakeStoreTest, AWithdrawnConsentStaysOnFileWithTheFirstWithdrawal) {
  const std::int64_t id = with_transaction(*db, [&](Transaction& tx) {
    return IntakeStore(tx).add_consent(consent(patient_, "treatment"));
  });
  with_transaction(*db, [&](Transaction& tx) {
    IntakeStore store(tx);
    EXPECT_TRUE(store.withdraw_consent(id, {.by_user_id = physician_,
                                            .reason = "patient declined further care",
                                            .at_ms = kNowMs + 7}));
    // A second withdrawal changes nothing: the first one stands.
    EXPECT_FALSE(
        store.withdraw_consent(id, {.by_user_id = nurse_, .reason = "again", .at_ms = kNowMs + 8}));
  });
  with_transaction(*db, [&](Transaction& tx) {
    IntakeStore store(tx);
    const std::vector<Consent> all = store.consents(patient_);
    ASSERT_EQ(all.size(), 1u);  // not deleted
    const Consent& c = all[0];
    EXPECT_EQ(c.id, id);
    EXPECT_TRUE(c.withdrawn());
    EXPECT_EQ(c.withdrawn_at_ms, kNowMs + 7);
    EXPECT_EQ(c.withdrawn_by, physician_);
    EXPECT_EQ(c.withdrawal_reason, "patient declined further care");
    // What was signed is unchanged.
    EXPECT_EQ(c.consent_type, "treatment");
    EXPECT_EQ(c.form_version, "v2.1");
    EXPECT_EQ(c.signed_at_ms, kNowMs - 60'000);
    EXPECT_EQ(c.recorded_by, nurse_);
    // Kept on file, but no longer in force.
    EXPECT_FALSE(store.treatment_consent_in_force(patient_));
  });
}

TEST_P(IntakeStoreTest, ApprovalsRoundTripLatestFirst) {
  with_transaction(*db, [&](Transaction& tx) {
    IntakeStore store(tx);
    const std::int64_t screened = store.add_screening(screening(patient_, false, kNowMs));
    const std::int64_t declined = store.add_approval({.patient_id = patient_,
                                                      .decision = "declined",
                                                      .reason = "contraindicated",
                                                      .override_reason = std::nullopt,
                                                      .screening_id = std::nullopt,
                                                      .physician_user_id = physician_,
                                                      .at_ms = kNowMs});
    const std::int64_t approved = store.add_approval({.patient_id = patient_,
                                                      .decision = "approved",
                                                      .reason = "",
                                                      .override_reason = "reviewed with cardiology",
                                                      .screening_id = screened,
                                                      .physician_user_id = physician_,
                                                      .at_ms = kNowMs + 1});

    const std::optional<Approval> got = store.find_approval(approved);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->id, approved);
    EXPECT_EQ(got->patient_id, patient_);
    EXPECT_EQ(got->decision, "approved");
    EXPECT_EQ(got->reason, "");
    EXPECT_EQ(got->override_reason, "reviewed with cardiology");
    EXPECT_EQ(got->screening_id, screened);
    EXPECT_EQ(got->physician_user_id, physician_);
    EXPECT_EQ(got->decided_at_ms, kNowMs + 1);
    const std::optional<Approval> first = store.find_approval(declined);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->reason, "contraindicated");
    EXPECT_EQ(first->override_reason, std::nullopt);
    EXPECT_EQ(first->screening_id, std::nullopt);
    EXPECT_EQ(store.find_approval(approved + 1000), std::nullopt);

    const std::vector<Approval> all = store.approvals(patient_);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, approved);
    EXPECT_EQ(all[1].id, declined);
    EXPECT_TRUE(store.approvals(other_patient_).empty());
  });
  // Declining needs a reason (the schema's CHECK, as well as the route's rule).
  EXPECT_THROW(with_transaction(*db,
                                [&](Transaction& tx) {
                                  IntakeStore(tx).add_approval({.patient_id = patient_,
                                                                .decision = "declined",
                                                                .reason = "",
                                                                .override_reason = std::nullopt,
                                                                .screening_id = std::nullopt,
                                                                .physician_user_id = physician_,
                                                                .at_ms = kNowMs});
                                }),
               ConstraintViolation);
}

INSTANTIATE_TEST_SUITE_P(Backends, IntakeStoreTest, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

}  // namespace
}  // namespace kit::storage::test
