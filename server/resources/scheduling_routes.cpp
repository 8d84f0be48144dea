// Scheduling: clinics, chairs, staff availability and appointments. A booked appointment holds one
// appointment_slots row per 15-minute slot of its chair (and one staff_slots row per slot of its
// staff member), written in the booking's transaction; the UNIQUE constraints refuse a double
// booking even between two server processes (409). Rules: docs/api-journey.md. The SQL is in
// storage/stores/scheduling_store.h.
#include <map>
#include <nlohmann/json.hpp>

#include "contract/json_reader.h"
#include "core/common/calendar.h"
#include "core/common/error.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/resources/clinic_time.h"
#include "server/resources/journey_common.h"
#include "server/resources/modules.h"
#include "server/resources/patient_record.h"
#include "storage/stores/account_store.h"
#include "storage/stores/course_store.h"
#include "storage/stores/scheduling_store.h"

namespace kit::server {

namespace {

using namespace journey;

constexpr std::size_t kMaxText = 2000;
constexpr std::int64_t kDefaultConsultMs = 60 * kMinuteMs;  // policy: a consult without a course
// Policy: appointments are booked at most two years (730 days) ahead of the clinic-local today; a
// date beyond is a typing error or a fabricated record, not a plan.
constexpr std::int64_t kMaxDaysAhead = 730;

// ---- Clinics ---------------------------------------------------------------------------------

nlohmann::json clinic_json(const storage::Clinic& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"timezone", c.timezone},
          {"opens_at", c.opens_at},
          {"closes_at", c.closes_at},
          {"open_weekdays", c.open_weekdays},
          {"recovery_minutes", c.recovery_minutes},
          {"observation_minutes", c.observation_minutes},
          {"created_at", iso8601_ms(c.created_at_ms)},
          {"version", c.version}};
}

Response create_clinic(RouteContext& ctx) {
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string name = require_line(r.string("name"), "name", 200);
  // Appointments are kept as UTC instants and shown on this zone's wall clock, so it must be a
  // zone the tz database knows (an IANA name), not a fixed offset that misses DST.
  const std::string tz = zone_named(r.optional_string("timezone").value_or("UTC")).name;
  const std::string opens = r.optional_string("opens_at").value_or("08:00");
  const std::string closes = r.optional_string("closes_at").value_or("17:00");
  if (require_hhmm(opens, "opens_at") >= require_hhmm(closes, "closes_at")) {
    throw kit::InputError("closes_at", "must be after opens_at");
  }
  const std::string weekdays = r.optional_string("open_weekdays").value_or("12345");
  {
    std::set<char> seen;
    for (char c : weekdays) {
      if (c < '1' || c > '7' || !seen.insert(c).second) {
        throw kit::InputError("open_weekdays",
                              "must be distinct ISO weekday digits 1-7 (1 = Monday)");
      }
    }
    if (weekdays.empty()) throw kit::InputError("open_weekdays", "must name at least one day");
  }
  const long long recovery = r.optional_integer("recovery_minutes").value_or(60);
  if (recovery < 0 || recovery > 480) throw kit::InputError("recovery_minutes", "must be 0-480");
  // Minimum observation after an infusion stops, before discharge (clinic policy; the default 30
  // is anchored on RCEM's 25 minutes, core/infusion/gates.h).
  const long long observation = r.optional_integer("observation_minutes").value_or(30);
  if (observation < 0 || observation > 240) {
    throw kit::InputError("observation_minutes", "must be 0-240");
  }
  r.finish();
  const std::int64_t now = ctx.services().now_ms();
  storage::SchedulingStore store(ctx.tx());
  if (store.clinic_name_taken(name)) {
    throw ApiError::conflict("a clinic with this name exists", "name");
  }
  const std::int64_t id = store.create_clinic(
      {name, tz, opens, closes, weekdays, std::int64_t{recovery}, std::int64_t{observation}, now});
  return json_response_with_etag(clinic_json(*store.find_clinic(id)), 1, 201);
}

Response list_clinics(RouteContext& ctx) {
  nlohmann::json out = nlohmann::json::array();
  for (const storage::Clinic& c : storage::SchedulingStore(ctx.tx()).clinics()) {
    out.push_back(clinic_json(c));
  }
  return json_response({{"clinics", out}});
}

