// The drug library as a catalogue: every rule and limit is cited, the weight basis follows each
// protocol's source, and a plan checks every limit of its protocol. The default plan of every
// protocol, worked by hand with its source, is a clinical case in tests/cases/dosing.cases
// (replayed through the contract, the kit binary and the HTTP route).
#include <gtest/gtest.h>

#include "core/dosing/names.h"
#include "tests/core/dosing/plan_fixtures.h"

namespace kit::dosing {
namespace {

using test::plan;
using test::request;

TEST(ProtocolTable, LibraryOrderIsStable) {
  EXPECT_EQ(builtin_library().protocols().front().id, "depression-standard");
}

TEST(ProtocolTable, APlanChecksEveryLimitOfItsProtocolAndThePump) {
  // Whatever the outcome, each protocol limit is one check, plus the pump's two for an infusion.
  for (const Protocol& p : builtin_library().protocols()) {
    SCOPED_TRACE(p.id);
    const Plan pl = plan(request(p.id, 70, 1));
    EXPECT_EQ(pl.checks.size(),
              p.limits.size() + (pl.route == AdministrationRoute::kIvInfusion ? 2u : 0u));
  }
}

TEST(ProtocolTable, EveryLimitAndRuleIsCited) {
  for (const Protocol& p : builtin_library().protocols()) {
    SCOPED_TRACE(p.id);
    EXPECT_FALSE(p.dose.source.empty());
    EXPECT_FALSE(p.weight.source.empty());
    for (const Limit& l : p.limits) {
      EXPECT_FALSE(l.source.empty());
      // Policy limits say so in their source text or carry the policy flag.
      if (l.source.rfind("policy", 0) == 0) {
        EXPECT_TRUE(l.policy);
      }
    }
  }
}

TEST(ProtocolTable, ProtocolWeightBasisFollowsItsSource) {
  // Sanacora 2017 (mood disorders) -> ideal weight when BMI >= 30; others: actual.
  for (const Protocol& p : builtin_library().protocols()) {
    SCOPED_TRACE(p.id);
    const bool mood = p.id.rfind("depression-", 0) == 0;
    EXPECT_EQ(p.weight.kind, mood ? WeightRuleKind::kIdealWhenBmiAtLeast : WeightRuleKind::kActual);
    if (mood) {
      EXPECT_DOUBLE_EQ(p.weight.bmi_threshold_kg_per_m2, 30.0);
    }
  }
}

}  // namespace
}  // namespace kit::dosing
