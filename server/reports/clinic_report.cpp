#include "server/reports/clinic_report.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "core/common/calendar.h"
#include "core/common/error.h"
#include "core/dosing/drug_library.h"
#include "core/instruments/instrument.h"
#include "server/analytics/load_analytics_input.h"
#include "server/reports/quantity_format.h"
#include "server/reports/svg.h"
#include "server/resources/clinic_time.h"
#include "storage/stores/scheduling_store.h"

namespace kit::reports {

namespace {

namespace an = outcomes::analytics;
namespace st = outcomes::stats;

std::string words(std::string_view id) {
  std::string out(id);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

std::string instrument_name(const std::string& id) {
  const instruments::InstrumentDefinition* d = instruments::find_instrument(id);
  return d != nullptr ? std::string(d->name) : id;
}

std::string td(const std::string& html, bool num = false) {
  return num ? "<td class=\"num\">" + html + "</td>" : "<td>" + html + "</td>";
}

std::string share_text(const st::Proportion& p) {
  std::string s = std::to_string(p.count) + "/" + std::to_string(p.n);
  if (p.share) s += " (" + format_quantity(*p.share * 100, Unit::percent);
  if (p.lower && p.upper) {
    s += "; 95% CI " + format_number(*p.lower * 100, 0) + "-" +
         format_quantity(*p.upper * 100, Unit::percent);
  }
  if (p.share) s += ")";
  return s;
}

std::string summary_text(const st::Summary& s, int decimals) {
  if (s.n == 0 || !s.median) return std::string(kNoValue);
  std::string out = "median " + format_number(*s.median, decimals);
  if (s.q1 && s.q3)
    out +=
        " (IQR " + format_number(*s.q1, decimals) + " to " + format_number(*s.q3, decimals) + ")";
  return out + ", n " + std::to_string(s.n);
}

std::string opt_number(const std::optional<double>& v, int decimals) {
  return v ? format_number(*v, decimals) : std::string(kNoValue);
}

ShareBar bar(const std::string& label, const st::Proportion& p) {
  return {label, p.count, p.n, p.share, p.lower, p.upper};
}

std::string instrument_section(const an::InstrumentOutcomes& i) {
  const std::string name = instrument_name(i.instrument);
  std::string b = "<h3>" + escape(name) + "</h3>";
  b += "<p>" + std::to_string(i.with_baseline) + " courses with a baseline, " +
       std::to_string(i.evaluable) + " with a later reading. Change from baseline in points: " +
       escape(summary_text(i.change, 1)) +
       "; in percent: " + escape(summary_text(i.change_pct, 0)) + ".</p>";
  std::vector<ShareBar> bars = {bar("responders", i.responders), bar("remitters", i.remitters)};
  if (i.reduction_moderate)
    bars.push_back(bar("\xE2\x89\xA5 30% reduction", *i.reduction_moderate));
  if (i.reduction_substantial)
    bars.push_back(bar("\xE2\x89\xA5 50% reduction", *i.reduction_substantial));
  b += "<figure>" +
       share_bars_svg(bars, name + ": responders and remitters with 95% Wilson intervals") +
       "<figcaption>" + escape(name) +
       ": share of evaluable courses, bars with 95% Wilson score intervals.</figcaption></figure>";
  // Response by infusion number.
  const an::ResponseByInfusion& r = i.by_infusion;
  if (!r.cumulative.empty()) {
    std::vector<CountBar> counts;
    for (std::size_t k = 0; k < r.cumulative.size(); ++k) {
      counts.push_back({std::to_string(k + 1), static_cast<double>(r.cumulative[k])});
    }
    b += "<figure>" +
         count_bars_svg(counts, "courses responded",
                        name + ": cumulative first responses by infusion number") +
         "<figcaption>Courses whose first response came after at most k induction infusions (k on "
         "the axis).</figcaption></figure>";
    b += table({"First response", "Courses"},
               {{td("by infusion 6"), td(escape(share_text(r.by_6)), true)},
                {td("at infusions 7-9"), td(escape(share_text(r.at_7_to_9)), true)},
                {td("only at infusions 10-12"), td(escape(share_text(r.at_10_to_12)), true)},
                {td("after a booster"), td(std::to_string(r.after_a_booster), true)},
                {td("never"), td(std::to_string(r.never), true)}},
               "small");
  }
  // Durability.
  const st::KmCurve& km = i.durability;
  if (km.subjects > 0) {
    std::vector<StepPoint> steps;
    for (const st::KmStep& s : km.steps)
      steps.push_back({s.time, s.survival, s.lower, s.upper, s.censored});
    b += "<figure>" +
         step_curve_svg(steps, "days from first response",
                        name + ": durability of response (Kaplan-Meier)") +
         "<figcaption>Share of responders without a confirmed relapse, Kaplan-Meier with a "
         "pointwise 95% "
         "Greenwood (log-log) band; ticks mark censored courses. " +
         std::to_string(km.subjects) + " responders, " + std::to_string(km.events) + " relapses, " +
         std::to_string(km.censored) + " censored; median " +
         (km.median_time ? escape(format_number(*km.median_time, 0)) + " days"
                         : std::string("not reached")) +
         ".</figcaption></figure>";
  }
  if (!i.latest_status.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [status, n] : i.latest_status)
      rows.push_back({td(escape(words(status))), td(std::to_string(n), true)});
    b += table({"Status at the latest reading", "Courses"}, rows, "small");
  }
  return b;
}

std::string safety_section(const an::SafetySummary& s) {
  std::string b = "<h3>Safety</h3>";
  b += table(
      {"Measure", "Value"},
      {{td("infusions given"), td(std::to_string(s.infusions), true)},
       {td("adverse events"),
        td(std::to_string(s.adverse_events) + " (" +
               escape(opt_number(s.adverse_events_per_100_infusions, 1)) + " per 100 infusions)",
           true)},
       {td("blood-pressure alerts"),
        td(std::to_string(s.bp_alerts) + " (" +
               escape(opt_number(s.bp_alerts_per_100_infusions, 1)) + " per 100 infusions)",
           true)},
       {td("infusions with a blood-pressure alert"),
        td(escape(share_text(s.infusions_with_bp_alert)), true)},
       {td("CADSS, highest per session"), td(escape(summary_text(s.cadss, 1)), true)},
       {td("sessions stopped early"), td(escape(share_text(s.stopped_early)), true)}});
  if (!s.by_kind_and_severity.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& [kind, by_sev] : s.by_kind_and_severity) {
      for (const auto& [sev, n] : by_sev) {
        const auto it = s.by_kind.find(kind);
        rows.push_back(
            {td(escape(words(kind))), td(escape(words(sev))), td(std::to_string(n), true),
             td(it != s.by_kind.end() ? escape(opt_number(it->second.per_100_infusions, 1))
                                      : std::string(kNoValue),
                true)});
      }
    }
    b += table({"Adverse event", "Severity", "Count", "Kind per 100 infusions"}, rows, "small");
  }
  return b;
}

}  // namespace

