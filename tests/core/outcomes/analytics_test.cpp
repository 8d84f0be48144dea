// Outcome analytics (core/outcomes/analytics.h, statistics.h) against values computed another way:
//   - hand-worked cases in the comments below;
//   - data files made by an independent Python implementation (statsmodels' Wilson interval and
//     Kaplan-Meier/Greenwood, numpy's quantiles), tests/core/outcomes/data/make_expected.py:
//     statistics.expected.json (random and edge cases) and cohort.expected.json (the cohort in
//     cohort.json, whose clinical facts are worked out by hand in that script's comments).
// Definitions and sources: docs/clinical-rules/outcome-analytics.md.
#include "core/outcomes/analytics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "contract/outcome_analytics_api.h"
#include "core/common/error.h"
#include "core/outcomes/statistics.h"

namespace kit::outcomes {
namespace {

using nlohmann::json;
namespace an = analytics;

json load(const std::string& name) {
  const std::string path = std::string(KIT_SOURCE_DIR) + "/tests/core/outcomes/data/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

// Every key of `expected` must be in `actual` with the same value (numbers within 1e-9, relative
// for large magnitudes); keys only in `actual` are not checked. Returns the mismatches.
void diff(const json& expected, const json& actual, const std::string& path,
          std::vector<std::string>& out) {
  if (expected.is_object()) {
    if (!actual.is_object()) {
      out.push_back(path + ": expected an object, got " + actual.dump());
      return;
    }
    for (const auto& [k, v] : expected.items()) {
      if (!actual.contains(k)) {
        out.push_back(path + "." + k + ": missing");
        continue;
      }
      diff(v, actual.at(k), path + "." + k, out);
    }
  } else if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size()) {
      out.push_back(path + ": expected " + expected.dump() + ", got " + actual.dump());
      return;
    }
    for (std::size_t i = 0; i < expected.size(); ++i) {
      diff(expected[i], actual[i], path + "[" + std::to_string(i) + "]", out);
    }
  } else if (expected.is_number()) {
    if (!actual.is_number()) {
      out.push_back(path + ": expected " + expected.dump() + ", got " + actual.dump());
      return;
    }
    const double e = expected.get<double>();
    const double a = actual.get<double>();
    if (std::abs(e - a) > 1e-9 * std::max(1.0, std::abs(e))) {
      out.push_back(path + ": expected " + expected.dump() + ", got " + actual.dump());
    }
  } else if (expected != actual) {
    out.push_back(path + ": expected " + expected.dump() + ", got " + actual.dump());
  }
}

std::string mismatches(const json& expected, const json& actual) {
  std::vector<std::string> out;
  diff(expected, actual, "", out);
  std::string s;
  for (const auto& m : out) s += m + "\n";
  return s;
}

json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

// ---- Hand-worked cases -------------------------------------------------------------------------

TEST(Wilson, HandWorkedFourOfFive) {
  // p = 0.8, n = 5, z = 1.959964 (z^2 = 3.841459):
  //   denom = 1 + 3.841459/5 = 1.768292; centre = (0.8 + 3.841459/10) / 1.768292
  //         = 1.184146 / 1.768292 = 0.669655;
  //   half = 1.959964 * sqrt(0.16/5 + 3.841459/100) / 1.768292 = 1.959964 * 0.265357 / 1.768292
  //        = 0.294121  -> [0.375535, 0.963776].
  const auto p = stats::wilson(4, 5);
  EXPECT_DOUBLE_EQ(*p.share, 0.8);
  EXPECT_NEAR(*p.lower, 0.375535, 1e-6);
  EXPECT_NEAR(*p.upper, 0.963776, 1e-6);
}

TEST(Wilson, EdgesAreExactAndEmptyHasNoShare) {
  // 0 of n: lower exactly 0; n of n: upper exactly 1; 0 of 0: no share, no interval.
  EXPECT_EQ(*stats::wilson(0, 7).lower, 0.0);
  EXPECT_EQ(*stats::wilson(7, 7).upper, 1.0);
  const auto none = stats::wilson(0, 0);
  EXPECT_FALSE(none.share || none.lower || none.upper);
  EXPECT_THROW(stats::wilson(3, 2), std::invalid_argument);
}

TEST(KaplanMeier, HandWorkedWithATieBetweenAnEventAndACensoring) {
  // Times (days): 28 event, 28 censored, 38 event, 91 censored.
  //   t=28: n=4, d=1 -> S = 3/4; Greenwood sum 1/(4*3) = 1/12; SE = 0.75 sqrt(1/12) = 0.216506
  //     log-log: s = sqrt(1/12) / |ln 0.75| = 0.288675 / 0.287682 = 1.003451;
  //     lower = 0.75^exp(1.959964 * 1.003451) = 0.75^7.1448 = 0.127947;
  //     upper = 0.75^exp(-1.966728) = 0.75^0.139962 = 0.960549.
  //   t=38: n=2 (the one censored at 28 has left), d=1 -> S = 3/8; sum = 1/12 + 1/2 = 7/12.
  //   t=91: censored, S stays 3/8. Median: first S <= 0.5 -> 38.
  const auto c = stats::kaplan_meier({{28, true}, {28, false}, {38, true}, {91, false}});
  ASSERT_EQ(c.steps.size(), 3u);
  EXPECT_EQ(c.steps[0].at_risk, 4);
  EXPECT_DOUBLE_EQ(c.steps[0].survival, 0.75);
  EXPECT_NEAR(*c.steps[0].std_error, 0.216506, 1e-6);
  EXPECT_NEAR(*c.steps[0].lower, 0.127947, 1e-6);
  EXPECT_NEAR(*c.steps[0].upper, 0.960549, 1e-6);
  EXPECT_EQ(c.steps[1].at_risk, 2);
  EXPECT_DOUBLE_EQ(c.steps[1].survival, 0.375);
  EXPECT_NEAR(*c.steps[1].std_error, 0.375 * std::sqrt(7.0 / 12.0), 1e-12);
  EXPECT_DOUBLE_EQ(c.steps[2].survival, 0.375);
  EXPECT_EQ(*c.median_time, 38);
  EXPECT_EQ(c.events, 2);
  EXPECT_EQ(c.censored, 2);
}

TEST(KaplanMeier, CurveReachingZeroHasNoBandAndStaysAboveHalfHasNoMedian) {
  const auto zero = stats::kaplan_meier({{2, true}, {4, true}});
  EXPECT_EQ(zero.steps.back().survival, 0.0);
  EXPECT_FALSE(zero.steps.back().std_error || zero.steps.back().lower);
  const auto high = stats::kaplan_meier({{2, true}, {4, false}, {5, false}});
  EXPECT_FALSE(high.median_time.has_value());  // S = 2/3: "not reached"
  EXPECT_TRUE(stats::kaplan_meier({}).steps.empty());
}

TEST(Quantiles, HandWorkedDefinitionSeven) {
  // [-12, -12, -9, -4, 0]: h = 4 p; q1 = x[1] = -12, median = x[2] = -9, q3 = x[3] = -4.
  // [-12, -6, -4, 0]: q1 h = 0.75 -> -12 + 0.75 * 6 = -7.5; median h = 1.5 -> -5.
  const auto a = stats::summarize({0, -4, -12, -9, -12});
  EXPECT_EQ(*a.q1, -12);
  EXPECT_EQ(*a.median, -9);
  EXPECT_EQ(*a.q3, -4);
  const auto b = stats::summarize({-12, -6, -4, 0});
  EXPECT_DOUBLE_EQ(*b.q1, -7.5);
  EXPECT_DOUBLE_EQ(*b.median, -5);
  EXPECT_EQ(stats::summarize({}).n, 0);
}

// ---- Against the independent implementation ---------------------------------------------------

TEST(StatisticsCrossCheck, ZMatchesScipy) {
  EXPECT_NEAR(stats::kZ95, load("statistics.expected.json")["z"].get<double>(), 1e-15);
}

TEST(StatisticsCrossCheck, WilsonMatchesStatsmodels) {
  const json cases = load("statistics.expected.json")["wilson"];
  ASSERT_GT(cases.size(), 20u);
  for (const auto& c : cases) {
    const auto p = stats::wilson(c["count"].get<int>(), c["n"].get<int>());
    const json actual = {{"share", opt(p.share)}, {"lower", opt(p.lower)}, {"upper", opt(p.upper)}};
    EXPECT_EQ(
        mismatches({{"share", c["share"]}, {"lower", c["lower"]}, {"upper", c["upper"]}}, actual),
        "")
        << c.dump();
  }
}

TEST(StatisticsCrossCheck, KaplanMeierMatchesStatsmodels) {
  const json cases = load("statistics.expected.json")["kaplan_meier"];
  ASSERT_GE(cases.size(), 7u);
  for (const auto& c : cases) {
    std::vector<stats::Observation> obs;
    for (std::size_t i = 0; i < c["times"].size(); ++i) {
      obs.push_back({c["times"][i].get<double>(), c["events"][i].get<bool>()});
    }
    const auto curve = stats::kaplan_meier(obs);
    json steps = json::array();
    for (const auto& s : curve.steps) {
      steps.push_back({{"day", s.time},
                       {"at_risk", s.at_risk},
                       {"events", s.events},
                       {"censored", s.censored},
                       {"survival", s.survival},
                       {"std_error", opt(s.std_error)},
                       {"lower", opt(s.lower)},
                       {"upper", opt(s.upper)}});
    }
    const json actual = {{"subjects", curve.subjects},
                         {"events", curve.events},
                         {"censored", curve.censored},
                         {"median_days", opt(curve.median_time)},
                         {"steps", steps}};
    EXPECT_EQ(mismatches(c["expected"], actual), "") << c["times"].dump();
  }
}

TEST(StatisticsCrossCheck, QuantilesMatchNumpy) {
  // The loaded document must outlive the loop: a range-for over a member of a temporary dangles.
  const json data = load("statistics.expected.json");
  for (const auto& c : data["summary"]) {
    const auto s = stats::summarize(c["values"].get<std::vector<double>>());
    const json actual = {{"n", s.n},        {"min", opt(s.min)},
                         {"q1", opt(s.q1)}, {"median", opt(s.median)},
                         {"q3", opt(s.q3)}, {"max", opt(s.max)}};
    EXPECT_EQ(mismatches(c["expected"], actual), "") << c["values"].dump();
  }
}

TEST(Cohort, MatchesTheHandWorkedExpectations) {
  const json actual = contract::handle_outcome_analytics(load("cohort.json"));
  EXPECT_EQ(mismatches(load("cohort.expected.json"), actual), "");
}

// The comparison itself can fail: one changed number in the answer is reported.
TEST(Cohort, AChangedAnswerIsAMismatch) {
  json actual = contract::handle_outcome_analytics(load("cohort.json"));
  actual["groups"][1]["instruments"][0]["durability"]["steps"][1]["lower"] = 0.0110;
  EXPECT_NE(mismatches(load("cohort.expected.json"), actual), "");
}

// Order of courses and records does not change the answer.
TEST(Cohort, OrderOfRecordsDoesNotMatter) {
  json in = load("cohort.json");
  std::reverse(in["courses"].begin(), in["courses"].end());
  for (auto& c : in["courses"]) {
    for (const char* k : {"infusions", "assessments", "adverse_events", "mme"}) {
      if (c.contains(k)) std::reverse(c[k].begin(), c[k].end());
    }
  }
  EXPECT_EQ(contract::handle_outcome_analytics(in),
            contract::handle_outcome_analytics(load("cohort.json")));
}

// ---- Attribution rules, hand-worked
// --------------------------------------------------------------

an::CourseRecord six_infusions() {
  an::CourseRecord c;
  c.indication = "depression";
  c.protocol = "depression-induction-series";
  c.course_start = "2026-01-05";
  c.planned_induction_infusions = 6;
  int n = 0;
  for (const char* d :
       {"2026-01-05", "2026-01-07", "2026-01-09", "2026-01-12", "2026-01-14", "2026-01-16"}) {
    c.infusions.push_back({an::InfusionKind::induction, ++n, d, an::InfusionStatus::completed});
  }
  return c;
}

TEST(ResponseByInfusion, APreInfusionAssessmentCountsOnlyThePreviousInfusions) {
  // PHQ-9 20 on 01-05 (baseline, day of infusion 1), 9 on 01-12 (55 % drop: response, Keith et
  // al.), taken before infusion 4 that day -> attributed to infusions 1-3 (01-05, 01-07, 01-09).
  an::CourseRecord c = six_infusions();
  c.assessments = {{"phq9", "2026-01-05", 20}, {"phq9", "2026-01-12", 9}};
  const auto r = an::analyze({"2026-06-30", {c}});
  const auto& phq9 = r.groups.at(0).instruments.at(0);
  EXPECT_EQ(phq9.by_infusion.cumulative, (std::vector<int>{0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(phq9.by_infusion.by_6.count, 1);
}

TEST(ResponseByInfusion, AFirstResponseAfterABoosterIsCountedApart) {
  // 20 -> 15 on 01-20 (25 %: partial), booster 1 on 02-02, 8 on 02-05 (60 %: response).
  an::CourseRecord c = six_infusions();
  c.infusions.push_back(
      {an::InfusionKind::booster, 1, "2026-02-02", an::InfusionStatus::completed});
  c.assessments = {
      {"phq9", "2026-01-05", 20}, {"phq9", "2026-01-20", 15}, {"phq9", "2026-02-05", 8}};
  const auto r = an::analyze({"2026-06-30", {c}});
  const auto& phq9 = r.groups.at(0).instruments.at(0);
  EXPECT_EQ(phq9.responders.count, 1);
  EXPECT_EQ(phq9.by_infusion.after_a_booster, 1);
  EXPECT_EQ(phq9.by_infusion.cumulative.back(), 0);
  EXPECT_EQ(phq9.by_infusion.never, 0);
}

TEST(Trajectory, MedianChangeByWeekSinceTheFirstInfusion) {
  // First infusion 2026-01-05 in both courses. A: 20 (baseline, 01-05), 14 on 01-09 (day 4, week
  // 1) then 12 on 01-12 (day 7, week 1: the later stands, -8), 8 on 01-19 (day 14, week 2: -12).
  // B: 18 (baseline, 01-02), 15 on 01-14 (day 9, week 2: -3). Week 0: 0 and 0; week 1: -8 alone;
  // week 2: -12 and -3 -> median -7.5, Q1 -12 + 0.25 x 9 = -9.75, Q3 -5.25 (definition 7).
  an::CourseRecord a = six_infusions();
  a.assessments = {{"phq9", "2026-01-05", 20},
                   {"phq9", "2026-01-09", 14},
                   {"phq9", "2026-01-12", 12},
                   {"phq9", "2026-01-19", 8}};
  an::CourseRecord b = six_infusions();
  b.assessments = {{"phq9", "2026-01-02", 18}, {"phq9", "2026-01-14", 15}};
  const auto r = an::analyze({"2026-06-30", {a, b}});
  const auto& t = r.groups.at(0).instruments.at(0).change_trajectory;
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].week, 0);
  EXPECT_EQ(t[0].change.n, 2);
  EXPECT_EQ(t[0].change.median, 0.0);
  EXPECT_EQ(t[1].week, 1);
  EXPECT_EQ(t[1].change.n, 1);
  EXPECT_EQ(t[1].change.median, -8.0);
  EXPECT_EQ(t[2].week, 2);
  EXPECT_EQ(t[2].change.n, 2);
  EXPECT_DOUBLE_EQ(*t[2].change.median, -7.5);
  EXPECT_DOUBLE_EQ(*t[2].change.q1, -9.75);
  EXPECT_DOUBLE_EQ(*t[2].change.q3, -5.25);
}

TEST(Durability, MadrsRelapseUsesSalloumsLevelAndTheConfirmingReading) {
  // MADRS 30 (baseline) -> 12 on 01-20 (60 %: response). 01-27: 22 (>= 22, Salloum 2020; one
  // reading: unconfirmed), 02-03: 24 (second reading: relapse confirmed, onset 01-27).
  // Event at 01-20 -> 01-27 = 7 days. A MADRS of 21 on 01-27 would not count (below 22).
  an::CourseRecord c = six_infusions();
  c.assessments = {{"madrs", "2026-01-05", 30},
                   {"madrs", "2026-01-20", 12},
                   {"madrs", "2026-01-27", 22},
                   {"madrs", "2026-02-03", 24}};
  auto r = an::analyze({"2026-06-30", {c}});
  const auto& d = r.groups.at(0).instruments.at(0).durability;
  ASSERT_EQ(d.steps.size(), 1u);
  EXPECT_EQ(d.steps[0].time, 7);
  EXPECT_EQ(d.events, 1);
  c.assessments[2].total = 21;  // 21 then 24: only one reading at the relapse level
  r = an::analyze({"2026-06-30", {c}});
  const auto& d2 = r.groups.at(0).instruments.at(0).durability;
  EXPECT_EQ(d2.events, 0);
  EXPECT_EQ(d2.steps.at(0).time, 14);  // censored at the last reading, 02-03
}

// ---- Properties ---------------------------------------------------------------------------------

TEST(Properties, WilsonContainsTheShareAndStaysInTheUnitInterval) {
  for (int n = 1; n <= 60; ++n) {
    for (int k = 0; k <= n; ++k) {
      const auto p = stats::wilson(k, n);
      EXPECT_LE(0.0, *p.lower);
      EXPECT_LE(*p.lower, *p.share);
      EXPECT_LE(*p.share, *p.upper);
      EXPECT_LE(*p.upper, 1.0);
    }
  }
}

TEST(Properties, KaplanMeierIsNonIncreasingAndInsideItsBand) {
  std::vector<stats::Observation> obs;
  for (int i = 0; i < 200; ++i) obs.push_back({double((i * 37) % 53), (i * 11) % 3 != 0});
  const auto c = stats::kaplan_meier(obs);
  double prev = 1.0;
  int seen = 0;
  for (const auto& s : c.steps) {
    EXPECT_LE(s.survival, prev);
    prev = s.survival;
    seen += s.events + s.censored;
    if (s.lower) {
      EXPECT_LE(*s.lower, s.survival);
      EXPECT_GE(*s.upper, s.survival);
    }
  }
  EXPECT_EQ(seen, 200);
}

// ---- Refusals name the field --------------------------------------------------------------------

std::string refused_field(const json& request) {
  try {
    contract::handle_outcome_analytics(request);
  } catch (const InputError& e) {
    return e.field();
  }
  return "(accepted)";
}

TEST(Refusals, NameTheField) {
  const json base = load("cohort.json");
  const auto with = [&](const std::function<void(json&)>& change) {
    json r = base;
    change(r);
    return refused_field(r);
  };
  EXPECT_EQ(with([](json& r) { r["as_of"] = "2026-02-30"; }), "as_of");
  EXPECT_EQ(with([](json& r) { r["courses"][0]["indication"] = "anxiety"; }),
            "courses[0].indication");
  EXPECT_EQ(with([](json& r) { r["courses"][1]["infusions"][0]["date"] = "2026-07-01"; }),
            "courses[1].infusions[0].date");  // after as_of
  EXPECT_EQ(with([](json& r) { r["courses"][1]["infusions"][1]["number"] = 1; }),
            "courses[1].infusions[1].number");  // duplicate induction number
  EXPECT_EQ(with([](json& r) { r["courses"][1]["infusions"][1]["number"] = 13; }),
            "courses[1].infusions[1].number");  // at most 12 (PMC9154276)
  EXPECT_EQ(with([](json& r) { r["courses"][1]["infusions"][6]["date"] = "2026-01-15"; }),
            "courses[1].infusions[6].date");  // a booster before the last induction infusion
  EXPECT_EQ(with([](json& r) { r["courses"][1]["infusions"][2]["date"] = "2026-01-06"; }),
            "courses[1].infusions[2].date");  // infusion 3 dated before infusion 2
  EXPECT_EQ(with([](json& r) { r["courses"][1]["infusions"][0]["cadss_total"] = -1; }),
            "courses[1].infusions[0].cadss_total");
  EXPECT_EQ(with([](json& r) { r["courses"][1]["infusions"][0]["status"] = "voided"; }),
            "courses[1].infusions[0].status");
  EXPECT_EQ(with([](json& r) { r["courses"][1]["assessments"][1]["total"] = 28; }),
            "courses[1].assessments[1].total");  // PHQ-9 is 0-27
  EXPECT_EQ(with([](json& r) { r["courses"][1]["assessments"][1]["date"] = "2026-01-05"; }),
            "courses[1].assessments[1].date");  // a second PHQ-9 total that day
  EXPECT_EQ(with([](json& r) { r["courses"][1]["assessments"][1]["instrument"] = "cadss"; }),
            "courses[1].assessments[1].instrument");
  EXPECT_EQ(with([](json& r) { r["courses"][1]["adverse_events"][0]["severity"] = "grave"; }),
            "courses[1].adverse_events[0].severity");
  EXPECT_EQ(with([](json& r) { r["courses"][0]["mme"][0]["total_mme_per_day"] = -5; }),
            "courses[0].mme[0].total_mme_per_day");
  EXPECT_EQ(with([](json& r) { r["courses"][0]["planned_induction_infusions"] = 0; }),
            "courses[0].planned_induction_infusions");
  EXPECT_EQ(with([](json& r) { r["courses"][3]["course_end"] = "2026-01-01"; }),
            "courses[3].course_end");  // before course_start
  EXPECT_EQ(with([](json& r) { r["courses"][0]["colour"] = "blue"; }), "courses[0].colour");
  EXPECT_EQ(refused_field(base), "(accepted)");
}

}  // namespace
}  // namespace kit::outcomes
