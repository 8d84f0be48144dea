// GET /api/v1/patients/{id}/measurements: which questionnaires the patient owes over a course,
// and where each stands now (upcoming, due, done, missed), from the core's measurement schedule
// (core/measurement/schedule.h, docs/clinical-rules/measurement-schedule.md). The course's
// infusions are its appointments (a cancelled or no-show one asks for nothing) and its
// unscheduled sessions; an infusion counts as given once its session stopped. A completed
// questionnaire counts when it can have been taken: at its recording, or on the clinic-local day
// written on it when it was typed in later.
#include <algorithm>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/common/calendar.h"
#include "core/measurement/schedule.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/resources/clinic_time.h"
#include "server/resources/measurement_facts.h"
#include "server/resources/modules.h"
#include "server/resources/patient_record.h"
#include "storage/stores/assessment_store.h"
#include "storage/stores/course_store.h"
#include "storage/stores/infusion_store.h"
#include "storage/stores/scheduling_store.h"

namespace kit::server {
namespace {

using nlohmann::json;

// The course asked for, or the patient's latest.
storage::Course pick_course(storage::Transaction& tx, std::int64_t patient_id,
                            std::optional<std::int64_t> course_id) {
  storage::CourseStore courses(tx);
  if (course_id) {
    const auto c = courses.find(*course_id);
    if (!c || c->patient_id != patient_id) {
      throw ApiError::not_found("course");
    }
    return *c;
  }
  std::vector<storage::Course> all = courses.for_patient(patient_id);
  if (all.empty()) throw ApiError::not_found("course");
  return *std::max_element(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.created_at_ms < b.created_at_ms || (a.created_at_ms == b.created_at_ms && a.id < b.id);
  });
}

}  // namespace

measurement::Course course_facts(storage::Transaction& tx, const storage::Course& course) {
  measurement::Course facts;
  // Sessions of the course: the appointment they were given on, and when they ended.
  std::map<std::int64_t, const storage::InfusionSession*> by_appointment;
  const std::vector<storage::InfusionSession> sessions =
      storage::InfusionStore(tx).of_patient(course.patient_id);
  struct Given {
    std::int64_t start_ms;
    std::optional<std::int64_t> end_ms;
    bool cancelled;
  };
  std::vector<Given> given;
  for (const auto& s : sessions) {
    if (s.course_id != course.id || s.state == "voided") continue;
    if (s.appointment_id) {
      by_appointment[*s.appointment_id] = &s;
    } else if (s.started_at_ms) {
      given.push_back({*s.started_at_ms, s.stopped_at_ms, false});
    }
  }
  storage::AppointmentSearch search;
  search.patient_id = course.patient_id;
  search.course_id = course.id;
  search.limit = 1000;
  for (const auto& a : storage::SchedulingStore(tx).appointments(search)) {
    if (a.kind == "consult") continue;
    Given g{a.starts_ms, std::nullopt, a.status == "cancelled" || a.status == "no_show"};
    if (auto it = by_appointment.find(a.id); it != by_appointment.end()) {
      if (it->second->started_at_ms) g.start_ms = *it->second->started_at_ms;
      g.end_ms = it->second->stopped_at_ms;
    }
    given.push_back(g);
  }
  std::sort(given.begin(), given.end(),
            [](const Given& x, const Given& y) { return x.start_ms < y.start_ms; });
  int number = 0;
  for (const Given& g : given) {
    measurement::Infusion i;
    i.start_ms = g.start_ms;
    i.end_ms = g.end_ms;
    i.cancelled = g.cancelled;
    i.number = g.cancelled ? 0 : ++number;
    facts.infusions.push_back(i);
  }
  for (const storage::CourseEvent& e : storage::CourseStore(tx).events(course.id)) {
    if (e.to_state == "maintenance" && !facts.maintenance_from_ms)
      facts.maintenance_from_ms = e.at_ms;
    if (e.to_state == "completed" || e.to_state == "stopped") facts.ended_ms = e.at_ms;
  }
  return facts;
}

namespace {

// The first clinic's zone (lowest id), else UTC.
ClinicZone first_clinic_zone(storage::Transaction& tx) {
  const std::vector<storage::Clinic> clinics = storage::SchedulingStore(tx).clinics();
  return zone_named(clinics.empty() ? std::string("UTC") : clinics.front().timezone);
}

}  // namespace

