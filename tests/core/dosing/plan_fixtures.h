#pragma once
// Builders for dose requests used across the dosing tests.
#include <optional>
#include <string>

#include "core/dosing/dose_calculator.h"
#include "core/dosing/drug_library.h"

namespace kit::dosing::test {

inline PlanRequest request(std::string protocol, double weight_kg, double conc_mg_per_ml,
                           double age_y = 35.0, double height_cm = 175.0, Sex sex = Sex::kFemale) {
  PlanRequest r;
  r.protocol_id = std::move(protocol);
  r.patient = Patient{units::Kg(weight_kg), units::Cm(height_cm), sex, units::Years(age_y)};
  r.preparation.concentration = units::MgPerMl(conc_mg_per_ml);
  return r;
}

inline Plan plan(const PlanRequest& r) { return compute_plan(builtin_library(), r); }

// The first failed check on `quantity` at `level`, if any.
inline const CheckResult* failed(const Plan& p, LimitQuantity quantity, LimitLevel level) {
  for (const auto& c : p.checks) {
    if (!c.passed && c.limit.quantity == quantity && c.limit.level == level) return &c;
  }
  return nullptr;
}

}  // namespace kit::dosing::test
