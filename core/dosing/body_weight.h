#pragma once
// Dosing weight: which weight a per-kg dose multiplies. Formulas and their sources are in
// body_weight.cpp and docs/clinical-rules/dosing.md.
#include <optional>

#include "core/common/units.h"
#include "core/dosing/protocol.h"

namespace kit::dosing {

enum class Sex { kFemale, kMale };
enum class WeightBasis { kActual, kIdeal, kAdjusted };

// Body-mass index, kg/m^2 (definition: weight / height^2).
double bmi_kg_per_m2(units::Kg weight, units::Cm height);

// Devine ideal body weight (adults). Heights at or below 60 in return the base value.
units::Kg devine_ideal_weight(units::Cm height, Sex sex);

// Adjusted body weight = IBW + 0.4 x (actual - IBW).
units::Kg adjusted_weight(units::Kg actual, units::Kg ideal);

struct DosingWeight {
  units::Kg weight;
  WeightBasis basis = WeightBasis::kActual;
  units::Kg ideal;  // always computed, reported for transparency
  double bmi_kg_per_m2 = 0;
};

// Applies a protocol's weight rule. Never returns more than the actual weight.
DosingWeight dosing_weight(const WeightRule& rule, units::Kg actual, units::Cm height, Sex sex);

}  // namespace kit::dosing
