#include "server/reports/patient_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "core/common/calendar.h"
#include "core/common/error.h"
#include "core/dosing/drug_library.h"
#include "core/infusion/delivery.h"
#include "core/instruments/instrument.h"
#include "core/outcomes/outcome.h"
#include "server/reports/quantity_format.h"
#include "server/reports/svg.h"
#include "server/resources/clinic_time.h"
#include "server/resources/infusion_common.h"
#include "storage/stores/assessment_store.h"
#include "storage/stores/course_store.h"
#include "storage/stores/infusion_store.h"
#include "storage/stores/patient_store.h"
#include "storage/stores/scheduling_store.h"

namespace kit::reports {

namespace {

using nlohmann::json;

// The clinic's clock for the dates on the letter: the first clinic's zone, else UTC.
struct Clock {
  std::optional<server::ClinicZone> zone;
  std::string minutes(std::int64_t ms) const {
    return zone ? zone->local_minutes(ms) : calendar::format_minutes(ms);
  }
  std::string date(std::int64_t ms) const {
    return zone ? zone->local_date(ms) : calendar::format_day(calendar::day_of_ms(ms));
  }
  std::string name() const { return zone ? zone->name : "UTC"; }
};

std::string words(std::string_view id) {
  std::string out(id);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

std::string protocol_name(const std::string& id) {
  const dosing::Protocol* p = dosing::builtin_library().find(id);
  return p != nullptr ? p->name : id;
}

std::string reasons_text(const std::string& reasons_json, bool* blood_pressure) {
  std::string out;
  json reasons = json::parse(reasons_json, nullptr, false);
  if (!reasons.is_array()) return out;
  for (const json& r : reasons) {
    const std::string vital = r.value("vital", "");
    if (vital.find("bp") != std::string::npos) *blood_pressure = true;
    const double value =
        r.contains("value") && r["value"].is_number() ? r["value"].get<double>() : 0;
    const double limit =
        r.contains("limit") && r["limit"].is_number() ? r["limit"].get<double>() : 0;
    out += (out.empty() ? "" : "; ") + vital + " " + format_number(value, 1) + " " +
           r.value("comparison", "") + " " + format_number(limit, 1) + " \xE2\x86\x92 " +
           r.value("action", "");
  }
  return out;
}

}  // namespace

PatientReport load_patient_report(storage::Transaction& tx, std::int64_t patient_id,
                                  std::int64_t now_ms) {
  const std::optional<storage::Patient> patient = storage::PatientStore(tx).find(patient_id);
  if (!patient) throw Error::not_found("patient");
  PatientReport r;
  Clock clock;
  storage::SchedulingStore scheduling(tx);
  const std::vector<storage::Clinic> clinics = scheduling.clinics();
  if (!clinics.empty()) {
    r.clinic_name = clinics.front().name;
    clock.zone = server::zone_named(clinics.front().timezone);
  }
  r.generated_at = clock.minutes(now_ms);
  r.zone = clock.name();
  r.patient_id = patient->id;
  r.mrn = patient->mrn;
  r.given_name = patient->given_name;
  r.family_name = patient->family_name;
  r.date_of_birth = patient->date_of_birth;
  if (auto born = calendar::parse_iso_date(patient->date_of_birth)) {
    if (auto today = calendar::parse_iso_date(clock.date(now_ms))) {
      r.age_years = calendar::age_years(*born, *today);
    }
  }
  r.sex = patient->sex;
  r.weight_kg = patient->weight_kg;
  r.height_cm = patient->height_cm;
  r.indication = patient->indication;
  r.status = patient->status;

  // Infusions: every session whose pump was started and that was not voided, in the order given,
  // with the delivered dose from its pump events in force.
  storage::InfusionStore infusions(tx);
  std::vector<storage::InfusionSession> sessions = infusions.of_patient(patient_id);
  std::sort(sessions.begin(), sessions.end(), [](const auto& a, const auto& b) {
    const std::int64_t ta = a.started_at_ms.value_or(a.created_at_ms);
    const std::int64_t tb = b.started_at_ms.value_or(b.created_at_ms);
    return ta != tb ? ta < tb : a.id < b.id;
  });
  std::map<std::int64_t, int> given_per_course;
  for (const storage::InfusionSession& s : sessions) {
    if (s.state == "voided") {
      ++r.voided_sessions;
      continue;
    }
    if (!s.started_at_ms) {
      ++r.not_started_sessions;
      continue;
    }
    const auto events = infusions.pump_events(s.id);
    const infusion::InfusionRecord rec = server::infusion_routes::record_of(s, events);
    const bool running = s.state == "running" || s.state == "paused";
    const infusion::Delivery d =
        infusion::deliver(rec.events, rec.concentration, rec.dosing_weight,
                          running ? now_ms : s.stopped_at_ms.value_or(now_ms));
    InfusionLine line;
    line.session_id = s.id;
    line.number = static_cast<int>(r.infusions.size()) + 1;
    line.date = clock.date(s.started_at_ms.value_or(s.created_at_ms));
    line.protocol_id = s.protocol_id;
    line.state = s.state;
    line.planned_mg = s.planned_dose_mg;
    line.dosing_weight_kg = s.dosing_weight_kg;
    line.planned_mg_per_kg = s.dosing_weight_kg > 0 ? s.planned_dose_mg / s.dosing_weight_kg : 0;
    line.delivered_mg = d.mg.value();
    line.delivered_mg_per_kg = d.mg_per_kg.value();
    line.infused_min = static_cast<double>(d.infused_ms) / 60'000.0;
    for (const auto& c : infusions.dissociation(s.id)) {
      if (c.status != "active") continue;
      line.highest_cadss = std::max(line.highest_cadss.value_or(c.total), c.total);
    }
    for (const auto& v : infusions.vitals(s.id)) {
      if (v.status != "active" || !v.alert_id) continue;
      ++line.vital_alerts;
      VitalAlertLine a;
      a.at = clock.minutes(v.at_ms);
      a.sbp_mmhg = v.sbp_mmhg;
      a.dbp_mmhg = v.dbp_mmhg;
      a.hr_bpm = v.hr_bpm;
      a.spo2_percent = v.spo2_percent;
      a.rr_per_min = v.rr_per_min;
      a.reasons = reasons_text(v.reasons_json, &a.blood_pressure);
      r.vital_alerts.push_back(a);
    }
    for (const auto& e : infusions.adverse_events(s.id)) {
      if (e.status != "active") continue;
      ++line.adverse_events;
      r.adverse_events.push_back(
          {clock.minutes(e.at_ms), e.kind, e.severity, e.description, e.action_taken});
    }
    r.total_delivered_mg += line.delivered_mg;
    if (s.course_id) ++given_per_course[*s.course_id];
    r.infusions.push_back(line);
  }

  storage::CourseStore courses(tx);
  for (const storage::Course& c : courses.for_patient(patient_id)) {
    CourseLine line;
    line.id = c.id;
    line.protocol_id = c.protocol_id;
    line.protocol_name = protocol_name(c.protocol_id);
    line.state = c.state;
    line.created_on = clock.date(c.created_at_ms);
    line.planned_infusions = c.planned_infusions;
    line.extension_infusions = c.extension_infusions;
    line.infusions_given = given_per_course[c.id];
    line.notes = c.notes;
    for (const storage::CourseEvent& e : courses.events(c.id)) {
      if (e.event == "created") continue;
      line.events.push_back({clock.date(e.at_ms), e.to_state, e.reason});
    }
    r.courses.push_back(line);
  }

  // Scores: the outcome series of each instrument recorded outside a session (CADSS is a state
  // measure taken during the infusion: in the infusion table), one point per date as GET
  // /api/v1/patients/{id}/outcome reads it, judged by the core's outcome rules.
  storage::AssessmentStore assessments(tx);
  std::map<std::string, bool> recorded;
  for (const storage::Assessment& a : assessments.of_patient(patient_id)) {
    if (!a.session_id && a.status == "active") recorded[a.instrument] = true;
  }
  for (const instruments::InstrumentDefinition& def : instruments::all_instruments()) {
    if (!recorded.count(std::string(def.id))) continue;
    ScoreOutcome score;
    score.instrument = std::string(def.id);
    score.name = std::string(def.name);
    score.total_min = def.total_min;
    score.total_max = def.total_max;
    std::map<std::string, double> by_date;
    for (const auto& a : assessments.outcome_series(patient_id, score.instrument)) {
      by_date[a.taken_on] = a.total;
    }
    std::vector<outcomes::Assessment> series;
    for (const auto& [date, total] : by_date) {
      score.readings.push_back({date, total});
      series.push_back({date, total});
    }
    if (series.size() < 2) {
      score.not_evaluable = "one reading: no change to judge yet";
    } else {
      try {
        const outcomes::OutcomeResult o = outcomes::evaluate_outcome(def, series);
        score.evaluated = true;
        score.baseline = o.baseline.total;
        score.latest = o.latest.total;
        score.change_pct = o.change_pct;
        score.status = std::string(outcomes::status_name(o.status));
        score.booster_recommended = o.booster_recommended;
        score.reassess_sooner = o.reassess_sooner;
        score.reason = o.reason;
        if (o.criteria.response_reduction_pct.value) {
          score.response_line =
              o.baseline.total * (1.0 - *o.criteria.response_reduction_pct.value / 100.0);
          score.sources.push_back("response: " +
                                  std::string(o.criteria.response_reduction_pct.source.citation));
        }
        if (o.criteria.remission_max_total.value) {
          score.remission_line = *o.criteria.remission_max_total.value;
          score.sources.push_back("remission: " +
                                  std::string(o.criteria.remission_max_total.source.citation));
        }
        for (const std::string& p : o.policies) score.sources.push_back(p);
      } catch (const Error& e) {
        score.not_evaluable = e.message();
      }
    }
    r.scores.push_back(score);
  }

  storage::AlertFilter filter;
  filter.include_closed = true;
  filter.patient_id = patient_id;
  for (const storage::Alert& a : assessments.alerts(filter)) {
    r.alerts.push_back({clock.minutes(a.created_at_ms), a.kind, a.severity, a.message, a.status()});
  }
  std::sort(r.alerts.begin(), r.alerts.end(),
            [](const AlertLine& a, const AlertLine& b) { return a.at < b.at; });
  return r;
}

// ---- Rendering ---------------------------------------------------------------------------------

namespace {

std::string td(const std::string& html, bool num = false) {
  return num ? "<td class=\"num\">" + html + "</td>" : "<td>" + html + "</td>";
}

// A date or date-time cell: never broken at its hyphens.
std::string td_date(const std::string& text) {
  return "<td class=\"date\">" + escape(text) + "</td>";
}

std::string fact(const std::string& label, const std::string& value_html) {
  return "<dt>" + escape(label) + "</dt><dd>" + value_html + "</dd>";
}

std::string status_words(const ScoreOutcome& s) {
  if (!s.evaluated) return "not evaluable: " + s.not_evaluable;
  return words(s.status);
}

}  // namespace

std::string render_patient_report_html(const PatientReport& r, Paper paper) {
  const std::string full_name = r.given_name + " " + r.family_name;
  std::string b;
  b += "<header><p class=\"muted small\">" +
       escape(r.clinic_name.empty() ? "KIT clinic" : r.clinic_name) + " \xC2\xB7 generated " +
       escape(r.generated_at) + " (" + escape(r.zone) + ")</p>";
  b += "<h1>Ketamine treatment summary: " + escape(full_name) + "</h1>";
  b += "<p>For the referring clinician. This letter summarises the patient's ketamine treatment "
       "at this clinic: the infusions given, the questionnaire scores and the outcome they show, "
       "the safety events and the recommendation.</p></header>";

  // Patient.
  b += "<h2>Patient</h2><dl class=\"facts\">";
  b += fact("Name", escape(full_name));
  b += fact("Record number (MRN)", escape(r.mrn));
  b += fact("Date of birth",
            escape(r.date_of_birth) + " (" + std::to_string(r.age_years) + " years)");
  b += fact("Sex", escape(r.sex));
  b += fact("Weight", escape(format_quantity(r.weight_kg, Unit::kg)));
  b += fact("Height", escape(format_quantity(r.height_cm, Unit::cm)));
  b += fact("Indication", escape(words(r.indication)));
  b += fact("Status", escape(words(r.status)));
  b += "</dl>";

  // Courses.
  b += "<h2>Course of treatment</h2>";
  if (r.courses.empty()) {
    b += "<p>No course of treatment has been prescribed.</p>";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const CourseLine& c : r.courses) {
      std::string history;
      for (const auto& e : c.events) {
        history += escape(e.on + ": " + words(e.to_state) +
                          (e.reason.empty() ? "" : " \xE2\x80\x94 " + e.reason)) +
                   "<br>";
      }
      rows.push_back({td(escape(c.protocol_name)), td(escape(words(c.state))),
                      td_date(c.created_on),
                      td(std::to_string(c.infusions_given) + " of " +
                             std::to_string(c.planned_infusions + c.extension_infusions) +
                             (c.extension_infusions > 0
                                  ? " (" + std::to_string(c.extension_infusions) + " added)"
                                  : ""),
                         true),
                      td(history.empty() ? "\xE2\x80\x94" : history)});
    }
    b += table({"Protocol", "State", "Prescribed", "Infusions given", "History"}, rows);
  }