ClinicZone course_zone(storage::Transaction& tx, const storage::Course& course) {
  storage::SchedulingStore scheduling(tx);
  std::optional<std::int64_t> clinic;
  // The first session of the course: its chair's clinic, else its appointment's.
  std::optional<storage::InfusionSession> first;
  for (auto& s : storage::InfusionStore(tx).of_patient(course.patient_id)) {
    if (s.course_id != course.id || s.state == "voided") continue;
    if (!first || s.id < first->id) first = std::move(s);
  }
  if (first && first->chair_id) {
    if (const auto chair = scheduling.find_chair(*first->chair_id)) clinic = chair->clinic_id;
  }
  if (!clinic && first && first->appointment_id) {
    if (const auto a = storage::InfusionStore(tx).appointment(*first->appointment_id)) {
      clinic = a->clinic_id;
    }
  }
  // Else the chair of its first appointment.
  if (!clinic) {
    storage::AppointmentSearch search;
    search.patient_id = course.patient_id;
    search.course_id = course.id;
    search.limit = 1000;
    const std::vector<storage::Appointment> booked = scheduling.appointments(search);
    const auto earliest = std::min_element(
        booked.begin(), booked.end(),
        [](const storage::Appointment& a, const storage::Appointment& b) {
          return a.starts_ms < b.starts_ms || (a.starts_ms == b.starts_ms && a.id < b.id);
        });
    if (earliest != booked.end()) {
      if (const auto chair = scheduling.find_chair(earliest->chair_id)) clinic = chair->clinic_id;
    }
  }
  if (clinic) return load_clinic_zone(tx, *clinic);
  return first_clinic_zone(tx);
}

ClinicZone sheet_zone(storage::Transaction& tx, std::int64_t patient_id,
                      std::optional<std::int64_t> course_id) {
  storage::CourseStore courses(tx);
  if (course_id) {
    if (const auto c = courses.find(*course_id); c && c->patient_id == patient_id) {
      return course_zone(tx, *c);
    }
  }
  const std::vector<storage::Course> all = courses.for_patient(patient_id);
  if (all.empty()) return first_clinic_zone(tx);
  return course_zone(tx,
                     *std::max_element(all.begin(), all.end(), [](const auto& a, const auto& b) {
                       return a.created_at_ms < b.created_at_ms ||
                              (a.created_at_ms == b.created_at_ms && a.id < b.id);
                     }));
}

std::vector<measurement::Taken> completed_questionnaires(
    const std::vector<storage::Assessment>& sheets, const ClinicZone& zone) {
  std::vector<measurement::Taken> taken;
  for (const storage::Assessment& a : sheets) {
    if (a.status != "active" || a.session_id) continue;
    const std::optional<std::int64_t> day = calendar::parse_day(a.taken_on);
    if (!day) {
      // Every stored date was checked when it was written; without one, the recording time.
      taken.push_back({a.instrument, a.at_ms, a.id});
      continue;
    }
    // The day's two local midnights (a midnight the clocks skip: the instant they jump at).
    const std::int64_t starts = zone.to_utc_ms_lenient(*day * calendar::kDayMs);
    const std::int64_t ends = zone.to_utc_ms_lenient((*day + 1) * calendar::kDayMs);
    taken.push_back(measurement::taken_on_day(a.instrument, a.id, a.at_ms, starts, ends));
  }
  return taken;
}

namespace {

Response get_measurements(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  const auto course_id = query_int(ctx.request(), "course_id", 1, INT64_MAX);
  storage::Transaction& tx = ctx.tx();
  const storage::Patient patient = load_patient_record(tx, patient_id);
  const storage::Course course = pick_course(tx, patient_id, course_id);
  const std::int64_t now = ctx.services().now_ms();

  const measurement::Policy policy = measurement::default_policy(patient.indication);
  const measurement::Course facts = course_facts(tx, course);
  // Weekly occasions are listed up to four weeks ahead.
  const auto occasions = measurement::occasions(policy, facts, now + 28 * 86'400'000LL);
  // Completed questionnaires: active sheets outside a session, each counted when it can have been
  // taken (a paper form typed in later counts for the day written on it, in the course's clinic's
  // time zone).
  const std::vector<measurement::Taken> taken = completed_questionnaires(
      storage::AssessmentStore(tx).of_patient(patient_id), course_zone(tx, course));
  json out = json::array();
  for (const auto& s : measurement::statuses(occasions, taken, now)) {
    const measurement::Occasion& o = s.occasion;
    out.push_back(
        {{"instrument", o.instrument_id},
         {"moment", measurement::moment_name(o.moment)},
         {"infusion_number", o.infusion_number == 0 ? json(nullptr) : json(o.infusion_number)},
         {"week", o.week == 0 ? json(nullptr) : json(o.week)},
         {"opens_at", iso8601_ms(o.opens_ms)},
         {"closes_at", iso8601_ms(o.closes_ms)},
         {"status", measurement::status_name(s.status)},
         {"assessment_id", s.assessment_id ? json(*s.assessment_id) : json(nullptr)}});
  }
  return json_response({{"patient_id", patient_id},
                        {"course_id", course.id},
                        {"course_state", course.state},
                        {"policy", "default:" + patient.indication},
                        {"occasions", out}});
}

}  // namespace

void register_measurement_routes(Router& router) {
  router.add({"GET", "/api/v1/patients/{id}/measurements",
              "The questionnaires a course asks for (baseline, before and after each infusion, "
              "weekly in maintenance) and where each stands: upcoming, due, done or missed",
              "assessments", access_roles({Role::physician, Role::nurse}, true), true,
              get_measurements, 200});
}

}  // namespace kit::server
