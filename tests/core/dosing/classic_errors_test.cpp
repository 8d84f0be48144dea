// The classic dosing errors - micrograms for milligrams, per-kg for absolute, a 10x concentration,
// minutes for hours, pounds or grams for kilograms - and the conversions that expose them.
#include <gtest/gtest.h>

#include "core/common/error.h"
#include "core/common/units.h"
#include "tests/core/dosing/plan_fixtures.h"

namespace kit::dosing {
namespace {

using test::failed;
using test::plan;
using test::request;
using Q = LimitQuantity;

struct ErrorRow {
  const char* error;
  const char* protocol;
  double weight_kg, age_y, conc;
  std::optional<double> dose_mg_per_kg;
  std::optional<double> rate_mg_per_kg_per_h;
  Q caught_by;
  LimitLevel level;
  PlanStatus status;
};

TEST(ClassicErrors, AreCaughtByALimit) {
  const auto hard = LimitLevel::kHard;
  const auto soft = LimitLevel::kSoft;
  const auto refused = PlanStatus::kRefused;
  const auto needs = PlanStatus::kNeedsOverride;
  const ErrorRow rows[] = {
      {"ug/kg typed as mg/kg: 500 for 0.5 mg/kg",
       "depression-standard",
       70,
       35,
       1,
       500,
       {},
       Q::kDoseMgPerKg,
       hard,
       refused},
      {"ug/kg typed as mg/kg: 1000 for 1 mg/kg IV push",
       "ed-sedation-adult-iv",
       70,
       35,
       10,
       1000,
       {},
       Q::kDoseMgPerKg,
       hard,
       refused},
      {"absolute mg typed as mg/kg: 35 for 35 mg",
       "depression-standard",
       70,
       35,
       1,
       35,
       {},
       Q::kDoseMgPerKg,
       hard,
       refused},
      {"absolute mg typed as mg/kg: 70 for 70 mg IV push",
       "ed-sedation-adult-iv",
       70,
       35,
       10,
       70,
       {},
       Q::kDoseMgPerKg,
       hard,
       refused},
      {"absolute mg typed as mg/kg: 280 mg IM",
       "ed-sedation-adult-im",
       70,
       35,
       100,
       280,
       {},
       Q::kDoseMgPerKg,
       hard,
       refused},
      {"mg/kg/min typed as mg/kg/h: 0.35 x 60 = 21",
       "crps-outpatient-4h",
       70,
       35,
       1,
       {},
       21,
       Q::kRateMgPerKgPerH,
       hard,
       refused},
      {"undiluted 100 mg/mL vial entered for an IV infusion",
       "depression-standard",
       70,
       35,
       100,
       {},
       {},
       Q::kConcentrationMgPerMl,
       hard,
       refused},
      {"undiluted 100 mg/mL vial for an IV push (label: dilute)",
       "ed-sedation-adult-iv",
       70,
       35,
       100,
       {},
       {},
       Q::kConcentrationMgPerMl,
       hard,
       refused},
      {"10 mg/mL vial hung where the 1 mg/mL bag was meant",
       "depression-standard",
       70,
       35,
       10,
       {},
       {},
       Q::kConcentrationMgPerMl,
       soft,
       needs},
      {"ug/mL typed as mg/mL: 1000",
       "ed-sedation-adult-im",
       70,
       35,
       1000,
       {},
       {},
       Q::kConcentrationMgPerMl,
       hard,
       refused},
      {"weight in pounds (154 lb entered as kg) for a 70-kg adult",
       "ed-sedation-adult-iv",
       154,
       35,
       10,
       {},
       {},
       Q::kDoseMg,
       soft,
       needs},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.error);
    auto req = request(r.protocol, r.weight_kg, r.conc, r.age_y, 175);
    if (r.dose_mg_per_kg) req.dose_per_kg = units::MgPerKg(*r.dose_mg_per_kg);
    if (r.rate_mg_per_kg_per_h) req.rate_per_kg = units::MgPerKgPerH(*r.rate_mg_per_kg_per_h);
    const Plan p = plan(req);
    EXPECT_NE(failed(p, r.caught_by, r.level), nullptr);
    EXPECT_EQ(p.status, r.status);
  }
}

TEST(ClassicErrors, TenfoldConcentrationChangesVolumeNotDose) {
  // Same 35 mg either way: 52.5 mL/h at 1 mg/mL, 5.25 -> 5.2 mL/h at 10 mg/mL. The mL/h differs
  // 10x, which is exactly what a pump programmed for the wrong bag gets wrong.
  const Plan one = plan(request("depression-standard", 70, 1));
  const Plan ten = plan(request("depression-standard", 70, 10));
  EXPECT_NEAR(one.pump_rate->value(), 52.5, 1e-9);
  EXPECT_NEAR(ten.pump_rate->value(), 5.2, 1e-9);
  EXPECT_NEAR(ten.dose.value(), 5.2 * 10 * 40.0 / 60.0, 1e-9);  // 34.6667 mg delivered
  EXPECT_NEAR(one.volume.value() / ten.volume.value(), 35.0 / (5.2 * 40.0 / 60.0), 1e-9);
}

TEST(ClassicErrors, ImpossibleWeightsAreBadInputNotPlans) {
  // Grams for kilograms (70000) is not a weight; zero and negative are never weights.
  for (double w : {70000.0, 0.0, -70.0}) {
    SCOPED_TRACE(w);
    try {
      plan(request("depression-standard", w, 1));
      ADD_FAILURE() << "accepted weight " << w;
    } catch (const InputError& e) {
      EXPECT_EQ(e.field(), "patient.weight_kg");
    }
  }
}

struct ConversionRow {
  const char* source;
  double computed, expected;
};

TEST(Conversions, FactorsUsedByTheCalculator) {
  using namespace units;
  const ConversionRow rows[] = {
      {"CHEO max 1500 ug/kg/h = 1.5 mg/kg/h (pharmacology.md 7)", mg_from(Mcg(1500)).value(), 1.5},
      {"STANPUMP 0.75 mg/kg/min = 45 mg/kg/h (pharmacology.md 2.6)",
       mg_per_h(MgPerMin(0.75)).value(), 45.0},
      {"Idvall 41 ug/kg/min = 2.46 mg/kg/h (pharmacology.md 1.9)",
       mg_per_kg_per_h(McgPerKgPerMin(41)).value(), 2.46},
      {"0.5 mg/kg over 40 min = 0.75 mg/kg/h (pharmacology.md 7)", 0.5 / (40.0 / 60.0), 0.75},
      {"mL/h = mg/kg/h x kg / (mg/mL): 0.75 x 70 / 1 = 52.5 (pharmacology.md 7)",
       pump_rate(rate_for(MgPerKgPerH(0.75), Kg(70)), MgPerMl(1)).value(), 52.5},
      {"dose = mg/kg x kg: 0.5 x 70 = 35 mg", dose_for(MgPerKg(0.5), Kg(70)).value(), 35.0},
      {"volume = mg / (mg/mL): 35 mg at 10 mg/mL = 3.5 mL", volume_for(Mg(35), MgPerMl(10)).value(),
       3.5},
  };
  for (const auto& r : rows) EXPECT_NEAR(r.computed, r.expected, 1e-12) << r.source;
}

}  // namespace
}  // namespace kit::dosing