// ---- Chairs ----------------------------------------------------------------------------------

nlohmann::json chair_json(const storage::Chair& c) {
  return {{"id", c.id},
          {"clinic_id", c.clinic_id},
          {"name", c.name},
          {"active", c.active},
          {"version", c.version}};
}

storage::Chair load_chair(storage::Transaction& tx, std::int64_t id) {
  std::optional<storage::Chair> chair = storage::SchedulingStore(tx).find_chair(id);
  if (!chair) throw ApiError::not_found("chair");
  return *chair;
}

Response create_chair(RouteContext& ctx) {
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const long long clinic_id = r.integer("clinic_id");
  const std::string name = require_line(r.string("name"), "name", 100);
  const bool active = r.optional_boolean("active").value_or(true);
  r.finish();
  storage::Transaction& tx = ctx.tx();
  storage::SchedulingStore store(tx);
  if (!store.find_clinic(clinic_id)) throw kit::InputError("clinic_id", "no such clinic");
  if (store.chair_name_taken(clinic_id, name)) {
    throw ApiError::conflict("this clinic already has a chair with this name", "name");
  }
  const std::int64_t now = ctx.services().now_ms();
  const std::int64_t id = store.create_chair({clinic_id, name, active, now});
  return json_response_with_etag(chair_json(load_chair(tx, id)), 1, 201);
}

Response list_chairs(RouteContext& ctx) {
  const auto clinic_id = query_int(ctx.request(), "clinic_id", 1, INT64_MAX);
  nlohmann::json out = nlohmann::json::array();
  for (const storage::Chair& c : storage::SchedulingStore(ctx.tx()).chairs(clinic_id)) {
    out.push_back(chair_json(c));
  }
  return json_response({{"chairs", out}});
}

Response patch_chair(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  storage::Transaction& tx = ctx.tx();
  const storage::Chair chair = load_chair(tx, id);
  ctx.require_if_match(chair.version);
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  auto name = r.optional_string("name");
  auto active = r.optional_boolean("active");
  r.finish();
  if (name) *name = require_line(*name, "name", 100);
  if (!name && !active) throw kit::InputError("body", "names no field to change");
  if (!storage::SchedulingStore(tx).update_chair(id, chair.version, name.value_or(chair.name),
                                                 active.value_or(chair.active),
                                                 ctx.services().now_ms())) {
    throw ApiError::precondition_failed();
  }
  const storage::Chair changed = load_chair(tx, id);
  return json_response_with_etag(chair_json(changed), changed.version);
}

// ---- Staff availability ----------------------------------------------------------------------

nlohmann::json availability_json(const storage::StaffAvailability& a) {
  return {{"id", a.id},
          {"user_id", a.user_id},
          {"clinic_id", opt_json(a.clinic_id)},
          {"weekday", opt_json(a.weekday)},
          {"date", opt_json(a.on_date)},
          {"from", a.from_time},
          {"to", a.to_time},
          {"available", a.available},
          {"set_by", opt_json(a.set_by)},
          {"removed_at", a.removed_at_ms ? nlohmann::json(iso8601_ms(*a.removed_at_ms))
                                         : nlohmann::json(nullptr)},
          {"removed_by", opt_json(a.removed_by)}};
}

// The user must be an enabled physician or nurse (the staff appointments name).
void require_clinical_user(storage::Transaction& tx, std::int64_t user_id,
                           const std::string& field) {
  const std::optional<storage::User> u = storage::AccountStore(tx).find_user(user_id);
  if (!u) throw kit::InputError(field, "no such user");
  if (u->role != "physician" && u->role != "nurse") {
    throw kit::InputError(field, "must be a physician or nurse");
  }
  if (u->disabled) throw kit::InputError(field, "the account is disabled");
}

