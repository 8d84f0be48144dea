// core/reminders: which reminders are due (docs/reminders.md). Table tests for each rule and a
// property test over random item lives: never more than max_reminders per item, never two on one
// clinic-local day, never one planned after the item closed, and every open item reminded on its
// first day inside the sending hours.
#include "core/reminders/reminders.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace kit::reminders {
namespace {

constexpr std::int64_t kHour = 3'600'000;
// 2026-03-02 00:00 UTC (a Monday).
constexpr std::int64_t kDay0 = 20'514 * kDayMs;

DueItem open_item(const std::string& key, std::int64_t patient = 7) {
  DueItem i;
  i.kind = Kind::questionnaire_due;
  i.patient_id = patient;
  i.key = key;
  i.open = true;
  return i;
}

Planned planned(const std::string& key, int number, std::int64_t day, std::int64_t patient = 7) {
  return {Kind::questionnaire_due, patient, key, number, day};
}

TEST(ReminderKinds, NamesRoundTrip) {
  for (Kind k : {Kind::questionnaire_due, Kind::appointment_upcoming, Kind::book_reassessment}) {
    EXPECT_EQ(kind_from_name(kind_name(k)), k);
  }
  EXPECT_FALSE(kind_from_name("sms").has_value());
}

TEST(ReminderClock, LocalDayAndMinuteFollowTheOffset) {
  // 2026-03-02 03:30 UTC is 22:30 the day before in New York (UTC-5).
  const std::int64_t t = kDay0 + 3 * kHour + 30 * kMinuteMs;
  EXPECT_EQ(local_day(t, 0), 20'514);
  EXPECT_EQ(local_minute_of_day(t, 0), 3 * 60 + 30);
  EXPECT_EQ(local_day(t, -300), 20'513);
  EXPECT_EQ(local_minute_of_day(t, -300), 22 * 60 + 30);
  EXPECT_EQ(local_day(t, 540), 20'514);  // Tokyo: 12:30
  EXPECT_EQ(local_minute_of_day(t, 540), 12 * 60 + 30);
  EXPECT_EQ(local_day(-1, 0), -1);
}

struct Row {
  const char* name;
  std::int64_t now_ms;
  int offset_min;
  std::vector<DueItem> items;
  std::vector<Planned> planned;
  std::vector<int> expected_numbers;  // one per decision, in order
};

TEST(DueReminders, Table) {
  const Policy p;  // 3 at most, 09:00-20:00
  const std::int64_t ten = kDay0 + 10 * kHour;
  DueItem closed = open_item("b");
  closed.open = false;
  const std::vector<Row> rows = {
      {"first reminder of an open item", ten, 0, {open_item("a")}, {}, {1}},
      {"nothing for a closed item", ten, 0, {closed}, {}, {}},
      {"not twice on one local day", ten, 0, {open_item("a")}, {planned("a", 1, 20'514)}, {}},
      {"the next day: the second",
       ten + kDayMs,
       0,
       {open_item("a")},
       {planned("a", 1, 20'514)},
       {2}},
      {"never a fourth",
       ten + 5 * kDayMs,
       0,
       {open_item("a")},
       {planned("a", 1, 20'514), planned("a", 2, 20'515), planned("a", 3, 20'516)},
       {}},
      {"before 09:00 local: none", kDay0 + 8 * kHour + 59 * kMinuteMs, 0, {open_item("a")}, {}, {}},
      {"at 09:00 local: one", kDay0 + 9 * kHour, 0, {open_item("a")}, {}, {1}},
      {"at 20:00 local: none", kDay0 + 20 * kHour, 0, {open_item("a")}, {}, {}},
      // 14:00 UTC is 09:00 in New York.
      {"the clinic's hours, not UTC's", kDay0 + 14 * kHour, -300, {open_item("a")}, {}, {1}},
      {"New York 04:00 is not sending time", kDay0 + 9 * kHour, -300, {open_item("a")}, {}, {}},
      {"another patient's reminder does not count",
       ten,
       0,
       {open_item("a")},
       {planned("a", 1, 20'514, 8)},
       {1}},
      {"another key does not count", ten, 0, {open_item("a")}, {planned("z", 1, 20'514)}, {1}},
      {"an item listed twice: one reminder", ten, 0, {open_item("a"), open_item("a")}, {}, {1}},
      {"a gap in numbers continues after the highest",
       ten + 3 * kDayMs,
       0,
       {open_item("a")},
       {planned("a", 2, 20'515)},
       {3}},
      {"planned on a later day (clock stepped back) holds",
       ten,
       0,
       {open_item("a")},
       {planned("a", 1, 20'515)},
       {}},
  };
  for (const Row& r : rows) {
    const auto got = due_reminders(p, r.now_ms, r.offset_min, r.items, r.planned);
    ASSERT_EQ(got.size(), r.expected_numbers.size()) << r.name;
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].number, r.expected_numbers[i]) << r.name;
    }
  }
}

TEST(DueReminders, MaxIsThePolicys) {
  Policy p;
  p.max_reminders = 1;
  const std::int64_t ten = kDay0 + 10 * kHour;
  EXPECT_TRUE(
      due_reminders(p, ten + kDayMs, 0, {open_item("a")}, {planned("a", 1, 20'514)}).empty());
  p.max_reminders = 5;
  EXPECT_EQ(due_reminders(p, ten + 4 * kDayMs, 0, {open_item("a")},
                          {planned("a", 1, 20'514), planned("a", 2, 20'515),
                           planned("a", 3, 20'516), planned("a", 4, 20'517)})
                .at(0)
                .number,
            5);
}

TEST(StillWanted, OnlyWhileTheItemIsOpen) {
  DueItem closed = open_item("a");
  closed.open = false;
  EXPECT_TRUE(still_wanted(Kind::questionnaire_due, 7, "a", {open_item("a")}));
  EXPECT_FALSE(still_wanted(Kind::questionnaire_due, 7, "a", {closed}));
  EXPECT_FALSE(still_wanted(Kind::questionnaire_due, 7, "a", {}));  // no longer listed
  EXPECT_FALSE(still_wanted(Kind::appointment_upcoming, 7, "a", {open_item("a")}));
  EXPECT_FALSE(still_wanted(Kind::questionnaire_due, 8, "a", {open_item("a")}));
}

measurement::OccasionStatus occ(const char* instrument, measurement::Moment m, int infusion,
                                measurement::Status s) {
  measurement::OccasionStatus o;
  o.occasion.instrument_id = instrument;
  o.occasion.moment = m;
  o.occasion.infusion_number = infusion;
  o.status = s;
  return o;
}

TEST(QuestionnaireItems, OneItemPerOccasionOpenWhileAnyIsDue) {
  using measurement::Moment;
  using measurement::Status;
  const auto items = questionnaire_items(7, 3,
                                         {occ("phq9", Moment::baseline, 0, Status::done),
                                          occ("gad7", Moment::baseline, 0, Status::due),
                                          occ("phq9", Moment::before_infusion, 1, Status::upcoming),
                                          occ("pcl5", Moment::after_infusion, 1, Status::done),
                                          occ("phq9", Moment::after_infusion, 1, Status::done)});
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].key, "course:3:baseline:0:0");
  EXPECT_TRUE(items[0].open);  // GAD-7 still due
  EXPECT_EQ(items[1].key, "course:3:before_infusion:1:0");
  EXPECT_FALSE(items[1].open);  // not open yet
  EXPECT_EQ(items[2].key, "course:3:after_infusion:1:0");
  EXPECT_FALSE(items[2].open);  // done
  for (const DueItem& i : items) {
    EXPECT_EQ(i.key.find("pcl5"), std::string::npos);  // never an instrument in a key
    EXPECT_EQ(i.key.find("phq9"), std::string::npos);
    EXPECT_EQ(i.kind, Kind::questionnaire_due);
    EXPECT_EQ(i.patient_id, 7);
  }
}

TEST(AppointmentItem, OpenInTheLeadTimeWhileBooked) {
  const Policy p;  // 48 h
  const std::int64_t now = kDay0 + 10 * kHour;
  EXPECT_TRUE(appointment_item(p, now, {5, 7, now + 47 * kHour, true}).open);
  EXPECT_TRUE(appointment_item(p, now, {5, 7, now + 48 * kHour, true}).open);
  EXPECT_FALSE(appointment_item(p, now, {5, 7, now + 49 * kHour, true}).open);  // too early
  EXPECT_FALSE(appointment_item(p, now, {5, 7, now, true}).open);               // started
  EXPECT_FALSE(appointment_item(p, now, {5, 7, now + kHour, false}).open);      // cancelled
  // Moved: another key.
  EXPECT_NE(appointment_item(p, now, {5, 7, now + kHour, true}).key,
            appointment_item(p, now, {5, 7, now + 2 * kHour, true}).key);
}

TEST(ReassessmentItem, AfterTheGapWithNothingBooked) {
  const Policy p;  // 28 days
  const std::int64_t now = kDay0 + 40 * kDayMs;
  CourseFacts c{7, 3, "maintenance", now - 28 * kDayMs, false};
  EXPECT_TRUE(reassessment_item(p, now, c).open);
  c.state = "completed";
  EXPECT_TRUE(reassessment_item(p, now, c).open);
  c.has_future_booking = true;
  EXPECT_FALSE(reassessment_item(p, now, c).open);
  c.has_future_booking = false;
  c.last_infusion_end_ms = now - 27 * kDayMs;
  EXPECT_FALSE(reassessment_item(p, now, c).open);
  c.last_infusion_end_ms = now - 60 * kDayMs;
  for (const char* state : {"planned", "induction", "stopped"}) {
    c.state = state;
    EXPECT_FALSE(reassessment_item(p, now, c).open) << state;
  }
  c.state = "completed";
  c.last_infusion_end_ms.reset();
  EXPECT_FALSE(reassessment_item(p, now, c).open);
}

TEST(DeliveryRetries, BackOffThenGiveUp) {
  const DeliveryPolicy d{4, 60'000, 150'000};
  EXPECT_EQ(next_try_ms(d, 1, 1000), 1000 + 60'000);
  EXPECT_EQ(next_try_ms(d, 2, 1000), 1000 + 120'000);
  EXPECT_EQ(next_try_ms(d, 3, 1000), 1000 + 150'000);  // capped
  EXPECT_FALSE(next_try_ms(d, 4, 1000).has_value());   // the 4th try was the last
  EXPECT_FALSE(next_try_ms(d, 9, 1000).has_value());
  const DeliveryPolicy huge{60, 60'000, 6 * 60 * kMinuteMs};
  EXPECT_EQ(next_try_ms(huge, 59, 0), 6 * 60 * kMinuteMs);  // no overflow
}

TEST(Fill, ReplacesKnownNamesOnly) {
  EXPECT_EQ(fill("Hello {clinic}: {link}", {{"clinic", "Oak"}, {"link", "https://x/portal"}}),
            "Hello Oak: https://x/portal");
  EXPECT_EQ(fill("{unknown} {", {{"a", "b"}}), "{unknown} {");
  EXPECT_EQ(fill("{a}", {{"a", "{a}{a}"}}), "{a}{a}");  // values are not re-scanned
}

// Property: random items open and close over 30 days; the planner runs every hour on each
// day's wall clock and its decisions are applied. Never more than max per item, never two on one
// local day, never one while the item is closed, and an open item is reminded on every day of
// its life until the maximum.
TEST(DueRemindersProperty, NeverMoreThanMaxNorAfterDone) {
  std::mt19937_64 rng(20261126);
  for (int trial = 0; trial < 200; ++trial) {
    Policy p;
    p.max_reminders = 1 + static_cast<int>(rng() % 4);
    const int offset = static_cast<int>(rng() % 1500) - 720;  // -12:00 .. +12:59
    struct Life {
      std::int64_t opens_ms, closes_ms;
    };
    std::map<std::string, Life> lives;
    const int n_items = 1 + static_cast<int>(rng() % 6);
    for (int i = 0; i < n_items; ++i) {
      const std::int64_t opens = kDay0 + static_cast<std::int64_t>(rng() % (20 * 24)) * kHour;
      const std::int64_t closes = opens + static_cast<std::int64_t>(1 + rng() % (10 * 24)) * kHour;
      lives["item" + std::to_string(i)] = {opens, closes};
    }
    std::vector<Planned> planned_so_far;
    for (std::int64_t t = kDay0; t < kDay0 + 32 * kDayMs;
         t += 15 * kMinuteMs + static_cast<std::int64_t>(rng() % 3) * 20 * kMinuteMs) {
      std::vector<DueItem> items;
      for (const auto& [key, life] : lives) {
        DueItem item = open_item(key);
        item.open = t >= life.opens_ms && t < life.closes_ms;
        items.push_back(item);
      }
      for (const Decision& d : due_reminders(p, t, offset, items, planned_so_far)) {
        const Life& life = lives.at(d.key);
        ASSERT_TRUE(t >= life.opens_ms && t < life.closes_ms) << "reminded while closed";
        const int minute = local_minute_of_day(t, offset);
        ASSERT_GE(minute, p.send_from_min);
        ASSERT_LT(minute, p.send_until_min);
        planned_so_far.push_back({d.kind, d.patient_id, d.key, d.number, local_day(t, offset)});
      }
    }
    std::map<std::string, std::vector<Planned>> by_key;
    for (const Planned& x : planned_so_far) by_key[x.key].push_back(x);
    for (const auto& [key, list] : by_key) {
      ASSERT_LE(static_cast<int>(list.size()), p.max_reminders) << key;
      for (std::size_t i = 0; i < list.size(); ++i) {
        ASSERT_EQ(list[i].number, static_cast<int>(i) + 1);
        if (i > 0) {
          ASSERT_GT(list[i].local_day, list[i - 1].local_day) << "two on one day";
        }
      }
    }
    // Liveness: an item open for a whole local day's sending hours got a reminder that day
    // (while under the maximum).
    for (const auto& [key, life] : lives) {
      const auto& list = by_key[key];
      for (std::int64_t day = local_day(life.opens_ms, offset) + 1;
           day < local_day(life.closes_ms, offset); ++day) {
        const bool reminded = std::any_of(list.begin(), list.end(),
                                          [&](const Planned& x) { return x.local_day == day; });
        const bool before_max = std::count_if(list.begin(), list.end(), [&](const Planned& x) {
                                  return x.local_day < day;
                                }) < p.max_reminders;
        if (before_max) {
          ASSERT_TRUE(reminded) << key << " day " << day;
        }
      }
    }
  }
}

}  // namespace
}  // namespace kit::reminders
