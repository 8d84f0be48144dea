// The drug library as a catalogue: every rule and limit is cited, the weight basis follows each
// protocol's source, and a plan checks every limit of its protocol. The default plan of every
// protocol, worked by hand with its source, is a clinical case in tests/cases/dosing.cases
// (replayed through the contract, the kit binary and the HTTP route).
#include <gtest/gtest.h>

#include "core/common/error.h"
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
    PlanRequest r = request(p.id, 70, 1);
    if (p.repeat_dose) r.previous_total = units::Mg(70);  // a repeat needs the earlier doses
    const Plan pl = plan(r);
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
  // Sanacora 2017 -> ideal weight when the printed BMI >= 30, one rule for every psychiatric
  // infusion (depression, PTSD, OCD: docs/clinical-rules/dosing.md section 2); others: actual.
  for (const Protocol& p : builtin_library().protocols()) {
    SCOPED_TRACE(p.id);
    const bool psychiatric = p.id.rfind("depression-", 0) == 0 || p.id.rfind("ptsd-", 0) == 0 ||
                             p.id.rfind("ocd-", 0) == 0;
    EXPECT_EQ(p.weight.kind,
              psychiatric ? WeightRuleKind::kIdealWhenBmiAtLeast : WeightRuleKind::kActual);
    if (psychiatric) {
      EXPECT_DOUBLE_EQ(p.weight.bmi_threshold_kg_per_m2, 30.0);
    }
  }
}

TEST(ProtocolTable, RepeatDosesAreCheckedAgainstTheEpisodeTotal) {
  // Every repeat-dose protocol needs the earlier doses and bounds the total with a hard limit.
  for (const Protocol& p : builtin_library().protocols()) {
    SCOPED_TRACE(p.id);
    const bool repeat = p.id.find("-repeat") != std::string::npos;
    EXPECT_EQ(p.repeat_dose, repeat);
    if (!repeat) continue;
    EXPECT_THROW(plan(request(p.id, 70, 10)), InputError);
  }
}

TEST(ProtocolTable, InjectionsBoundTheirVolume) {
  // IV push and IM carry a hard maximum volume per push / per site; IM a hard minimum strength.
  for (const Protocol& p : builtin_library().protocols()) {
    if (p.route == AdministrationRoute::kIvInfusion) continue;
    SCOPED_TRACE(p.id);
    bool volume = false, min_strength = false;
    for (const Limit& l : p.limits) {
      volume |= l.quantity == LimitQuantity::kVolumeMl && l.level == LimitLevel::kHard;
      min_strength |= l.quantity == LimitQuantity::kConcentrationMgPerMl &&
                      l.type == BoundType::kMin && l.level == LimitLevel::kHard;
    }
    EXPECT_TRUE(volume);
    EXPECT_EQ(min_strength, p.route == AdministrationRoute::kIntramuscular);
  }
}

// Property: every step of the 4-day CRPS titration is a pump rate the calculator can re-plan. The
// infusion core turns a rate change of X mL/h into rate_mg_per_kg_per_h = X x (mg/mL) / kg and
// re-plans it; the plan must program exactly X mL/h again, so each step is checked, not rounded.
TEST(ProtocolTable, CrpsTitrationStepsReplanToTheSamePumpRate) {
  const Protocol* p = builtin_library().find("crps-inpatient-4day");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->dose.kind, DoseKind::kPerKgPerHour);
  for (double kg : {45.0, 62.9, 70.0, 93.3, 140.0}) {
    for (int steps = 1; steps <= 400; ++steps) {  // 0.1 to 40 mL/h at 1 mg/mL
      const double ml_per_h = steps * 0.1;
      PlanRequest r = request("crps-inpatient-4day", kg, 1, 45);
      r.rate_per_kg = units::MgPerKgPerH(ml_per_h * 1.0 / kg);
      const Plan pl = plan(r);
      ASSERT_TRUE(pl.pump_rate.has_value());
      ASSERT_NEAR(pl.pump_rate->value(), ml_per_h, 1e-6) << kg << " kg, " << ml_per_h << " mL/h";
    }
  }
}

}  // namespace
}  // namespace kit::dosing