Response create_availability(RouteContext& ctx) {
  const Principal& who = ctx.user();
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::int64_t user_id = r.optional_integer("user_id").value_or(who.user_id);
  auto clinic_id = r.optional_integer("clinic_id");
  auto weekday = r.optional_integer("weekday");
  auto date = r.optional_string("date");
  const std::string from = r.string("from");
  const std::string to = r.string("to");
  const bool available = r.optional_boolean("available").value_or(true);
  r.finish();
  if (who.role != Role::admin && user_id != who.user_id) {
    throw ApiError::forbidden("only an admin may set another person's availability");
  }
  if (weekday.has_value() == date.has_value()) {
    throw kit::InputError("weekday", "give exactly one of weekday (1-7, 1 = Monday) or date");
  }
  if (weekday && (*weekday < 1 || *weekday > 7)) throw kit::InputError("weekday", "must be 1-7");
  if (date) require_date(*date, "date");
  if (weekday && !available) {
    throw kit::InputError("available", "time off (false) is given for a date, not a weekday");
  }
  if (require_hhmm(from, "from") >= require_hhmm(to, "to")) {
    throw kit::InputError("to", "must be after from");
  }
  storage::Transaction& tx = ctx.tx();
  storage::SchedulingStore store(tx);
  require_clinical_user(tx, user_id, "user_id");
  if (clinic_id && !store.find_clinic(*clinic_id)) {
    throw kit::InputError("clinic_id", "no such clinic");
  }
  storage::NewStaffAvailability row;
  row.user_id = user_id;
  if (clinic_id) row.clinic_id = *clinic_id;
  if (weekday) row.weekday = *weekday;
  row.on_date = date;
  row.from_time = from;
  row.to_time = to;
  row.available = available;
  row.at_ms = ctx.services().now_ms();
  row.set_by = who.user_id;
  const std::int64_t id = store.add_availability(row);
  return json_response(availability_json(*store.find_availability(id)), 201);
}

Response list_availability(RouteContext& ctx) {
  const auto user_id = query_int(ctx.request(), "user_id", 1, INT64_MAX);
  // Removed rows (kept with who removed them and when) on request.
  bool include_removed = false;
  if (auto it = ctx.request().query.find("include_removed"); it != ctx.request().query.end()) {
    if (it->second != "true" && it->second != "false") {
      throw kit::InputError("include_removed", "must be true or false");
    }
    include_removed = it->second == "true";
  }
  nlohmann::json out = nlohmann::json::array();
  for (const storage::StaffAvailability& a :
       storage::SchedulingStore(ctx.tx()).availability(user_id, include_removed)) {
    out.push_back(availability_json(a));
  }
  return json_response({{"availability", out}});
}

Response delete_availability(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  storage::SchedulingStore store(ctx.tx());
  const std::optional<storage::StaffAvailability> row = store.find_availability(id);
  if (!row || row->removed_at_ms) throw ApiError::not_found("availability");
  const Principal& who = ctx.user();
  if (who.role != Role::admin && row->user_id != who.user_id) {
    throw ApiError::forbidden("only an admin may change another person's availability");
  }
  // Time off (or a window) an admin set for someone is the admin's to remove.
  if (who.role != Role::admin && row->set_by && *row->set_by != row->user_id) {
    throw ApiError::forbidden("this was set by an admin; only an admin may remove it");
  }
  // Kept, marked removed (who, when): the schedule's history is never deleted.
  if (!store.remove_availability(id, who.user_id, ctx.services().now_ms())) {
    throw ApiError::not_found("availability");
  }
  return json_response({{"deleted", id}});
}

// Whether the staff member works the whole of [start, end) (UTC instants) at that clinic: a weekly
// or dated window of the clinic-local day covers it and no dated time off overlaps it. Windows are
// the clinic's wall-clock times, so a 08:00-17:00 week stays 08:00-17:00 across a DST change.
bool staff_available(storage::Transaction& tx, std::int64_t user_id, const ClinicHours& hours,
                     std::int64_t start_ms, std::int64_t end_ms) {
  const std::int64_t wall_start = hours.zone.to_wall_ms(start_ms);
  const std::int64_t day = calendar::day_of_ms(wall_start);
  const auto from_min = static_cast<int>((wall_start - day * kDayMs) / kMinuteMs);
  const auto to_min = static_cast<int>((hours.zone.to_wall_ms(end_ms) - day * kDayMs) / kMinuteMs);
  bool covered = false;
  for (const storage::StaffAvailability& a : storage::SchedulingStore(tx).availability_for_day(
           user_id, calendar::iso_weekday(day), calendar::format_day(day))) {
    if (a.clinic_id && *a.clinic_id != hours.clinic_id) continue;
    const int f = calendar::parse_hhmm(a.from_time).value_or(0);
    const int t = calendar::parse_hhmm(a.to_time).value_or(0);
    if (!a.available) {
      if (f < to_min && t > from_min) return false;
    } else if (f <= from_min && t >= to_min) {
      covered = true;
    }
  }
  return covered;
}