ClinicReport load_clinic_report(storage::Transaction& tx, const std::string& from,
                                const std::string& to, bool suppress_small_groups,
                                std::int64_t now_ms) {
  const auto from_day = calendar::parse_day(from);
  if (!from_day) throw InputError("from", "must be a real calendar date written YYYY-MM-DD");
  const auto to_day = calendar::parse_day(to);
  if (!to_day) throw InputError("to", "must be a real calendar date written YYYY-MM-DD");
  if (*to_day < *from_day) throw InputError("to", "must not be before from (" + from + ")");
  ClinicReport r;
  r.from = from;
  r.to = to;
  r.small_cells_applied = suppress_small_groups;
  storage::SchedulingStore scheduling(tx);
  const std::vector<storage::Clinic> clinics = scheduling.clinics();
  if (!clinics.empty()) {
    r.clinic_name = clinics.front().name;
    r.generated_at = server::zone_named(clinics.front().timezone).local_minutes(now_ms) + " (" +
                     clinics.front().timezone + ")";
  } else {
    r.generated_at = calendar::format_minutes(now_ms) + " (UTC)";
  }
  server::analytics::AnalyticsFilter filter;
  filter.from = from;
  filter.to = to;
  const server::analytics::LoadedAnalytics loaded =
      server::analytics::load_analytics_input(tx, filter, now_ms);
  an::AnalyticsResult result;
  try {
    result = an::analyze(loaded.input);
  } catch (const Error& e) {
    // The records came from the database, not from the caller: a fault, never bad input.
    throw std::runtime_error(std::string("outcome analytics refused the stored records: ") +
                             e.what());
  }
  r.as_of = result.as_of;
  r.courses = static_cast<int>(loaded.input.courses.size());
  r.patients = static_cast<int>(
      std::set<std::int64_t>(loaded.patient_ids.begin(), loaded.patient_ids.end()).size());
  for (const an::GroupOutcomes& g : result.groups) {
    ClinicGroup cg;
    cg.indication = g.indication;
    cg.protocol = g.protocol;
    const dosing::Protocol* p = dosing::builtin_library().find(g.protocol);
    cg.protocol_name = p != nullptr ? p->name : g.protocol;
    const auto it = loaded.patients_per_group.find({g.indication, g.protocol});
    cg.patients = it != loaded.patients_per_group.end() ? it->second : 0;
    cg.suppressed = suppress_small_groups && cg.patients < kSmallCellPatients;
    if (!cg.suppressed) cg.outcomes = g;
    r.groups.push_back(std::move(cg));
  }
  return r;
}

