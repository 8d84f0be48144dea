#include "core/outcomes/outcome.h"

#include <algorithm>
#include <chrono>
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
        &c.response_final_below, &c.booster_rise_pct_of_baseline, &c.relapse_min_total,
        &c.meaningful_change_points, &c.relapse_min_rise_pct_of_baseline,
        &c.relapse_confirm_readings, &c.relapse_sustained_months, &c.substantial_reduction_pct}) {
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
  bool at_remission_level(double t) const {
    return remission_judgeable() && t <= *c.remission_max_total.value + kEps;
  }
  // Where the reference gives a clinically meaningful change in points (PCL-5, NRS), a remission
  // must also have dropped that far: 33 -> 30 on the PCL-5 is not remission.
  bool meaningful_drop(double t) const {
    return !c.meaningful_change_points.value ||
           baseline - t + kEps >= *c.meaningful_change_points.value;
  }
  bool remission(double t) const { return meets_remission(c, baseline, t); }
  bool by_pct(double t) const { return reduction(t) + kEps >= *c.response_reduction_pct.value; }
  // Response by the instrument's response definition only: a remission cut-off never stands in
  // for it (docs/clinical-rules/instruments.md §2). Shared with the analytics (criteria.h).
  bool response(double t) const { return meets_response(c, baseline, t); }
  bool partial(double t) const {
    return c.partial_response_reduction_pct.value &&
           reduction(t) + kEps >= *c.partial_response_reduction_pct.value;
  }
  // One reading after a response counts towards relapse: response lost, the published relapse
  // level reached (MADRS >=22, Y-BOCS >=13) and a clinically meaningful climb from the best
  // total (reference §10).
  bool relapse_reading(double t, double best) const {
    if (response(t) || remission(t)) return false;
    if (c.relapse_min_total.value && t + kEps < *c.relapse_min_total.value) return false;
    const double rise = t - best;
    if (c.meaningful_change_points.value && rise + kEps < *c.meaningful_change_points.value) {
      return false;
    }
    if (c.relapse_min_rise_pct_of_baseline.value &&
        rise / baseline * 100.0 + kEps < *c.relapse_min_rise_pct_of_baseline.value) {
      return false;
    }
    return true;
  }
};

calendar::Date add_months(const calendar::Date& d, int months) {
  std::chrono::year_month_day ymd = d.ymd + std::chrono::months{months};
  if (!ymd.ok()) {
    ymd = std::chrono::year_month_day_last(ymd.year(), std::chrono::month_day_last(ymd.month()));
  }
  return calendar::Date{ymd};
}

// The relapse criteria in words, for the reason.
std::string relapse_criteria_text(const OutcomeCriteria& c) {
  std::string s = "response lost";
  if (c.relapse_min_total.value) s += ", total >=" + num(*c.relapse_min_total.value);
  if (c.meaningful_change_points.value) {
    s += ", a climb of >=" + num(*c.meaningful_change_points.value) + " points from the best total";
  }
  if (c.relapse_min_rise_pct_of_baseline.value) {
    s += ", a climb of >=" + num(*c.relapse_min_rise_pct_of_baseline.value) +
         "% of baseline from the best total";
  }
  s += "; confirmed on " + num(*c.relapse_confirm_readings.value) + " consecutive readings";
  if (c.relapse_sustained_months.value) {
    s += " spanning at least " + num(*c.relapse_sustained_months.value) + " month";
  }
  const Threshold& def = c.relapse_min_total.value          ? c.relapse_min_total
                         : c.meaningful_change_points.value ? c.meaningful_change_points
                                                            : c.relapse_min_rise_pct_of_baseline;
  return s +
         (def.source.policy ? " [clinic policy]" : " [" + std::string(def.source.citation) + "]");
}

std::string point_text(const DatedTotal& p) { return num(p.total) + " on " + p.date.iso(); }

// Published thresholds name their source; policies are called policies (details in "thresholds").
std::string src(const Threshold& t) {
  return t.source.policy ? " [clinic policy]" : " [" + std::string(t.source.citation) + "]";
}