// ---- Appointments ----------------------------------------------------------------------------

// The zones of the chairs' clinics, loaded once per request.
class ChairZones {
 public:
  explicit ChairZones(storage::Transaction& tx) : tx_(tx) {}
  const ClinicZone& of(std::int64_t chair_id) {
    auto it = zones_.find(chair_id);
    if (it != zones_.end()) return it->second;
    const std::optional<storage::Chair> c = storage::SchedulingStore(tx_).find_chair(chair_id);
    if (!c) throw Error(ErrorKind::internal, "appointment on a missing chair");
    return zones_.emplace(chair_id, load_clinic_zone(tx_, c->clinic_id)).first->second;
  }

 private:
  storage::Transaction& tx_;
  std::map<std::int64_t, ClinicZone> zones_;
};

// Times on the clinic's wall clock: date, start and end as the clinic reads them ("2026-11-26",
// "2026-11-26T09:00"), starts_at / ends_at the same instants with the offset then in force
// ("2026-11-26T09:00:00-05:00"), which is what a client in another zone should compute with.
nlohmann::json appointment_json(const storage::Appointment& a, ChairZones& zones) {
  const ClinicZone& zone = zones.of(a.chair_id);
  return {{"id", a.id},
          {"patient_id", a.patient_id},
          {"course_id", opt_json(a.course_id)},
          {"chair_id", a.chair_id},
          {"staff_user_id", opt_json(a.staff_user_id)},
          {"kind", a.kind},
          {"date", a.on_date},
          {"start", zone.local_minutes(a.starts_ms)},
          {"end", zone.local_minutes(a.ends_ms)},
          {"starts_at", zone.iso(a.starts_ms)},
          {"ends_at", zone.iso(a.ends_ms)},
          {"timezone", zone.name},
          {"status", a.status},
          {"status_reason", a.status_reason},
          {"notes", a.notes},
          {"booking_reason", a.booking_reason},
          {"created_by", a.created_by},
          {"created_at", iso8601_ms(a.created_at_ms)},
          {"updated_at", iso8601_ms(a.updated_at_ms)},
          {"version", a.version}};
}

storage::Appointment load_appointment(storage::Transaction& tx, std::int64_t id) {
  std::optional<storage::Appointment> a = storage::SchedulingStore(tx).find_appointment(id);
  if (!a) throw ApiError::not_found("appointment");
  return *a;
}

struct Booking {
  std::int64_t patient_id = 0;
  std::optional<std::int64_t> course_id;
  std::int64_t chair_id = 0;
  std::optional<std::int64_t> staff_user_id;
  std::string kind;  // "" = from the course's state
  // Times as requested (read in the zone of the chair's clinic once the chair is known), or the
  // current UTC instants when rescheduling leaves them.
  std::optional<std::string> start_text;
  std::optional<std::string> end_text;
  std::int64_t starts_ms = 0;
  std::optional<std::int64_t> ends_ms;
  std::optional<std::int64_t> keep_duration_ms;  // a new start without an end keeps the length
  std::string on_date;                           // set by validate_booking: clinic-local date
  // The booking window (a new booking, or a new start): not on a clinic-local day already past,
  // unless a physician or nurse corrects the record with a reason; not beyond kMaxDaysAhead.
  bool check_window = false;
  std::int64_t now_ms = 0;
  bool clinician = false;
  std::string correction_reason;
};

