#include "contract/safety_api.h"

#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <string>

#include "contract/json_reader.h"
#include "core/common/error.h"
#include "core/safety/aldrete.h"
#include "core/safety/discharge.h"
#include "core/safety/rcem.h"
#include "core/safety/vitals.h"

namespace kit::contract {

namespace {

using namespace kit::safety;

VitalThreshold read_threshold(const Json& value, const std::string& path) {
  ObjectReader t(value, path);
  auto vital = parse_vital(t.string("vital"));
  if (!vital) {
    throw InputError(t.path_of("vital"),
                     "must be one of sbp_mmhg, dbp_mmhg, hr_bpm, spo2_percent, rr_per_min, "
                     "consciousness, sbp_rise_mmhg, dbp_rise_mmhg");
  }
  auto comparison = parse_comparison(t.string("comparison"));
  if (!comparison) {
    throw InputError(t.path_of("comparison"),
                     "must be one of above, at_or_above, below, at_or_below");
  }
  const double limit = t.number("limit");
  auto action = parse_action(t.string("action"));
  if (!action) {
    throw InputError(t.path_of("action"),
                     "must be one of continue, slow, pause, stop, call_physician");
  }
  std::string anchor =
      "Policy; clinic-supplied: " + t.optional_string("anchor").value_or("no anchor given");
  t.finish();
  return {*vital, *comparison, limit, *action, std::move(anchor)};
}

VitalsPolicy read_vitals_policy(ObjectReader& r) {
  const Json* list = r.optional_array("thresholds");
  if (list == nullptr) return default_vitals_policy();
  VitalsPolicy policy;
  policy.clinic_supplied = true;
  for (std::size_t i = 0; i < list->size(); ++i) {
    policy.thresholds.push_back(read_threshold((*list)[i], element_path("thresholds", i)));
  }
  if (policy.thresholds.empty()) {
    throw InputError("thresholds", "must not be empty (omit it to use the default policy)");
  }
  return policy;
}

}  // namespace

Json handle_vitals(const Json& request) {
  ObjectReader r(request, "");
  VitalSigns v;
  v.sbp_mmhg = r.optional_number("sbp_mmhg");
  v.dbp_mmhg = r.optional_number("dbp_mmhg");
  v.hr_bpm = r.optional_number("hr_bpm");
  v.spo2_percent = r.optional_number("spo2_percent");
  v.rr_per_min = r.optional_number("rr_per_min");
  if (auto c = r.optional_string("consciousness")) {
    v.consciousness = parse_consciousness(*c);
    if (!v.consciousness) {
      throw InputError("consciousness",
                       "must be one of fully_awake, arousable_on_calling, not_responding");
    }
  }
  if (auto b = r.optional_object("baseline")) {
    v.baseline_sbp_mmhg = b->optional_number("sbp_mmhg");
    v.baseline_dbp_mmhg = b->optional_number("dbp_mmhg");
    b->finish();
  }
  const VitalsPolicy policy = read_vitals_policy(r);
  r.finish();

  const VitalsAssessment a = assess_vitals(v, policy);
  Json reasons = Json::array();
  for (const auto& t : a.reasons) {
    reasons.push_back({{"vital", std::string(to_string(t.threshold.vital))},
                       {"value", t.value},
                       {"comparison", std::string(to_string(t.threshold.comparison))},
                       {"limit", t.threshold.limit},
                       {"action", std::string(to_string(t.threshold.action))},
                       {"basis", "policy"},
                       {"anchor", t.threshold.anchor}});
  }
  return {{"action", std::string(to_string(a.action))},
          {"reasons", std::move(reasons)},
          {"policy", policy.clinic_supplied ? "clinic" : "default"}};
}

namespace {

using Answers = std::set<std::string, std::less<>>;

// A checklist object: every item a required boolean, plus optional hours_since_reversal_agent.
Answers read_checklist(ObjectReader& c, std::span<const ChecklistItem> items,
                       std::optional<double>* hours_since_reversal_agent) {
  Answers met;
  for (const auto& item : items) {
    if (c.boolean(item.id)) met.emplace(item.id);
  }
  if (hours_since_reversal_agent != nullptr) {
    *hours_since_reversal_agent = c.optional_number("hours_since_reversal_agent");
  }
  c.finish();
  return met;
}

Json checklist_json(const ChecklistAssessment& a, std::span<const ChecklistItem> items) {
  Json list = Json::array();
  for (const auto& item : items) {
    list.push_back({{"id", std::string(item.id)},
                    {"text", std::string(item.text)},
                    {"basis", std::string(item.basis)},
                    {"source", std::string(item.source)}});
  }
  return {{"ready", a.ready}, {"met", a.met}, {"unmet", a.unmet}, {"items", std::move(list)}};
}

}  // namespace

Json handle_discharge(const Json& request) {
  ObjectReader r(request, "");
  AldreteItems items;
  {
    ObjectReader a = r.object("aldrete");
    auto item = [&a](const char* key) {
      const long long v = a.integer(key);
      if (v < 0 || v > 2) throw InputError(a.path_of(key), "must be 0, 1 or 2");
      return static_cast<int>(v);
    };
    items.activity = item("activity");
    items.respiration = item("respiration");
    items.circulation = item("circulation");
    items.consciousness = item("consciousness");
    items.o2_saturation = item("o2_saturation");
    a.finish();
  }
  // Required: no discharge decision without the time since the last dose (the end of an
  // infusion). docs/clinical-rules/screening-safety.md §3.
  if (!r.has("minutes_since_last_dose")) {
    throw InputError("minutes_since_last_dose",
                     "is required: minutes from the last dose (the end of an infusion) to now");
  }
  const double minutes_since_last_dose = r.number("minutes_since_last_dose");
  DischargeSetting setting = DischargeSetting::kPsychiatricInfusion;
  const bool setting_given = r.has("setting");
  if (auto text = r.optional_string("setting")) {
    auto s = parse_discharge_setting(*text);
    if (!s) {
      throw InputError("setting",
                       "must be one of psychiatric_infusion, chronic_pain_infusion, "
                       "ed_sedation");
    }
    setting = *s;
  }
  LastDoseRoute route = LastDoseRoute::kIv;
  if (setting == DischargeSetting::kEdSedation) {
    auto text = r.optional_string("route");
    if (!text) throw InputError("route", "is required for ed_sedation: iv or im");
    auto rt = parse_last_dose_route(*text);
    if (!rt) throw InputError("route", "must be iv or im");
    route = *rt;
  } else if (r.has("route")) {
    throw InputError("route", "only for setting ed_sedation (an infusion is intravenous)");
  }
  const AldreteRule* rule = &default_aldrete_rule();
  if (auto id = r.optional_string("rule")) {
    if (*id == kWithdrawnAldreteRule) {
      throw InputError("rule",
                       "min8_with_respiration_and_o2_2 comes from a different modified scale and "
                       "is not applied to Aldrete's items (docs/reference/pharmacology.md §10)");
    }
    rule = find_aldrete_rule(*id);
    if (rule == nullptr) {
      std::string ids;
      for (const auto& x : aldrete_rules()) ids += (ids.empty() ? "" : ", ") + std::string(x.id);
      throw InputError("rule", "must be one of " + ids);
    }
  }
  std::optional<int> pre_sedation;
  if (auto p = r.optional_integer("pre_sedation_score")) {
    if (*p < 0 || *p > 10) throw InputError("pre_sedation_score", "must be between 0 and 10");
    pre_sedation = static_cast<int>(*p);
  }
  std::optional<int> minimum_override;
  std::optional<double> minimum_observation;
  if (auto p = r.optional_object("policy")) {
    if (auto m = p->optional_integer("minimum_score")) {
      if (*m < 0 || *m > 10)
        throw InputError(p->path_of("minimum_score"), "must be between 0 and 10");
      minimum_override = static_cast<int>(*m);
    }
    minimum_observation = p->optional_number("minimum_observation_minutes");
    p->finish();
  }
  std::optional<RcemAnswers> rcem;
  if (auto c = r.optional_object("rcem")) {
    RcemAnswers answers;
    for (const auto& criterion : rcem_criteria()) {
      if (c->boolean(criterion.id)) answers.met.emplace(criterion.id);
    }
    answers.hours_since_reversal_agent = c->optional_number("hours_since_reversal_agent");
    c->finish();
    rcem = std::move(answers);
  }
  std::optional<Answers> paediatric;
  std::optional<double> paediatric_reversal_hours;
  if (auto c = r.optional_object("paediatric_ketamine")) {
    paediatric = read_checklist(*c, paediatric_ketamine_items(), &paediatric_reversal_hours);
  }
  std::optional<Answers> home;
  if (auto c = r.optional_object("home_readiness")) {
    home = read_checklist(*c, home_readiness_items(), nullptr);
  }
  r.finish();
  if (rcem && paediatric) {
    throw InputError("paediatric_ketamine",
                     "give rcem (adults) or paediatric_ketamine (children), not both");
  }
  if (setting == DischargeSetting::kEdSedation && !rcem && !paediatric) {
    throw InputError("rcem",
                     "is required for ed_sedation (or paediatric_ketamine for a child): RCEM "
                     "discharge criteria (docs/reference/pharmacology.md §4.3, §13)");
  }

  const AldreteAssessment a = assess_aldrete(items, *rule, minimum_override, pre_sedation);
  const ObservationAssessment obs =
      assess_observation(setting, route, minutes_since_last_dose, minimum_observation);
  Json out = {{"setting", std::string(to_string(setting))},
              {"setting_basis", setting_given ? "request" : "default"},
              {"aldrete",
               {{"score", a.score},
                {"ready", a.ready},
                {"rule",
                 {{"id", std::string(a.rule->id)},
                  {"text", std::string(a.rule->text)},
                  {"source", std::string(a.rule->source)}}},
                {"minimum_score", a.minimum_score},
                {"minimum_score_basis", a.minimum_overridden ? "policy override" : "rule"},
                {"unmet", a.unmet}}},
              {"observation",
               {{"minutes_since_last_dose", obs.minutes_since_last_dose},
                {"minimum_minutes", obs.minimum_minutes},
                {"met", obs.met},
                {"basis", std::string(obs.basis)},
                {"source", std::string(obs.source)}}}};
  if (setting == DischargeSetting::kEdSedation) out["route"] = std::string(to_string(route));
  bool ready = a.ready && obs.met;
  std::optional<Answers> rcem_met;
  if (rcem) {
    const RcemAssessment c = assess_rcem(*rcem);
    out["rcem"] = {{"ready", c.ready},
                   {"met", c.met},
                   {"unmet", c.unmet},
                   {"source", std::string(kRcemSource)}};
    ready = ready && c.ready;
    rcem_met = rcem->met;
  }
  if (paediatric) {
    const ChecklistAssessment c = assess_checklist(
        paediatric_ketamine_items(), *paediatric, paediatric_reversal_hours, "paediatric_ketamine");
    out["paediatric_ketamine"] = checklist_json(c, paediatric_ketamine_items());
    ready = ready && c.ready;
  }
  if (home) {
    const ChecklistAssessment c =
        assess_checklist(home_readiness_items(), *home, std::nullopt, "home_readiness");
    out["home_readiness"] = checklist_json(c, home_readiness_items());
    ready = ready && c.ready;
  }
  Json disagree = Json::array();
  for (const Disagreement& d : disagreements(items, rcem_met, paediatric, home)) {
    disagree.push_back({{"id", d.id}, {"text", d.text}});
  }
  ready = ready && disagree.empty();
  out["disagreements"] = std::move(disagree);
  out["ready_for_discharge"] = ready;
  return out;
}

}  // namespace kit::contract