struct RelapseFacts {
  std::optional<DatedTotal> last_response;  // last response before the latest
  std::optional<DatedTotal> best;           // best post-baseline total up to that response
  std::optional<DatedTotal> run_start;      // first reading of the trailing relapse run
  int run = 0;
  bool confirmed = false;
};

std::string status_sentence(const OutcomeResult& r, const Rules& rules, const RelapseFacts& f) {
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
    case Status::loss_of_response_unconfirmed: {
      std::string s =
          (r.status == Status::relapse ? "Relapse: response was reached ("
                                       : "Loss of response, unconfirmed: response was reached (") +
          point_text(*f.last_response) + ", best " + point_text(*f.best) + ") but the latest " +
          num(red) + "% reduction no longer meets " + resp +
          ". Relapse criteria: " + relapse_criteria_text(c) + ". ";
      if (r.status == Status::relapse) {
        s += num(f.run) + " consecutive readings meet them, from " + point_text(*f.run_start) + ".";
      } else {
        s += "Met by " + num(f.run) + " consecutive reading" + (f.run == 1 ? "" : "s") + " from " +
             point_text(*f.run_start) +
             ": not yet relapse, a single reading may be a transient flare (reference §10). "
             "Consider reassessing sooner than planned.";
      }
      if (c.relapse_sustained_months.value) {
        s += " The source also requires CGI-I 'much worse' or worse: the clinician confirms it.";
      }
      return s;
    }
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
  if (rules.at_remission_level(r.latest.total) && !rules.meaningful_drop(r.latest.total)) {
    s += " The total is at or below the remission cut-off " + num(*c.remission_max_total.value) +
         ", but the drop of " + num(r.baseline.total - r.latest.total) +
         " points is less than the clinically meaningful change of " +
         num(*c.meaningful_change_points.value) + " points" + src(c.meaningful_change_points) +
         ": not remission.";
  }
  return s;
}

// After a response, a reading that no longer meets it but not the relapse criteria either.
std::string fluctuation_sentence(const OutcomeResult& r, const RelapseFacts& f) {
  return " Response was reached earlier (" + point_text(*f.last_response) +
         "); the latest reading does not meet the relapse criteria (" +
         relapse_criteria_text(r.criteria) + "): not a relapse.";
}

