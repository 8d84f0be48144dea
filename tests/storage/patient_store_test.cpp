// The patient store (storage/stores/patient_store.h) on both back ends: the record round-trips
// digit for digit, the assigned MRN, search, the version compare-and-set and the inquiry link.
#include "storage/stores/patient_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/migration_runner.h"
#include "tests/storage/storage_fixture.h"

namespace kit::storage::test {
namespace {

constexpr std::int64_t kNowMs = 1'800'000'000'000;

class PatientStoreTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;  // no PostgreSQL
    apply_migrations(*db, embedded_migrations());
  }

  static NewPatient patient(const std::string& given, const std::string& family,
                            std::optional<std::string> mrn = std::nullopt) {
    NewPatient p;
    p.mrn = std::move(mrn);
    p.given_name = given;
    p.family_name = family;
    p.date_of_birth = "1980-02-29";
    p.sex = "female";
    p.indication = "depression";
    p.at_ms = kNowMs;
    return p;
  }

  std::int64_t create(const NewPatient& p) {
    return with_transaction(*db, [&](Transaction& tx) { return PatientStore(tx).create(p); });
  }

  std::optional<Patient> find(std::int64_t id) {
    return with_transaction(*db, [&](Transaction& tx) { return PatientStore(tx).find(id); });
  }

  std::vector<std::int64_t> search_ids(const PatientSearch& s) {
    std::vector<std::int64_t> ids;
    with_transaction(*db, [&](Transaction& tx) {
      for (const Patient& p : PatientStore(tx).search(s)) ids.push_back(p.id);
    });
    return ids;
  }

  // The inquiry tables belong to the inquiry routes; this is the one place these tests write them.
  std::int64_t add_inquiry() {
    return with_transaction(*db, [&](Transaction& tx) {
      return tx
          .query(
              "INSERT INTO inquiries (name, contact, contact_kind, reason, remote_address, "
              "created_at_ms, updated_at_ms) VALUES ('Ada', 'ada@example.org', 'email', "
              "'depression', '127.0.0.1', $1, $1) RETURNING id",
              {kNowMs})
          .front()
          .i64("id");
    });
  }
};

TEST_P(PatientStoreTest, ARecordRoundTripsEveryField) {
  NewPatient p = patient("Ada", "Lovelace", "MRN-1");
  p.sex = "female";
  p.indication = "ptsd";
  p.weight_kg = 70.123456789012;  // every digit survives: 8-byte doubles on both back ends
  p.height_cm = 172.987654321;
  p.email = "ada@example.org";
  p.phone = "+44 20 7946 0000";
  const std::int64_t id = create(p);

  const std::optional<Patient> got = find(id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->id, id);
  EXPECT_EQ(got->mrn, "MRN-1");
  EXPECT_EQ(got->given_name, "Ada");
  EXPECT_EQ(got->family_name, "Lovelace");
  EXPECT_EQ(got->date_of_birth, "1980-02-29");
  EXPECT_EQ(got->sex, "female");
  EXPECT_EQ(got->indication, "ptsd");
  EXPECT_EQ(got->weight_kg, 70.123456789012);
  EXPECT_EQ(got->height_cm, 172.987654321);
  EXPECT_EQ(got->email, "ada@example.org");
  EXPECT_EQ(got->phone, "+44 20 7946 0000");
  EXPECT_EQ(got->status, "intake");
  EXPECT_EQ(got->inquiry_id, std::nullopt);
  EXPECT_EQ(got->created_at_ms, kNowMs);
  EXPECT_EQ(got->updated_at_ms, kNowMs);
  EXPECT_EQ(got->version, 1);

  // The optional fields stay absent when not given.
  const std::optional<Patient> bare = find(create(patient("Grace", "Hopper", "MRN-2")));
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->weight_kg, std::nullopt);
  EXPECT_EQ(bare->height_cm, std::nullopt);
  EXPECT_EQ(bare->email, std::nullopt);
  EXPECT_EQ(bare->phone, std::nullopt);

  EXPECT_EQ(find(id + 1000), std::nullopt);
}

TEST_P(PatientStoreTest, WithoutAnMrnTheStoreAssignsOneFromTheId) {
  const std::int64_t a = create(patient("Ada", "Lovelace"));
  const std::int64_t b = create(patient("Grace", "Hopper"));
  char expected[32];
  std::snprintf(expected, sizeof expected, "KIT-%06lld", static_cast<long long>(a));
  EXPECT_EQ(find(a)->mrn, expected);
  std::snprintf(expected, sizeof expected, "KIT-%06lld", static_cast<long long>(b));
  EXPECT_EQ(find(b)->mrn, expected);
  with_transaction(*db, [&](Transaction& tx) {
    PatientStore store(tx);
    EXPECT_TRUE(store.mrn_taken(expected));
    EXPECT_FALSE(store.mrn_taken("MRN-NONE"));
  });
}

