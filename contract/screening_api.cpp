#include "contract/screening_api.h"

#include <nlohmann/json.hpp>
#include <string>

#include "contract/json_reader.h"
#include "core/common/error.h"
#include "core/screening/actions.h"
#include "core/screening/screen.h"

namespace kit::contract {

namespace {

using namespace kit::screening;

Indication read_indication(ObjectReader& r) {
  const std::string text = r.string("indication");
  auto indication = parse_indication(text);
  if (!indication) throw InputError("indication", "must be one of " + indication_names());
  return *indication;
}

void read_conditions(ObjectReader& r, Intake& intake) {
  ObjectReader c = r.object("conditions");
  for (std::string_view key : yes_no_condition_keys()) {
    const bool yes =
        is_optional_condition_key(key) ? c.optional_boolean(key).value_or(false) : c.boolean(key);
    if (yes) intake.conditions_present.emplace(key);
  }
  auto hepatic = parse_hepatic_impairment(c.string("hepatic_impairment"));
  if (!hepatic) {
    throw InputError(c.path_of("hepatic_impairment"),
                     "must be one of none, mild, moderate, severe");
  }
  intake.hepatic_impairment = *hepatic;
  c.finish();
}

std::optional<PreInfusionAnswers> read_pre_infusion(ObjectReader& r) {
  auto p = r.optional_object("pre_infusion");
  if (!p) return std::nullopt;
  PreInfusionAnswers a;
  a.sbp_mmhg = p->number("sbp_mmhg");
  a.dbp_mmhg = p->number("dbp_mmhg");
  a.fasted_as_instructed = p->boolean("fasted_as_instructed");
  a.escort_home_confirmed = p->boolean("escort_home_confirmed");
  a.hr_bpm = p->optional_number("hr_bpm");
  a.spo2_percent = p->optional_number("spo2_percent");
  a.physician_reviewed_relative_contraindications =
      p->optional_boolean("physician_reviewed_relative_contraindications").value_or(false);
  p->finish();
  return a;
}

ScreeningPolicy read_policy(ObjectReader& r) {
  ScreeningPolicy policy;
  auto p = r.optional_object("policy");
  if (!p) return policy;
  policy.minimum_age_years =
      p->optional_number("minimum_age_years").value_or(policy.minimum_age_years);
  if (auto t = p->optional_string("trial_exclusions")) {
    if (*t == "absolute") {
      policy.trial_exclusion_severity = Severity::kAbsolute;
    } else if (*t == "relative") {
      policy.trial_exclusion_severity = Severity::kRelative;
    } else {
      throw InputError(p->path_of("trial_exclusions"), "must be absolute or relative");
    }
  }
  policy.benzodiazepine_max_lorazepam_eq_mg_per_day =
      p->optional_number("benzodiazepine_max_lorazepam_eq_mg_per_day")
          .value_or(policy.benzodiazepine_max_lorazepam_eq_mg_per_day);
  auto& pre = policy.pre_infusion;
  pre.max_sbp_mmhg = p->optional_number("max_sbp_mmhg").value_or(pre.max_sbp_mmhg);
  pre.max_dbp_mmhg = p->optional_number("max_dbp_mmhg").value_or(pre.max_dbp_mmhg);
  pre.require_fasted_as_instructed = p->optional_boolean("require_fasted_as_instructed")
                                         .value_or(pre.require_fasted_as_instructed);
  pre.require_escort_home =
      p->optional_boolean("require_escort_home").value_or(pre.require_escort_home);
  pre.min_hr_bpm = p->optional_number("min_hr_bpm").value_or(pre.min_hr_bpm);
  pre.max_hr_bpm = p->optional_number("max_hr_bpm").value_or(pre.max_hr_bpm);
  pre.spo2_above_percent =
      p->optional_number("spo2_above_percent").value_or(pre.spo2_above_percent);
  pre.require_heart_rate_and_spo2 =
      p->optional_boolean("require_heart_rate_and_spo2").value_or(pre.require_heart_rate_and_spo2);
  p->finish();
  return policy;
}

Json findings_json(const std::vector<Finding>& findings) {
  Json out = Json::array();
  for (const auto& f : findings) {
    out.push_back({{"rule", f.rule},
                   {"finding", f.finding},
                   {"basis", std::string(to_string(f.basis))},
                   {"source", f.source}});
  }
  return out;
}

Json actions_json(const std::vector<std::string_view>& codes) {
  Json out = Json::array();
  for (auto code : codes) {
    const ActionInfo* a = find_action(code);
    if (a == nullptr)
      throw std::logic_error("action without catalogue entry: " + std::string(code));
    out.push_back({{"code", std::string(a->code)},
                   {"text", std::string(a->text)},
                   {"basis", std::string(to_string(a->basis))},
                   {"source", std::string(a->source)}});
  }
  return out;
}

Json policy_json(const ScreeningPolicy& p) {
  return {
      {"basis", "policy"},
      {"minimum_age_years", p.minimum_age_years},
      {"trial_exclusions", std::string(to_string(p.trial_exclusion_severity))},
      {"benzodiazepine_max_lorazepam_eq_mg_per_day", p.benzodiazepine_max_lorazepam_eq_mg_per_day},
      {"max_sbp_mmhg", p.pre_infusion.max_sbp_mmhg},
      {"max_dbp_mmhg", p.pre_infusion.max_dbp_mmhg},
      {"require_fasted_as_instructed", p.pre_infusion.require_fasted_as_instructed},
      {"require_escort_home", p.pre_infusion.require_escort_home},
      {"min_hr_bpm", p.pre_infusion.min_hr_bpm},
      {"max_hr_bpm", p.pre_infusion.max_hr_bpm},
      {"spo2_above_percent", p.pre_infusion.spo2_above_percent},
      {"require_heart_rate_and_spo2", p.pre_infusion.require_heart_rate_and_spo2}};
}

}  // namespace

Json handle_screen(const Json& request) {
  ObjectReader r(request, "");
  Intake intake;
  intake.indication = read_indication(r);
  intake.age_years = r.number("age_years");
  read_conditions(r, intake);
  {
    ObjectReader m = r.object("medications");
    intake.benzodiazepine_lorazepam_eq_mg_per_day =
        m.number("benzodiazepine_lorazepam_eq_mg_per_day");
    m.finish();
  }
  if (intake.indication == Indication::kEdSedation) {
    ObjectReader e = r.object("ed_procedure");
    intake.major_posterior_pharynx_procedure = e.boolean("major_posterior_pharynx_procedure");
    e.finish();
  } else if (r.has("ed_procedure")) {
    throw InputError("ed_procedure", "only for indication ed_sedation");
  }
  if (auto s = r.optional_object("planned_schedule")) {
    intake.planned_schedule =
        PlannedSchedule{s->number("infusions_per_week"), s->number("months_at_this_frequency")};
    s->finish();
  }
  const std::optional<PreInfusionAnswers> pre = read_pre_infusion(r);
  const ScreeningPolicy policy = read_policy(r);
  // The patient record's facts (the server fills them from the record; docs/screening-schema.md).
  RecordFacts record;
  if (auto rec = r.optional_object("record")) {
    record.age_years = rec->optional_number("age_years");
    record.indication = rec->optional_string("indication");
    rec->finish();
  }
  r.finish();

  const ScreeningResult result = screen(intake, pre, policy, record);
  Json out = {{"indication", std::string(to_string(intake.indication))},
              {"setting", std::string(to_string(setting_of(intake.indication)))},
              {"eligible", result.eligible},
              {"absolute", findings_json(result.absolute)},
              {"relative", findings_json(result.relative)},
              {"actions", actions_json(result.actions)},
              {"policy", policy_json(policy)}};
  if (result.pre_infusion) {
    Json checks = Json::array();
    for (const auto& c : result.pre_infusion->checks) {
      checks.push_back({{"check", c.check},
                        {"passed", c.passed},
                        {"detail", c.detail},
                        {"basis", std::string(to_string(c.basis))}});
    }
    out["pre_infusion"] = {{"passed", result.pre_infusion->passed}, {"checks", std::move(checks)}};
    out["cleared_to_start"] = *result.cleared_to_start;
  }
  return out;
}

bool screen_refused(const Json& response) {
  if (!response.value("eligible", false)) return true;
  return response.contains("cleared_to_start") && !response["cleared_to_start"].get<bool>();
}

}  // namespace kit::contract
