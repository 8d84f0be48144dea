// Soft limits may be overridden with a documented reason; hard limits never. Age limits, the
// obesity weight rule and pump rounding as they reach the plan.
#include <gtest/gtest.h>

#include "core/dosing/names.h"
#include "tests/core/dosing/plan_fixtures.h"

namespace kit::dosing {
namespace {

using test::failed;
using test::plan;
using test::request;
using Q = LimitQuantity;

struct StatusRow {
  const char* why;
  const char* protocol;
  double weight_kg, age_y, conc;
  std::optional<double> dose_mg_per_kg;
  std::optional<std::string> reason;
  PlanStatus expected;
};

TEST(LimitSemantics, StatusFollowsSoftAndHardBreaches) {
  const auto needs = PlanStatus::kNeedsOverride;
  const auto ok = PlanStatus::kAccepted;
  const auto refused = PlanStatus::kRefused;
  const std::string reason = "non-responder at 0.5 and 0.75 mg/kg, attending approved";
  const StatusRow rows[] = {
      {"0.75 mg/kg at the soft limit (Andrade 2017)",
       "depression-standard",
       70,
       35,
       1,
       0.75,
       {},
       ok},
      {"0.9 mg/kg over soft 0.75, no reason", "depression-standard", 70, 35, 1, 0.9, {}, needs},
      {"0.9 mg/kg over soft 0.75, documented reason", "depression-standard", 70, 35, 1, 0.9, reason,
       ok},
      {"1.0 mg/kg at the hard limit (Fava 2020), reason", "depression-standard", 70, 35, 1, 1.0,
       reason, ok},
      {"1.05 mg/kg over hard 1.0 even with a reason", "depression-standard", 70, 35, 1, 1.05,
       reason, refused},
      {"0.05 mg/kg under the soft minimum 0.1 (Andrade 2017)",
       "depression-standard",
       70,
       35,
       1,
       0.05,
       {},
       needs},
      {"ED adult IV 2 mg/kg: over ACEP 1 mg/kg soft",
       "ed-sedation-adult-iv",
       70,
       35,
       10,
       2.0,
       {},
       needs},
      {"ED adult IV 5 mg/kg: over label 4.5 mg/kg hard", "ed-sedation-adult-iv", 70, 35, 10, 5.0,
       reason, refused},
      {"ED pediatric IM 7 mg/kg at CHEO hard 7, reason", "ed-sedation-pediatric-im", 20, 6, 100,
       7.0, reason, ok},
      {"ED pediatric IM 7.5 mg/kg over CHEO 7", "ed-sedation-pediatric-im", 20, 6, 100, 7.5, reason,
       refused},
      {"IM repeat 4.5 mg/kg: over ACEP 2-4 soft",
       "ed-sedation-adult-im-repeat",
       70,
       35,
       100,
       4.5,
       {},
       needs},
      {"IV repeat 2.5 mg/kg: over the repeat hard 2", "ed-sedation-adult-iv-repeat", 70, 35, 10,
       2.5, reason, refused},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.why);
    auto req = request(r.protocol, r.weight_kg, r.conc, r.age_y, r.age_y < 18 ? 115 : 175);
    if (r.dose_mg_per_kg) req.dose_per_kg = units::MgPerKg(*r.dose_mg_per_kg);
    req.override_reason = r.reason;
    const Plan p = plan(req);
    EXPECT_EQ(to_string(p.status), to_string(r.expected));
    EXPECT_EQ(p.override_applied,
              r.expected == ok && r.reason && failed(p, Q::kDoseMgPerKg, LimitLevel::kSoft));
  }
}

TEST(LimitSemantics, OverrideKeepsTheFailedCheckVisible) {
  auto req = request("depression-standard", 70, 1);
  req.dose_per_kg = units::MgPerKg(0.9);
  req.override_reason = "documented";
  const Plan p = plan(req);
  ASSERT_EQ(p.status, PlanStatus::kAccepted);
  EXPECT_TRUE(p.override_applied);
  const CheckResult* c = failed(p, Q::kDoseMgPerKg, LimitLevel::kSoft);
  ASSERT_NE(c, nullptr);
  EXPECT_DOUBLE_EQ(c->value, 0.9);
  EXPECT_DOUBLE_EQ(c->limit.bound, 0.75);
}

TEST(LimitSemantics, AgeLimits) {
  struct Row {
    const char* why;
    const char* protocol;
    double age_y;
    bool refused;
  };
  const Row rows[] = {
      {"ACEP: age < 3 months is an absolute contraindication", "ed-sedation-pediatric-im", 0.2,
       true},
      {"3 months exactly is allowed", "ed-sedation-pediatric-im", 0.25, false},
      {"policy: paediatric protocols up to 18 y", "ed-sedation-pediatric-iv", 18.5, true},
      {"policy: adult protocols from 18 y", "ed-sedation-adult-iv", 17.0, true},
      {"policy: adult protocols from 18 y", "ed-sedation-adult-iv", 18.0, false},
      {"policy: psychiatric protocols are adult", "depression-standard", 16.0, true},
      {"policy: CRPS protocols are adult", "crps-outpatient-4h", 16.0, true},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.why);
    const Plan p = plan(request(r.protocol, 20, 10, r.age_y, 115));
    EXPECT_EQ(failed(p, Q::kAgeY, LimitLevel::kHard) != nullptr, r.refused);
    if (r.refused) {
      EXPECT_EQ(p.status, PlanStatus::kRefused);
    }
  }
}