  // Infusions.
  b += "<h2>Infusions</h2>";
  if (r.infusions.empty()) {
    b += "<p>No infusion has been given.</p>";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const InfusionLine& i : r.infusions) {
      rows.push_back(
          {td(std::to_string(i.number), true), td_date(i.date),
           td(escape(format_quantity(i.planned_mg, Unit::mg)) + "<br>" +
                  escape(format_quantity(i.planned_mg_per_kg, Unit::mg_per_kg)),
              true),
           td(escape(format_quantity(i.delivered_mg, Unit::mg)) + "<br>" +
                  escape(format_quantity(i.delivered_mg_per_kg, Unit::mg_per_kg)),
              true),
           td(escape(format_quantity(i.infused_min, Unit::min)), true),
           td(escape(format_quantity(i.dosing_weight_kg, Unit::kg)), true),
           td(escape(words(i.state))),
           td(i.highest_cadss ? escape(format_number(*i.highest_cadss, 1)) : "\xE2\x80\x94", true),
           td(std::to_string(i.vital_alerts) + " / " + std::to_string(i.adverse_events), true)});
    }
    b += table({"#", "Date", "Planned dose", "Delivered (pump)", "Pump ran", "Dosing weight",
                "State", "CADSS (highest)", "Vital alerts / adverse events"},
               rows);
    b += "<p>Total delivered: " + escape(format_quantity(r.total_delivered_mg, Unit::mg)) +
         " over " + std::to_string(r.infusions.size()) + " infusion" +
         (r.infusions.size() == 1 ? "" : "s") +
         (r.voided_sessions > 0
              ? "; " + std::to_string(r.voided_sessions) + " planned session(s) voided, never given"
              : "") +
         (r.not_started_sessions > 0
              ? "; " + std::to_string(r.not_started_sessions) + " planned session(s) not started"
              : "") +
         ". The delivered dose is computed from the pump events recorded at the chair (rate "
         "\xC3\x97 time \xC3\x97 concentration).</p>";
  }