// Every rule of a booking except the slot constraints (which the database enforces on insert).
// `exclude` is the appointment being rescheduled (0 for a new one).
void validate_booking(storage::Transaction& tx, Booking& b, std::int64_t exclude) {
  storage::SchedulingStore store(tx);
  const storage::Patient patient = load_patient_record(tx, b.patient_id);
  std::optional<storage::Course> course;
  if (b.course_id) {
    course = storage::CourseStore(tx).find(*b.course_id);
    if (!course || course->patient_id != b.patient_id) {
      throw kit::InputError("course_id", "no such course for this patient");
    }
  }
  const std::string state = course ? course->state : "";
  if (b.kind.empty())
    b.kind = !course ? "consult" : state == "maintenance" ? "booster" : "infusion";
  if (b.kind != "infusion" && b.kind != "booster" && b.kind != "consult") {
    throw kit::InputError("kind", "must be infusion, booster or consult");
  }
  if (b.kind != "consult") {
    if (!course) throw kit::InputError("course_id", "an infusion or booster belongs to a course");
    const std::string& status = patient.status;
    if (status != "approved" && status != "in_treatment" && status != "maintenance") {
      throw ApiError::rule_refused(
          "infusions are booked for approved patients only (status: " + status + ")", "patient_id");
    }
    if (b.kind == "infusion" && state != "planned" && state != "induction") {
      throw ApiError::rule_refused(
          "induction infusions need a planned or induction course (state: " + state + ")", "kind");
    }
    if (b.kind == "booster" && state != "maintenance") {
      throw ApiError::rule_refused("boosters need a course in maintenance (state: " + state + ")",
                                   "kind");
    }
    if (b.kind == "infusion") {
      const std::int64_t total = course->total_infusions();
      if (store.infusions_held(*b.course_id, exclude) >= total) {
        throw ApiError::rule_refused("all " + std::to_string(total) +
                                         " infusions of the series are booked or given; extend "
                                         "the course to add more",
                                     "course_id");
      }
    }
  }

  const std::optional<storage::Chair> chair = store.find_chair(b.chair_id);
  if (!chair) throw kit::InputError("chair_id", "no such chair");
  if (!chair->active) throw ApiError::rule_refused("the chair is not in use", "chair_id");
  const ClinicHours hours = load_clinic_hours(tx, chair->clinic_id);
  const ClinicZone& zone = hours.zone;

  if (b.start_text) b.starts_ms = zone.parse_instant(*b.start_text, "start");
  if (b.end_text) {
    b.ends_ms = zone.parse_instant(*b.end_text, "end");
  } else if (b.keep_duration_ms) {
    b.ends_ms = b.starts_ms + *b.keep_duration_ms;
  }
  const std::int64_t wall_start = zone.to_wall_ms(b.starts_ms);
  if (b.starts_ms % kSlotMs != 0 || wall_start % kSlotMs != 0) {
    throw kit::InputError("start", "must be on a 15-minute boundary");
  }
  if (!b.ends_ms) {
    b.ends_ms = b.starts_ms + (course ? chair_block_ms(course->protocol_id, hours.recovery_minutes)
                                      : kDefaultConsultMs);
  }
  if (*b.ends_ms % kSlotMs != 0) throw kit::InputError("end", "must be on a 15-minute boundary");
  if (*b.ends_ms <= b.starts_ms) throw kit::InputError("end", "must be after start");
  // Opening hours are the clinic's wall clock on the appointment's local day.
  const std::int64_t day = calendar::day_of_ms(wall_start);
  b.on_date = calendar::format_day(day);
  if (b.check_window) {
    const std::int64_t today = calendar::day_of_ms(zone.to_wall_ms(b.now_ms));
    if (day > today + kMaxDaysAhead) {
      throw ApiError::rule_refused("appointments are booked at most 730 days ahead (clinic policy)",
                                   "start");
    }
    if (day < today) {
      if (!b.clinician) {
        throw ApiError::rule_refused(
            "the day is already past: only a physician or nurse correcting the record books an "
            "appointment in the past, with a reason",
            "start");
      }
      if (b.correction_reason.empty()) {
        throw ApiError::rule_refused(
            "an appointment in the past corrects the record: give the reason", "reason");
      }
    }
  }
  if (!clinic_open_on(hours, day) || b.starts_ms < opens_utc_ms(hours, day) ||
      *b.ends_ms > closes_utc_ms(hours, day)) {
    throw ApiError::rule_refused("outside the clinic's opening hours", "start");
  }
  if (b.staff_user_id) {
    require_clinical_user(tx, *b.staff_user_id, "staff_user_id");
    if (!staff_available(tx, *b.staff_user_id, hours, b.starts_ms, *b.ends_ms)) {
      throw ApiError::rule_refused("the staff member is not available at that time",
                                   "staff_user_id");
    }
  }
  // Friendly conflict answers first; the UNIQUE slot constraints settle races.
  if (const auto overlap = store.patient_overlap(b.patient_id, b.starts_ms, *b.ends_ms, exclude)) {
    throw ApiError::conflict("the patient already has an appointment then (appointment " +
                                 std::to_string(*overlap) + ")",
                             "patient_id");
  }
}

