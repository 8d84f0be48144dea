// Every built-in protocol, planned at its default for a reference patient: one row per protocol,
// each citing the source of its dose rule. Expected values are worked by hand in the comments.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <set>

#include "core/dosing/names.h"
#include "tests/core/dosing/plan_fixtures.h"

namespace kit::dosing {
namespace {

using test::plan;
using test::request;

struct Row {
  const char* protocol;
  const char* source;
  double weight_kg, age_y, height_cm, conc_mg_per_ml;
  double dose_mg;
  std::optional<double> rate_ml_per_h;
  double volume_ml;
  std::optional<double> duration_min;
  PlanStatus status;
};

constexpr auto kOk = PlanStatus::kAccepted;

const Row kRows[] = {
    // 0.5 mg/kg x 70 kg = 35 mg over 40 min = 52.5 mg/h; at 1 mg/mL 52.5 mL/h, 35 mL.
    {"depression-standard", "Zarate 2006: 0.5 mg/kg over 40 min", 70, 35, 175, 1, 35, 52.5, 35, 40,
     kOk},
    // 0.75 x 70 = 52.5 mg -> 78.75 mL/h, pump 78.7 mL/h -> delivered 78.7 x 40/60 = 52.46667 mg.
    {"depression-escalation-0.75", "Andrade 2017: up to 0.75 mg/kg", 70, 35, 175, 1, 52.466667,
     78.7, 52.466667, 40, kOk},
    // 1.0 x 70 = 70 mg -> 105 mL/h; above the 0.75 mg/kg soft limit -> needs an override.
    {"depression-escalation-1.0", "Fava 2020: 1.0 mg/kg arm", 70, 35, 175, 1, 70, 105, 70, 40,
     PlanStatus::kNeedsOverride},
    {"depression-induction-series", "Shiroma 2014: 6 x 0.5 mg/kg over 40 min", 70, 35, 175, 1, 35,
     52.5, 35, 40, kOk},
    {"depression-booster", "Phillips 2019: 0.5 mg/kg maintenance infusions", 70, 35, 175, 1, 35,
     52.5, 35, 40, kOk},
    {"ptsd-standard", "Feder 2014: 0.5 mg/kg over 40 min", 70, 35, 175, 1, 35, 52.5, 35, 40, kOk},
    {"ptsd-induction-series", "Feder 2021: six 0.5 mg/kg infusions", 70, 35, 175, 1, 35, 52.5, 35,
     40, kOk},
    {"ocd-standard", "Rodriguez 2013: 0.5 mg/kg over 40 min", 70, 35, 175, 1, 35, 52.5, 35, 40,
     kOk},
    // 0.35 mg/kg/h x 70 kg = 24.5 mg/h (under the 25 mg/h cap) x 4 h = 98 mg.
    {"crps-outpatient-4h", "Schwartzman 2009: 0.35 mg/kg/h x 4 h", 70, 45, 175, 1, 98, 24.5, 98,
     240, kOk},
    // 80 kg: 28 mg/h capped to 25 mg/h ("not > 25 mg/h") -> 100 mg per 4 h.
    {"crps-outpatient-4h", "Schwartzman 2009: cap 25 mg/h, 100 mg per 4 h", 80, 45, 175, 1, 100, 25,
     100, 240, kOk},
    // 22 mg/h x 96 h = 2112 mg; 2 mg/mL -> 11 mL/h, 1056 mL.
    {"crps-inpatient-4day", "Cohen 2018: 22 mg/h x 4 days", 70, 45, 175, 2, 2112, 11, 1056, 5760,
     kOk},
    // IV push: 1 mg/kg x 70 kg = 70 mg; 10 mg/mL -> 7 mL over 1 min; not pumped.
    {"ed-sedation-adult-iv", "ACEP: adults 1 mg/kg over 30-60 s", 70, 35, 175, 10, 70, std::nullopt,
     7, 1, kOk},
    {"ed-sedation-adult-iv-repeat", "ACEP: repeat 0.5-1 mg/kg", 70, 35, 175, 10, 35, std::nullopt,
     3.5, 1, kOk},
    // IM: 4 mg/kg x 70 kg = 280 mg; 100 mg/mL -> 2.8 mL; no duration.
    {"ed-sedation-adult-im", "ACEP: IM 4-5 mg/kg", 70, 35, 175, 100, 280, std::nullopt, 2.8,
     std::nullopt, kOk},
    {"ed-sedation-adult-im-repeat", "ACEP: IM repeat 2-4 mg/kg", 70, 35, 175, 100, 140,
     std::nullopt, 1.4, std::nullopt, kOk},
    // Child 20 kg, 6 y: 1.5 mg/kg = 30 mg; 10 mg/mL -> 3 mL.
    {"ed-sedation-pediatric-iv", "ACEP: children 1.5-2 mg/kg", 20, 6, 115, 10, 30, std::nullopt, 3,
     1, kOk},
    {"ed-sedation-pediatric-iv-repeat", "ACEP: repeat 0.5-1 mg/kg", 20, 6, 115, 10, 10,
     std::nullopt, 1, 1, kOk},
    {"ed-sedation-pediatric-im", "ACEP: IM 4-5 mg/kg", 20, 6, 115, 100, 80, std::nullopt, 0.8,
     std::nullopt, kOk},
    {"ed-sedation-pediatric-im-repeat", "ACEP: IM repeat 2-4 mg/kg", 20, 6, 115, 100, 40,
     std::nullopt, 0.4, std::nullopt, kOk},
};

TEST(ProtocolTable, DefaultPlanOfEveryProtocol) {
  for (const Row& r : kRows) {
    SCOPED_TRACE(std::string(r.protocol) + " - " + r.source);
    const Plan p = plan(request(r.protocol, r.weight_kg, r.conc_mg_per_ml, r.age_y, r.height_cm));
    EXPECT_NEAR(p.dose.value(), r.dose_mg, 1e-5);
    ASSERT_EQ(p.pump_rate.has_value(), r.rate_ml_per_h.has_value());
    if (r.rate_ml_per_h) {
      EXPECT_NEAR(p.pump_rate->value(), *r.rate_ml_per_h, 1e-9);
    }
    EXPECT_NEAR(p.volume.value(), r.volume_ml, 1e-5);
    ASSERT_EQ(p.duration.has_value(), r.duration_min.has_value());
    if (r.duration_min) {
      EXPECT_DOUBLE_EQ(p.duration->value(), *r.duration_min);
    }
    EXPECT_EQ(to_string(p.status), to_string(r.status));
    EXPECT_EQ(p.checks.size(), builtin_library().find(r.protocol)->limits.size() +
                                   (p.route == AdministrationRoute::kIvInfusion ? 2u : 0u));
  }
}

TEST(ProtocolTable, CoversEveryBuiltInProtocol) {
  std::set<std::string> covered;
  for (const Row& r : kRows) covered.insert(r.protocol);
  for (const Protocol& p : builtin_library().protocols()) {
    EXPECT_TRUE(covered.count(p.id)) << p.id << " has no row in the table";
  }
  EXPECT_EQ(builtin_library().protocols().front().id, "depression-standard");  // fixed by issue 3
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