std::string render_clinic_report_html(const ClinicReport& r, Paper paper) {
  std::string b;
  b += "<header><p class=\"muted small\">" +
       escape(r.clinic_name.empty() ? "KIT clinic" : r.clinic_name) + " \xC2\xB7 generated " +
       escape(r.generated_at) + "</p>";
  b += "<h1>Clinic outcomes, " + escape(r.from) + " to " + escape(r.to) + "</h1>";
  b += "<p>Courses of ketamine treatment started from " + escape(r.from) + " to " + escape(r.to) +
       ", observed until " + escape(r.as_of) + ": " + std::to_string(r.courses) + " courses of " +
       std::to_string(r.patients) + " patients. Aggregates only; no patient is named.";
  if (r.small_cells_applied) {
    b += " Groups of fewer than " + std::to_string(kSmallCellPatients) +
         " patients are suppressed (policy, ADR 0026).";
  }
  b += "</p></header>";
  if (r.groups.empty()) b += "<p>No course of treatment started in this period.</p>";
  // Overview: treated and completed induction per group.
  std::vector<ShareBar> overview;
  for (const ClinicGroup& g : r.groups) {
    if (g.suppressed) continue;
    overview.push_back(bar(words(g.indication) + ": treated", g.outcomes.treated));
    overview.push_back(
        bar(words(g.indication) + ": induction done", g.outcomes.completed_induction));
  }
  if (!overview.empty()) {
    b +=
        "<h2>Overview</h2><figure>" +
        share_bars_svg(overview, "Treated and completed induction per group") +
        "<figcaption>Treated: at least one induction infusion, of the courses; induction done: the "
        "planned induction infusions given, of the treated. 95% Wilson "
        "intervals.</figcaption></figure>";
  }
  for (const ClinicGroup& g : r.groups) {
    b += "<h2>" + escape(words(g.indication)) + ": " + escape(g.protocol_name) + "</h2>";
    if (g.suppressed) {
      b += "<p>Suppressed: fewer than " + std::to_string(kSmallCellPatients) + " patients.</p>";
      continue;
    }
    const an::GroupOutcomes& o = g.outcomes;
    b += "<p>" + std::to_string(o.courses) + " courses of " + std::to_string(g.patients) +
         " patients; treated " + escape(share_text(o.treated)) + "; completed induction " +
         escape(share_text(o.completed_induction)) + ".</p>";
    for (const an::InstrumentOutcomes& i : o.instruments) b += instrument_section(i);
    const an::BoosterSummary& bs = o.boosters;
    b += "<h3>Boosters</h3>" +
         table({"Measure", "Value"},
               {{td("courses followed after induction"),
                 td(std::to_string(bs.courses_followed), true)},
                {td("follow-up"),
                 td(escape(format_number(bs.patient_years, 2)) + " patient-years", true)},
                {td("boosters given"), td(std::to_string(bs.boosters), true)},
                {td("boosters per patient-year"),
                 td(escape(opt_number(bs.boosters_per_patient_year, 2)), true)},
                {td("days between boosters"),
                 td(escape(summary_text(bs.days_between_boosters, 0)), true)}});
    const an::MmeOutcomes& m = o.mme;
    if (m.on_opioids > 0) {
      b += "<h3>Opioids (MME)</h3>" +
           table(
               {"Measure", "Value"},
               {{td("courses on opioids at baseline"), td(std::to_string(m.on_opioids), true)},
                {td("with a later medication list"), td(std::to_string(m.with_follow_up), true)},
                {td("baseline MME/day"), td(escape(summary_text(m.baseline_mme_per_day, 1)), true)},
                {td("latest MME/day"), td(escape(summary_text(m.latest_mme_per_day, 1)), true)},
                {td("change MME/day"), td(escape(summary_text(m.change_mme_per_day, 1)), true)},
                {td("reduced / unchanged / increased / stopped"),
                 td(std::to_string(m.reduced) + " / " + std::to_string(m.unchanged) + " / " +
                        std::to_string(m.increased) + " / " + std::to_string(m.stopped),
                    true)}});
    }
    b += safety_section(o.safety);
  }
  b +=
      "<footer>Definitions, formulas and sources: docs/clinical-rules/outcome-analytics.md (Wilson "
      "1927; Kaplan-Meier 1958 with Greenwood 1926; IMMPACT tiers, Dworkin 2008). Every response, "
      "remission and relapse is the instrument's outcome rule (core/outcomes). Produced by KIT, "
      "research software, not a certified medical device.</footer>";
  return html_page("Clinic outcomes " + r.from + " to " + r.to, b, paper);
}

}  // namespace kit::reports