// Friendly answers first (which appointment holds the slot); the UNIQUE slot rows, written in the
// booking's transaction, settle a race with another process.
void hold_slots(storage::Transaction& tx, std::int64_t appointment_id, const Booking& b) {
  storage::SchedulingStore store(tx);
  for (std::int64_t s = b.starts_ms; s < *b.ends_ms; s += kSlotMs) {
    if (const auto taken = store.chair_slot_holder(b.chair_id, s)) {
      throw ApiError::conflict("chair already booked (appointment " + std::to_string(*taken) + ")",
                               "chair_id");
    }
    if (b.staff_user_id) {
      if (const auto busy = store.staff_slot_holder(*b.staff_user_id, s)) {
        throw ApiError::conflict(
            "staff member already booked (appointment " + std::to_string(*busy) + ")",
            "staff_user_id");
      }
    }
  }
  for (std::int64_t s = b.starts_ms; s < *b.ends_ms; s += kSlotMs) {
    try {
      store.hold_chair_slot(b.chair_id, s, appointment_id);
    } catch (const storage::ConstraintViolation&) {
      throw ApiError::conflict("chair already booked", "chair_id");
    }
    if (b.staff_user_id) {
      try {
        store.hold_staff_slot(*b.staff_user_id, s, appointment_id);
      } catch (const storage::ConstraintViolation&) {
        throw ApiError::conflict("staff member already booked", "staff_user_id");
      }
    }
  }
}

Response create_appointment(RouteContext& ctx) {
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  Booking b;
  b.patient_id = r.integer("patient_id");
  if (auto c = r.optional_integer("course_id")) b.course_id = *c;
  b.chair_id = r.integer("chair_id");
  if (auto s = r.optional_integer("staff_user_id")) b.staff_user_id = *s;
  b.kind = r.optional_string("kind").value_or("");
  if (r.has("kind") && b.kind.empty()) throw kit::InputError("kind", "must not be empty");
  b.start_text = require_datetime_text(r.string("start"), "start");
  if (auto e = r.optional_string("end")) b.end_text = require_datetime_text(*e, "end");
  const std::string notes = r.optional_string("notes").value_or("");
  b.correction_reason = r.optional_string("reason").value_or("");
  r.finish();
  if (notes.size() > kMaxText) throw kit::InputError("notes", "is too long");
  if (b.correction_reason.size() > kMaxText) throw kit::InputError("reason", "is too long");
  ctx.require_patient_access(b.patient_id);

  storage::Transaction& tx = ctx.tx();
  const std::int64_t now = ctx.services().now_ms();
  b.check_window = true;
  b.now_ms = now;
  b.clinician = ctx.user().role == Role::physician || ctx.user().role == Role::nurse;
  validate_booking(tx, b, 0);
  const std::int64_t id = storage::SchedulingStore(tx).create_appointment(
      {b.patient_id, b.course_id, b.chair_id, b.staff_user_id, b.kind, b.starts_ms, *b.ends_ms,
       b.on_date, notes, ctx.user().user_id, now, b.correction_reason});
  hold_slots(tx, id, b);
  ChairZones zones(tx);
  Response resp =
      json_response_with_etag(appointment_json(load_appointment(tx, id), zones), 1, 201);
  resp.set_header("Location", "/api/v1/appointments/" + std::to_string(id));
  return resp;
}

