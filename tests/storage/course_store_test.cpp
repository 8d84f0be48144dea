// The course store (storage/stores/course_store.h) on both back ends: a course round-trips, every
// transition and extension is recorded in order, a stale version writes nothing, and the schema
// refuses a second course under way and a series beyond 12 infusions.
#include "storage/stores/course_store.h"

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

class CourseStoreTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;  // no PostgreSQL
    apply_migrations(*db, embedded_migrations());
    with_transaction(*db, [&](Transaction& tx) {
      physician_ = AccountStore(tx).create_user({"physician1", "hash", "physician", {}, kNowMs});
      NewPatient p;
      p.given_name = "Ada";
      p.family_name = "Test";
      p.date_of_birth = "1980-02-29";
      p.sex = "female";
      p.indication = "depression";
      p.at_ms = kNowMs;
      patient_ = PatientStore(tx).create(p);
    });
  }

  std::int64_t create(std::int64_t planned = 6, const std::string& notes = "") {
    return with_transaction(*db, [&](Transaction& tx) {
      return CourseStore(tx).create(
          {patient_, "zarate_2006_depression", planned, notes, physician_, kNowMs});
    });
  }

  Course find(std::int64_t id) {
    return with_transaction(*db, [&](Transaction& tx) { return *CourseStore(tx).find(id); });
  }

  // A transition or extension as the course routes write it: the state and its event together.
  bool move(const Course& c, const std::string& to, std::int64_t extra, std::int64_t at_ms) {
    return with_transaction(*db, [&](Transaction& tx) {
      CourseStore store(tx);
      if (!store.change(c.id, c.version, to, extra, at_ms)) return false;
      store.record_event({c.id, extra > 0 ? "extended" : "transition", c.state, to, extra,
                          "reason " + to, physician_, at_ms});
      return true;
    });
  }

  std::int64_t physician_ = 0;
  std::int64_t patient_ = 0;
};

TEST_P(CourseStoreTest, RoundTripsWithItsCreatedEvent) {
  const std::int64_t id = create(6, "thrice weekly");
  const Course c = find(id);
  EXPECT_EQ(c.id, id);
  EXPECT_EQ(c.patient_id, patient_);
  EXPECT_EQ(c.protocol_id, "zarate_2006_depression");
  EXPECT_EQ(c.state, "planned");
  EXPECT_EQ(c.planned_infusions, 6);
  EXPECT_EQ(c.extension_infusions, 0);
  EXPECT_EQ(c.total_infusions(), 6);
  EXPECT_EQ(c.notes, "thrice weekly");
  EXPECT_EQ(c.created_by, physician_);
  EXPECT_EQ(c.created_at_ms, kNowMs);
  EXPECT_EQ(c.updated_at_ms, kNowMs);
  EXPECT_EQ(c.version, 1);

  const std::vector<CourseEvent> events =
      with_transaction(*db, [&](Transaction& tx) { return CourseStore(tx).events(id); });
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].course_id, id);
  EXPECT_EQ(events[0].event, "created");
  EXPECT_FALSE(events[0].from_state.has_value());
  EXPECT_EQ(events[0].to_state, "planned");
  EXPECT_EQ(events[0].infusions_added, 0);
  EXPECT_EQ(events[0].reason, "");
  EXPECT_EQ(events[0].by_user_id, physician_);
  EXPECT_EQ(events[0].at_ms, kNowMs);

  with_transaction(*db, [&](Transaction& tx) {
    EXPECT_FALSE(CourseStore(tx).find(id + 1000).has_value());
    EXPECT_TRUE(CourseStore(tx).events(id + 1000).empty());
  });
}

