#pragma once
// Dosing weight: which weight a per-kg dose multiplies. Formulas and their sources are in
// body_weight.cpp and docs/clinical-rules/dosing.md.
#include <optional>
#include <string>

#include "core/common/units.h"
#include "core/dosing/protocol.h"

namespace kit::dosing {

enum class Sex { kFemale, kMale };
enum class WeightBasis { kActual, kIdeal, kAdjusted };

// Body-mass index, kg/m^2 (definition: weight / height^2).
double bmi_kg_per_m2(units::Kg weight, units::Cm height);

// Devine ideal body weight (adults). Heights at or below 60 in return the base value.
units::Kg devine_ideal_weight(units::Cm height, Sex sex);

// Whether the Devine formula applies: an adult (>= 18 y; not validated in children) at least
// 60 in (152.4 cm) tall (the formula adds weight per inch over 60 in). Empty when it applies,
// otherwise the reason, for the plan to print instead of an ideal weight.
std::optional<std::string> devine_not_applicable(units::Cm height, units::Years age);

// BMI as the plan prints it and as weight rules compare it: rounded to 0.1 kg/m^2, so that the
// rule decides on exactly the number a reader sees (76.8 kg / 160 cm is BMI 30.0, not 29.99...).
double printed_bmi(double bmi_kg_per_m2);

// Adjusted body weight = IBW + 0.4 x (actual - IBW).
units::Kg adjusted_weight(units::Kg actual, units::Kg ideal);

struct DosingWeight {
  units::Kg weight;
  WeightBasis basis = WeightBasis::kActual;
  std::optional<units::Kg> ideal;  // Devine, only where it applies (devine_not_applicable)
  std::string ideal_note;          // why there is no ideal weight, when there is none
  double bmi_kg_per_m2 = 0;        // printed_bmi
  std::string reason;              // why this basis: the rule, the BMI it compared, the source
};

// Applies a protocol's weight rule. Never returns more than the actual weight; where the Devine
// formula does not apply, the actual weight (the trials' basis) and the reason.
DosingWeight dosing_weight(const WeightRule& rule, units::Kg actual, units::Cm height, Sex sex,
                           units::Years age);

}  // namespace kit::dosing