TEST_P(PatientStoreTest, AGivenMrnIsKeptAndFindsThePatient) {
  const std::int64_t id = create(patient("Ada", "Lovelace", "DEMO-0001"));
  with_transaction(*db, [&](Transaction& tx) {
    PatientStore store(tx);
    const std::optional<Patient> p = store.find_by_mrn("DEMO-0001");
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->id, id);
    EXPECT_EQ(p->mrn, "DEMO-0001");
    EXPECT_EQ(p->status, "intake");
    EXPECT_FALSE(store.find_by_mrn("DEMO-0002").has_value());
  });
}

TEST_P(PatientStoreTest, ATakenMrnIsRefusedByTheSchema) {
  create(patient("Ada", "Lovelace", "MRN-1"));
  EXPECT_THROW(create(patient("Grace", "Hopper", "MRN-1")), ConstraintViolation);
}

TEST_P(PatientStoreTest, RegistrationLinksAndSchedulesTheInquiry) {
  const std::int64_t inquiry = add_inquiry();
  NewPatient p = patient("Ada", "Lovelace");
  p.inquiry_id = inquiry;
  std::int64_t id = 0;
  with_transaction(*db, [&](Transaction& tx) {
    PatientStore store(tx);
    EXPECT_TRUE(store.inquiry_exists(inquiry));
    EXPECT_FALSE(store.inquiry_exists(inquiry + 1));
    EXPECT_EQ(store.inquiry_patient(inquiry), std::nullopt);
    id = store.create(p);
    store.mark_inquiry_scheduled(inquiry, kNowMs + 5);
  });
  EXPECT_EQ(find(id)->inquiry_id, inquiry);
  with_transaction(*db, [&](Transaction& tx) {
    EXPECT_EQ(PatientStore(tx).inquiry_patient(inquiry), id);
    const Row r =
        tx.query("SELECT status, updated_at_ms, version FROM inquiries WHERE id = $1", {inquiry})
            .front();
    EXPECT_EQ(r.text("status"), "scheduled");
    EXPECT_EQ(r.i64("updated_at_ms"), kNowMs + 5);
    EXPECT_EQ(r.i64("version"), 2);
  });
  // One patient per inquiry.
  EXPECT_THROW(create(p), ConstraintViolation);
}

TEST_P(PatientStoreTest, SearchMatchesNamesAndMrnLiterallyInNameOrder) {
  const std::int64_t ada = create(patient("Ada", "Lovelace", "MRN-100"));
  const std::int64_t grace = create(patient("Grace", "Hopper", "MRN-200"));
  const std::int64_t alan = create(patient("Alan", "Turing", "X_1%"));
  const std::int64_t ann = create(patient("Ann", "Hopper", "MRN-300"));

  EXPECT_EQ(search_ids({}), (std::vector<std::int64_t>{ann, grace, ada, alan}));
  EXPECT_EQ(search_ids({.text = "hOpPeR"}), (std::vector<std::int64_t>{ann, grace}));
  EXPECT_EQ(search_ids({.text = "ada"}), (std::vector<std::int64_t>{ada}));
  EXPECT_EQ(search_ids({.text = "grace hop"}), (std::vector<std::int64_t>{grace}));
  EXPECT_EQ(search_ids({.text = "mrn-2"}), (std::vector<std::int64_t>{grace}));
  // % and _ are the characters themselves, not wildcards.
  EXPECT_EQ(search_ids({.text = "%"}), (std::vector<std::int64_t>{alan}));
  EXPECT_EQ(search_ids({.text = "x_1"}), (std::vector<std::int64_t>{alan}));
  EXPECT_EQ(search_ids({.text = "MRN_"}), (std::vector<std::int64_t>{}));

  with_transaction(*db, [&](Transaction& tx) { PatientStore(tx).set_status(ada, "approved", 1); });
  EXPECT_EQ(search_ids({.status = "approved"}), (std::vector<std::int64_t>{ada}));
  EXPECT_EQ(search_ids({.text = "hopper", .status = "intake"}),
            (std::vector<std::int64_t>{ann, grace}));
  EXPECT_EQ(search_ids({.status = "discharged"}), (std::vector<std::int64_t>{}));

  EXPECT_EQ(search_ids({.limit = 2}), (std::vector<std::int64_t>{ann, grace}));
  EXPECT_EQ(search_ids({.limit = 2, .offset = 2}), (std::vector<std::int64_t>{ada, alan}));
  EXPECT_EQ(search_ids({.limit = 2, .offset = 4}), (std::vector<std::int64_t>{}));
}

