// Outcome rules from dated series. Each row names the threshold it exercises and its source
// (see core/outcomes/criteria.cpp): response/remission cut-offs are published where cited,
// otherwise labelled clinic policy.
#include "core/outcomes/outcome.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "core/common/error.h"

namespace kit::outcomes {
namespace {

const instruments::InstrumentDefinition& def(const char* id) {
  return *instruments::find_instrument(id);
}

// Weekly series starting 2026-01-05.
std::vector<Assessment> weekly(std::initializer_list<double> totals) {
  std::vector<Assessment> s;
  int day = 5;
  int month = 1;
  for (double t : totals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "2026-%02d-%02d", month, day);
    s.push_back({buf, t});
    day += 7;
    if (day > 28) {
      day -= 28;
      ++month;
    }
  }
  return s;
}

struct StatusRow {
  const char* id;
  std::vector<double> totals;
  Status status;
  bool booster;
  const char* source;
};

class Statuses : public ::testing::TestWithParam<StatusRow> {};

TEST_P(Statuses, FromSeries) {
  const StatusRow& row = GetParam();
  std::vector<Assessment> s;
  int i = 0;
  for (double t : row.totals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "2026-03-%02d", 1 + 3 * i++);
    s.push_back({buf, t});
  }
  const OutcomeResult r = evaluate_outcome(def(row.id), s);
  EXPECT_EQ(status_name(r.status), status_name(row.status)) << row.source << "\n" << r.reason;
  EXPECT_EQ(r.booster_recommended, row.booster) << row.source << "\n" << r.reason;
  EXPECT_FALSE(r.reason.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Thresholds, Statuses,
    ::testing::Values(
        // PHQ-9: response >=50% (Keith et al.; Psychiatric Services 2020); remission <=4
        // (PHQ-9 <5, Psychiatric Services 2020); partial 25% policy.
        StatusRow{"phq9", {20, 10}, Status::response, false, "phq9 50% exactly"},
        StatusRow{"phq9", {20, 11}, Status::partial_response, false, "phq9 45%"},
        StatusRow{"phq9", {20, 15}, Status::partial_response, false, "phq9 25% exactly (policy)"},
        StatusRow{"phq9", {20, 16}, Status::no_response, false, "phq9 20%"},
        StatusRow{"phq9", {20, 4}, Status::remission, false, "phq9 <=4"},
        StatusRow{"phq9", {20, 5}, Status::response, false, "phq9 5 is not remission"},
        StatusRow{"phq9", {20, 24}, Status::no_response, false, "phq9 worse"},
        StatusRow{"phq9", {20, 8, 14}, Status::relapse, true, "phq9 lost response (30%)"},
        StatusRow{"phq9", {20, 3, 11}, Status::relapse, true, "phq9 lost remission+response"},
        StatusRow{"phq9",
                  {20, 4, 9},
                  Status::response,
                  true,
                  "phq9 climb 5 = 25% of baseline (booster policy)"},
        StatusRow{"phq9", {20, 4, 8}, Status::response, false, "phq9 climb 4 = 20% < 25%"},
        StatusRow{"phq9", {20, 14, 12, 8}, Status::response, false, "first response now"},
        StatusRow{"phq9", {20}, Status::no_response, false, "baseline only"},
        // MADRS: response >=50% (Phillips 2019), remission <=10 (PMC9154276).
        StatusRow{"madrs", {30, 15}, Status::response, false, "madrs 50%"},
        StatusRow{"madrs", {30, 10}, Status::remission, false, "madrs <=10"},
        StatusRow{"madrs", {30, 11}, Status::response, false, "madrs 11 not remission"},
        StatusRow{"madrs", {30, 16}, Status::partial_response, false, "madrs 46.7%"},
        StatusRow{"madrs", {30, 10, 20}, Status::relapse, true, "madrs relapse"},
        // QIDS-SR16: response >=50%, remission <=5 (Trivedi 2006).
        StatusRow{"qids_sr16", {16, 8}, Status::response, false, "qids 50%"},
        StatusRow{"qids_sr16", {16, 5}, Status::remission, false, "qids <=5"},
        StatusRow{"qids_sr16", {16, 6}, Status::response, false, "qids 6 not remission"},
        // Y-BOCS: response >=35% (Rodriguez 2013), remission <=12 (Mataix-Cols 2016).
        StatusRow{"ybocs", {28, 18}, Status::response, false, "ybocs 35.7%"},
        StatusRow{"ybocs", {20, 13}, Status::response, false, "ybocs 35% exactly"},
        StatusRow{"ybocs", {28, 19}, Status::partial_response, false, "ybocs 32% (policy 25%)"},
        StatusRow{"ybocs", {28, 12}, Status::remission, false, "ybocs <=12"},
        StatusRow{"ybocs", {28, 22}, Status::no_response, false, "ybocs 21%"},
        // GAD-7: response 50% and remission <=4 are policy (NOT FOUND).
        StatusRow{"gad7", {16, 8}, Status::response, false, "gad7 policy 50%"},
        StatusRow{"gad7", {16, 4}, Status::remission, false, "gad7 policy <=4"},
        // PCL-5: response 30% and remission <=30 are policy (NOT FOUND).
        StatusRow{"pcl5", {50, 35}, Status::response, false, "pcl5 policy 30%"},
        StatusRow{"pcl5", {50, 36}, Status::no_response, false, "pcl5 28%, no partial rule"},
        StatusRow{"pcl5", {40, 30}, Status::remission, false, "pcl5 policy <=30"},
        // NRS: response >=30% (Farrar 2001); no remission or partial rule.
        StatusRow{"nrs", {8, 5}, Status::response, false, "nrs 37.5%"},
        StatusRow{"nrs", {10, 7}, Status::response, false, "nrs 30% exactly"},
        StatusRow{"nrs", {8, 6}, Status::no_response, false, "nrs 25%"},
        StatusRow{"nrs", {8, 0}, Status::response, false, "nrs 0: no remission rule"},
        StatusRow{"nrs", {8, 4, 7}, Status::relapse, true, "nrs relapse"},
        // BPI severity mean: response >=30% (Farrar 2001 / IMMPACT).
        StatusRow{"bpi", {7.5, 5.25}, Status::response, false, "bpi 30% exactly"},
        StatusRow{"bpi", {7.5, 5.5}, Status::no_response, false, "bpi 26.7%"}));

TEST(Outcome, RemissionCannotBeClaimedFromABaselineAlreadyBelowTheCutOff) {
  const OutcomeResult r = evaluate_outcome(def("phq9"), weekly({4, 1}));
  EXPECT_EQ(r.status, Status::response);  // 75% reduction, but not "remission"
  EXPECT_NE(r.reason.find("Remission cannot be judged"), std::string::npos);
}

TEST(Outcome, NumbersAndDatesAreReported) {
  const OutcomeResult r = evaluate_outcome(def("phq9"), weekly({20, 12, 8}));
  EXPECT_DOUBLE_EQ(r.baseline.total, 20);
  EXPECT_EQ(r.baseline.date.iso(), "2026-01-05");
  EXPECT_DOUBLE_EQ(r.latest.total, 8);
  EXPECT_EQ(r.latest.date.iso(), "2026-01-19");
  EXPECT_DOUBLE_EQ(r.change, -12);
  EXPECT_DOUBLE_EQ(r.change_pct, -60);
  EXPECT_DOUBLE_EQ(r.reduction_pct, 60);
  ASSERT_TRUE(r.best.has_value());
  EXPECT_DOUBLE_EQ(r.best->total, 8);
}

TEST(Outcome, SeriesIsSortedByDateBeforeJudging) {
  // Out of order input: the earliest date is the baseline whatever its position.
  std::vector<Assessment> s = {{"2026-02-02", 8}, {"2026-01-05", 20}, {"2026-01-19", 12}};
  const OutcomeResult r = evaluate_outcome(def("phq9"), s);
  EXPECT_DOUBLE_EQ(r.baseline.total, 20);
  EXPECT_DOUBLE_EQ(r.latest.total, 8);
  EXPECT_EQ(r.status, Status::response);
  EXPECT_EQ(r.series[1].date.iso(), "2026-01-19");
}

TEST(Outcome, KeithAlternativeResponseRuleIsOptIn) {
  // Keith et al.: final PHQ-9 <10 also counts as response; off by default.
  EXPECT_EQ(evaluate_outcome(def("phq9"), weekly({12, 9})).status, Status::partial_response);
  OutcomeOverrides o;
  o.response_final_below = 10;
  const OutcomeResult r = evaluate_outcome(def("phq9"), weekly({12, 9}), o);
  EXPECT_EQ(r.status, Status::response);
  EXPECT_NE(r.reason.find("below 10"), std::string::npos);
  ASSERT_FALSE(r.policies.empty());
}

TEST(Outcome, ClinicOverridesAreAppliedAndLabelled) {
  OutcomeOverrides o;
  o.remission_max_total = 2;  // NRS has no published remission rule; a clinic may set one
  const OutcomeResult r = evaluate_outcome(def("nrs"), weekly({8, 2}), o);
  EXPECT_EQ(r.status, Status::remission);
  EXPECT_TRUE(r.criteria.remission_max_total.source.policy);
}

struct BadOverrideRow {
  const char* field;
  OutcomeOverrides overrides;
};

class BadOverrides : public ::testing::TestWithParam<BadOverrideRow> {};

TEST_P(BadOverrides, AreRefusedByField) {
  try {
    evaluate_outcome(def("phq9"), weekly({20, 10}), GetParam().overrides);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), GetParam().field);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Ranges, BadOverrides,
    ::testing::Values(BadOverrideRow{"policy.response_reduction_pct", {0, {}, {}, {}, {}}},
                      BadOverrideRow{"policy.response_reduction_pct", {101, {}, {}, {}, {}}},
                      BadOverrideRow{"policy.partial_response_reduction_pct", {{}, 50, {}, {}, {}}},
                      BadOverrideRow{"policy.response_reduction_pct",
                                     {20, {}, {}, {}, {}}},  // below partial 25
                      BadOverrideRow{"policy.remission_max_total", {{}, {}, 28, {}, {}}},
                      BadOverrideRow{"policy.remission_max_total", {{}, {}, -1, {}, {}}},
                      BadOverrideRow{"policy.response_final_below", {{}, {}, {}, 0, {}}},
                      BadOverrideRow{"policy.booster_rise_pct_of_baseline", {{}, {}, {}, {}, 0}}));