Response list_appointments(RouteContext& ctx) {
  const Request& req = ctx.request();
  const Principal& who = ctx.user();
  std::optional<std::int64_t> patient = query_int(req, "patient_id", 1, INT64_MAX);
  if (who.role == Role::patient) {
    if (!patient) patient = who.patient_id;
    if (!patient) throw ApiError::forbidden("this account is not linked to a patient");
  }
  if (patient) ctx.require_patient_access(*patient);
  storage::AppointmentSearch search;
  search.patient_id = patient;
  if (auto it = req.query.find("date"); it != req.query.end()) {
    require_date(it->second, "date");
    search.on_date = it->second;
  }
  if (auto it = req.query.find("from"); it != req.query.end()) {
    require_date(it->second, "from");
    search.from_date = it->second;
  }
  if (auto it = req.query.find("to"); it != req.query.end()) {
    require_date(it->second, "to");
    search.to_date = it->second;
  }
  search.chair_id = query_int(req, "chair_id", 1, INT64_MAX);
  search.course_id = query_int(req, "course_id", 1, INT64_MAX);
  search.staff_user_id = query_int(req, "staff_user_id", 1, INT64_MAX);
  if (auto it = req.query.find("status"); it != req.query.end()) search.status = it->second;
  search.limit = query_int(req, "limit", 1, 1000).value_or(200);
  nlohmann::json out = nlohmann::json::array();
  ChairZones zones(ctx.tx());
  for (const storage::Appointment& a : storage::SchedulingStore(ctx.tx()).appointments(search)) {
    ctx.add_listed_patient(a.patient_id);  // a day list is in each booked patient's access log
    out.push_back(appointment_json(a, zones));
  }
  return json_response({{"appointments", out}});
}

Response get_appointment(RouteContext& ctx) {
  const storage::Appointment a = load_appointment(ctx.tx(), ctx.id_param("id"));
  ctx.require_patient_access(a.patient_id);
  ChairZones zones(ctx.tx());
  return json_response_with_etag(appointment_json(a, zones), a.version);
}

// Status changes (completed, cancelled, no_show) and rescheduling (start, end, chair, staff) of a
// booked appointment. If-Match is required. Cancelling frees the chair and staff slots.
Response patch_appointment(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  storage::Transaction& tx = ctx.tx();
  const storage::Appointment current = load_appointment(tx, id);
  ctx.require_patient_access(current.patient_id);
  ctx.require_if_match(current.version);
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  auto status = r.optional_string("status");
  const std::string reason = r.optional_string("status_reason").value_or("");
  auto notes = r.optional_string("notes");
  auto start = r.optional_string("start");
  if (start) require_datetime_text(*start, "start");
  auto end = r.optional_string("end");
  if (end) require_datetime_text(*end, "end");
  auto chair = r.optional_integer("chair_id");
  const bool staff_given = r.has("staff_user_id");
  std::optional<std::int64_t> staff;
  if (staff_given && !r.value("staff_user_id").is_null()) staff = r.integer("staff_user_id");
  auto correction = r.optional_string("reason");
  r.finish();
  if (correction && correction->size() > kMaxText) throw kit::InputError("reason", "is too long");
  if (status && *status != "booked" && *status != "completed" && *status != "cancelled" &&
      *status != "no_show") {
    throw kit::InputError("status", "must be completed, cancelled or no_show");
  }
  if (reason.size() > kMaxText) throw kit::InputError("status_reason", "is too long");
  if (notes && notes->size() > kMaxText) throw kit::InputError("notes", "is too long");
  const bool reschedule = start || end || chair || staff_given;
  if (!status && !notes && !reschedule) throw kit::InputError("body", "names no field to change");
  const std::string from = current.status;
  const std::string to = status.value_or(from);
  if (from != "booked" && (to != from || reschedule)) {
    throw ApiError::conflict("a " + from + " appointment cannot change", "status");
  }
  if (to == "booked" && from != "booked") throw ApiError::conflict("cannot rebook", "status");
  if (reschedule && to != "booked") {
    throw kit::InputError("status", "reschedule and change status in separate requests");
  }
  const std::int64_t now = ctx.services().now_ms();

  Booking b;
  b.patient_id = current.patient_id;
  b.course_id = current.course_id;
  b.chair_id = chair ? std::int64_t{*chair} : current.chair_id;
  b.staff_user_id = staff_given ? staff : current.staff_user_id;
  b.kind = current.kind;
  b.starts_ms = current.starts_ms;
  b.ends_ms = current.ends_ms;
  b.on_date = current.on_date;
  b.start_text = start;
  b.end_text = end;
  if (start && !end) b.keep_duration_ms = current.ends_ms - current.starts_ms;
  b.check_window = start.has_value();
  b.now_ms = now;
  b.clinician = ctx.user().role == Role::physician || ctx.user().role == Role::nurse;
  b.correction_reason = correction.value_or("");
  storage::SchedulingStore store(tx);
  if (to == "completed" && from != "completed") {
    // An infusion is recorded by its session: the appointment is completed once that session is
    // discharged, never by a status change alone (a past or future booking would count as given).
    if (current.kind != "consult" && !store.has_discharged_session(id)) {
      throw ApiError::rule_refused(
          "an infusion or booster appointment is completed only after its infusion session is "
          "discharged",
          "status");
    }
    if (current.kind == "consult" && current.starts_ms > now) {
      throw ApiError::rule_refused("a consult cannot be completed before it begins", "status");
    }
  }
  if (reschedule) {
    store.free_slots(id);
    validate_booking(tx, b, id);
    hold_slots(tx, id, b);
  } else if (to == "cancelled") {
    store.free_slots(id);
  }
  const storage::AppointmentUpdate update{to,
                                          status ? reason : current.status_reason,
                                          notes.value_or(current.notes),
                                          b.chair_id,
                                          b.staff_user_id,
                                          b.starts_ms,
                                          *b.ends_ms,
                                          b.on_date,
                                          correction ? *correction : current.booking_reason};
  if (!store.update_appointment(id, current.version, update, now)) {
    throw ApiError::precondition_failed();
  }
  const storage::Appointment changed = load_appointment(tx, id);
  ChairZones zones(tx);
  return json_response_with_etag(appointment_json(changed, zones), changed.version);
}

}  // namespace