TEST_P(PatientStoreTest, AnEditNeedsTheVersionItWasMadeOn) {
  NewPatient p = patient("Ada", "Lovelace", "MRN-1");
  p.weight_kg = 70;
  p.email = "ada@example.org";
  const std::int64_t id = create(p);

  PatientEdit edit;
  edit.family_name = "King";
  edit.weight_kg = std::optional<double>(71.5);
  edit.email = std::optional<std::string>();  // cleared
  EXPECT_FALSE(edit.empty());
  EXPECT_TRUE(PatientEdit{}.empty());

  with_transaction(*db, [&](Transaction& tx) {
    // A stale version changes nothing.
    EXPECT_FALSE(PatientStore(tx).update(id, 2, edit, kNowMs + 1));
  });
  EXPECT_EQ(find(id)->family_name, "Lovelace");
  EXPECT_EQ(find(id)->version, 1);

  with_transaction(
      *db, [&](Transaction& tx) { EXPECT_TRUE(PatientStore(tx).update(id, 1, edit, kNowMs + 1)); });
  const Patient after = *find(id);
  EXPECT_EQ(after.family_name, "King");
  EXPECT_EQ(after.given_name, "Ada");  // absent from the edit: unchanged
  EXPECT_EQ(after.mrn, "MRN-1");
  EXPECT_EQ(after.weight_kg, 71.5);
  EXPECT_EQ(after.email, std::nullopt);
  EXPECT_EQ(after.version, 2);
  EXPECT_EQ(after.updated_at_ms, kNowMs + 1);
  EXPECT_EQ(after.created_at_ms, kNowMs);

  // The first of two writers on version 2 wins; the second is told.
  PatientEdit first;
  first.given_name = "Augusta";
  PatientEdit second;
  second.given_name = "Adah";
  with_transaction(*db, [&](Transaction& tx) {
    PatientStore store(tx);
    EXPECT_TRUE(store.update(id, 2, first, kNowMs + 2));
    EXPECT_FALSE(store.update(id, 2, second, kNowMs + 3));
  });
  EXPECT_EQ(find(id)->given_name, "Augusta");
  EXPECT_EQ(find(id)->version, 3);

  // The schema still checks an edit.
  PatientEdit bad;
  bad.height_cm = std::optional<double>(5.0);
  EXPECT_THROW(
      with_transaction(*db, [&](Transaction& tx) { PatientStore(tx).update(id, 3, bad, 1); }),
      ConstraintViolation);
}

TEST_P(PatientStoreTest, SettingTheStatusBumpsTheVersion) {
  const std::int64_t id = create(patient("Ada", "Lovelace", "MRN-1"));
  with_transaction(
      *db, [&](Transaction& tx) { PatientStore(tx).set_status(id, "approved", kNowMs + 9); });
  const Patient p = *find(id);
  EXPECT_EQ(p.status, "approved");
  EXPECT_EQ(p.version, 2);
  EXPECT_EQ(p.updated_at_ms, kNowMs + 9);
  EXPECT_THROW(with_transaction(
                   *db, [&](Transaction& tx) { PatientStore(tx).set_status(id, "lost", kNowMs); }),
               ConstraintViolation);
}

TEST_P(PatientStoreTest, AStatusSetAtAStaleVersionChangesNothing) {
  const std::int64_t id = create(patient("Ada", "Lovelace", "MRN-1"));
  with_transaction(*db, [&](Transaction& tx) {
    PatientStore store(tx);
    EXPECT_TRUE(store.set_status_at_version(id, 1, "approved", kNowMs + 1));
    // A second decision taken on version 1 (as a concurrent request in another server would)
    // finds version 2 and changes nothing.
    EXPECT_FALSE(store.set_status_at_version(id, 1, "declined", kNowMs + 2));
  });
  const Patient p = *find(id);
  EXPECT_EQ(p.status, "approved");
  EXPECT_EQ(p.version, 2);
  EXPECT_EQ(p.updated_at_ms, kNowMs + 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, PatientStoreTest, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

}  // namespace
}  // namespace kit::storage::test
