// Properties of the outcome rules (core/outcomes/criteria.cpp). The rules at and around every
// threshold, with their sources (response/remission cut-offs published where cited, otherwise
// labelled clinic policy), the refusals and the thresholds each instrument reports are clinical
// cases in tests/cases/outcomes.cases.
#include "core/outcomes/outcome.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/instruments/instrument.h"

namespace kit::outcomes {
namespace {

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

TEST(Outcome, EveryApplicableInstrumentHasARelapseRuleWithASource) {
  for (const auto& c : all_outcome_criteria()) {
    if (c.not_applicable) continue;
    // A single reading is never relapse (docs/reference/pharmacology.md §10).
    ASSERT_TRUE(c.relapse_confirm_readings.value.has_value()) << c.instrument_id;
    EXPECT_GE(*c.relapse_confirm_readings.value, 2) << c.instrument_id;
    // Relapse is defined by a published level, a meaningful change or a labelled policy rise.
    EXPECT_TRUE(c.relapse_min_total.value || c.meaningful_change_points.value ||
                c.relapse_min_rise_pct_of_baseline.value)
        << c.instrument_id;
    for (const Threshold* t :
         {&c.relapse_min_total, &c.meaningful_change_points, &c.relapse_min_rise_pct_of_baseline,
          &c.relapse_sustained_months, &c.substantial_reduction_pct}) {
      if (t->value) {
        EXPECT_FALSE(t->source.citation.empty()) << c.instrument_id;
      }
    }
  }
}

// Property: whatever the series, a relapse (and the booster it brings) needs at least two
// post-baseline readings after a response, and one reading after a response is never relapse.
TEST(Outcome, NoSeriesOfThreeIsEverARelapse) {
  for (const char* id : {"phq9", "gad7", "pcl5", "ybocs", "madrs", "qids_sr16", "nrs"}) {
    const auto* d = instruments::find_instrument(id);
    const int max = static_cast<int>(d->total_max);
    const int step = max > 30 ? 2 : 1;  // keeps the sanitizer run short
    for (int b = 1; b <= max; b += step) {
      for (int x = 0; x <= max; x += step) {
        for (int y = 0; y <= max; y += step) {
          const std::vector<Assessment> s = {{"2026-01-05", static_cast<double>(b)},
                                             {"2026-01-12", static_cast<double>(x)},
                                             {"2026-03-12", static_cast<double>(y)}};
          const OutcomeResult r = evaluate_outcome(*d, s);
          ASSERT_NE(r.status, Status::relapse) << id << " " << b << " " << x << " " << y;
          ASSERT_FALSE(r.booster_recommended) << id << " " << b << " " << x << " " << y;
        }
      }
    }
  }
}

}  // namespace
}  // namespace kit::outcomes
