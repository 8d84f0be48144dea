#include "core/outcomes/analytics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <set>
#include <string_view>
#include <utility>

#include "core/common/calendar.h"
#include "core/common/error.h"
#include "core/instruments/instrument.h"
#include "core/outcomes/criteria.h"
#include "core/outcomes/outcome.h"

namespace kit::outcomes::analytics {

namespace {

constexpr double kEps = 1e-9;
// A Julian year, the usual denominator of person-time rates.
constexpr double kDaysPerYear = 365.25;
// At most 12 induction infusions: PMC9154276 (ketamine vs ECT, n = 186: 0.5 mg/kg thrice weekly,
// "max 12 sessions"; docs/reference/pharmacology.md §3.1), as the courses table enforces.
constexpr int kMaxInduction = 12;
// Response by infusion number: the standard induction series is six infusions (Shiroma 2014,
// Phillips 2019: six over two weeks, docs/reference/pharmacology.md §3.2); extended series reach
// 12 (PMC9154276, §3.1). The bands report response within the six, at 7-9 and only at 10-12.
constexpr int kStandardSeries = 6;

// The indications a patient record may carry (storage/migrations/0003_patients_intake.sql).
constexpr std::array<std::string_view, 5> kIndications = {"depression", "ptsd", "ocd",
                                                          "chronic_pain", "other"};
// Adverse-event severities (storage/migrations/0006_sessions.sql).
constexpr std::array<std::string_view, 4> kSeverities = {"mild", "moderate", "severe",
                                                         "life_threatening"};

std::string at(const std::string& base, const char* list, std::size_t i, const char* field) {
  return base + "." + list + "[" + std::to_string(i) + "]." + field;
}

calendar::Date date_field(const std::string& text, const std::string& field,
                          const calendar::Date& as_of, const std::string& as_of_text) {
  const auto d = calendar::parse_iso_date(text);
  if (!d) {
    throw InputError(field, "must be a real calendar date written YYYY-MM-DD, got '" + text + "'");
  }
  if (*d > as_of) {
    throw InputError(field, "is after as_of (" + as_of_text +
                                "): no record may postdate the end "
                                "of observation");
  }
  return *d;
}

std::int64_t days_between(const calendar::Date& a, const calendar::Date& b) {
  return b.day_number() - a.day_number();
}

// A course with its dates parsed and checked.
struct Dated {
  calendar::Date date;
  std::size_t index = 0;
};
struct Reading {
  calendar::Date date;
  double total = 0;
};
struct Course {
  const CourseRecord* record = nullptr;
  std::vector<Dated> induction;  // by date
  std::vector<Dated> boosters;   // by date
  std::optional<calendar::Date> end;
  std::map<std::string, std::vector<Reading>> series;  // instrument -> readings by date
  std::vector<Reading> mme;                            // by date
};

Course validate(const CourseRecord& c, std::size_t ci, const calendar::Date& as_of,
                const std::string& as_of_text) {
  const std::string base = "courses[" + std::to_string(ci) + "]";
  Course out;
  out.record = &c;
  if (std::find(kIndications.begin(), kIndications.end(), c.indication) == kIndications.end()) {
    throw InputError(
        base + ".indication",
        "must be one of depression, ptsd, ocd, chronic_pain, other; got '" + c.indication + "'");
  }
  if (c.protocol.empty()) throw InputError(base + ".protocol", "must name the course's protocol");
  const calendar::Date start =
      date_field(c.course_start, base + ".course_start", as_of, as_of_text);
  if (c.course_end) {
    out.end = date_field(*c.course_end, base + ".course_end", as_of, as_of_text);
    if (*out.end < start) {
      throw InputError(base + ".course_end", "is before course_start (" + c.course_start + ")");
    }
  }
  if (c.planned_induction_infusions < 1 || c.planned_induction_infusions > kMaxInduction) {
    throw InputError(base + ".planned_induction_infusions",
                     "must be 1 to 12 (at most 12 induction infusions: PMC9154276, "
                     "docs/reference/pharmacology.md §3.1)");
  }

  const instruments::InstrumentDefinition* cadss = instruments::find_instrument("cadss");
  std::set<std::pair<int, int>> numbers;  // (kind, number)
  std::vector<std::pair<int, Dated>> induction_by_number;
  for (std::size_t j = 0; j < c.infusions.size(); ++j) {
    const InfusionRecord& f = c.infusions[j];
    const calendar::Date d =
        date_field(f.date, at(base, "infusions", j, "date"), as_of, as_of_text);
    if (d < start) {
      throw InputError(at(base, "infusions", j, "date"),
                       "is before course_start (" + c.course_start + ")");
    }
    if (out.end && d > *out.end) {
      throw InputError(at(base, "infusions", j, "date"),
                       "is after course_end (" + *c.course_end + ")");
    }
    const bool induction = f.kind == InfusionKind::induction;
    if (f.number < 1 || (induction && f.number > kMaxInduction)) {
      throw InputError(at(base, "infusions", j, "number"),
                       induction ? "an induction infusion is number 1 to 12 (PMC9154276, "
                                   "docs/reference/pharmacology.md §3.1)"
                                 : "a booster is number 1 or more");
    }
    if (!numbers.insert({induction ? 0 : 1, f.number}).second) {
      throw InputError(at(base, "infusions", j, "number"),
                       std::string("duplicate ") + (induction ? "induction" : "booster") +
                           " number " + std::to_string(f.number));
    }
    if (f.bp_alerts < 0) {
      throw InputError(at(base, "infusions", j, "bp_alerts"), "must be 0 or more");
    }
    if (f.cadss_total) {
      const double t = *f.cadss_total;
      if (!std::isfinite(t) || t < cadss->total_min || t > cadss->total_max) {
        throw InputError(at(base, "infusions", j, "cadss_total"),
                         "must be within the CADSS total range (" +
                             std::to_string(static_cast<int>(cadss->total_min)) + " to " +
                             std::to_string(static_cast<int>(cadss->total_max)) + ")");
      }
    }
    if (induction) {
      out.induction.push_back({d, j});
      induction_by_number.push_back({f.number, {d, j}});
    } else {
      out.boosters.push_back({d, j});
    }
  }
  // Induction numbers follow the dates: infusion k is not dated before infusion k-1.
  std::sort(induction_by_number.begin(), induction_by_number.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t k = 1; k < induction_by_number.size(); ++k) {
    if (induction_by_number[k].second.date < induction_by_number[k - 1].second.date) {
      throw InputError(at(base, "infusions", induction_by_number[k].second.index, "date"),
                       "induction infusion " + std::to_string(induction_by_number[k].first) +
                           " is dated before infusion " +
                           std::to_string(induction_by_number[k - 1].first));
    }
  }
  const auto by_date = [](const Dated& a, const Dated& b) { return a.date < b.date; };
  std::stable_sort(out.induction.begin(), out.induction.end(), by_date);
  std::stable_sort(out.boosters.begin(), out.boosters.end(), by_date);
  if (!out.boosters.empty() && !out.induction.empty() &&
      out.boosters.front().date < out.induction.back().date) {
    throw InputError(at(base, "infusions", out.boosters.front().index, "date"),
                     "a booster is dated before the last induction infusion (" +
                         out.induction.back().date.iso() + ")");
  }

  std::map<std::string, std::map<calendar::Date, std::size_t>> seen;
  for (std::size_t j = 0; j < c.assessments.size(); ++j) {
    const AssessmentRecord& a = c.assessments[j];
    const instruments::InstrumentDefinition* d = instruments::find_instrument(a.instrument);
    if (d == nullptr) {
      throw InputError(at(base, "assessments", j, "instrument"),
                       "unknown instrument '" + a.instrument + "'");
    }
    const OutcomeCriteria* crit = find_outcome_criteria(d->id);
    if (crit == nullptr || crit->not_applicable) {
      throw InputError(at(base, "assessments", j, "instrument"),
                       std::string(d->name) +
                           " has no outcome rules (a CADSS total belongs to its infusion: "
                           "cadss_total)");
    }
    const calendar::Date date =
        date_field(a.date, at(base, "assessments", j, "date"), as_of, as_of_text);
    if (!std::isfinite(a.total) || a.total < d->total_min || a.total > d->total_max ||
        (d->total_is_whole && a.total != std::floor(a.total))) {
      throw InputError(at(base, "assessments", j, "total"),
                       "must be " + std::string(d->total_is_whole ? "a whole number " : "") +
                           "within the " + std::string(d->name) + " total range");
    }
    auto [it, fresh] = seen[a.instrument].insert({date, j});
    if (!fresh) {
      throw InputError(at(base, "assessments", j, "date"),
                       "duplicate " + std::string(d->name) + " total on " + a.date +
                           " (also assessments[" + std::to_string(it->second) + "])");
    }
    out.series[a.instrument].push_back({date, a.total});
  }
  const auto reading_by_date = [](const Reading& a, const Reading& b) { return a.date < b.date; };
  for (auto& [id, s] : out.series) std::sort(s.begin(), s.end(), reading_by_date);

  for (std::size_t j = 0; j < c.adverse_events.size(); ++j) {
    const AdverseEventRecord& e = c.adverse_events[j];
    date_field(e.date, at(base, "adverse_events", j, "date"), as_of, as_of_text);
    if (e.kind.empty()) throw InputError(at(base, "adverse_events", j, "kind"), "must be named");
    if (std::find(kSeverities.begin(), kSeverities.end(), e.severity) == kSeverities.end()) {
      throw InputError(
          at(base, "adverse_events", j, "severity"),
          "must be mild, moderate, severe or life_threatening; got '" + e.severity + "'");
    }
  }

  std::map<calendar::Date, std::size_t> mme_dates;
  for (std::size_t j = 0; j < c.mme.size(); ++j) {
    const MmeRecord& m = c.mme[j];
    const calendar::Date date = date_field(m.date, at(base, "mme", j, "date"), as_of, as_of_text);
    if (!std::isfinite(m.total_mme_per_day) || m.total_mme_per_day < 0) {
      throw InputError(at(base, "mme", j, "total_mme_per_day"), "must be 0 or more");
    }
    auto [it, fresh] = mme_dates.insert({date, j});
    if (!fresh) {
      throw InputError(
          at(base, "mme", j, "date"),
          "duplicate MME total on " + m.date + " (also mme[" + std::to_string(it->second) + "])");
    }
    out.mme.push_back({date, m.total_mme_per_day});
  }
  std::sort(out.mme.begin(), out.mme.end(), reading_by_date);
  return out;
}

std::optional<double> per_100(int count, int infusions) {
  if (infusions == 0) return std::nullopt;
  return count * 100.0 / infusions;
}

// Per-course facts on one instrument, gathered before the group's statistics.
struct InstrumentAccumulator {
  int with_baseline = 0;
  int evaluable = 0;
  int responders = 0;
  int remitters = 0;
  std::vector<double> change;
  std::vector<double> change_pct;
  std::map<std::string, int> latest_status;
  std::array<int, kMaxInduction + 1> first_response_at{};  // by induction infusions before it
  int after_a_booster = 0;
  std::vector<stats::Observation> durability;
  int moderate = 0;
  int substantial = 0;
  std::map<int, int> histogram;
  std::map<int, std::vector<double>> by_week;  // week since the first infusion -> changes
};

void add_course_instrument(const Course& course, const instruments::InstrumentDefinition& d,
                           const std::vector<Reading>& readings, InstrumentAccumulator& acc) {
  const OutcomeCriteria& crit = *find_outcome_criteria(d.id);
  const calendar::Date first_infusion = course.induction.front().date;
  // Baseline: the latest total on or before the first induction infusion's date.
  std::optional<std::size_t> b;
  for (std::size_t k = 0; k < readings.size() && readings[k].date <= first_infusion; ++k) b = k;
  if (!b) return;
  ++acc.with_baseline;
  const double baseline = readings[*b].total;
  // A baseline of 0 cannot show a reduction (evaluate_outcome refuses it): not evaluable.
  if (*b + 1 >= readings.size() || baseline <= 0) return;
  ++acc.evaluable;
  // The trajectory: the baseline is week 0 (change 0); a later reading on day d after the first
  // infusion is week ceil(d / 7); the last reading of a week stands for the course.
  std::map<int, double> weekly = {{0, 0.0}};
  for (std::size_t k = *b + 1; k < readings.size(); ++k) {
    const std::int64_t days = days_between(first_infusion, readings[k].date);
    weekly[static_cast<int>((days + 6) / 7)] = readings[k].total - baseline;
  }
  for (const auto& [week, change] : weekly) acc.by_week[week].push_back(change);

  std::vector<Assessment> series;
  for (std::size_t k = *b; k < readings.size(); ++k) {
    series.push_back({readings[k].date.iso(), readings[k].total});
  }
  const OutcomeResult latest = evaluate_outcome(d, series);
  acc.latest_status[std::string(status_name(latest.status))] += 1;
  acc.change.push_back(latest.change);
  acc.change_pct.push_back(latest.change_pct);
  if (d.total_is_whole) acc.histogram[static_cast<int>(std::lround(latest.change))] += 1;
  if (crit.substantial_reduction_pct.value) {
    // IMMPACT (Dworkin 2008, reference §10): >= 30 % moderate, >= 50 % substantial; the tiers are
    // evaluate_outcome's `improvement` on the latest reading.
    if (latest.improvement == "moderate" || latest.improvement == "substantial") ++acc.moderate;
    if (latest.improvement == "substantial") ++acc.substantial;
  }

  bool remitted = false;
  std::optional<std::size_t> first_response;  // index into `series`
  for (std::size_t k = 1; k < series.size(); ++k) {
    const double t = series[k].total;
    if (meets_remission(crit, baseline, t)) remitted = true;
    if (!first_response && meets_response(crit, baseline, t)) first_response = k;
  }
  if (remitted) ++acc.remitters;
  if (!first_response) return;
  ++acc.responders;

  const calendar::Date response_date = readings[*b + *first_response].date;
  if (!course.boosters.empty() && course.boosters.front().date < response_date) {
    ++acc.after_a_booster;
  } else {
    int before = 0;
    for (const Dated& f : course.induction) before += f.date < response_date ? 1 : 0;
    acc.first_response_at[static_cast<std::size_t>(before)] += 1;
  }

  // Durability: the first prefix of the series whose latest reading is a confirmed relapse
  // (evaluate_outcome: the instrument's relapse criteria on the confirming readings).
  for (std::size_t k = *first_response + 1; k < series.size(); ++k) {
    const std::vector<Assessment> prefix(series.begin(),
                                         series.begin() + static_cast<std::ptrdiff_t>(k) + 1);
    const OutcomeResult r = evaluate_outcome(d, prefix);
    if (r.status == Status::relapse) {
      const std::size_t onset = k + 1 - static_cast<std::size_t>(r.relapse_readings);
      const calendar::Date onset_date = readings[*b + onset].date;
      acc.durability.push_back(
          {static_cast<double>(days_between(response_date, onset_date)), true});
      return;
    }
  }
  acc.durability.push_back(
      {static_cast<double>(days_between(response_date, readings.back().date)), false});
}

InstrumentOutcomes finish(const std::string& id, InstrumentAccumulator& acc) {
  InstrumentOutcomes o;
  o.instrument = id;
  o.with_baseline = acc.with_baseline;
  o.evaluable = acc.evaluable;
  o.responders = stats::wilson(acc.responders, acc.evaluable);
  o.remitters = stats::wilson(acc.remitters, acc.evaluable);
  o.change = stats::summarize(acc.change);
  o.change_pct = stats::summarize(acc.change_pct);
  o.latest_status = acc.latest_status;
  int cumulative = 0;
  int at_7_to_9 = 0;
  int at_10_to_12 = 0;
  for (int k = 1; k <= kMaxInduction; ++k) {
    const int n = acc.first_response_at[static_cast<std::size_t>(k)];
    cumulative += n;
    o.by_infusion.cumulative.push_back(cumulative);
    if (k > kStandardSeries && k <= 9) at_7_to_9 += n;
    if (k >= 10) at_10_to_12 += n;
  }
  o.by_infusion.by_6 = stats::wilson(o.by_infusion.cumulative[kStandardSeries - 1], acc.evaluable);
  o.by_infusion.at_7_to_9 = stats::wilson(at_7_to_9, acc.evaluable);
  o.by_infusion.at_10_to_12 = stats::wilson(at_10_to_12, acc.evaluable);
  o.by_infusion.after_a_booster = acc.after_a_booster;
  o.by_infusion.never = acc.evaluable - acc.responders;
  o.durability = stats::kaplan_meier(acc.durability);
  const OutcomeCriteria& crit = *find_outcome_criteria(id);
  if (crit.substantial_reduction_pct.value) {
    o.reduction_moderate = stats::wilson(acc.moderate, acc.evaluable);
    o.reduction_substantial = stats::wilson(acc.substantial, acc.evaluable);
  }
  o.change_histogram = acc.histogram;
  for (auto& [week, changes] : acc.by_week) {
    o.change_trajectory.push_back({week, stats::summarize(changes)});
  }
  return o;
}

GroupOutcomes summarize_group(const std::string& indication, const std::string& protocol,
                              const std::vector<const Course*>& courses,
                              const calendar::Date& as_of) {
  GroupOutcomes g;
  g.indication = indication;
  g.protocol = protocol;
  g.courses = static_cast<int>(courses.size());
  int treated = 0;
  int completed = 0;
  std::map<std::string, InstrumentAccumulator> acc;
  std::vector<double> booster_gaps;
  std::vector<double> mme_baseline, mme_latest, mme_change;
  std::map<std::string, int> kind_count, severity_count;
  std::vector<double> cadss;
  int with_bp_alert = 0;
  int stopped_early = 0;

  for (const Course* c : courses) {
    const CourseRecord& rec = *c->record;
    // Safety counts every session given, induction or booster.
    for (const InfusionRecord& f : rec.infusions) {
      ++g.safety.infusions;
      g.safety.bp_alerts += f.bp_alerts;
      if (f.bp_alerts > 0) ++with_bp_alert;
      if (f.cadss_total) cadss.push_back(*f.cadss_total);
      if (f.status == InfusionStatus::stopped_early) ++stopped_early;
    }
    for (const AdverseEventRecord& e : rec.adverse_events) {
      ++g.safety.adverse_events;
      ++kind_count[e.kind];
      ++severity_count[e.severity];
      ++g.safety.by_kind_and_severity[e.kind][e.severity];
    }
    for (const auto& [id, readings] : c->series) acc.try_emplace(id);

    if (c->induction.empty()) continue;
    ++treated;
    if (static_cast<int>(c->induction.size()) >= rec.planned_induction_infusions) ++completed;
    for (const auto& [id, readings] : c->series) {
      add_course_instrument(*c, *instruments::find_instrument(id), readings, acc[id]);
    }

    // Boosters: follow-up from the last induction infusion to the course's end (or as_of).
    ++g.boosters.courses_followed;
    const calendar::Date end = c->end ? *c->end : as_of;
    g.boosters.follow_up_days +=
        static_cast<double>(std::max<std::int64_t>(0, days_between(c->induction.back().date, end)));
    g.boosters.boosters += static_cast<int>(c->boosters.size());
    for (std::size_t k = 1; k < c->boosters.size(); ++k) {
      booster_gaps.push_back(
          static_cast<double>(days_between(c->boosters[k - 1].date, c->boosters[k].date)));
    }

    // MME: baseline = latest record on or before the first infusion; latest = last record after.
    const calendar::Date first = c->induction.front().date;
    std::optional<double> base, last;
    for (const Reading& m : c->mme) {
      if (m.date <= first) {
        base = m.total;
      } else {
        last = m.total;
      }
    }
    if (base && *base > kEps) {
      ++g.mme.on_opioids;
      if (last) {
        ++g.mme.with_follow_up;
        mme_baseline.push_back(*base);
        mme_latest.push_back(*last);
        const double change = *last - *base;
        mme_change.push_back(change);
        if (change < -kEps) {
          ++g.mme.reduced;
        } else if (change > kEps) {
          ++g.mme.increased;
        } else {
          ++g.mme.unchanged;
        }
        if (*last <= kEps) ++g.mme.stopped;
      }
    }
  }

  g.treated = stats::wilson(treated, g.courses);
  g.completed_induction = stats::wilson(completed, treated);
  for (const auto& d : instruments::all_instruments()) {
    auto it = acc.find(std::string(d.id));
    if (it != acc.end()) g.instruments.push_back(finish(it->first, it->second));
  }
  g.boosters.patient_years = g.boosters.follow_up_days / kDaysPerYear;
  if (g.boosters.patient_years > 0) {
    g.boosters.boosters_per_patient_year = g.boosters.boosters / g.boosters.patient_years;
  }
  g.boosters.days_between_boosters = stats::summarize(booster_gaps);
  g.mme.baseline_mme_per_day = stats::summarize(mme_baseline);
  g.mme.latest_mme_per_day = stats::summarize(mme_latest);
  g.mme.change_mme_per_day = stats::summarize(mme_change);

  SafetySummary& s = g.safety;
  s.adverse_events_per_100_infusions = per_100(s.adverse_events, s.infusions);
  for (const auto& [k, n] : kind_count) s.by_kind[k] = {n, per_100(n, s.infusions)};
  for (const auto& [k, n] : severity_count) s.by_severity[k] = {n, per_100(n, s.infusions)};
  s.bp_alerts_per_100_infusions = per_100(s.bp_alerts, s.infusions);
  s.infusions_with_bp_alert = stats::wilson(with_bp_alert, s.infusions);
  s.cadss = stats::summarize(cadss);
  s.stopped_early = stats::wilson(stopped_early, s.infusions);
  return g;
}

}  // namespace

AnalyticsResult analyze(const AnalyticsInput& input) {
  const auto as_of = calendar::parse_iso_date(input.as_of);
  if (!as_of) {
    throw InputError("as_of",
                     "must be a real calendar date written YYYY-MM-DD, got '" + input.as_of + "'");
  }
  std::vector<Course> courses;
  courses.reserve(input.courses.size());
  for (std::size_t i = 0; i < input.courses.size(); ++i) {
    courses.push_back(validate(input.courses[i], i, *as_of, input.as_of));
  }
  std::map<std::pair<std::string, std::string>, std::vector<const Course*>> groups;
  for (const Course& c : courses) {
    groups[{c.record->indication, c.record->protocol}].push_back(&c);
  }
  AnalyticsResult result;
  result.as_of = as_of->iso();
  for (const auto& [key, members] : groups) {
    result.groups.push_back(summarize_group(key.first, key.second, members, *as_of));
  }
  return result;
}

}  // namespace kit::outcomes::analytics
