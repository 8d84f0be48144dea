#include "core/screening/screen.h"

#include <algorithm>
#include <cmath>
#include <sstream>
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

std::string fmt_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
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
    if (pre->hr_bpm) require_range(*pre->hr_bpm, 20, 250, "pre_infusion.hr_bpm");
    if (pre->spo2_percent) require_range(*pre->spo2_percent, 50, 100, "pre_infusion.spo2_percent");
    if (policy.pre_infusion.require_heart_rate_and_spo2) {
      if (!pre->hr_bpm) {
        throw InputError("pre_infusion.hr_bpm",
                         "is required by policy.require_heart_rate_and_spo2");
      }
      if (!pre->spo2_percent) {
        throw InputError("pre_infusion.spo2_percent",
                         "is required by policy.require_heart_rate_and_spo2");
      }
    }
  }
  require_range(policy.minimum_age_years, 0, 130, "policy.minimum_age_years");
  require_range(policy.benzodiazepine_max_lorazepam_eq_mg_per_day, 0, 1000,
                "policy.benzodiazepine_max_lorazepam_eq_mg_per_day");
  // The product information contraindicates ketamine above 180/100 mmHg at rest
  // (docs/reference/pharmacology.md §10) [P]: a clinic limit may be stricter, never laxer.
  require_range(policy.pre_infusion.max_sbp_mmhg, 80, kLabelMaxSbpMmhg, "policy.max_sbp_mmhg");
  require_range(policy.pre_infusion.max_dbp_mmhg, 40, kLabelMaxDbpMmhg, "policy.max_dbp_mmhg");
  require_range(policy.pre_infusion.min_hr_bpm, 20, 250, "policy.min_hr_bpm");
  require_range(policy.pre_infusion.max_hr_bpm, 20, 250, "policy.max_hr_bpm");
  if (policy.pre_infusion.min_hr_bpm >= policy.pre_infusion.max_hr_bpm) {
    throw InputError("policy.min_hr_bpm", "must be lower than max_hr_bpm");
  }
  require_range(policy.pre_infusion.spo2_above_percent, 50, 99, "policy.spo2_above_percent");
}

void check_against_record(const Intake& intake, const RecordFacts& record) {
  if (record.age_years && std::floor(intake.age_years) != std::floor(*record.age_years)) {
    throw RuleRefused("age_years", "age_years " + fmt_number(intake.age_years) +
                                       " does not match the patient record (" +
                                       fmt_number(std::floor(*record.age_years)) +
                                       " years from the date of birth); correct one of them");
  }
  if (record.indication && *record.indication != to_string(intake.indication)) {
    throw RuleRefused("indication", "indication " + std::string(to_string(intake.indication)) +
                                        " does not match the patient record ('" +
                                        *record.indication + "'); correct one of them");
  }
}

ScreeningResult screen(const Intake& answers, const std::optional<PreInfusionAnswers>& pre,
                       const ScreeningPolicy& policy, const RecordFacts& record) {
  validate(answers, pre, policy);
  check_against_record(answers, record);
  ScreeningResult r;
  std::optional<PreInfusionResult> checks;
  Intake intake = answers;
  if (pre) {
    checks = check_pre_infusion(*pre, policy.pre_infusion);
    // A day-of reading above the label limit is the finding "uncontrolled hypertension" (§10).
    intake.pre_infusion_bp_above_label_limit = checks->bp_above_label_limit;
  }
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
    for (auto code : checks->actions) add_once(r.actions, code);
    const bool review_ok = r.relative.empty() || pre->physician_reviewed_relative_contraindications;
    if (!review_ok) add_once(r.actions, "physician_review_not_documented");
    r.cleared_to_start = r.eligible && checks->passed && review_ok;
    r.pre_infusion = std::move(checks);
  }
  return r;
}

}  // namespace kit::screening
