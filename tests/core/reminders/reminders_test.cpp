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
      {"before 09:00 local: planned (sent at 09:00)",
       kDay0 + 8 * kHour + 59 * kMinuteMs,
       0,
       {open_item("a")},
       {},
       {1}},
      {"at 09:00 local: one", kDay0 + 9 * kHour, 0, {open_item("a")}, {}, {1}},
      {"at 20:00 local: planned for tomorrow", kDay0 + 20 * kHour, 0, {open_item("a")}, {}, {1}},
      {"at 20:00, today's reminder planned: tomorrow's",
       kDay0 + 20 * kHour,
       0,
       {open_item("a")},
       {planned("a", 1, 20'514)},
       {2}},
      {"at 20:00, tomorrow's already planned: none",
       kDay0 + 20 * kHour,
       0,
       {open_item("a")},
       {planned("a", 1, 20'515)},
       {}},
      // 14:00 UTC is 09:00 in New York.
      {"the clinic's hours, not UTC's", kDay0 + 14 * kHour, -300, {open_item("a")}, {}, {1}},
      {"New York 04:00: planned for 09:00 New York",
       kDay0 + 9 * kHour,
       -300,
       {open_item("a")},
       {},
       {1}},
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

TEST(NextSend, WaitsForTheClinicsHours) {
  const Policy p;  // 09:00-20:00
  const std::int64_t ten = kDay0 + 10 * kHour;
  EXPECT_EQ(next_send_ms(p, ten, 0), ten);                                        // inside: now
  EXPECT_EQ(next_send_ms(p, kDay0 + 3 * kHour, 0), kDay0 + 9 * kHour);            // before: 09:00
  EXPECT_EQ(next_send_ms(p, kDay0 + 20 * kHour, 0), kDay0 + kDayMs + 9 * kHour);  // after
  // New York (UTC-5): 03:00 UTC is 22:00 the day before; next 09:00 New York is 14:00 UTC.
  EXPECT_EQ(next_send_ms(p, kDay0 + 3 * kHour, -300), kDay0 + 14 * kHour);
  const auto d = due_reminders(p, kDay0 + 3 * kHour, -300, {open_item("a")}, {});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].send_at_ms, kDay0 + 14 * kHour);
  EXPECT_EQ(d[0].local_day, 20'514);
  Policy all_day;
  all_day.send_from_min = 0;
  all_day.send_until_min = 24 * 60;
  EXPECT_EQ(next_send_ms(all_day, kDay0 + 3 * kHour, -300), kDay0 + 3 * kHour);
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

// Property: random items open and close over 30 days; the planner runs every 15-55 minutes, its
// decisions go into a simulated outbox, queued reminders whose item closed are cancelled on each
// run (still_wanted), and a queued reminder is sent at its send time. Never more than max per
// item, never two for one local day, never one sent outside the hours or while its item is
// closed, and an item open through a whole local day is reminded that day until the maximum.
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
    auto is_open = [&](const std::string& key, std::int64_t t) {
      const Life& l = lives.at(key);
      return t >= l.opens_ms && t < l.closes_ms;
    };
    struct Msg {
      Decision d;
      bool cancelled = false;
      bool sent = false;
    };
    std::vector<Msg> outbox;
    std::vector<Planned> planned_so_far;  // every reminder not cancelled
    for (std::int64_t t = kDay0; t < kDay0 + 32 * kDayMs;
         t += 15 * kMinuteMs + static_cast<std::int64_t>(rng() % 3) * 20 * kMinuteMs) {
      std::vector<DueItem> items;
      for (const auto& [key, life] : lives) {
        DueItem item = open_item(key);
        item.open = is_open(key, t);
        items.push_back(item);
      }
      // Send what is due: the sender asks still_wanted of the item as it stands now first (the
      // server recomputes the patient's items in the claiming transaction).
      for (Msg& m : outbox) {
        if (m.cancelled || m.sent || m.d.send_at_ms > t) continue;
        if (!still_wanted(m.d.kind, m.d.patient_id, m.d.key, items)) {
          m.cancelled = true;
          continue;
        }
        ASSERT_TRUE(is_open(m.d.key, t)) << "sent while its item is closed";
        const int minute = local_minute_of_day(t, offset);
        if (minute < p.send_from_min || minute >= p.send_until_min) continue;  // waits
        m.sent = true;
      }
      for (Msg& m : outbox) {
        if (!m.cancelled && !m.sent && !still_wanted(m.d.kind, m.d.patient_id, m.d.key, items)) {
          m.cancelled = true;
        }
      }
      planned_so_far.clear();
      for (const Msg& m : outbox) {
        if (!m.cancelled) {
          planned_so_far.push_back({m.d.kind, m.d.patient_id, m.d.key, m.d.number, m.d.local_day});
        }
      }
      for (const Decision& d : due_reminders(p, t, offset, items, planned_so_far)) {
        ASSERT_TRUE(is_open(d.key, t)) << "planned while closed";
        ASSERT_GE(d.send_at_ms, t);
        const int minute = local_minute_of_day(d.send_at_ms, offset);
        ASSERT_GE(minute, p.send_from_min);
        ASSERT_LT(minute, p.send_until_min);
        ASSERT_EQ(d.local_day, local_day(d.send_at_ms, offset));
        outbox.push_back({d});
      }
    }
    std::map<std::string, std::vector<Decision>> sent_by_key;
    std::map<std::string, int> not_cancelled;
    for (const Msg& m : outbox) {
      if (m.sent) sent_by_key[m.d.key].push_back(m.d);
      if (!m.cancelled) ++not_cancelled[m.d.key];
    }
    for (const auto& [key, n] : not_cancelled) ASSERT_LE(n, p.max_reminders) << key;
    for (const auto& [key, list] : sent_by_key) {
      ASSERT_LE(static_cast<int>(list.size()), p.max_reminders) << key;
      for (std::size_t i = 1; i < list.size(); ++i) {
        ASSERT_GT(list[i].local_day, list[i - 1].local_day) << "two on one day";
      }
    }
    // Liveness: an item open through a whole local day was reminded that day (under the max).
    for (const auto& [key, life] : lives) {
      const auto& list = sent_by_key[key];
      for (std::int64_t day = local_day(life.opens_ms, offset) + 1;
           day < local_day(life.closes_ms, offset); ++day) {
        const bool reminded = std::any_of(list.begin(), list.end(),
                                          [&](const Decision& x) { return x.local_day == day; });
        const bool before_max = std::count_if(list.begin(), list.end(), [&](const Decision& x) {
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
