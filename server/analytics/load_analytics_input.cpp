// The outcome analytics' loader (server/analytics/load_analytics_input.h): stores -> core records.
#include "server/analytics/load_analytics_input.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_map>

#include "core/common/calendar.h"
#include "core/common/error.h"
#include "core/instruments/instrument.h"
#include "core/outcomes/criteria.h"
#include "server/resources/clinic_time.h"
#include "storage/stores/analytics_store.h"

namespace kit::server::analytics {
namespace {

namespace an = outcomes::analytics;

constexpr std::array<std::string_view, 5> kIndications = {"depression", "ptsd", "ocd",
                                                          "chronic_pain", "other"};
// At most 12 induction infusions (PMC9154276, docs/reference/pharmacology.md §3.1; the schema's
// CHECK on courses keeps planned + extension <= 12).
constexpr int kMaxInduction = 12;
// Policy: a session stopped within one minute of infusion of its planned dose gave that dose.
constexpr double kStoppedEarlyToleranceMin = 1.0;

std::string require_date(const std::string& text, const char* field) {
  if (text.empty()) throw InputError(field, "is required (YYYY-MM-DD, the clinic's date)");
  if (!calendar::parse_iso_date(text)) {
    throw InputError(field, "must be a real calendar date written YYYY-MM-DD, got '" + text + "'");
  }
  return text;
}

// Whether one of the reasons of a vital-sign alert is a blood pressure.
bool is_bp_alert(const std::string& reasons_json) {
  const nlohmann::json reasons = nlohmann::json::parse(reasons_json, nullptr, false);
  if (!reasons.is_array()) return false;
  for (const auto& r : reasons) {
    if (!r.is_object() || !r.contains("vital") || !r.at("vital").is_string()) continue;
    const std::string v = r.at("vital").get<std::string>();
    if (v == "sbp_mmhg" || v == "dbp_mmhg" || v == "sbp_rise_mmhg" || v == "dbp_rise_mmhg") {
      return true;
    }
  }
  return false;
}

// Instruments whose totals make an outcome series (known, with outcome rules; not CADSS).
bool outcome_instrument(const std::string& id) {
  if (instruments::find_instrument(id) == nullptr) return false;
  const outcomes::OutcomeCriteria* c = outcomes::find_outcome_criteria(id);
  return c != nullptr && !c->not_applicable;
}

bool stopped_early(const storage::AnalyticsSession& s) {
  const double rate_ml_per_h =
      static_cast<double>(s.planned_rate_steps * s.pump_step_ul_per_h) / 1000.0;
  const double programmed_mg =
      rate_ml_per_h * s.planned_duration_min / 60.0 * s.concentration_mg_per_ml;
  const double planned_mg = std::min(s.planned_dose_mg, programmed_mg);
  const double one_minute_mg = rate_ml_per_h / 60.0 * s.concentration_mg_per_ml;
  return s.delivered_mg < planned_mg - kStoppedEarlyToleranceMin * one_minute_mg;
}

}  // namespace

std::string latest_clinic_today(storage::Transaction& tx, std::int64_t now_ms) {
  std::string today = zone_named("UTC").local_date(now_ms);
  for (const storage::AnalyticsClinic& c : storage::AnalyticsStore(tx).clinics()) {
    today = std::max(today, zone_named(c.timezone, "timezone").local_date(now_ms));
  }
  return today;
}

LoadedAnalytics load_analytics_input(storage::Transaction& tx, const AnalyticsFilter& filter,
                                     std::int64_t now_ms) {
  const std::string from = require_date(filter.from, "from");
  const std::string to = require_date(filter.to, "to");
  if (to < from) throw InputError("to", "is before from (" + from + ")");
  if (filter.indication && std::find(kIndications.begin(), kIndications.end(),
                                     *filter.indication) == kIndications.end()) {
    throw InputError("indication", "must be one of depression, ptsd, ocd, chronic_pain, other");
  }
  if (filter.protocol && filter.protocol->empty()) {
    throw InputError("protocol", "must name a protocol");
  }

  storage::AnalyticsStore store(tx);
  // Zones: each clinic's; a record without a clinic is read in UTC.
  std::map<std::int64_t, ClinicZone> zones;
  for (const storage::AnalyticsClinic& c : store.clinics()) {
    zones.emplace(c.id, zone_named(c.timezone, "timezone"));
  }
  if (filter.clinic_id && zones.count(*filter.clinic_id) == 0) {
    throw InputError("clinic_id", "no such clinic");
  }
  const ClinicZone utc = zone_named("UTC");
  const auto zone_of = [&](std::optional<std::int64_t> clinic) -> const ClinicZone& {
    if (clinic) {
      if (auto it = zones.find(*clinic); it != zones.end()) return it->second;
    }
    return utc;
  };
  // Today: the latest clinic-local date anywhere, so no record of any clinic is after as_of.
  std::string today = utc.local_date(now_ms);
  for (const auto& [id, z] : zones) today = std::max(today, z.local_date(now_ms));
  const std::string as_of = std::min(to, today);

  const storage::AnalyticsScope scope{filter.indication};
  const std::vector<storage::AnalyticsCourse> courses = store.courses(scope);
  std::unordered_map<std::int64_t, std::vector<storage::AnalyticsSession>> sessions_of;
  for (storage::AnalyticsSession& s : store.sessions(scope)) {
    sessions_of[s.course_id].push_back(std::move(s));
  }
  std::unordered_map<std::int64_t, int> bp_alerts;
  for (const storage::AnalyticsVitalAlert& v : store.vital_alerts(scope)) {
    if (is_bp_alert(v.reasons_json)) ++bp_alerts[v.session_id];
  }
  std::unordered_map<std::int64_t, double> cadss;
  for (const auto& [session, total] : store.cadss_maxima(scope)) cadss[session] = total;
  std::unordered_map<std::int64_t, std::vector<storage::AnalyticsAdverseEvent>> events_of;
  for (storage::AnalyticsAdverseEvent& e : store.adverse_events(scope)) {
    events_of[e.session_id].push_back(std::move(e));
  }
  std::unordered_map<std::int64_t, std::vector<storage::AnalyticsAssessment>> sheets_of;
  for (storage::AnalyticsAssessment& a : store.assessments(scope)) {
    if (outcome_instrument(a.instrument)) sheets_of[a.patient_id].push_back(std::move(a));
  }
  std::unordered_map<std::int64_t, std::vector<storage::AnalyticsMedicationList>> lists_of;
  for (storage::AnalyticsMedicationList& m : store.medication_lists(scope)) {
    lists_of[m.patient_id].push_back(std::move(m));
  }

  // Each course's dates in its clinic's zone; the end only once it is within observation.
  struct Dates {
    std::string start;
    std::optional<std::string> end;  // as recorded (may be after as_of)
  };
  std::unordered_map<std::int64_t, Dates> dates;
  std::unordered_map<std::int64_t, std::vector<const storage::AnalyticsCourse*>> courses_of;
  for (const storage::AnalyticsCourse& c : courses) {
    const ClinicZone& z = zone_of(c.clinic_id);
    Dates d{z.local_date(c.created_at_ms), std::nullopt};
    if (c.ended_at_ms) d.end = z.local_date(*c.ended_at_ms);
    dates[c.id] = d;
    courses_of[c.patient_id].push_back(&c);
  }
  // The course an unlinked sheet dated `day` belongs to: the patient's first course not ended
  // before that day (courses in creation order), else (every course ended before it: follow-up
  // after the last course) the patient's last course.
  const auto owner_of = [&](std::int64_t patient_id,
                            const std::string& day) -> std::optional<std::int64_t> {
    const auto& list = courses_of[patient_id];
    for (const storage::AnalyticsCourse* c : list) {
      const Dates& d = dates[c->id];
      if (!d.end || day <= *d.end) return c->id;
    }
    if (!list.empty()) return list.back()->id;
    return std::nullopt;
  };
  // The first day after a course's window for medication lists: the start of the patient's next
  // course (none: observation's end).
  const auto next_start = [&](const storage::AnalyticsCourse& c) -> std::optional<std::string> {
    const auto& list = courses_of[c.patient_id];
    for (std::size_t k = 0; k + 1 < list.size(); ++k) {
      if (list[k]->id == c.id) return dates[list[k + 1]->id].start;
    }
    return std::nullopt;
  };

  LoadedAnalytics out;
  out.input.as_of = as_of;
  std::map<std::pair<std::string, std::string>, std::set<std::int64_t>> people;
  for (const storage::AnalyticsCourse& c : courses) {
    const Dates& d = dates[c.id];
    if (d.start < from || d.start > to || d.start > as_of) continue;
    if (filter.protocol && c.protocol_id != *filter.protocol) continue;
    if (filter.clinic_id && c.clinic_id != filter.clinic_id) continue;

    an::CourseRecord r;
    r.indication = c.indication;
    r.protocol = c.protocol_id;
    r.course_start = d.start;
    if (d.end && *d.end <= as_of) r.course_end = d.end;
    r.planned_induction_infusions = static_cast<int>(
        std::clamp<std::int64_t>(c.planned_infusions + c.extension_infusions, 1, kMaxInduction));

    // Infusions, in start order.
    int induction = 0, boosters = 0;
    for (const storage::AnalyticsSession& s : sessions_of[c.id]) {
      const ClinicZone& z = zone_of(s.clinic_id ? s.clinic_id : c.clinic_id);
      const std::string day = z.local_date(s.started_at_ms);
      if (day > as_of) continue;
      const bool booster =
          boosters > 0 || induction >= kMaxInduction ||
          (s.appointment_kind && *s.appointment_kind == "booster") ||
          (!s.appointment_kind && c.maintenance_at_ms && s.started_at_ms >= *c.maintenance_at_ms);
      an::InfusionRecord f;
      f.kind = booster ? an::InfusionKind::booster : an::InfusionKind::induction;
      f.number = booster ? ++boosters : ++induction;
      f.date = day;
      f.status =
          stopped_early(s) ? an::InfusionStatus::stopped_early : an::InfusionStatus::completed;
      if (auto it = bp_alerts.find(s.id); it != bp_alerts.end()) f.bp_alerts = it->second;
      if (auto it = cadss.find(s.id); it != cadss.end()) f.cadss_total = it->second;
      // A session is read in its own clinic's zone, the course in its own: keep the course's
      // window around its infusions whatever the zones.
      r.course_start = std::min(r.course_start, day);
      if (r.course_end && *r.course_end < day) r.course_end = day;
      r.infusions.push_back(f);
      for (const storage::AnalyticsAdverseEvent& e : events_of[s.id]) {
        const std::string e_day = z.local_date(e.at_ms);
        if (e_day > as_of) continue;
        r.adverse_events.push_back({e_day, e.kind, e.severity});
      }
    }

    // Outcome sheets: the course's own, and unlinked ones it owns; the later recorded of a day.
    std::map<std::pair<std::string, std::string>, double> by_day;  // (instrument, day) -> total
    for (const storage::AnalyticsAssessment& a : sheets_of[c.patient_id]) {
      if (a.taken_on > as_of) continue;
      const bool mine = a.course_id ? *a.course_id == c.id
                                    : owner_of(c.patient_id, a.taken_on) == std::optional(c.id);
      if (!mine) continue;
      by_day[{a.instrument, a.taken_on}] = a.total;  // series order: the later overwrites
    }
    for (const auto& [key, total] : by_day) {
      r.assessments.push_back({key.first, key.second, total});
    }
    // MME: every list before the patient's next course (the baseline rule picks the one in force
    // at the first infusion; the follow-up may come after the course ended).
    const std::optional<std::string> window_end = next_start(c);
    std::map<std::string, double> mme;
    for (const storage::AnalyticsMedicationList& m : lists_of[c.patient_id]) {
      if (m.as_of > as_of || (window_end && m.as_of >= *window_end)) continue;
      mme[m.as_of] = m.total_mme_per_day;
    }
    for (const auto& [day, total] : mme) r.mme.push_back({day, total});

    people[{r.indication, r.protocol}].insert(c.patient_id);
    out.input.courses.push_back(std::move(r));
    out.course_ids.push_back(c.id);
    out.patient_ids.push_back(c.patient_id);
  }
  for (const auto& [group, ids] : people) {
    out.patients_per_group[group] = static_cast<int>(ids.size());
  }
  return out;
}

}  // namespace kit::server::analytics