struct BadSeriesRow {
  const char* name;
  std::vector<Assessment> series;
  const char* field;
};

class BadSeries : public ::testing::TestWithParam<BadSeriesRow> {};

TEST_P(BadSeries, IsRefusedNamingTheField) {
  try {
    evaluate_outcome(def("phq9"), GetParam().series);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), GetParam().field) << e.reason();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Refusals, BadSeries,
    ::testing::Values(
        BadSeriesRow{"empty", {}, "series"},
        BadSeriesRow{"bad_date", {{"2026-01-05", 20}, {"2026-02-30", 10}}, "series[1].date"},
        BadSeriesRow{"duplicate",
                     {{"2026-01-05", 20}, {"2026-01-12", 9}, {"2026-01-05", 10}},
                     "series[2].date"},
        BadSeriesRow{"total_above_max", {{"2026-01-05", 28}}, "series[0].total"},
        BadSeriesRow{"total_negative", {{"2026-01-05", 20}, {"2026-01-12", -1}}, "series[1].total"},
        BadSeriesRow{
            "fractional_total", {{"2026-01-05", 20}, {"2026-01-12", 9.5}}, "series[1].total"},
        BadSeriesRow{"zero_baseline", {{"2026-01-12", 4}, {"2026-01-05", 0}}, "series[1].total"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(Outcome, CadssHasNoOutcomeRules) {
  try {
    evaluate_outcome(def("cadss"), weekly({10, 5}));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "instrument");
    EXPECT_NE(e.reason().find("state measure"), std::string::npos);
  }
}

TEST(Outcome, EveryApplicableInstrumentHasAResponseRuleWithASource) {
  for (const auto& c : all_outcome_criteria()) {
    if (c.not_applicable) continue;
    ASSERT_TRUE(c.response_reduction_pct.value.has_value()) << c.instrument_id;
    EXPECT_FALSE(c.response_reduction_pct.source.citation.empty()) << c.instrument_id;
    EXPECT_TRUE(c.booster_rise_pct_of_baseline.source.policy) << c.instrument_id;
    if (c.partial_response_reduction_pct.value) {
      EXPECT_LT(*c.partial_response_reduction_pct.value, *c.response_reduction_pct.value);
    }
  }
  EXPECT_EQ(all_outcome_criteria().size(), instruments::all_instruments().size());
}

struct ThresholdRow {
  const char* id;
  double response_pct;
  std::optional<double> remission_max;
  bool response_is_policy;
  bool remission_is_policy;
  const char* source;
};

class PublishedThresholds : public ::testing::TestWithParam<ThresholdRow> {};

TEST_P(PublishedThresholds, MatchSources) {
  const ThresholdRow& row = GetParam();
  const OutcomeCriteria* c = find_outcome_criteria(row.id);
  ASSERT_NE(c, nullptr);
  EXPECT_DOUBLE_EQ(*c->response_reduction_pct.value, row.response_pct) << row.source;
  EXPECT_EQ(c->remission_max_total.value, row.remission_max) << row.source;
  EXPECT_EQ(c->response_reduction_pct.source.policy, row.response_is_policy) << row.source;
  if (row.remission_max) {
    EXPECT_EQ(c->remission_max_total.source.policy, row.remission_is_policy) << row.source;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Sources, PublishedThresholds,
    ::testing::Values(
        ThresholdRow{"phq9", 50, 4, false, false, "Keith; Psychiatric Services 2020 (<5)"},
        ThresholdRow{"gad7", 50, 4, true, true, "NOT FOUND -> policy"},
        ThresholdRow{"pcl5", 30, 30, true, true, "NOT FOUND -> policy"},
        ThresholdRow{"ybocs", 35, 12, false, false, "Rodriguez 2013; Mataix-Cols 2016"},
        ThresholdRow{"madrs", 50, 10, false, false, "Phillips 2019; PMC9154276"},
        ThresholdRow{"qids_sr16", 50, 5, false, false, "Trivedi 2006"},
        ThresholdRow{"nrs", 30, std::nullopt, false, false, "Farrar 2001"},
        ThresholdRow{"bpi", 30, std::nullopt, false, false, "Farrar 2001; IMMPACT"}),
    [](const auto& param_info) { return std::string(param_info.param.id); });

}  // namespace
}  // namespace kit::outcomes