  // Scores.
  b += "<h2>Questionnaire scores and response</h2>";
  if (r.scores.empty()) b += "<p>No questionnaire has been recorded.</p>";
  for (const ScoreOutcome& s : r.scores) {
    b += "<h3>" + escape(s.name) + "</h3>";
    if (s.evaluated) {
      b += "<p><span class=\"flag\">" + escape(status_words(s)) + "</span>: baseline " +
           escape(format_number(s.baseline, 1)) + ", latest " + escape(format_number(s.latest, 1)) +
           " (" + escape(format_quantity(s.change_pct, Unit::percent)) + " from baseline). " +
           escape(s.reason) + "</p>";
    } else {
      b += "<p>" + escape(status_words(s)) + "</p>";
    }
    std::vector<DatedPoint> pts;
    for (const auto& x : s.readings) {
      if (auto d = calendar::parse_day(x.date)) pts.push_back({*d, x.total});
    }
    std::vector<ReferenceLine> lines;
    if (s.response_line)
      lines.push_back(
          {*s.response_line, "response \xE2\x89\xA4 " + format_number(*s.response_line, 1)});
    if (s.remission_line)
      lines.push_back(
          {*s.remission_line, "remission \xE2\x89\xA4 " + format_number(*s.remission_line, 1)});
    b += "<figure>" +
         trajectory_svg(
             pts, s.total_min, s.total_max, lines, s.name + " total",
             s.name + " total over time, " + std::to_string(s.readings.size()) + " readings") +
         "<figcaption>" + escape(s.name) + " totals by date (lower is better)";
    if (!lines.empty())
      b += "; dashed lines: the response and remission thresholds from this baseline";
    b += ".</figcaption></figure>";
    std::vector<std::vector<std::string>> rows;
    for (const auto& x : s.readings)
      rows.push_back({td_date(x.date), td(escape(format_number(x.total, 1)), true)});
    b += table({"Date", "Total"}, rows, "small");
    if (!s.sources.empty()) {
      std::string src;
      for (const auto& x : s.sources) src += (src.empty() ? "" : "; ") + x;
      b += "<p class=\"small muted\">Rules: " + escape(src) + "</p>";
    }
  }

