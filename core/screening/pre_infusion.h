#pragma once
// Day-of-infusion checks before starting: blood pressure against the clinic limit, fasting as
// instructed, escort home. Thresholds are policy (see policy.h for their anchors).
#include <string>
#include <string_view>
#include <vector>

#include "core/screening/policy.h"

namespace kit::screening {

struct PreInfusionAnswers {
  double sbp_mmhg = 0;
  double dbp_mmhg = 0;
  bool fasted_as_instructed = false;
  bool escort_home_confirmed = false;
  bool physician_reviewed_relative_contraindications = false;
};

struct PreInfusionCheck {
  std::string check;  // "blood_pressure", "fasting", "escort_home"
  bool passed = false;
  std::string detail;
  Basis basis = Basis::kPolicy;
};

struct PreInfusionResult {
  bool passed = true;
  std::vector<PreInfusionCheck> checks;
  std::vector<std::string_view> actions;  // action codes (see actions.h)
};

PreInfusionResult check_pre_infusion(const PreInfusionAnswers& answers,
                                     const PreInfusionPolicy& policy);

}  // namespace kit::screening
