#pragma once
// The whole intake screen: contraindications for the indication's setting, the actions they call
// for, and (when day-of-infusion answers are given) the pre-infusion checks.
#include <optional>
#include <string_view>
#include <vector>

#include "core/screening/intake.h"
#include "core/screening/policy.h"
#include "core/screening/pre_infusion.h"
#include "core/screening/rules.h"

namespace kit::screening {

struct ScreeningResult {
  bool eligible = true;  // no absolute contraindication
  std::vector<Finding> absolute;
  std::vector<Finding> relative;
  std::vector<std::string_view> actions;  // action codes, in order, each once (see actions.h)
  std::optional<PreInfusionResult> pre_infusion;
  // Only with pre-infusion answers: eligible, every check passed, and any relative
  // contraindication has a documented physician review.
  std::optional<bool> cleared_to_start;
};

// Refuses out-of-range answers and policy values with kit::InputError naming the JSON field
// (a clinic blood-pressure limit may only be stricter than the product information's 180/100).
void validate(const Intake& intake, const std::optional<PreInfusionAnswers>& pre_infusion,
              const ScreeningPolicy& policy);

// Answers that contradict the patient record are refused with kit::RuleRefused naming
// `age_years` (whole years differ) or `indication` (the record's indication differs).
void check_against_record(const Intake& intake, const RecordFacts& record);

ScreeningResult screen(const Intake& intake, const std::optional<PreInfusionAnswers>& pre_infusion,
                       const ScreeningPolicy& policy = {}, const RecordFacts& record = {});

}  // namespace kit::screening
