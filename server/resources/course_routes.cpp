// Courses of treatment: an induction series (extendable to 12 infusions), then maintenance with
// boosters. States and transitions are explicit; every change is a course_events row and, as the
// routes carry patient data, an audit row. The server proposes induction dates.
// Rules and sources: docs/api-journey.md.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "contract/json_reader.h"
#include "core/common/calendar.h"
#include "core/common/error.h"
#include "core/dosing/drug_library.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/resources/journey_common.h"
#include "server/resources/modules.h"
#include "server/resources/patient_record.h"
#include "storage/stores/course_store.h"
#include "storage/stores/scheduling_store.h"

namespace kit::server {

namespace {

using namespace journey;

constexpr std::size_t kMaxReason = 2000;
// PMC9154276 (ketamine vs ECT, n=186): 0.5 mg/kg thrice weekly, "max 12 sessions"
// (docs/reference/pharmacology.md §3.1). A real share of patients respond only by 10-12.
constexpr std::int64_t kMaxInductionInfusions = 12;
// Thrice weekly with a day between infusions: Shiroma 2014 Mon-Wed-Fri over 12 days (§3.2),
// Feder 2021 three a week over two consecutive weeks (§3.3).
constexpr std::int64_t kMinDaysBetweenInfusions = 2;
constexpr int kMaxInfusionsPerWeek = 3;
constexpr std::int64_t kSeriesWindowDays = 14;            // "six infusions within about two weeks"
constexpr std::int64_t kProposalHorizonDays = 56;         // search no further than eight weeks
constexpr std::int64_t kMaxProposalStartDaysAhead = 730;  // policy: the booking horizon

// The state machine. Terminal: completed, stopped.
const std::map<std::string, std::vector<std::string>>& transitions() {
  static const std::map<std::string, std::vector<std::string>> t = {
      {"planned", {"induction", "stopped"}},
      {"induction", {"maintenance", "completed", "stopped"}},
      {"maintenance", {"completed", "stopped"}},
      {"completed", {}},
      {"stopped", {}},
  };
  return t;
}

bool is_active(const std::string& state) { return state == "induction" || state == "maintenance"; }

nlohmann::json course_json(storage::Transaction& tx, const storage::Course& c) {
  const dosing::Protocol* p = dosing::builtin_library().find(c.protocol_id);
  nlohmann::json events = nlohmann::json::array();
  for (const storage::CourseEvent& e : storage::CourseStore(tx).events(c.id)) {
    events.push_back({{"id", e.id},
                      {"event", e.event},
                      {"from", opt_json(e.from_state)},
                      {"to", e.to_state},
                      {"infusions_added", e.infusions_added},
                      {"reason", e.reason},
                      {"by_user_id", e.by_user_id},
                      {"at", iso8601_ms(e.at_ms)}});
  }
  const storage::InfusionCounts n = storage::SchedulingStore(tx).infusion_counts(c.id);
  const nlohmann::json counts = {{"booked", n.booked},
                                 {"completed", n.completed},
                                 {"cancelled", n.cancelled},
                                 {"no_show", n.no_show}};
  return {{"id", c.id},
          {"patient_id", c.patient_id},
          {"protocol_id", c.protocol_id},
          {"protocol_name", p ? p->name : ""},
          {"schedule", p ? p->schedule.description : ""},
          {"schedule_source", p ? p->schedule.source : ""},
          {"state", c.state},
          {"allowed_transitions", transitions().at(c.state)},
          {"planned_infusions", c.planned_infusions},
          {"extension_infusions", c.extension_infusions},
          {"total_infusions", c.total_infusions()},
          {"infusion_appointments", counts},
          {"notes", c.notes},
          {"created_by", c.created_by},
          {"created_at", iso8601_ms(c.created_at_ms)},
          {"updated_at", iso8601_ms(c.updated_at_ms)},
          {"version", c.version},
          {"events", events}};
}

storage::Course load_course(storage::Transaction& tx, std::int64_t id) {
  std::optional<storage::Course> course = storage::CourseStore(tx).find(id);
  if (!course) throw ApiError::not_found("course");
  return *course;
}

// A course the caller may see (sets the audited patient; patients only their own).
storage::Course course_for(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  storage::Course course = load_course(ctx.tx(), id);
  ctx.require_patient_access(course.patient_id);
  return course;
}

Response create_course(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string protocol_id = r.string("protocol_id");
  const std::string notes = r.optional_string("notes").value_or("");
  r.finish();
  if (notes.size() > kMaxReason) throw kit::InputError("notes", "is too long");
  // Validated against the core drug library: only a timed IV infusion can be given in a chair.
  const dosing::Protocol* p = dosing::builtin_library().find(protocol_id);
  if (p == nullptr) throw kit::InputError("protocol_id", "no such protocol in the drug library");
  if (p->route != dosing::AdministrationRoute::kIvInfusion || !p->duration) {
    throw ApiError::rule_refused(
        "protocol " + protocol_id + " is not a timed IV infusion; a course needs one",
        "protocol_id");
  }
  const std::int64_t planned =
      std::clamp<std::int64_t>(p->schedule.sessions, 1, kMaxInductionInfusions);
  storage::Transaction& tx = ctx.tx();
  const std::string status = load_patient_record(tx, patient_id).status;
  if (status == "declined" || status == "discharged") {
    throw ApiError::rule_refused("the patient is " + status + "; a new approval is needed first");
  }
  const std::int64_t now = ctx.services().now_ms();
  const std::int64_t by = ctx.user().user_id;
  const std::int64_t id =
      storage::CourseStore(tx).create({patient_id, protocol_id, planned, notes, by, now});
  const storage::Course course = load_course(tx, id);
  Response resp = json_response_with_etag(course_json(tx, course), course.version, 201);
  resp.set_header("Location", "/api/v1/courses/" + std::to_string(id));
  return resp;
}

Response list_courses(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  storage::Transaction& tx = ctx.tx();
  load_patient_record(tx, patient_id);
  nlohmann::json out = nlohmann::json::array();
  for (const storage::Course& c : storage::CourseStore(tx).for_patient(patient_id)) {
    out.push_back(course_json(tx, c));
  }
  return json_response({{"courses", out}});
}

Response get_course(RouteContext& ctx) {
  const storage::Course course = course_for(ctx);
  return json_response_with_etag(course_json(ctx.tx(), course), course.version);
}

// Writes the new state guarded by the version read in this transaction (a concurrent writer in
// another process makes it 0 rows: 412).
void write_state(storage::Transaction& tx, const storage::Course& course, const std::string& to,
                 std::int64_t extra_infusions, std::int64_t now) {
  bool changed = false;
  try {
    changed = storage::CourseStore(tx).change(course.id, course.version, to, extra_infusions, now);
  } catch (const storage::ConstraintViolation&) {
    throw ApiError::conflict(
        "the patient already has a course under way (induction or maintenance)", "to");
  }
  if (!changed) throw ApiError::precondition_failed();
}

// Records a transition or extension of `course` from the state it was read in.
void add_event(storage::Transaction& tx, const storage::Course& course, const std::string& event,
               const std::string& to, std::int64_t added, const std::string& reason,
               std::int64_t by, std::int64_t at) {
  storage::CourseStore(tx).record_event(
      {course.id, event, course.state, to, added, reason, by, at});
}

Response post_transition(RouteContext& ctx) {
  const storage::Course course = course_for(ctx);
  if (ctx.request().header("if-match")) ctx.require_if_match(course.version);
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string to = r.string("to");
  std::string reason = r.optional_string("reason").value_or("");
  r.finish();
  if (transitions().count(to) == 0 || to == "planned") {
    throw kit::InputError("to", "must be induction, maintenance, completed or stopped");
  }
  if (reason.size() > kMaxReason) throw kit::InputError("reason", "is too long");
  if (to == "stopped") reason = require_text(reason, "reason", kMaxReason);

  const std::string from = course.state;
  const auto& allowed = transitions().at(from);
  if (std::find(allowed.begin(), allowed.end(), to) == allowed.end()) {
    throw ApiError::conflict("a course cannot go from " + from + " to " + to, "to");
  }
  storage::Transaction& tx = ctx.tx();
  const std::int64_t patient_id = course.patient_id;
  const storage::Patient patient = load_patient_record(tx, patient_id);
  if (to == "induction" && storage::CourseStore(tx).other_course_under_way(patient_id, course.id)) {
    // The partial UNIQUE index courses_one_active settles a race between processes.
    throw ApiError::conflict(
        "the patient already has a course under way (induction or maintenance)", "to");
  }
  if (to == "induction" && patient.status != "approved") {
    throw ApiError::rule_refused(
        "only an approved patient may start a course (patient status: " + patient.status + ")",
        "to");
  }
  const std::int64_t now = ctx.services().now_ms();
  const std::int64_t by = ctx.user().user_id;
  write_state(tx, course, to, 0, now);
  add_event(tx, course, "transition", to, 0, reason, by, now);
  nlohmann::json extra = nlohmann::json::object();
  if (to == "induction") {
    storage::PatientStore(tx).set_status(patient_id, "in_treatment", now);
  } else if (to == "maintenance") {
    storage::PatientStore(tx).set_status(patient_id, "maintenance", now);
  } else {
    // completed or stopped: the course's booked appointments are cancelled (their chairs freed);
    // a patient whose course under way ended is discharged (a new course needs a new approval).
    extra["appointments_cancelled"] =
        storage::SchedulingStore(tx).cancel_booked_for_course(course.id, "course " + to, now);
    if (is_active(from)) storage::PatientStore(tx).set_status(patient_id, "discharged", now);
  }
  const storage::Course changed = load_course(tx, course.id);
  nlohmann::json out = course_json(tx, changed);
  out.update(extra);
  return json_response_with_etag(out, changed.version);
}

Response post_extend(RouteContext& ctx) {
  const storage::Course course = course_for(ctx);
  if (ctx.request().header("if-match")) ctx.require_if_match(course.version);
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const long long n = r.integer("infusions");
  const std::string reason = require_text(r.string("reason"), "reason", kMaxReason);
  r.finish();
  if (n < 1 || n > kMaxInductionInfusions) throw kit::InputError("infusions", "must be 1 to 12");
  const std::string state = course.state;
  if (state != "planned" && state != "induction") {
    throw ApiError::conflict(
        "only a planned or induction course can be extended (state: " + state + ")", "infusions");
  }
  const std::int64_t total = course.total_infusions();
  if (total + n > kMaxInductionInfusions) {
    throw ApiError::rule_refused(
        "an induction series is at most 12 infusions (PMC9154276: thrice weekly, max 12 "
        "sessions); this course has " +
            std::to_string(total),
        "infusions");
  }
  storage::Transaction& tx = ctx.tx();
  const std::int64_t now = ctx.services().now_ms();
  write_state(tx, course, state, n, now);
  add_event(tx, course, "extended", state, n, reason, ctx.user().user_id, now);
  const storage::Course changed = load_course(tx, course.id);
  return json_response_with_etag(course_json(tx, changed), changed.version);
}

// Proposes the remaining induction dates: thrice weekly with at least one day between infusions
// (Mon-Wed-Fri when starting on a Monday), on the clinic's open days, skipping days on which no
// active chair is free for the protocol's duration plus the clinic's recovery time, and days the
// patient already has an appointment. Days are each clinic's local dates, and nothing earlier than
// now is offered: a start before the clinic's today begins today, and today only from now on.
Response proposed_dates(RouteContext& ctx) {
  const storage::Course course = course_for(ctx);
  const Request& req = ctx.request();
  auto start_it = req.query.find("start");
  if (start_it == req.query.end()) throw kit::InputError("start", "is required (YYYY-MM-DD)");
  const std::int64_t start = require_date(start_it->second, "start");
  // Policy: dates are proposed no further ahead than appointments are booked (730 days, the
  // booking horizon of scheduling_routes.cpp); the search could otherwise run past year 9999.
  if (start > calendar::day_of_ms(ctx.services().now_ms()) + kMaxProposalStartDaysAhead) {
    throw kit::InputError("start", "must be at most 730 days after today (the booking horizon)");
  }
  auto clinic_filter = query_int(req, "clinic_id", 1, INT64_MAX);
  auto count_param = query_int(req, "count", 1, kMaxInductionInfusions);

  const std::string& state = course.state;
  if (state != "planned" && state != "induction") {
    throw ApiError::conflict("induction dates are proposed for planned or induction courses only");
  }
  storage::Transaction& tx = ctx.tx();
  storage::SchedulingStore scheduling(tx);
  const std::int64_t course_id = course.id;
  const std::int64_t total = course.total_infusions();
  std::int64_t held = 0;
  std::optional<std::int64_t> last_day;
  std::set<std::int64_t> patient_days;
  for (const storage::Appointment& a : scheduling.held_appointments(course.patient_id)) {
    // on_date is the local date at the appointment's clinic.
    const std::int64_t day = calendar::parse_day(a.on_date).value_or(0);
    patient_days.insert(day);
    if (a.course_id == course_id && a.kind == "infusion") {
      ++held;
      if (day < start && (!last_day || day > *last_day)) last_day = day;
    }
  }
  const std::int64_t count = count_param.value_or(std::max<std::int64_t>(0, total - held));

  struct ClinicPlan {
    ClinicHours hours;
    std::vector<std::int64_t> chairs;
    std::int64_t block_ms;
    std::int64_t today;  // the clinic's local date now
  };
  const std::int64_t now = ctx.services().now_ms();
  std::vector<ClinicPlan> clinics;
  const std::string& protocol_id = course.protocol_id;
  for (const storage::Clinic& c : scheduling.clinics(clinic_filter)) {
    ClinicPlan plan{load_clinic_hours(tx, c.id), {}, 0, 0};
    plan.block_ms = chair_block_ms(protocol_id, plan.hours.recovery_minutes);
    plan.today = plan.hours.zone.local_day(now);
    plan.chairs = scheduling.active_chair_ids(c.id);
    clinics.push_back(std::move(plan));
  }
  if (clinic_filter && clinics.empty()) throw kit::InputError("clinic_id", "no such clinic");

  nlohmann::json dates = nlohmann::json::array();
  nlohmann::json skipped = nlohmann::json::array();
  std::map<std::int64_t, int> per_week;     // ISO week (Monday's day number) -> infusions
  std::optional<std::int64_t> first_found;  // the first proposed day
  // Past days are never offered, so the search (and its horizon) begins no earlier than today.
  std::int64_t first_day = start;
  if (!clinics.empty()) {
    std::int64_t earliest_today = clinics.front().today;
    for (const ClinicPlan& c : clinics) earliest_today = std::min(earliest_today, c.today);
    first_day = std::max(start, earliest_today);
  }
  for (std::int64_t day = first_day;
       static_cast<std::int64_t>(dates.size()) < count && day < first_day + kProposalHorizonDays;
       ++day) {
    const std::int64_t monday = day - (calendar::iso_weekday(day) - 1);
    if (last_day && day - *last_day < kMinDaysBetweenInfusions) continue;
    if (per_week[monday] >= kMaxInfusionsPerWeek) continue;
    bool any_open = false;
    for (const ClinicPlan& c : clinics) {
      any_open = any_open || (day >= c.today && clinic_open_on(c.hours, day));
    }
    if (!any_open) continue;
    if (patient_days.count(day) != 0) {
      skipped.push_back(
          {{"date", calendar::format_day(day)}, {"why", "the patient has an appointment"}});
      continue;
    }
    std::optional<FreeChair> found;
    const ClinicPlan* where = nullptr;
    for (const ClinicPlan& c : clinics) {
      if (day < c.today) continue;
      found = first_free_chair(tx, c.hours, c.chairs, day, c.block_ms, now);
      if (found) {
        where = &c;
        break;
      }
    }
    if (!found) {
      skipped.push_back({{"date", calendar::format_day(day)}, {"why", "no chair free"}});
      continue;
    }
    const ClinicZone& zone = where->hours.zone;
    const std::int64_t ends = found->starts_ms + where->block_ms;
    dates.push_back({{"date", calendar::format_day(day)},
                     {"weekday", calendar::iso_weekday(day)},
                     {"start", zone.local_minutes(found->starts_ms)},
                     {"end", zone.local_minutes(ends)},
                     {"starts_at", zone.iso(found->starts_ms)},
                     {"ends_at", zone.iso(ends)},
                     {"timezone", zone.name},
                     {"chair_id", found->chair_id},
                     {"clinic_id", where->hours.clinic_id}});
    if (!first_found) first_found = day;
    last_day = day;
    ++per_week[monday];
  }
  const std::int64_t found_n = static_cast<std::int64_t>(dates.size());
  // From the day numbers themselves, never re-parsed from text.
  const std::int64_t span = first_found ? *last_day - *first_found + 1 : 0;
  nlohmann::json rule = {
      {"infusions_per_week_max", kMaxInfusionsPerWeek},
      {"min_days_between_infusions", kMinDaysBetweenInfusions},
      {"series_window_days", kSeriesWindowDays},
      {"source",
       "thrice weekly: Shiroma 2014 (Mon-Wed-Fri, 12 days), Feder 2021 (3/week, 2 weeks); "
       "docs/reference/pharmacology.md §3.2, §3.3"},
      {"chair_time",
       "protocol duration + clinic recovery_minutes (policy, default 60; anchor ACEP 2011 "
       "dose-to-discharge 50-110 min, §3.6), rounded up to 15-minute slots"}};
  return json_response({{"course_id", course_id},
                        {"protocol_id", protocol_id},
                        {"start", calendar::format_day(start)},
                        {"requested", count},
                        {"already_held", held},
                        {"dates", dates},
                        {"unscheduled", count - found_n},
                        {"span_days", span},
                        {"within_series_window", found_n == count && span <= kSeriesWindowDays},
                        {"skipped", skipped},
                        {"rule", rule}});
}

}  // namespace

void register_course_routes(Router& router) {
  const std::set<Role> readers = {Role::physician, Role::nurse, Role::front_desk};
  router.add({"POST", "/api/v1/patients/{id}/courses",
              "Plan a course (protocol_id from the drug library); state planned", "courses",
              access_roles({Role::physician}), true, create_course, 201});
  router.add({"GET", "/api/v1/patients/{id}/courses", "A patient's courses", "courses",
              access_roles(readers, true), true, list_courses, 200});
  router.add({"GET", "/api/v1/courses/{id}", "A course with its events (ETag = version)", "courses",
              access_roles(readers, true), true, get_course, 200});
  router.add({"POST", "/api/v1/courses/{id}/transitions",
              "Move a course to induction, maintenance, completed or stopped (409 when not "
              "allowed from its state)",
              "courses", access_roles({Role::physician}), true, post_transition, 200});
  router.add({"POST", "/api/v1/courses/{id}/extend",
              "Add infusions to an induction series (at most 12 in all)", "courses",
              access_roles({Role::physician}), true, post_extend, 200});
  router.add({"GET", "/api/v1/courses/{id}/proposed-dates",
              "Propose the remaining induction dates (?start=YYYY-MM-DD, clinic_id, count)",
              "courses", access_roles({Role::physician, Role::nurse, Role::front_desk}), true,
              proposed_dates, 200});
}

}  // namespace kit::server
