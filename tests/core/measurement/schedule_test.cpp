// The measurement schedule (core/measurement/schedule.h): occasions of a six-infusion induction
// worked out by hand, weekly maintenance occasions, the course's end, and the matching of completed
// questionnaires to occasions checked against a brute-force maximum matching on random cases.
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
constexpr std::int64_t kMon = 20'514 * kD + 9 * kH;

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

// The largest number of occasions any assignment of answers to containing occasions can satisfy
// (each answer and each occasion used once), by exhaustive search.
int brute_force_max(const std::vector<Occasion>& occ, const std::vector<Taken>& taken) {
  std::vector<bool> used(occ.size(), false);
  std::function<int(std::size_t)> go = [&](std::size_t k) -> int {
    if (k == taken.size()) return 0;
    int best = go(k + 1);  // this answer satisfies nothing
    for (std::size_t j = 0; j < occ.size(); ++j) {
      const Occasion& o = occ[j];
      if (used[j] || o.instrument_id != taken[k].instrument_id) continue;
      if (taken[k].at_ms < o.opens_ms || taken[k].at_ms >= o.closes_ms) continue;
      used[j] = true;
      best = std::max(best, 1 + go(k + 1));
      used[j] = false;
    }
    return best;
  };
  return go(0);
}

TEST(MeasurementSchedule, TheMatchingSatisfiesAsManyOccasionsAsAnyAssignment) {
  std::mt19937_64 rng(20261126);
  for (int round = 0; round < 400; ++round) {
    std::vector<Occasion> occ;
    const int n_occ = 1 + static_cast<int>(rng() % 6);
    for (int j = 0; j < n_occ; ++j) {
      const std::int64_t opens = static_cast<std::int64_t>(rng() % 20) * kH;
      const std::int64_t len = (1 + static_cast<std::int64_t>(rng() % 10)) * kH;
      occ.push_back(
          {rng() % 4 == 0 ? "gad7" : "phq9", Moment::after_infusion, j + 1, 0, opens, opens + len});
    }
    std::sort(occ.begin(), occ.end(),
              [](const Occasion& a, const Occasion& b) { return a.closes_ms < b.closes_ms; });
    std::vector<Taken> taken;
    const int n_taken = static_cast<int>(rng() % 6);
    for (int k = 0; k < n_taken; ++k) {
      taken.push_back({rng() % 4 == 0 ? "gad7" : "phq9",
                       static_cast<std::int64_t>(rng() % 30) * kH + 1, k + 1});
    }
    const auto st = statuses(occ, taken, 100 * kH);
    const int done = static_cast<int>(std::count_if(
        st.begin(), st.end(), [](const OccasionStatus& s) { return s.status == Status::done; }));
    ASSERT_EQ(done, brute_force_max(occ, taken)) << "round " << round;
    // Every answer used at most once, and only inside its occasion's window.
    std::vector<std::int64_t> ids;
    for (const auto& s : st) {
      if (!s.assessment_id) continue;
      ids.push_back(*s.assessment_id);
      const Taken& t = taken[static_cast<std::size_t>(*s.assessment_id - 1)];
      EXPECT_EQ(t.instrument_id, s.occasion.instrument_id);
      EXPECT_GE(t.at_ms, s.occasion.opens_ms);
      EXPECT_LT(t.at_ms, s.occasion.closes_ms);
    }
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
  }
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
