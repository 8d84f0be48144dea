#include "core/dosing/body_weight.h"

#include <algorithm>

namespace kit::dosing {

namespace {
// International inch, exactly 2.54 cm (definition).
constexpr double kCmPerInch = 2.54;
// Devine 1974: IBW = 50 kg (men) / 45.5 kg (women) + 2.3 kg per inch over 60 in. Seen only in
// secondary sources (calcfyi.com, calculatorhub.com, bmihealthchecker.com citing Devine BJ 1974)
// [S].
constexpr double kDevineBaseMaleKg = 50.0;
constexpr double kDevineBaseFemaleKg = 45.5;
constexpr double kDevineKgPerInch = 2.3;
constexpr double kDevineBaseHeightIn = 60.0;
// Adjusted body weight factor 0.4 of the excess over IBW (bmihealthchecker.com, calculatorhub.com)
// [S]; the primary origin of 0.4 was not found.
constexpr double kAdjustedExcessFraction = 0.4;
}  // namespace

double bmi_kg_per_m2(units::Kg weight, units::Cm height) {
  const double height_m = height.value() / 100.0;
  return weight.value() / (height_m * height_m);
}

units::Kg devine_ideal_weight(units::Cm height, Sex sex) {
  const double base_kg = (sex == Sex::kMale) ? kDevineBaseMaleKg : kDevineBaseFemaleKg;
  const double height_in = height.value() / kCmPerInch;
  // Below 60 in the formula is not defined; calculators return the base value (calculatorhub.com
  // [S]). The caller never doses above actual weight, so this cannot raise a dose above TBW.
  const double inches_over = std::max(0.0, height_in - kDevineBaseHeightIn);
  return units::Kg(base_kg + kDevineKgPerInch * inches_over);
}

units::Kg adjusted_weight(units::Kg actual, units::Kg ideal) {
  return ideal + (actual - ideal) * kAdjustedExcessFraction;
}

DosingWeight dosing_weight(const WeightRule& rule, units::Kg actual, units::Cm height, Sex sex) {
  DosingWeight out;
  out.ideal = devine_ideal_weight(height, sex);
  out.bmi_kg_per_m2 = bmi_kg_per_m2(actual, height);
  out.weight = actual;
  out.basis = WeightBasis::kActual;
  const bool obese = out.bmi_kg_per_m2 >= rule.bmi_threshold_kg_per_m2;
  // A lean basis only ever lowers the dosing weight: a short obese patient whose IBW exceeds the
  // actual weight keeps the actual weight.
  if (rule.kind == WeightRuleKind::kIdealWhenBmiAtLeast && obese && out.ideal < actual) {
    out.weight = out.ideal;
    out.basis = WeightBasis::kIdeal;
  } else if (rule.kind == WeightRuleKind::kAdjustedWhenBmiAtLeast && obese && out.ideal < actual) {
    out.weight = adjusted_weight(actual, out.ideal);
    out.basis = WeightBasis::kAdjusted;
  }
  return out;
}

}  // namespace kit::dosing
