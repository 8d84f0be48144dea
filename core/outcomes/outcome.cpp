#include "core/outcomes/outcome.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/common/error.h"

namespace kit::outcomes {

namespace {

constexpr double kEps = 1e-9;  // totals and percentages compared without float noise

std::string num(double v) {
  const double r = std::round(v * 10.0) / 10.0;
  if (r == std::floor(r)) return std::to_string(static_cast<long long>(r));
  std::string s = std::to_string(r);
  return s.substr(0, s.find('.') + 2);
}

std::string series_path(std::size_t i, const char* field) {
  return "series[" + std::to_string(i) + "]." + field;
}

void override_threshold(Threshold& t, const std::optional<double>& value, const char* key,
                        double lo, bool lo_inclusive, double hi, const std::string& range_text,
                        std::vector<std::string>& policies) {
  if (!value) return;
  const bool above_lo = lo_inclusive ? *value >= lo : *value > lo;
  if (!above_lo || *value > hi) {
    throw InputError(std::string("policy.") + key, "must be " + range_text);
  }
  t.value = *value;
  t.source = {"clinic policy (request)", true};
  policies.push_back(std::string("clinic policy (request): ") + key + " = " + num(*value));
}

void apply_overrides(const instruments::InstrumentDefinition& d, const OutcomeOverrides& o,
                     OutcomeCriteria& c, std::vector<std::string>& policies) {
  const std::string total_range = num(d.total_min) + " and " + num(d.total_max);
  override_threshold(c.response_reduction_pct, o.response_reduction_pct, "response_reduction_pct",
                     0, false, 100, "above 0 and at most 100", policies);
  override_threshold(c.partial_response_reduction_pct, o.partial_response_reduction_pct,
                     "partial_response_reduction_pct", 0, false, 100, "above 0 and at most 100",
                     policies);
  override_threshold(c.remission_max_total, o.remission_max_total, "remission_max_total",
                     d.total_min, true, d.total_max, "between " + total_range, policies);
  override_threshold(c.response_final_below, o.response_final_below, "response_final_below",
                     d.total_min, false, d.total_max,
                     "above " + num(d.total_min) + " and at most " + num(d.total_max), policies);
  override_threshold(c.booster_rise_pct_of_baseline, o.booster_rise_pct_of_baseline,
                     "booster_rise_pct_of_baseline", 0, false, 100, "above 0 and at most 100",
                     policies);
  if (c.partial_response_reduction_pct.value &&
      *c.partial_response_reduction_pct.value >= *c.response_reduction_pct.value) {
    const char* key = o.partial_response_reduction_pct ? "policy.partial_response_reduction_pct"
                                                       : "policy.response_reduction_pct";
    throw InputError(key, "the partial-response threshold (" +
                              num(*c.partial_response_reduction_pct.value) +
                              "%) must be below the response threshold (" +
                              num(*c.response_reduction_pct.value) + "%)");
  }
  for (const Threshold* t :
       {&c.response_reduction_pct, &c.partial_response_reduction_pct, &c.remission_max_total,
        &c.response_final_below, &c.booster_rise_pct_of_baseline}) {
    if (t->value && t->source.policy && t->source.citation != "clinic policy (request)") {
      policies.emplace_back(t->source.citation);
    }
  }
  std::sort(policies.begin(), policies.end());
  policies.erase(std::unique(policies.begin(), policies.end()), policies.end());
}

struct Indexed {
  DatedTotal point;
  std::size_t input_index = 0;
};

std::vector<Indexed> validate_and_sort(const instruments::InstrumentDefinition& d,
                                       const std::vector<Assessment>& series) {
  if (series.empty()) {
    throw InputError("series", "needs at least one dated total (the first one is the baseline)");
  }
  std::vector<Indexed> out;
  out.reserve(series.size());
  for (std::size_t i = 0; i < series.size(); ++i) {
    auto date = calendar::parse_iso_date(series[i].date);
    if (!date) {
      throw InputError(
          series_path(i, "date"),
          "must be a real calendar date written YYYY-MM-DD, got '" + series[i].date + "'");
    }
    const double t = series[i].total;
    if (!std::isfinite(t) || t < d.total_min || t > d.total_max) {
      throw InputError(series_path(i, "total"), "must be between " + num(d.total_min) + " and " +
                                                    num(d.total_max) + " (" + std::string(d.name) +
                                                    " total range)");
    }
    if (d.total_is_whole && t != std::floor(t)) {
      throw InputError(series_path(i, "total"),
                       "must be a whole number (" + std::string(d.name) + " totals are whole)");
    }
    out.push_back({{*date, t}, i});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Indexed& a, const Indexed& b) { return a.point.date < b.point.date; });
  for (std::size_t k = 1; k < out.size(); ++k) {
    if (out[k].point.date == out[k - 1].point.date) {
      const auto [first, second] = std::minmax(out[k - 1].input_index, out[k].input_index);
      throw InputError(series_path(second, "date"), "duplicate date " + out[k].point.date.iso() +
                                                        " (also series[" + std::to_string(first) +
                                                        "]); one total per date");
    }
  }
  if (out.front().point.total <= 0) {
    throw InputError(series_path(out.front().input_index, "total"),
                     "the baseline (earliest) total is 0; change from baseline is undefined");
  }
  return out;
}

// The rules, evaluated on one post-baseline total.
struct Rules {
  const OutcomeCriteria& c;
  double baseline;