TEST_P(CourseStoreTest, TransitionsAndExtensionsAreRecordedInOrder) {
  const std::int64_t id = create(6);
  ASSERT_TRUE(move(find(id), "induction", 0, kNowMs + 1));
  ASSERT_TRUE(move(find(id), "induction", 2, kNowMs + 2));
  ASSERT_TRUE(move(find(id), "maintenance", 0, kNowMs + 3));
  ASSERT_TRUE(move(find(id), "completed", 0, kNowMs + 4));

  const Course c = find(id);
  EXPECT_EQ(c.state, "completed");
  EXPECT_EQ(c.extension_infusions, 2);
  EXPECT_EQ(c.total_infusions(), 8);
  EXPECT_EQ(c.version, 5);
  EXPECT_EQ(c.updated_at_ms, kNowMs + 4);

  const std::vector<CourseEvent> events =
      with_transaction(*db, [&](Transaction& tx) { return CourseStore(tx).events(id); });
  ASSERT_EQ(events.size(), 5u);
  const std::vector<std::string> kinds = {"created", "transition", "extended", "transition",
                                          "transition"};
  const std::vector<std::string> from = {"", "planned", "induction", "induction", "maintenance"};
  const std::vector<std::string> to = {"planned", "induction", "induction", "maintenance",
                                       "completed"};
  for (std::size_t i = 0; i < events.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(events[i].event, kinds[i]);
    EXPECT_EQ(events[i].from_state.value_or(""), from[i]);
    EXPECT_EQ(events[i].to_state, to[i]);
    EXPECT_EQ(events[i].at_ms, kNowMs + static_cast<std::int64_t>(i));
    if (i > 0) {
      EXPECT_LT(events[i - 1].id, events[i].id);
      EXPECT_EQ(events[i].reason, "reason " + to[i]);
    }
  }
  EXPECT_EQ(events[2].infusions_added, 2);
}

TEST_P(CourseStoreTest, StaleVersionWritesNothing) {
  const std::int64_t id = create();
  const Course read = find(id);
  ASSERT_TRUE(move(read, "induction", 0, kNowMs + 1));
  // Another writer moved the course after `read` was taken: the compare-and-set refuses.
  EXPECT_FALSE(move(read, "stopped", 0, kNowMs + 2));
  EXPECT_EQ(find(id).state, "induction");
  EXPECT_EQ(find(id).version, 2);
}

TEST_P(CourseStoreTest, OneCourseUnderWayPerPatient) {
  const std::int64_t first = create();
  const std::int64_t second = create();
  with_transaction(*db, [&](Transaction& tx) {
    EXPECT_FALSE(CourseStore(tx).other_course_under_way(patient_, second));
  });
  ASSERT_TRUE(move(find(first), "induction", 0, kNowMs + 1));
  with_transaction(*db, [&](Transaction& tx) {
    EXPECT_TRUE(CourseStore(tx).other_course_under_way(patient_, second));
    EXPECT_FALSE(CourseStore(tx).other_course_under_way(patient_, first));
  });
  // The check above is the friendly answer; the partial unique index settles a race.
  EXPECT_THROW(move(find(second), "induction", 0, kNowMs + 2), ConstraintViolation);
  EXPECT_EQ(find(second).state, "planned");

  const std::vector<Course> courses =
      with_transaction(*db, [&](Transaction& tx) { return CourseStore(tx).for_patient(patient_); });
  ASSERT_EQ(courses.size(), 2u);
  EXPECT_EQ(courses[0].id, second);  // newest first
  EXPECT_EQ(courses[1].id, first);
}

TEST_P(CourseStoreTest, SchemaRefusesMoreThanTwelveInfusions) {
  // PMC9154276: at most 12 induction sessions (docs/api-journey.md).
  const std::int64_t id = create(10);
  EXPECT_THROW(move(find(id), "planned", 3, kNowMs + 1), ConstraintViolation);
  ASSERT_TRUE(move(find(id), "planned", 2, kNowMs + 1));
  EXPECT_EQ(find(id).total_infusions(), 12);
}

INSTANTIATE_TEST_SUITE_P(Backends, CourseStoreTest, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

}  // namespace
}  // namespace kit::storage::test