TEST(LimitSemantics, ObeseDepressionPatientIsDosedOnIdealWeight) {
  // Sanacora 2017 via Singh 2019: IBW when BMI >= 30. Male 177.8 cm (70 in): IBW 73 kg (Devine).
  const Plan p = plan(request("depression-standard", 140, 1, 40, 177.8, Sex::kMale));
  EXPECT_EQ(p.dosing_weight.basis, WeightBasis::kIdeal);
  EXPECT_NEAR(p.dosing_weight.weight.value(), 73.0, 1e-9);
  // 0.5 x 73 kg = 36.5 mg = 54.75 mL/h -> pump 54.7 mL/h -> 54.7 x 40/60 = 36.46667 mg delivered.
  EXPECT_NEAR(p.prescribed_dose.value(), 36.5, 1e-9);
  EXPECT_NEAR(p.pump_rate->value(), 54.7, 1e-9);
  EXPECT_NEAR(p.dose.value(), 36.466667, 1e-6);
}

TEST(LimitSemantics, PtsdUsesActualWeightEvenWhenObese) {
  const Plan p = plan(request("ptsd-standard", 140, 1, 40, 177.8, Sex::kMale));
  EXPECT_EQ(p.dosing_weight.basis, WeightBasis::kActual);
  EXPECT_NEAR(p.prescribed_dose.value(), 70.0, 1e-9);
  EXPECT_EQ(p.status, PlanStatus::kAccepted);  // 70 mg under the 75 mg soft absolute limit
}

TEST(LimitSemantics, CrpsCapShapesTheDefaultButATypedRateIsChecked) {
  // Schwartzman 2009 "not > 25 mg/h": 100 kg x 0.35 = 35 mg/h -> default capped to 25 mg/h.
  const Plan capped = plan(request("crps-outpatient-4h", 100, 1));
  EXPECT_NEAR(capped.rate->value(), 25.0, 1e-9);
  EXPECT_EQ(capped.status, PlanStatus::kAccepted);
  // A typed 0.35 mg/kg/h for 100 kg is never silently cut: 35 mg/h breaches the soft 25 mg/h.
  auto typed = request("crps-outpatient-4h", 100, 1);
  typed.rate_per_kg = units::MgPerKgPerH(0.35);
  const Plan p = plan(typed);
  EXPECT_NEAR(p.rate->value(), 35.0, 1e-9);
  EXPECT_EQ(p.status, PlanStatus::kNeedsOverride);
  EXPECT_NE(failed(p, Q::kRateMgPerH, LimitLevel::kSoft), nullptr);
}

