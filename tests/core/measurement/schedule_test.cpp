// The measurement schedule (core/measurement/schedule.h): occasions of a six-infusion induction
// worked out by hand, weekly maintenance occasions, the course's end, and the matching of completed
// questionnaires to occasions checked against a brute-force maximum matching on random cases:
// sheets recorded as they were answered (an instant) and paper sheets typed in on a later day
// (known only to have been taken on the day written on them).
#include "core/measurement/schedule.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace kit::measurement {
namespace {

constexpr std::int64_t kH = 3'600'000;
constexpr std::int64_t kD = 24 * kH;
// 2026-03-02 (a Monday) 09:00 UTC, as ms: 20,514 days after 1970-01-01.
constexpr std::int64_t kMonDay = 20'514;
constexpr std::int64_t kMon = kMonDay * kD + 9 * kH;

// A sheet dated on day `day` (days since 1970-01-01, a clinic on UTC) and recorded at `recorded`.
Taken dated(const char* instrument, std::int64_t id, std::int64_t recorded, std::int64_t day) {
  return taken_on_day(instrument, id, recorded, day * kD, (day + 1) * kD);
}

Infusion infusion(int n, std::int64_t start, bool ended = true) {
  Infusion i;
  i.number = n;
  i.start_ms = start;
  if (ended) i.end_ms = start + kH;  // 40 min infusion + observation: ends an hour later
  return i;
}

// Mon/Wed/Fri for two weeks, all given.
Course induction() {
  Course c;
  const std::int64_t days[] = {0, 2, 4, 7, 9, 11};
  for (int k = 0; k < 6; ++k) c.infusions.push_back(infusion(k + 1, kMon + days[k] * kD));
  return c;
}

Policy phq9_only() {
  Policy p;
  for (Moment m : {Moment::baseline, Moment::before_infusion, Moment::after_infusion,
                   Moment::weekly_maintenance}) {
    p.rules.push_back({"phq9", m});
  }
  return p;
}

TEST(MeasurementSchedule, ASixInfusionInductionAsksTwelveTimes) {
  // By hand: 1 baseline + 5 before-infusion (infusions 2-6; the baseline stands before the 1st)
  // + 6 after-infusion = 12 occasions for PHQ-9, and none weekly (no maintenance).
  const auto occ = occasions(phq9_only(), induction(), kMon + 60 * kD);
  ASSERT_EQ(occ.size(), 12u);
  // Baseline: [Mon-14 d 09:00, Mon 09:00).
  const Occasion& base = occ.front();
  EXPECT_EQ(base.moment, Moment::baseline);
  EXPECT_EQ(base.opens_ms, kMon - 14 * kD);
  EXPECT_EQ(base.closes_ms, kMon);
  // After infusion 1 (ended Mon 10:00): aimed at Tue 10:00, open Tue 06:00 to Wed 10:00.
  const auto after1 = std::find_if(occ.begin(), occ.end(), [](const Occasion& o) {
    return o.moment == Moment::after_infusion && o.infusion_number == 1;
  });
  ASSERT_NE(after1, occ.end());
  EXPECT_EQ(after1->opens_ms, kMon + kD - 3 * kH);   // kMon is 09:00: Tue 06:00
  EXPECT_EQ(after1->closes_ms, kMon + 2 * kD + kH);  // Wed 10:00
  // Before infusion 2 (Wed 09:00): Tue 09:00 to Wed 09:00.
  const auto before2 = std::find_if(occ.begin(), occ.end(), [](const Occasion& o) {
    return o.moment == Moment::before_infusion && o.infusion_number == 2;
  });
  ASSERT_NE(before2, occ.end());
  EXPECT_EQ(before2->opens_ms, kMon + kD);
  EXPECT_EQ(before2->closes_ms, kMon + 2 * kD);
  // Ordered by closing time.
  EXPECT_TRUE(std::is_sorted(occ.begin(), occ.end(), [](const Occasion& a, const Occasion& b) {
    return a.closes_ms < b.closes_ms;
  }));
}

TEST(MeasurementSchedule, CancelledAndUnfinishedInfusionsAskForNothingAfter) {
  Course c = induction();
  c.infusions[5].end_ms.reset();    // the 6th is planned, not given yet
  c.infusions[3].cancelled = true;  // the 4th was a no-show
  const auto occ = occasions(phq9_only(), c, kMon + 60 * kD);
  // 1 baseline + before 2,3,5,6 + after 1,2,3,5 = 9.
  EXPECT_EQ(occ.size(), 9u);
  for (const Occasion& o : occ) EXPECT_NE(o.infusion_number, 4);
}

TEST(MeasurementSchedule, WeeklyOccasionsRunFromMaintenanceToTheEnd) {
  Course c = induction();
  c.maintenance_from_ms = kMon + 14 * kD;
  Policy p;
  p.rules.push_back({"phq9", Moment::weekly_maintenance});
  // Until 3.5 weeks into maintenance: weeks 1-4 (the 4th opens at +21 d, before +24.5 d).
  auto occ = occasions(p, c, c.maintenance_from_ms.value() + 24 * kD + 12 * kH);
  ASSERT_EQ(occ.size(), 4u);
  EXPECT_EQ(occ[0].week, 1);
  EXPECT_EQ(occ[0].opens_ms, kMon + 14 * kD);
  EXPECT_EQ(occ[3].closes_ms, kMon + 14 * kD + 28 * kD);
  // A course that ended after two weeks of maintenance asks for no third week.
  c.ended_ms = c.maintenance_from_ms.value() + 13 * kD;
  occ = occasions(p, c, kMon + 400 * kD);
  EXPECT_EQ(occ.size(), 2u);
}

TEST(MeasurementSchedule, DefaultPoliciesAskOnlyForPatientReportedInstruments) {
  for (const char* indication : {"depression", "ptsd", "ocd", "chronic_pain", "other"}) {
    const Policy p = default_policy(indication);
    ASSERT_FALSE(p.rules.empty()) << indication;
    for (const Rule& r : p.rules) {
      // Patient-reported and shown by KIT under its license (instrument-licenses.md).
      EXPECT_TRUE(r.instrument_id == "phq9" || r.instrument_id == "gad7" ||
                  r.instrument_id == "pcl5" || r.instrument_id == "nrs")
          << indication << " " << r.instrument_id;
    }
  }
  EXPECT_EQ(default_policy("ptsd").rules.front().instrument_id, "pcl5");
  EXPECT_EQ(default_policy("chronic_pain").rules.front().instrument_id, "nrs");
}

TEST(MeasurementSchedule, StatusesAtAMomentOfTheCourse) {
  const auto occ = occasions(phq9_only(), induction(), kMon + 60 * kD);
  // Baseline answered on the Friday before; the day after infusion 1 answered Tue 11:00 (inside
  // both after-1 [Tue 06:00, Wed 10:00) and before-2 [Tue 09:00, Wed 09:00)): it goes to
  // before-2, which closes first, leaving after-1 open for a second answer Wed 08:30... which
  // also sits in both; EDF gives it to after-1 (before-2 is taken). Both done.
  const std::vector<Taken> taken = {{"phq9", kMon - 3 * kD, 1},
                                    {"phq9", kMon + kD + 2 * kH, 2},
                                    {"phq9", kMon + 2 * kD - 30 * 60'000, 3},
                                    {"gad7", kMon + 4 * kD, 4}};
  const std::int64_t now = kMon + 3 * kD + 3 * kH;  // Thursday noon
  const auto st = statuses(occ, taken, now);
  auto find = [&](Moment m, int n) {
    return *std::find_if(st.begin(), st.end(), [&](const OccasionStatus& s) {
      return s.occasion.moment == m && s.occasion.infusion_number == n;
    });
  };
  EXPECT_EQ(find(Moment::baseline, 0).status, Status::done);
  EXPECT_EQ(find(Moment::baseline, 0).assessment_id, 1);
  EXPECT_EQ(find(Moment::before_infusion, 2).assessment_id, 2);
  EXPECT_EQ(find(Moment::after_infusion, 1).assessment_id, 3);
  // After infusion 2 (ended Wed 10:00): open Thu 06:00 to Fri 10:00: due at Thursday noon.
  EXPECT_EQ(find(Moment::after_infusion, 2).status, Status::due);
  // Before infusion 3 (Fri 09:00) opens Thu 09:00: also due. Infusion 4's is upcoming.
  EXPECT_EQ(find(Moment::before_infusion, 3).status, Status::due);
  EXPECT_EQ(find(Moment::before_infusion, 4).status, Status::upcoming);
  // A GAD-7 satisfies no PHQ-9 occasion.
  for (const auto& s : st) EXPECT_NE(s.assessment_id, std::optional<std::int64_t>(4));
  // Nothing was missed so far.
  EXPECT_EQ(std::count_if(st.begin(), st.end(),
                          [](const OccasionStatus& s) { return s.status == Status::missed; }),
            0);
  // A week later with nothing more answered: after-2 and before-3 are missed.
  const auto later = statuses(occ, taken, now + 7 * kD);
  auto find_later = [&](Moment m, int n) {
    return std::find_if(later.begin(), later.end(),
                        [&](const OccasionStatus& s) {
                          return s.occasion.moment == m && s.occasion.infusion_number == n;
                        })
        ->status;
  };
  EXPECT_EQ(find_later(Moment::after_infusion, 2), Status::missed);
  EXPECT_EQ(find_later(Moment::before_infusion, 3), Status::missed);
}

const OccasionStatus& find(const std::vector<OccasionStatus>& st, Moment m, int n) {
  const auto it = std::find_if(st.begin(), st.end(), [&](const OccasionStatus& s) {
    return s.occasion.moment == m && s.occasion.infusion_number == n;
  });
  EXPECT_NE(it, st.end());
  return *it;
}

TEST(MeasurementSchedule, ASheetIsTakenWhenItIsDatedAndRecorded) {
  const std::int64_t tue = kMonDay + 1;
  // Recorded on the day written on it: the recording time, exactly.
  Taken t = dated("phq9", 7, tue * kD + 10 * kH, tue);
  EXPECT_EQ(t.instrument_id, "phq9");
  EXPECT_EQ(t.assessment_id, 7);
  EXPECT_EQ(t.at_ms, tue * kD + 10 * kH);
  EXPECT_FALSE(t.earliest_ms.has_value());
  EXPECT_FALSE(t.latest_ms.has_value());
  EXPECT_EQ(t.earliest(), t.latest());
  // At the day's first and last millisecond: still that day.
  EXPECT_FALSE(dated("phq9", 7, tue * kD, tue).earliest_ms.has_value());
  EXPECT_FALSE(dated("phq9", 7, (tue + 1) * kD - 1, tue).earliest_ms.has_value());
  // Typed in two days later: somewhere in that day, its next midnight excluded.
  t = dated("phq9", 7, (tue + 2) * kD + 10 * kH, tue);
  EXPECT_EQ(t.at_ms, (tue + 2) * kD + 10 * kH);
  EXPECT_EQ(t.earliest(), tue * kD);
  EXPECT_EQ(t.latest(), (tue + 1) * kD - 1);
  // Typed in at the next midnight: the whole day before it.
  t = dated("phq9", 7, (tue + 1) * kD, tue);
  EXPECT_EQ(t.earliest(), tue * kD);
  EXPECT_EQ(t.latest(), (tue + 1) * kD - 1);
  // A clinic-local day is not a UTC day: a day of a zone one hour ahead (23:00 to 23:00 UTC), and
  // the 23-hour day the clocks go forward.
  t = taken_on_day("gad7", 8, tue * kD + 2 * kD, tue * kD - kH, tue * kD + 22 * kH);
  EXPECT_EQ(t.earliest(), tue * kD - kH);
  EXPECT_EQ(t.latest(), tue * kD + 22 * kH - 1);
  // Dated after the day it was recorded on: the date cannot be right; the recording time stands.
  t = dated("phq9", 7, tue * kD + 10 * kH, tue + 1);
  EXPECT_FALSE(t.earliest_ms.has_value());
  EXPECT_EQ(t.latest(), tue * kD + 10 * kH);
}

TEST(MeasurementSchedule, ASheetDatedBeforeTheBaselineWindowDoesNotSatisfyItWhenTypedInDuringIt) {
  // The referral letter's PHQ-9, dated 60 days before the first infusion, typed in on the Saturday
  // before it (inside the baseline window [Mon-14 d 09:00, Mon 09:00)): it says nothing about the
  // patient's state before the course, so the baseline is still due.
  const auto occ = occasions(phq9_only(), induction(), kMon + 60 * kD);
  const std::int64_t saturday = kMon - 2 * kD;
  const std::vector<Taken> referral = {dated("phq9", 1, saturday, kMonDay - 60)};
  auto st = statuses(occ, referral, saturday + kH);
  EXPECT_EQ(find(st, Moment::baseline, 0).status, Status::due);
  EXPECT_EQ(find(st, Moment::baseline, 0).assessment_id, std::nullopt);
  // ... and missed once the first infusion starts with no other sheet.
  st = statuses(occ, referral, kMon);
  EXPECT_EQ(find(st, Moment::baseline, 0).status, Status::missed);
  // A sheet dated inside the window (answered on paper 10 days before, typed in with the referral
  // one) satisfies it.
  const std::vector<Taken> both = {referral[0], dated("phq9", 2, saturday, kMonDay - 10)};
  st = statuses(occ, both, saturday + kH);
  EXPECT_EQ(find(st, Moment::baseline, 0).status, Status::done);
  EXPECT_EQ(find(st, Moment::baseline, 0).assessment_id, 2);
  // Dated on the day the window opens (its 09:00 opening falls in that day): it satisfies it.
  st = statuses(occ, {dated("phq9", 3, saturday, kMonDay - 14)}, saturday + kH);
  EXPECT_EQ(find(st, Moment::baseline, 0).assessment_id, 3);
  // Dated the day before the window opens (ends at midnight, nine hours before): it does not.
  st = statuses(occ, {dated("phq9", 4, saturday, kMonDay - 15)}, saturday + kH);
  EXPECT_EQ(find(st, Moment::baseline, 0).assessment_id, std::nullopt);
}

TEST(MeasurementSchedule,
     ASheetDatedTheDayBeforeAnInfusionTypedInAfterItSatisfiesItsBeforeOccasion) {
  // Before infusion 2 (Wed 09:00) is answerable Tue 09:00 to Wed 09:00. The patient filled in the
  // PHQ-9 on paper on Tuesday; the nurse typed it in on Thursday at noon, after infusion 2.
  const auto occ = occasions(phq9_only(), induction(), kMon + 60 * kD);
  const std::int64_t thursday_noon = kMon + 3 * kD + 3 * kH;
  const std::vector<Taken> taken = {dated("phq9", 1, thursday_noon, kMonDay + 1)};
  const auto st = statuses(occ, taken, thursday_noon + 60'000);
  EXPECT_EQ(find(st, Moment::before_infusion, 2).status, Status::done);
  EXPECT_EQ(find(st, Moment::before_infusion, 2).assessment_id, 1);
  // It says nothing about Thursday: the day after infusion 2 (Thu 06:00 to Fri 10:00) is still due.
  EXPECT_EQ(find(st, Moment::after_infusion, 2).status, Status::due);
  EXPECT_EQ(find(st, Moment::after_infusion, 2).assessment_id, std::nullopt);
  EXPECT_EQ(find(st, Moment::before_infusion, 3).status, Status::due);  // Thu 09:00 to Fri 09:00

  // Dated Monday (the day of infusion 1, ending at midnight before the window opens Tue 09:00): it
  // does not satisfy before infusion 2, which is missed.
  const auto monday = statuses(occ, {dated("phq9", 1, thursday_noon, kMonDay)}, thursday_noon);
  EXPECT_EQ(find(monday, Moment::before_infusion, 2).status, Status::missed);
}

// The matching as it stood before sheets carried their date: every sheet an instant (at_ms), given
// in time order to the open occasion containing it that closes first. Same-day sheets must still
// be matched exactly so.
std::vector<std::optional<std::int64_t>> matching_by_recording_time(
    const std::vector<Occasion>& occ, const std::vector<Taken>& taken) {
  std::vector<std::optional<std::int64_t>> given(occ.size());
  std::vector<const Taken*> in_order;
  for (const Taken& t : taken) in_order.push_back(&t);
  std::stable_sort(in_order.begin(), in_order.end(),
                   [](const Taken* a, const Taken* b) { return a->at_ms < b->at_ms; });
  for (const Taken* t : in_order) {
    std::optional<std::size_t> best;
    for (std::size_t j = 0; j < occ.size(); ++j) {
      const Occasion& o = occ[j];
      if (given[j] || o.instrument_id != t->instrument_id) continue;
      if (t->at_ms < o.opens_ms || t->at_ms >= o.closes_ms) continue;
      if (!best || o.closes_ms < occ[*best].closes_ms) best = j;
    }
    if (best) given[*best] = t->assessment_id;
  }
  return given;
}

// Random occasions (windows of 1 to 30 hours over five days) of PHQ-9 and GAD-7.
std::vector<Occasion> random_occasions(std::mt19937_64& rng) {
  std::vector<Occasion> occ;
  const int n_occ = 1 + static_cast<int>(rng() % 6);
  for (int j = 0; j < n_occ; ++j) {
    const std::int64_t opens = static_cast<std::int64_t>(rng() % 100) * kH;
    const std::int64_t len = (1 + static_cast<std::int64_t>(rng() % 30)) * kH;
    occ.push_back(
        {rng() % 4 == 0 ? "gad7" : "phq9", Moment::after_infusion, j + 1, 0, opens, opens + len});
  }
  std::sort(occ.begin(), occ.end(),
            [](const Occasion& a, const Occasion& b) { return a.closes_ms < b.closes_ms; });
  return occ;
}

TEST(MeasurementSchedule, SameDaySheetsAreMatchedExactlyAsBefore) {
  std::mt19937_64 rng(20261127);
  for (int round = 0; round < 400; ++round) {
    const std::vector<Occasion> occ = random_occasions(rng);
    std::vector<Taken> taken;
    const int n_taken = static_cast<int>(rng() % 7);
    for (int k = 0; k < n_taken; ++k) {
      // Recorded on the day written on it (some at the same instant, to check ties keep order).
      const std::int64_t at = static_cast<std::int64_t>(rng() % 40) * 3 * kH + (rng() % 2);
      taken.push_back(dated(rng() % 4 == 0 ? "gad7" : "phq9", k + 1, at, at / kD));
      ASSERT_FALSE(taken.back().earliest_ms.has_value()) << "round " << round;
    }
    const auto before = matching_by_recording_time(occ, taken);
    const auto st = statuses(occ, taken, 200 * kH);
    ASSERT_EQ(st.size(), occ.size());
    for (std::size_t j = 0; j < occ.size(); ++j) {
      EXPECT_EQ(st[j].assessment_id, before[j]) << "round " << round << " occasion " << j;
    }
  }
}

// Whether a sheet may satisfy an occasion: same instrument, and the time it can have been taken
// ([earliest, latest], both included) meets the occasion's window [opens, closes).
bool may_satisfy(const Taken& t, const Occasion& o) {
  return t.instrument_id == o.instrument_id && t.earliest() < o.closes_ms &&
         t.latest() >= o.opens_ms;
}

// The largest number of occasions any assignment of sheets to occasions they may satisfy can
// satisfy (each sheet and each occasion used once), by exhaustive search.
int brute_force_max(const std::vector<Occasion>& occ, const std::vector<Taken>& taken) {
  std::vector<bool> used(occ.size(), false);
  std::function<int(std::size_t)> go = [&](std::size_t k) -> int {
    if (k == taken.size()) return 0;
    int best = go(k + 1);  // this sheet satisfies nothing
    for (std::size_t j = 0; j < occ.size(); ++j) {
      if (used[j] || !may_satisfy(taken[k], occ[j])) continue;
      used[j] = true;
      best = std::max(best, 1 + go(k + 1));
      used[j] = false;
    }
    return best;
  };
  return go(0);
}

TEST(MeasurementSchedule, TheMatchingSatisfiesAsManyOccasionsAsAnyAssignment) {
  // Sheets of three kinds: recorded as answered (an instant), back-dated paper sheets (known only
  // to have been taken on the day written on them), and, to try the rule beyond whole days, any
  // interval.
  std::mt19937_64 rng(20261126);
  int intervals = 0;
  for (int round = 0; round < 2000; ++round) {
    const std::vector<Occasion> occ = random_occasions(rng);
    std::vector<Taken> taken;
    const int n_taken = static_cast<int>(rng() % 7);
    for (int k = 0; k < n_taken; ++k) {
      const char* instrument = rng() % 4 == 0 ? "gad7" : "phq9";
      const std::int64_t at = static_cast<std::int64_t>(rng() % 130) * kH + 1;
      switch (rng() % 3) {
        case 0:  // recorded as answered
          taken.push_back({instrument, at, k + 1});
          break;
        case 1:  // typed in on the same day or up to four days after the date on it
          taken.push_back(
              dated(instrument, k + 1, at, at / kD - static_cast<std::int64_t>(rng() % 5)));
          break;
        default: {  // taken somewhere in 0 to 40 hours before it was recorded
          const std::int64_t len = static_cast<std::int64_t>(rng() % 41) * kH;
          taken.push_back(
              {instrument, at, k + 1, at - len, at - static_cast<std::int64_t>(rng() % 2) * kH});
          if (taken.back().latest() < taken.back().earliest()) taken.back().latest_ms = at;
        }
      }
      if (taken.back().earliest() != taken.back().latest()) ++intervals;
    }
    const auto st = statuses(occ, taken, 200 * kH);
    const int done = static_cast<int>(std::count_if(
        st.begin(), st.end(), [](const OccasionStatus& s) { return s.status == Status::done; }));
    ASSERT_EQ(done, brute_force_max(occ, taken)) << "round " << round;
    // Every sheet used at most once, and only for an occasion it may satisfy.
    std::vector<std::int64_t> ids;
    for (const auto& s : st) {
      if (!s.assessment_id) continue;
      ids.push_back(*s.assessment_id);
      const Taken& t = taken[static_cast<std::size_t>(*s.assessment_id - 1)];
      EXPECT_TRUE(may_satisfy(t, s.occasion)) << "round " << round;
    }
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
  }
  EXPECT_GT(intervals, 2000);  // the cases do try intervals, not only instants
}

TEST(MeasurementSchedule, NamesRoundTrip) {
  for (Moment m : {Moment::baseline, Moment::before_infusion, Moment::after_infusion,
                   Moment::weekly_maintenance}) {
    EXPECT_EQ(moment_from_name(moment_name(m)), m);
  }
  EXPECT_EQ(moment_from_name("monthly"), std::nullopt);
  EXPECT_EQ(status_name(Status::missed), "missed");
}

}  // namespace
}  // namespace kit::measurement
