#pragma once
// Contraindication rules as data: each rule says when it applies and, per setting, whether it is
// absolute or relative and on what authority (a published source, or clinic policy).
#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/screening/intake.h"
#include "core/screening/policy.h"

namespace kit::screening {

std::string_view to_string(Severity severity);
std::string_view to_string(Basis basis);

// How one rule is classified in one setting.
enum class PlacementKind {
  kNotApplicable,
  kFixed,           // severity and basis as written
  kTrialExclusion,  // severity from ScreeningPolicy::trial_exclusion_severity, basis policy
};
struct Placement {
  PlacementKind kind = PlacementKind::kNotApplicable;
  Severity severity = Severity::kRelative;
  Basis basis = Basis::kPolicy;
  std::string_view source;
};

// What makes a rule fire.
enum class Trigger {
  kYesAnswer,  // conditions.<id> answered true
  // conditions.<id> answered true, or the day-of blood pressure above the product-information
  // limit 180/100 (docs/reference/pharmacology.md §10)
  kYesAnswerOrPreInfusionBpAboveLabel,
  kAgeUnder3Months,  // age_years < 0.25
  kBelowMinimumAge,  // age_years < policy.minimum_age_years
  kHepaticSevere,    // hepatic_impairment == severe
  kHepaticModerate,  // hepatic_impairment == moderate
  kBenzodiazepineAboveLimit,
  kPosteriorPharynxProcedure,
};

struct Rule {
  std::string_view id;
  std::string_view finding;  // what was found, in words
  Trigger trigger;
  std::array<Placement, kSettingCount> placements;  // indexed by Setting
  std::string_view extra_action;  // action code added when the rule fires ("" for none)
};

std::span<const Rule> contraindication_rules();
// The ids of the yes/no rules: exactly the keys of the "conditions" object.
std::vector<std::string_view> yes_no_condition_keys();
// The keys among them that a request may leave out (answer "no"): the questions added after the
// schema was first published, so that older callers keep working.
bool is_optional_condition_key(std::string_view key);

struct Finding {
  std::string rule;
  std::string finding;
  Severity severity;
  Basis basis;
  std::string source;
};

struct RuleResult {
  std::vector<Finding> absolute;
  std::vector<Finding> relative;
  std::vector<std::string_view> extra_actions;
};

RuleResult evaluate_rules(const Intake& intake, const ScreeningPolicy& policy);

}  // namespace kit::screening