  // Safety.
  b += "<h2>Safety events</h2>";
  b += "<h3>Adverse events</h3>";
  if (r.adverse_events.empty()) {
    b += "<p>None recorded.</p>";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : r.adverse_events) {
      rows.push_back({td_date(e.at), td(escape(words(e.kind))), td(escape(words(e.severity))),
                      td(escape(e.description)), td(escape(e.action_taken))});
    }
    b += table({"When", "Kind", "Severity", "Description", "Action taken"}, rows);
  }
  b += "<h3>Vital-sign alerts (blood pressure and others)</h3>";
  if (r.vital_alerts.empty()) {
    b += "<p>None: no reading crossed an alert threshold.</p>";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& v : r.vital_alerts) {
      std::string bp = (v.sbp_mmhg || v.dbp_mmhg)
                           ? format_number(v.sbp_mmhg.value_or(NAN), 0) + "/" +
                                 format_quantity(v.dbp_mmhg, Unit::mmHg)
                           : std::string(kNoValue);
      rows.push_back({td_date(v.at), td(escape(bp), true),
                      td(escape(format_quantity(v.hr_bpm, Unit::bpm)), true),
                      td(escape(format_quantity(v.spo2_percent, Unit::percent)), true),
                      td(escape(format_quantity(v.rr_per_min, Unit::breaths_per_min)), true),
                      td((v.blood_pressure ? "<span class=\"flag\">blood pressure</span>: " : "") +
                         escape(v.reasons))});
    }
    b += table({"When", "BP", "HR", "SpO2", "RR", "Threshold crossed"}, rows);
  }
  b += "<h3>Dissociation (CADSS)</h3>";
  {
    std::vector<std::vector<std::string>> rows;
    for (const auto& i : r.infusions) {
      if (i.highest_cadss)
        rows.push_back({td_date(i.date), td(std::to_string(i.number), true),
                        td(escape(format_number(*i.highest_cadss, 1)), true)});
    }
    if (rows.empty()) {
      b += "<p>No CADSS recorded during an infusion.</p>";
    } else {
      b += table({"Date", "Infusion", "Highest CADSS total"}, rows);
    }
  }
  b += "<h3>Alerts raised</h3>";
  if (r.alerts.empty()) {
    b += "<p>None.</p>";
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& a : r.alerts) {
      rows.push_back({td_date(a.at), td(escape(words(a.kind))), td(escape(a.severity)),
                      td(escape(a.message)), td(escape(a.status))});
    }
    b += table({"When", "Kind", "Severity", "Message", "Status"}, rows);
  }

  // Recommendation.
  b += "<h2>Recommendation</h2>";
  bool any = false;
  for (const ScoreOutcome& s : r.scores) {
    if (!s.evaluated) continue;
    any = true;
    std::string what = s.booster_recommended ? "A booster infusion is recommended"
                       : s.reassess_sooner   ? "Reassess sooner than planned, before any booster"
                                             : "No booster is indicated now";
    b += "<p><span class=\"flag\">" + escape(s.name) + ": " + escape(what) + ".</span> " +
         escape(s.reason) + "</p>";
  }
  if (!any) b += "<p>The questionnaire series is too short for the outcome rules to judge.</p>";
  bool notes = false;
  for (const CourseLine& c : r.courses) {
    if (c.notes.empty()) continue;
    if (!notes) b += "<h3>The physician's notes</h3>";
    notes = true;
    b += "<p>" + escape(c.protocol_name) + ": " + escape(c.notes) + "</p>";
  }

  b +=
      "<footer>Outcome rules, thresholds and their sources: KIT core/outcomes "
      "(docs/clinical-rules). Quantities are written as ISMP recommends (leading zero, no trailing "
      "zero). Produced by KIT, research software, not a certified medical device; the clinic's "
      "record is the source of truth. Confidential patient information.</footer>";
  return html_page("Treatment summary: " + full_name, b, paper);
}

}  // namespace kit::reports