void decide_booster(OutcomeResult& r, const Rules& rules,
                    const std::optional<DatedTotal>& best_before_latest) {
  const Threshold& trig = r.criteria.booster_rise_pct_of_baseline;
  if (r.status == Status::relapse) {
    r.booster_recommended = true;
    r.reason +=
        " Booster recommended: the patient had responded and has lost response, "
        "confirmed" +
        src(trig) + ".";
    return;
  }
  if (r.status == Status::loss_of_response_unconfirmed) {
    r.reassess_sooner = true;
    r.reason += " No booster yet: confirm the loss of response on the next assessment first.";
    return;
  }
  const bool responding = r.status == Status::response || r.status == Status::remission;
  if (!responding || !r.responded_before_latest || !best_before_latest || !trig.value) {
    r.reason += responding ? " No booster: response was first reached at the latest assessment."
                : r.responded_before_latest
                    ? " No booster: the relapse criteria are not met."
                    : " No booster: a booster is for responders whose scores climb back; "
                      "this patient is not responding.";
    return;
  }
  const double rise = r.latest.total - best_before_latest->total;
  const double rise_pct = rise / r.baseline.total * 100.0;
  const auto climbed = [&](double total, double best) {
    return total - best > 0 && (total - best) / r.baseline.total * 100.0 + kEps >= *trig.value;
  };
  if (climbed(r.latest.total, best_before_latest->total)) {
    // The climb must hold on the reading before the latest too (measured from the best total
    // before that reading): one reading is not enough (reference §10; clinic policy).
    const std::size_t n = r.series.size();
    bool confirmed = false;
    if (n >= 4) {
      double best_before_prev = r.series[1].total;
      for (std::size_t i = 1; i + 2 < n; ++i) {
        best_before_prev = std::min(best_before_prev, r.series[i].total);
      }
      confirmed =
          rules.response(r.series[n - 2].total) && climbed(r.series[n - 2].total, best_before_prev);
    }
    const std::string climb =
        "the total climbed from " + point_text(*best_before_latest) + " to " + num(r.latest.total) +
        ", a rise of " + num(rise) + " points = " + num(rise_pct) +
        "% of baseline (trigger >=" + num(*trig.value) + "% of baseline" + src(trig) + ")";
    if (confirmed) {
      r.booster_recommended = true;
      r.reason +=
          " Booster recommended: still responding, but " + climb + ", on two consecutive readings.";
    } else {
      r.reassess_sooner = true;
      r.reason += " No booster yet: still responding, but " + climb +
                  " on one reading only; consider reassessing sooner to confirm it.";
    }
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
    case Status::loss_of_response_unconfirmed:
      return "loss_of_response_unconfirmed";
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
  RelapseFacts f;
  std::size_t last_response_index = 0;
  for (std::size_t i = 1; i + 1 < r.series.size(); ++i) {
    const DatedTotal& p = r.series[i];
    if (!best_before_latest || p.total < best_before_latest->total) best_before_latest = p;
    if (rules.response(p.total)) {
      f.last_response = p;
      last_response_index = i;
    }
  }
  r.responded_before_latest = f.last_response.has_value();
  r.best = best_before_latest;
  if (!r.best || r.latest.total < r.best->total) r.best = r.latest;

  // The trailing run of readings after the last response that meet the relapse criteria,
  // each measured from the best total up to that response.
  if (f.last_response) {
    for (std::size_t i = 1; i <= last_response_index; ++i) {
      if (!f.best || r.series[i].total < f.best->total) f.best = r.series[i];
    }
    for (std::size_t i = r.series.size() - 1; i > last_response_index; --i) {
      if (!rules.relapse_reading(r.series[i].total, f.best->total)) break;
      f.run_start = r.series[i];
      ++f.run;
    }
    r.relapse_readings = f.run;
    const OutcomeCriteria& c = r.criteria;
    f.confirmed = f.run > 0 && f.run + kEps >= *c.relapse_confirm_readings.value;
    if (f.confirmed && c.relapse_sustained_months.value) {
      const int months = static_cast<int>(*c.relapse_sustained_months.value);
      f.confirmed = add_months(f.run_start->date, months) <= r.latest.date;
    }
  }

  const double t = r.latest.total;
  if (rules.remission(t)) {
    r.status = Status::remission;
  } else if (rules.response(t)) {
    r.status = Status::response;
  } else if (f.run > 0) {
    r.status = f.confirmed ? Status::relapse : Status::loss_of_response_unconfirmed;
  } else if (rules.partial(t)) {
    r.status = Status::partial_response;
  } else {
    r.status = Status::no_response;
  }

  r.reason = lead + " " + status_sentence(r, rules, f);
  if (f.last_response && f.run == 0 && r.status != Status::response &&
      r.status != Status::remission) {
    r.reason += fluctuation_sentence(r, f);
  }
  if (r.criteria.remission_max_total.value && !rules.remission_judgeable()) {
    r.reason += " Remission cannot be judged: the baseline is already at or below the cut-off " +
                num(*r.criteria.remission_max_total.value) + ".";
  }
  if (r.criteria.substantial_reduction_pct.value) {
    const double red = r.reduction_pct + kEps;
    r.improvement = red >= *r.criteria.substantial_reduction_pct.value ? "substantial"
                    : red >= *r.criteria.response_reduction_pct.value  ? "moderate"
                                                                       : "below_moderate";
    r.reason += " Pain improvement: " + *r.improvement +
                " (IMMPACT: >=" + num(*r.criteria.response_reduction_pct.value) +
                "% moderate, >=" + num(*r.criteria.substantial_reduction_pct.value) +
                "% substantial" + src(r.criteria.substantial_reduction_pct) + ").";
  }
  decide_booster(r, rules, best_before_latest);
  return r;
}

}  // namespace kit::outcomes
