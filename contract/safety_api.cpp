#include "contract/safety_api.h"

#include <nlohmann/json.hpp>
#include <string>

#include "contract/json_reader.h"
#include "core/common/error.h"
#include "core/safety/aldrete.h"
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
  const AldreteRule* rule = &default_aldrete_rule();
  if (auto id = r.optional_string("rule")) {
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
  if (auto p = r.optional_object("policy")) {
    if (auto m = p->optional_integer("minimum_score")) {
      if (*m < 0 || *m > 10)
        throw InputError(p->path_of("minimum_score"), "must be between 0 and 10");
      minimum_override = static_cast<int>(*m);
    }
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
  r.finish();

  const AldreteAssessment a = assess_aldrete(items, *rule, minimum_override, pre_sedation);
  Json out = {{"aldrete",
               {{"score", a.score},
                {"ready", a.ready},
                {"rule",
                 {{"id", std::string(a.rule->id)},
                  {"text", std::string(a.rule->text)},
                  {"source", std::string(a.rule->source)}}},
                {"minimum_score", a.minimum_score},
                {"minimum_score_basis", a.minimum_overridden ? "policy override" : "rule"},
                {"unmet", a.unmet}}}};
  bool ready = a.ready;
  if (rcem) {
    const RcemAssessment c = assess_rcem(*rcem);
    out["rcem"] = {{"ready", c.ready},
                   {"met", c.met},
                   {"unmet", c.unmet},
                   {"source", std::string(kRcemSource)}};
    ready = ready && c.ready;
  }
  out["ready_for_discharge"] = ready;
  return out;
}

}  // namespace kit::contract
