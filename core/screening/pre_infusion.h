#pragma once
// Day-of-infusion checks before starting: blood pressure against the clinic limit, fasting as
// instructed, escort home. Thresholds are policy (see policy.h for their anchors).
#include <optional>
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
  std::optional<double> hr_bpm;        // optional unless policy.require_heart_rate_and_spo2
  std::optional<double> spo2_percent;  // on room air; same
  bool physician_reviewed_relative_contraindications = false;
};

struct PreInfusionCheck {
  // "blood_pressure", "heart_rate", "spo2", "fasting", "escort_home"
  std::string check;
  bool passed = false;
  std::string detail;
  Basis basis = Basis::kPolicy;
};

struct PreInfusionResult {
  bool passed = true;
  // The reading is above the product-information limit 180/100 (not only a stricter clinic one).
  bool bp_above_label_limit = false;
  std::vector<PreInfusionCheck> checks;
  std::vector<std::string_view> actions;  // action codes (see actions.h)
};

PreInfusionResult check_pre_infusion(const PreInfusionAnswers& answers,
                                     const PreInfusionPolicy& policy);

}  // namespace kit::screening
