// The conversions that expose the classic dosing errors (micrograms for milligrams, per-kg for
// absolute, a 10x concentration, minutes for hours). The errors themselves, each caught by a limit,
// are clinical cases in tests/cases/dosing.cases.
#include <gtest/gtest.h>

#include "core/common/units.h"

namespace kit::dosing {
namespace {

struct ConversionRow {
  const char* source;
  double computed, expected;
};

TEST(Conversions, FactorsUsedByTheCalculator) {
  using namespace units;
  const ConversionRow rows[] = {
      {"CHEO max 1500 ug/kg/h = 1.5 mg/kg/h (docs/reference/pharmacology.md §7)",
       mg_from(Mcg(1500)).value(), 1.5},
      {"STANPUMP 0.75 mg/kg/min = 45 mg/kg/h (docs/reference/pharmacology.md §2.6)",
       mg_per_h(MgPerMin(0.75)).value(), 45.0},
      {"Idvall 41 ug/kg/min = 2.46 mg/kg/h (docs/reference/pharmacology.md §1.9)",
       mg_per_kg_per_h(McgPerKgPerMin(41)).value(), 2.46},
      {"0.5 mg/kg over 40 min = 0.75 mg/kg/h (docs/reference/pharmacology.md §7)",
       0.5 / (40.0 / 60.0), 0.75},
      {"mL/h = mg/kg/h x kg / (mg/mL): 0.75 x 70 / 1 = 52.5 (docs/reference/pharmacology.md §7)",
       pump_rate(rate_for(MgPerKgPerH(0.75), Kg(70)), MgPerMl(1)).value(), 52.5},
      {"dose = mg/kg x kg: 0.5 x 70 = 35 mg", dose_for(MgPerKg(0.5), Kg(70)).value(), 35.0},
      {"volume = mg / (mg/mL): 35 mg at 10 mg/mL = 3.5 mL", volume_for(Mg(35), MgPerMl(10)).value(),
       3.5},
  };
  for (const auto& r : rows) EXPECT_NEAR(r.computed, r.expected, 1e-12) << r.source;
}

}  // namespace
}  // namespace kit::dosing
