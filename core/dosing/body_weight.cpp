#include "core/dosing/body_weight.h"

#include <algorithm>
#include <cmath>
#include <sstream>

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
// Devine is an adult formula: not validated in children (calcfyi.com [S];
// docs/clinical-rules/dosing.md section 2).
constexpr double kDevineMinAgeY = 18.0;

std::string one_decimal(double v) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(1);
  s << v;
  return s.str();
}
}  // namespace

double printed_bmi(double bmi) { return std::round(bmi * 10.0) / 10.0; }

std::optional<std::string> devine_not_applicable(units::Cm height, units::Years age) {
  if (age.value() < kDevineMinAgeY) {
    return "no ideal body weight: the Devine formula is an adult formula (not validated under 18 "
           "years)";
  }
  // 1e-9: 152.4 cm is exactly 60 in, inside the range.
  if (height.value() / kCmPerInch < kDevineBaseHeightIn - 1e-9) {
    return "no ideal body weight: the Devine formula starts at 60 in (152.4 cm); height " +
           one_decimal(height.value()) + " cm is below its range";
  }
  return std::nullopt;
}

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

DosingWeight dosing_weight(const WeightRule& rule, units::Kg actual, units::Cm height, Sex sex,
                           units::Years age) {
  DosingWeight out;
  out.bmi_kg_per_m2 = printed_bmi(bmi_kg_per_m2(actual, height));
  out.weight = actual;
  out.basis = WeightBasis::kActual;
  if (auto why = devine_not_applicable(height, age)) {
    out.ideal_note = *why;
  } else {
    out.ideal = devine_ideal_weight(height, sex);
  }
  const std::string bmi = "BMI " + one_decimal(out.bmi_kg_per_m2) + " kg/m2";
  if (rule.kind == WeightRuleKind::kActual) {
    out.reason = "actual body weight: the protocol's rule (" + rule.source + ")";
    return out;
  }
  const std::string threshold = one_decimal(rule.bmi_threshold_kg_per_m2);
  const std::string lean = rule.kind == WeightRuleKind::kIdealWhenBmiAtLeast ? "ideal" : "adjusted";
  if (!out.ideal) {
    out.reason = "actual body weight: " + out.ideal_note + " (the protocol's " + lean +
                 "-weight rule cannot apply; the trials dosed actual weight)";
    return out;
  }
  // The rule compares the printed BMI (0.1 kg/m2), never an unrounded 29.99...
  if (out.bmi_kg_per_m2 < rule.bmi_threshold_kg_per_m2) {
    out.reason = "actual body weight: " + bmi + " is below " + threshold + " (" + rule.source + ")";
    return out;
  }
  // A lean basis only ever lowers the dosing weight: a short obese patient whose IBW exceeds the
  // actual weight keeps the actual weight.
  if (!(*out.ideal < actual)) {
    out.reason = "actual body weight: " + bmi + " >= " + threshold +
                 " but the ideal weight is not below the actual weight";
    return out;
  }
  if (rule.kind == WeightRuleKind::kIdealWhenBmiAtLeast) {
    out.weight = *out.ideal;
    out.basis = WeightBasis::kIdeal;
  } else {
    out.weight = adjusted_weight(actual, *out.ideal);
    out.basis = WeightBasis::kAdjusted;
  }
  out.reason = lean + " body weight: " + bmi + " >= " + threshold + " (" + rule.source + ")";
  return out;
}

}  // namespace kit::dosing