TEST(LimitSemantics, FixedRateInSmallPatientNeedsOverride) {
  // 22 mg/h for 50 kg = 0.44 mg/kg/h > Schwartzman 0.35 mg/kg/h (soft).
  const Plan p = plan(request("crps-inpatient-4day", 50, 1));
  EXPECT_EQ(p.status, PlanStatus::kNeedsOverride);
  EXPECT_NE(failed(p, Q::kRateMgPerKgPerH, LimitLevel::kSoft), nullptr);
  // Titrated to 40 mg/h (PMC2950807's top rate) is allowed with a reason; 45 mg/h never.
  auto titrated = request("crps-inpatient-4day", 120, 1);
  titrated.override_reason = "titrated per pain service";
  titrated.rate = units::MgPerH(40);
  EXPECT_EQ(plan(titrated).status, PlanStatus::kAccepted);
  titrated.rate = units::MgPerH(45);
  EXPECT_EQ(plan(titrated).status, PlanStatus::kRefused);
}

TEST(PumpRounding, RoundsDownToPointOneAndReportsTheDeliveredDose) {
  struct Row {
    double exact_ml_per_h, expected;
  };
  // Down to the 0.1 mL/h step; an exact step stays on it (no float drift).
  const Row rows[] = {{52.5, 52.5}, {78.75, 78.7}, {106.95, 106.9},  {0.09, 0.0},
                      {0.1, 0.1},   {0.3, 0.3},    {1199.99, 1199.9}};
  for (const auto& r : rows) {
    EXPECT_DOUBLE_EQ(round_pump_rate(units::MlPerH(r.exact_ml_per_h), units::MlPerH(0.1)).value(),
                     r.expected)
        << r.exact_ml_per_h;
  }
  // 71.3 kg x 0.5 mg/kg = 35.65 mg over 40 min = 53.475 mL/h -> 53.4 -> 35.6 mg delivered.
  const Plan p = plan(request("depression-standard", 71.3, 1));
  EXPECT_NEAR(p.prescribed_dose.value(), 35.65, 1e-9);
  EXPECT_NEAR(p.pump_rate->value(), 53.4, 1e-9);
  EXPECT_NEAR(p.rate->value(), 53.4, 1e-9);
  EXPECT_NEAR(p.dose.value(), 35.6, 1e-9);
  EXPECT_NEAR(p.volume.value(), 35.6, 1e-9);
  EXPECT_LE(p.dose.value(), p.prescribed_dose.value());
}

TEST(PumpRounding, RateBelowOnePumpStepIsRefused) {
  // 0.1 mg/kg x 50 kg = 5 mg over 40 min = 7.5 mg/h; at 100 mg/mL that is 0.075 mL/h -> 0.0:
  // the pump cannot run it (100 mg/mL undiluted is refused too).
  auto r = request("depression-standard", 50, 100);
  r.dose_per_kg = units::MgPerKg(0.1);
  const Plan p = plan(r);
  EXPECT_DOUBLE_EQ(p.pump_rate->value(), 0.0);
  EXPECT_NE(failed(p, Q::kRateMlPerH, LimitLevel::kHard), nullptr);
  EXPECT_EQ(p.status, PlanStatus::kRefused);
}

TEST(BagPreparation, ConcentrationIsDrugOverVolume) {
  // 50 mg in 100 mL = 0.5 mg/mL; 35 mg over 40 min -> 105 mL/h, 70 mL, one bag.
  auto r = request("depression-standard", 70, 1);
  r.preparation = Preparation{{}, units::Mg(50), units::Ml(100)};
  const Plan p = plan(r);
  EXPECT_DOUBLE_EQ(p.concentration.value(), 0.5);
  EXPECT_NEAR(p.pump_rate->value(), 105.0, 1e-9);
  EXPECT_NEAR(p.volume.value(), 70.0, 1e-9);
  ASSERT_TRUE(p.bags_needed.has_value());
  EXPECT_EQ(*p.bags_needed, 1);
  // Cohen 4-day: 2112 mL at 1 mg/mL in 500-mL bags -> 5 bags.
  auto longer = request("crps-inpatient-4day", 70, 1);
  longer.preparation = Preparation{{}, units::Mg(500), units::Ml(500)};
  EXPECT_EQ(*plan(longer).bags_needed, 5);
}

}  // namespace
}  // namespace kit::dosing