void register_scheduling_routes(Router& router) {
  const std::set<Role> bookers = {Role::front_desk, Role::nurse, Role::physician, Role::admin};
  router.add({"POST", "/api/v1/clinics", "Create a clinic (hours, open weekdays, recovery time)",
              "scheduling", access_roles({Role::admin}), false, create_clinic, 201});
  router.add({"GET", "/api/v1/clinics", "List clinics", "scheduling", access_staff(), false,
              list_clinics, 200});
  router.add({"POST", "/api/v1/chairs", "Add an infusion chair to a clinic", "scheduling",
              access_roles({Role::admin}), false, create_chair, 201});
  router.add({"GET", "/api/v1/chairs", "List chairs (?clinic_id=)", "scheduling", access_staff(),
              false, list_chairs, 200});
  router.add({"PATCH", "/api/v1/chairs/{id}", "Rename or (de)activate a chair (If-Match)",
              "scheduling", access_roles({Role::admin}), false, patch_chair, 200});
  router.add({"POST", "/api/v1/staff-availability",
              "Add a working window (weekly or dated) or dated time off; staff set their own, "
              "admins anyone's",
              "scheduling", access_roles({Role::admin, Role::physician, Role::nurse}), false,
              create_availability, 201, true});
  router.add({"GET", "/api/v1/staff-availability",
              "List staff availability (?user_id=, include_removed=true)", "scheduling",
              access_staff(), false, list_availability, 200});
  router.add({"DELETE", "/api/v1/staff-availability/{id}",
              "Remove an availability row (kept, marked removed; one an admin set only by an "
              "admin)",
              "scheduling", access_roles({Role::admin, Role::physician, Role::nurse}), false,
              delete_availability, 200, true});
  router.add({"POST", "/api/v1/appointments",
              "Book an appointment (409 when the chair, staff member or patient is taken)",
              "scheduling", access_roles(bookers), true, create_appointment, 201});
  router.add({"GET", "/api/v1/appointments",
              "List appointments (?date, from, to, chair_id, patient_id, course_id, "
              "staff_user_id, status); patients see their own",
              "scheduling", access_roles(journey::staff_roles(), true), true, list_appointments,
              200});
  router.add({"GET", "/api/v1/appointments/{id}", "One appointment (ETag = version)", "scheduling",
              access_roles(journey::staff_roles(), true), true, get_appointment, 200});
  router.add({"PATCH", "/api/v1/appointments/{id}",
              "Change status (completed, cancelled, no_show) or reschedule (If-Match)",
              "scheduling", access_roles(bookers), true, patch_appointment, 200});
}

}  // namespace kit::server
