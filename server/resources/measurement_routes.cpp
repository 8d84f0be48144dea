// GET /api/v1/patients/{id}/measurements: which questionnaires the patient owes over a course,
// and where each stands now (upcoming, due, done, missed), from the core's measurement schedule
// (core/measurement/schedule.h, docs/clinical-rules/measurement-schedule.md). The course's
// infusions are its appointments (a cancelled or no-show one asks for nothing) and its
// unscheduled sessions; an infusion counts as given once its session stopped.
#include <algorithm>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/measurement/schedule.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
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
  // Completed questionnaires: active sheets outside a session, counted at the time they were
  // recorded (a paper form typed in later counts when it was typed in).
  std::vector<measurement::Taken> taken;
  for (const auto& a : storage::AssessmentStore(tx).of_patient(patient_id)) {
    if (a.status != "active" || a.session_id) continue;
    taken.push_back({a.instrument, a.at_ms, a.id});
  }
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
