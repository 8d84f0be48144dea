#include "core/screening/screen.h"

#include <algorithm>
#include <string>

#include "core/common/error.h"

namespace kit::screening {

namespace {

// Plausibility bounds on answers: they catch typing errors and unit mix-ups; they are not
// clinical thresholds.
void require_range(double v, double lo, double hi, const char* field) {
  if (!(v >= lo && v <= hi)) {
    throw InputError(field, "must be between " + std::to_string(static_cast<int>(lo)) + " and " +
                                std::to_string(static_cast<int>(hi)));
  }
}

void add_once(std::vector<std::string_view>& actions, std::string_view code) {
  if (std::find(actions.begin(), actions.end(), code) == actions.end()) actions.push_back(code);
}

}  // namespace

void validate(const Intake& intake, const std::optional<PreInfusionAnswers>& pre,
              const ScreeningPolicy& policy) {
  require_range(intake.age_years, 0, 130, "age_years");
  require_range(intake.benzodiazepine_lorazepam_eq_mg_per_day, 0, 1000,
                "medications.benzodiazepine_lorazepam_eq_mg_per_day");
  if (intake.planned_schedule) {
    require_range(intake.planned_schedule->infusions_per_week, 0, 7,
                  "planned_schedule.infusions_per_week");
    require_range(intake.planned_schedule->months_at_this_frequency, 0, 600,
                  "planned_schedule.months_at_this_frequency");
  }
  if (pre) {
    require_range(pre->sbp_mmhg, 40, 300, "pre_infusion.sbp_mmhg");
    require_range(pre->dbp_mmhg, 20, 200, "pre_infusion.dbp_mmhg");
    if (pre->dbp_mmhg >= pre->sbp_mmhg) {
      throw InputError("pre_infusion.dbp_mmhg", "must be lower than sbp_mmhg");
    }
  }
  require_range(policy.minimum_age_years, 0, 130, "policy.minimum_age_years");
  require_range(policy.benzodiazepine_max_lorazepam_eq_mg_per_day, 0, 1000,
                "policy.benzodiazepine_max_lorazepam_eq_mg_per_day");
  require_range(policy.pre_infusion.max_sbp_mmhg, 80, 300, "policy.max_sbp_mmhg");
  require_range(policy.pre_infusion.max_dbp_mmhg, 40, 200, "policy.max_dbp_mmhg");
}

ScreeningResult screen(const Intake& intake, const std::optional<PreInfusionAnswers>& pre,
                       const ScreeningPolicy& policy) {
  validate(intake, pre, policy);
  ScreeningResult r;
  RuleResult rules = evaluate_rules(intake, policy);
  r.eligible = rules.absolute.empty();
  if (!r.eligible) add_once(r.actions, "do_not_infuse");
  if (!rules.relative.empty()) add_once(r.actions, "physician_review_relative_contraindications");
  for (auto code : rules.extra_actions) add_once(r.actions, code);

  if (setting_of(intake.indication) == Setting::kPsychiatric) {
    // Sanacora 2017 [S]: the workup and monitoring a psychiatric infusion service provides.
    for (auto code :
         {"psychiatric_evaluation", "urine_toxicology_if_indicated", "baseline_blood_pressure",
          "continuous_monitoring", "acls_certified_clinician"}) {
      add_once(r.actions, code);
    }
    // Sanacora 2017 [S]: reconsider if treatment > 2x/week for > 2 months.
    if (intake.planned_schedule && intake.planned_schedule->infusions_per_week > 2 &&
        intake.planned_schedule->months_at_this_frequency > 2) {
      add_once(r.actions, "reconsider_frequency");
    }
  }
  r.absolute = std::move(rules.absolute);
  r.relative = std::move(rules.relative);

  if (pre) {
    PreInfusionResult checks = check_pre_infusion(*pre, policy.pre_infusion);
    for (auto code : checks.actions) add_once(r.actions, code);
    const bool review_ok = r.relative.empty() || pre->physician_reviewed_relative_contraindications;
    if (!review_ok) add_once(r.actions, "physician_review_not_documented");
    r.cleared_to_start = r.eligible && checks.passed && review_ok;
    r.pre_infusion = std::move(checks);
  }
  return r;
}

}  // namespace kit::screening