  double reduction(double t) const { return (baseline - t) / baseline * 100.0; }
  bool remission_judgeable() const {
    return c.remission_max_total.value && baseline > *c.remission_max_total.value + kEps;
  }
  bool remission(double t) const {
    return remission_judgeable() && t <= *c.remission_max_total.value + kEps;
  }
  bool by_pct(double t) const { return reduction(t) + kEps >= *c.response_reduction_pct.value; }
  bool by_final(double t) const {
    return c.response_final_below.value && t < *c.response_final_below.value - kEps;
  }
  // Remission counts as a response state: losing it later is a loss of benefit.
  bool response(double t) const { return remission(t) || by_pct(t) || by_final(t); }
  bool partial(double t) const {
    return c.partial_response_reduction_pct.value &&
           reduction(t) + kEps >= *c.partial_response_reduction_pct.value;
  }
};

std::string point_text(const DatedTotal& p) { return num(p.total) + " on " + p.date.iso(); }

// Published thresholds name their source; policies are called policies (details in "thresholds").
std::string src(const Threshold& t) {
  return t.source.policy ? " [clinic policy]" : " [" + std::string(t.source.citation) + "]";
}

std::string status_sentence(const OutcomeResult& r, const Rules& rules,
                            const std::optional<DatedTotal>& last_response) {
  const OutcomeCriteria& c = r.criteria;
  const double red = r.reduction_pct;
  const std::string resp =
      ">=" + num(*c.response_reduction_pct.value) + "% reduction" + src(c.response_reduction_pct);
  switch (r.status) {
    case Status::remission:
      return "Remission: the latest total " + num(r.latest.total) +
             " is at or below the remission cut-off " + num(*c.remission_max_total.value) +
             src(c.remission_max_total) + ".";
    case Status::response: {
      std::string s = rules.by_pct(r.latest.total)
                          ? "Response: a " + num(red) + "% reduction meets " + resp + "."
                          : "Response: the latest total " + num(r.latest.total) + " is below " +
                                num(*c.response_final_below.value) + src(c.response_final_below) +
                                ".";
      if (c.remission_max_total.value) {
        s += " Not in remission (cut-off " + num(*c.remission_max_total.value) + ").";
      }
      return s;
    }
    case Status::relapse:
      return "Relapse: response was reached (" + point_text(*last_response) + ") but the latest " +
             num(red) + "% reduction no longer meets " + resp +
             (rules.partial(r.latest.total) ? "; it is now only a partial response." : ".");
    case Status::partial_response:
      return "Partial response: a " + num(red) + "% reduction is at least " +
             num(*c.partial_response_reduction_pct.value) + "%" +
             src(c.partial_response_reduction_pct) + " but below " + resp + ".";
    case Status::no_response:
      break;
  }
  std::string s = "No response: ";
  s += red >= 0 ? "a " + num(red) + "% reduction" : "a " + num(-red) + "% increase";
  s += " is below " +
       (c.partial_response_reduction_pct.value
            ? "the " + num(*c.partial_response_reduction_pct.value) + "% partial-response threshold"
            : resp) +
       ".";
  return s;
}

void decide_booster(OutcomeResult& r, const std::optional<DatedTotal>& best_before_latest) {
  const Threshold& trig = r.criteria.booster_rise_pct_of_baseline;
  if (r.status == Status::relapse) {
    r.booster_recommended = true;
    r.reason +=
        " Booster recommended: the patient had responded and has lost response" + src(trig) + ".";
    return;
  }
  const bool responding = r.status == Status::response || r.status == Status::remission;
  if (!responding || !r.responded_before_latest || !best_before_latest || !trig.value) {
    r.reason += responding ? " No booster: response was first reached at the latest assessment."
                           : " No booster: a booster is for responders whose scores climb back; "
                             "this patient is not responding.";
    return;
  }
  const double rise = r.latest.total - best_before_latest->total;
  const double rise_pct = rise / r.baseline.total * 100.0;
  if (rise > 0 && rise_pct + kEps >= *trig.value) {
    r.booster_recommended = true;
    r.reason += " Booster recommended: still responding, but the total climbed from " +
                point_text(*best_before_latest) + " to " + num(r.latest.total) + ", a rise of " +
                num(rise) + " points = " + num(rise_pct) +
                "% of baseline (trigger >=" + num(*trig.value) + "% of baseline" + src(trig) + ").";
  } else {
    r.reason += " No booster: response is holding (" +
                (rise > 0 ? "a rise of " + num(rise) + " points = " + num(rise_pct) + "%"
                          : std::string("no rise")) +
                " from the best total " + point_text(*best_before_latest) +
                "; trigger >=" + num(*trig.value) + "% of baseline).";
  }
}

}  // namespace

