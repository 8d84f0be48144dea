// Properties of the outcome rules (core/outcomes/criteria.cpp). The rules at and around every
// threshold, with their sources (response/remission cut-offs published where cited, otherwise
// labelled clinic policy), the refusals and the thresholds each instrument reports are clinical
// cases in tests/cases/outcomes.cases.
#include "core/outcomes/outcome.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace kit::outcomes
