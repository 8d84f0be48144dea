#include "contract/outcome_analytics_api.h"

#include <limits>
#include <string>

#include "contract/json_reader.h"
#include "core/common/error.h"

namespace kit::contract {

namespace {

namespace an = outcomes::analytics;
namespace st = outcomes::stats;
using json = nlohmann::json;

int small_int(ObjectReader& r, const char* key, std::optional<int> fallback = std::nullopt) {
  const auto v = r.optional_integer(key);
  if (!v) {
    if (fallback) return *fallback;
    throw InputError(r.path_of(key), "is required");
  }
  if (*v < std::numeric_limits<int>::min() || *v > std::numeric_limits<int>::max()) {
    throw InputError(r.path_of(key), "is out of range");
  }
  return static_cast<int>(*v);
}

template <typename F>
void each(ObjectReader& r, const char* key, F&& read) {
  const Json* list = r.optional_array(key);
  if (list == nullptr) return;
  for (std::size_t i = 0; i < list->size(); ++i) {
    ObjectReader e((*list)[i], element_path(r.path_of(key), i));
    read(e);
    e.finish();
  }
}

an::InfusionRecord read_infusion(ObjectReader& r) {
  an::InfusionRecord f;
  const std::string kind = r.string("kind");
  if (kind == "induction") {
    f.kind = an::InfusionKind::induction;
  } else if (kind == "booster") {
    f.kind = an::InfusionKind::booster;
  } else {
    throw InputError(r.path_of("kind"), "must be induction or booster; got '" + kind + "'");
  }
  f.number = small_int(r, "number");
  f.date = r.string("date");
  const std::string status = r.string("status");
  if (status == "completed") {
    f.status = an::InfusionStatus::completed;
  } else if (status == "stopped_early") {
    f.status = an::InfusionStatus::stopped_early;
  } else {
    throw InputError(r.path_of("status"),
                     "must be completed or stopped_early (a voided session was never given); "
                     "got '" +
                         status + "'");
  }
  f.bp_alerts = small_int(r, "bp_alerts", 0);
  f.cadss_total = r.optional_number("cadss_total");
  return f;
}

an::CourseRecord read_course(ObjectReader& r) {
  an::CourseRecord c;
  c.indication = r.string("indication");
  c.protocol = r.string("protocol");
  c.course_start = r.string("course_start");
  c.course_end = r.optional_string("course_end");
  c.planned_induction_infusions = small_int(r, "planned_induction_infusions");
  each(r, "infusions", [&](ObjectReader& e) { c.infusions.push_back(read_infusion(e)); });
  each(r, "assessments", [&](ObjectReader& e) {
    c.assessments.push_back({e.string("instrument"), e.string("date"), e.number("total")});
  });
  each(r, "adverse_events", [&](ObjectReader& e) {
    c.adverse_events.push_back({e.string("date"), e.string("kind"), e.string("severity")});
  });
  each(r, "mme", [&](ObjectReader& e) {
    c.mme.push_back({e.string("date"), e.number("total_mme_per_day")});
  });
  return c;
}

json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json proportion(const st::Proportion& p) {
  return {{"count", p.count},
          {"n", p.n},
          {"share", opt(p.share)},
          {"lower", opt(p.lower)},
          {"upper", opt(p.upper)}};
}

json summary(const st::Summary& s) {
  return {{"n", s.n},        {"min", opt(s.min)}, {"q1", opt(s.q1)}, {"median", opt(s.median)},
          {"q3", opt(s.q3)}, {"max", opt(s.max)}};
}

json km(const st::KmCurve& c) {
  json steps = json::array();
  for (const auto& s : c.steps) {
    steps.push_back({{"day", s.time},
                     {"at_risk", s.at_risk},
                     {"events", s.events},
                     {"censored", s.censored},
                     {"survival", s.survival},
                     {"std_error", opt(s.std_error)},
                     {"lower", opt(s.lower)},
                     {"upper", opt(s.upper)}});
  }
  return {{"subjects", c.subjects},
          {"events", c.events},
          {"censored", c.censored},
          {"median_days", opt(c.median_time)},
          {"steps", steps}};
}

json rates(const std::map<std::string, an::RateCount>& m) {
  json out = json::object();
  for (const auto& [k, v] : m) {
    out[k] = {{"count", v.count}, {"per_100_infusions", opt(v.per_100_infusions)}};
  }
  return out;
}

json instrument(const an::InstrumentOutcomes& o) {
  json hist = json::object();
  for (const auto& [k, n] : o.change_histogram) hist[std::to_string(k)] = n;
  json trajectory = json::array();
  for (const auto& p : o.change_trajectory) {
    trajectory.push_back({{"week", p.week}, {"change", summary(p.change)}});
  }
  return {{"instrument", o.instrument},
          {"with_baseline", o.with_baseline},
          {"evaluable", o.evaluable},
          {"responders", proportion(o.responders)},
          {"remitters", proportion(o.remitters)},
          {"change", summary(o.change)},
          {"change_pct", summary(o.change_pct)},
          {"latest_status", o.latest_status},
          {"response_by_infusion",
           {{"cumulative", o.by_infusion.cumulative},
            {"by_6", proportion(o.by_infusion.by_6)},
            {"at_7_to_9", proportion(o.by_infusion.at_7_to_9)},
            {"at_10_to_12", proportion(o.by_infusion.at_10_to_12)},
            {"after_a_booster", o.by_infusion.after_a_booster},
            {"never", o.by_infusion.never}}},
          {"durability", km(o.durability)},
          {"reduction_moderate",
           o.reduction_moderate ? proportion(*o.reduction_moderate) : json(nullptr)},
          {"reduction_substantial",
           o.reduction_substantial ? proportion(*o.reduction_substantial) : json(nullptr)},
          {"change_histogram", hist},
          {"change_trajectory", trajectory}};
}

}  // namespace

an::AnalyticsInput parse_outcome_analytics(const json& request) {
  ObjectReader r(request, "");
  an::AnalyticsInput in;
  in.as_of = r.string("as_of");
  r.array("courses");
  each(r, "courses", [&](ObjectReader& e) { in.courses.push_back(read_course(e)); });
  r.finish();
  return in;
}

json outcome_analytics_to_json(const an::AnalyticsResult& result) {
  json groups = json::array();
  for (const auto& g : result.groups) {
    json instruments = json::array();
    for (const auto& o : g.instruments) instruments.push_back(instrument(o));
    const an::SafetySummary& s = g.safety;
    json kind_sev = json::object();
    for (const auto& [k, m] : s.by_kind_and_severity) kind_sev[k] = m;
    groups.push_back(
        {{"indication", g.indication},
         {"protocol", g.protocol},
         {"courses", g.courses},
         {"treated", proportion(g.treated)},
         {"completed_induction", proportion(g.completed_induction)},
         {"instruments", instruments},
         {"boosters",
          {{"courses_followed", g.boosters.courses_followed},
           {"follow_up_days", g.boosters.follow_up_days},
           {"patient_years", g.boosters.patient_years},
           {"boosters", g.boosters.boosters},
           {"boosters_per_patient_year", opt(g.boosters.boosters_per_patient_year)},
           {"days_between_boosters", summary(g.boosters.days_between_boosters)}}},
         {"mme",
          {{"on_opioids", g.mme.on_opioids},
           {"with_follow_up", g.mme.with_follow_up},
           {"baseline_mme_per_day", summary(g.mme.baseline_mme_per_day)},
           {"latest_mme_per_day", summary(g.mme.latest_mme_per_day)},
           {"change_mme_per_day", summary(g.mme.change_mme_per_day)},
           {"reduced", g.mme.reduced},
           {"unchanged", g.mme.unchanged},
           {"increased", g.mme.increased},
           {"stopped", g.mme.stopped}}},
         {"safety",
          {{"infusions", s.infusions},
           {"adverse_events", s.adverse_events},
           {"adverse_events_per_100_infusions", opt(s.adverse_events_per_100_infusions)},
           {"by_kind", rates(s.by_kind)},
           {"by_severity", rates(s.by_severity)},
           {"by_kind_and_severity", kind_sev},
           {"bp_alerts", s.bp_alerts},
           {"bp_alerts_per_100_infusions", opt(s.bp_alerts_per_100_infusions)},
           {"infusions_with_bp_alert", proportion(s.infusions_with_bp_alert)},
           {"cadss", summary(s.cadss)},
           {"stopped_early", proportion(s.stopped_early)}}}});
  }
  return {
      {"as_of", result.as_of},
      {"methods",
       {{"proportion_interval",
         "95% Wilson score interval (Wilson 1927, JASA 22:209; Newcombe 1998, Stat Med 17:857)"},
        {"survival",
         "Kaplan-Meier (Kaplan & Meier 1958, JASA 53:457); Greenwood 1926 variance; pointwise 95% "
         "band on the log-log scale (Kalbfleisch & Prentice 1980)"},
        {"quantiles", "linear interpolation, Hyndman & Fan 1996 definition 7"},
        {"definitions", "docs/clinical-rules/outcome-analytics.md"}}},
      {"groups", groups}};
}

json handle_outcome_analytics(const json& request) {
  return outcome_analytics_to_json(outcomes::analytics::analyze(parse_outcome_analytics(request)));
}

}  // namespace kit::contract