std::string_view status_name(Status s) {
  switch (s) {
    case Status::response:
      return "response";
    case Status::partial_response:
      return "partial_response";
    case Status::remission:
      return "remission";
    case Status::no_response:
      return "no_response";
    case Status::relapse:
      return "relapse";
  }
  return "no_response";
}

OutcomeResult evaluate_outcome(const instruments::InstrumentDefinition& d,
                               const std::vector<Assessment>& series,
                               const OutcomeOverrides& overrides) {
  const OutcomeCriteria* base = find_outcome_criteria(d.id);
  if (base == nullptr) {
    throw InputError("instrument", std::string(d.name) + " has no outcome rules");
  }
  if (base->not_applicable) throw InputError("instrument", std::string(*base->not_applicable));

  OutcomeResult r;
  r.instrument = &d;
  r.criteria = *base;
  apply_overrides(d, overrides, r.criteria, r.policies);
  const std::vector<Indexed> sorted = validate_and_sort(d, series);
  for (const auto& s : sorted) r.series.push_back(s.point);

  r.baseline = r.series.front();
  r.latest = r.series.back();
  r.change = r.latest.total - r.baseline.total;
  r.change_pct = r.change / r.baseline.total * 100.0;
  r.reduction_pct = -r.change_pct;
  const Rules rules{r.criteria, r.baseline.total};

  const std::string lead = std::string(d.name) + " " + point_text(r.baseline) + " (baseline) -> " +
                           point_text(r.latest) + " (latest).";
  if (r.series.size() == 1) {
    r.status = Status::no_response;
    r.reason = lead + " Only the baseline is recorded; no change to judge yet. No booster.";
    return r;
  }

  std::optional<DatedTotal> best_before_latest;
  std::optional<DatedTotal> last_response;
  for (std::size_t i = 1; i + 1 < r.series.size(); ++i) {
    const DatedTotal& p = r.series[i];
    if (!best_before_latest || p.total < best_before_latest->total) best_before_latest = p;
    if (rules.response(p.total)) last_response = p;
  }
  r.responded_before_latest = last_response.has_value();
  r.best = best_before_latest;
  if (!r.best || r.latest.total < r.best->total) r.best = r.latest;

  const double t = r.latest.total;
  if (rules.remission(t)) {
    r.status = Status::remission;
  } else if (rules.response(t)) {
    r.status = Status::response;
  } else if (r.responded_before_latest) {
    r.status = Status::relapse;
  } else if (rules.partial(t)) {
    r.status = Status::partial_response;
  } else {
    r.status = Status::no_response;
  }

  r.reason = lead + " " + status_sentence(r, rules, last_response);
  if (r.criteria.remission_max_total.value && !rules.remission_judgeable()) {
    r.reason += " Remission cannot be judged: the baseline is already at or below the cut-off " +
                num(*r.criteria.remission_max_total.value) + ".";
  }
  decide_booster(r, best_before_latest);
  return r;
}

}  // namespace kit::outcomes
