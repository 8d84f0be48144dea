// Scheduling: clinics, chairs, staff availability and appointments. A booked appointment holds one
// appointment_slots row per 15-minute slot of its chair (and one staff_slots row per slot of its
// staff member), written in the booking's transaction; the UNIQUE constraints refuse a double
// booking even between two server processes (409). Rules: docs/api-journey.md.
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

namespace kit::server {

namespace {

using namespace journey;

constexpr std::size_t kMaxText = 2000;
constexpr std::int64_t kDefaultConsultMs = 60 * kMinuteMs;  // policy: a consult without a course

// ---- Clinics ---------------------------------------------------------------------------------

nlohmann::json clinic_json(const storage::Row& r) {
  return {{"id", r.i64("id")},
          {"name", r.text("name")},
          {"timezone", r.text("timezone")},
          {"opens_at", r.text("opens_at")},
          {"closes_at", r.text("closes_at")},
          {"open_weekdays", r.text("open_weekdays")},
          {"recovery_minutes", r.i64("recovery_minutes")},
          {"observation_minutes", r.i64("observation_minutes")},
          {"created_at", iso8601_ms(r.i64("created_at_ms"))},
          {"version", r.i64("version")}};
}

Response create_clinic(RouteContext& ctx) {
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string name = require_text(r.string("name"), "name", 200);
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
  storage::Transaction& tx = ctx.tx();
  if (!tx.query("SELECT id FROM clinics WHERE name = $1", {name}).empty()) {
    throw ApiError::conflict("a clinic with this name exists", "name");
  }
  storage::Rows ins = tx.query(
      "INSERT INTO clinics (name, timezone, opens_at, closes_at, open_weekdays, recovery_minutes, "
      "observation_minutes, created_at_ms, updated_at_ms, version) VALUES ($1, $2, $3, $4, $5, $6, "
      "$8, $7, $7, 1) RETURNING id",
      {name, tz, opens, closes, weekdays, std::int64_t{recovery}, now, std::int64_t{observation}});
  storage::Rows rows = tx.query("SELECT * FROM clinics WHERE id = $1", {ins.front().i64("id")});
  return json_response_with_etag(clinic_json(rows.front()), 1, 201);
}

Response list_clinics(RouteContext& ctx) {
  nlohmann::json out = nlohmann::json::array();
  for (const storage::Row& r : ctx.tx().query("SELECT * FROM clinics ORDER BY id")) {
    out.push_back(clinic_json(r));
  }
  return json_response({{"clinics", out}});
}

// ---- Chairs ----------------------------------------------------------------------------------

nlohmann::json chair_json(const storage::Row& r) {
  return {{"id", r.i64("id")},
          {"clinic_id", r.i64("clinic_id")},
          {"name", r.text("name")},
          {"active", r.i64("active") != 0},
          {"version", r.i64("version")}};
}

storage::Row load_chair(storage::Transaction& tx, std::int64_t id) {
  storage::Rows rows = tx.query("SELECT * FROM chairs WHERE id = $1", {id});
  if (rows.empty()) throw ApiError::not_found("chair");
  return rows.front();
}

Response create_chair(RouteContext& ctx) {
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const long long clinic_id = r.integer("clinic_id");
  const std::string name = require_text(r.string("name"), "name", 100);
  const bool active = r.optional_boolean("active").value_or(true);
  r.finish();
  storage::Transaction& tx = ctx.tx();
  if (tx.query("SELECT id FROM clinics WHERE id = $1", {std::int64_t{clinic_id}}).empty()) {
    throw kit::InputError("clinic_id", "no such clinic");
  }
  if (!tx.query("SELECT id FROM chairs WHERE clinic_id = $1 AND name = $2",
                {std::int64_t{clinic_id}, name})
           .empty()) {
    throw ApiError::conflict("this clinic already has a chair with this name", "name");
  }
  const std::int64_t now = ctx.services().now_ms();
  storage::Rows ins = tx.query(
      "INSERT INTO chairs (clinic_id, name, active, created_at_ms, updated_at_ms, version) VALUES "
      "($1, $2, $3, $4, $4, 1) RETURNING id",
      {std::int64_t{clinic_id}, name, std::int64_t{active ? 1 : 0}, now});
  const storage::Row row = load_chair(tx, ins.front().i64("id"));
  return json_response_with_etag(chair_json(row), 1, 201);
}

Response list_chairs(RouteContext& ctx) {
  std::string sql = "SELECT * FROM chairs";
  std::vector<storage::Value> params;
  if (auto c = query_int(ctx.request(), "clinic_id", 1, INT64_MAX)) {
    sql += " WHERE clinic_id = $1";
    params.emplace_back(*c);
  }
  nlohmann::json out = nlohmann::json::array();
  for (const storage::Row& r : ctx.tx().query(sql + " ORDER BY clinic_id, name", params)) {
    out.push_back(chair_json(r));
  }
  return json_response({{"chairs", out}});
}

Response patch_chair(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  storage::Transaction& tx = ctx.tx();
  const storage::Row chair = load_chair(tx, id);
  ctx.require_if_match(chair.i64("version"));
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  auto name = r.optional_string("name");
  auto active = r.optional_boolean("active");
  r.finish();
  if (name) *name = require_text(*name, "name", 100);
  if (!name && !active) throw kit::InputError("body", "names no field to change");
  const std::int64_t changed = tx.exec(
      "UPDATE chairs SET name = $1, active = $2, updated_at_ms = $3, version = version + 1 "
      "WHERE id = $4 AND version = $5",
      {name.value_or(chair.text("name")),
       std::int64_t{active ? (*active ? 1 : 0) : chair.i64("active")}, ctx.services().now_ms(), id,
       chair.i64("version")});
  if (changed != 1) throw ApiError::precondition_failed();
  const storage::Row row = load_chair(tx, id);
  return json_response_with_etag(chair_json(row), row.i64("version"));
}

// ---- Staff availability ----------------------------------------------------------------------

nlohmann::json availability_json(const storage::Row& r) {
  auto wd = r.opt_i64("weekday");
  return {{"id", r.i64("id")},
          {"user_id", r.i64("user_id")},
          {"clinic_id", opt_json(r.opt_i64("clinic_id"))},
          {"weekday", opt_json(wd)},
          {"date", opt_json(r.opt_text("on_date"))},
          {"from", r.text("from_time")},
          {"to", r.text("to_time")},
          {"available", r.i64("available") != 0}};
}

// The user must be an enabled physician or nurse (the staff appointments name).
void require_clinical_user(storage::Transaction& tx, std::int64_t user_id,
                           const std::string& field) {
  storage::Rows u = tx.query("SELECT role, disabled FROM users WHERE id = $1", {user_id});
  if (u.empty()) throw kit::InputError(field, "no such user");
  const std::string role = u.front().text("role");
  if (role != "physician" && role != "nurse") {
    throw kit::InputError(field, "must be a physician or nurse");
  }
  if (u.front().i64("disabled") != 0) throw kit::InputError(field, "the account is disabled");
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
  require_clinical_user(tx, user_id, "user_id");
  if (clinic_id &&
      tx.query("SELECT id FROM clinics WHERE id = $1", {std::int64_t{*clinic_id}}).empty()) {
    throw kit::InputError("clinic_id", "no such clinic");
  }
  storage::Rows ins = tx.query(
      "INSERT INTO staff_availability (user_id, clinic_id, weekday, on_date, from_time, to_time, "
      "available, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
      {user_id, clinic_id ? storage::Value(std::int64_t{*clinic_id}) : storage::null(),
       weekday ? storage::Value(std::int64_t{*weekday}) : storage::null(),
       date ? storage::Value(*date) : storage::null(), from, to, std::int64_t{available ? 1 : 0},
       ctx.services().now_ms()});
  storage::Rows rows =
      tx.query("SELECT * FROM staff_availability WHERE id = $1", {ins.front().i64("id")});
  return json_response(availability_json(rows.front()), 201);
}

Response list_availability(RouteContext& ctx) {
  std::string sql = "SELECT * FROM staff_availability WHERE 1 = 1";
  std::vector<storage::Value> params;
  if (auto u = query_int(ctx.request(), "user_id", 1, INT64_MAX)) {
    params.emplace_back(*u);
    sql += " AND user_id = $1";
  }
  nlohmann::json out = nlohmann::json::array();
  for (const storage::Row& r :
       ctx.tx().query(sql + " ORDER BY user_id, weekday, on_date, from_time", params)) {
    out.push_back(availability_json(r));
  }
  return json_response({{"availability", out}});
}

Response delete_availability(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  storage::Transaction& tx = ctx.tx();
  storage::Rows rows = tx.query("SELECT user_id FROM staff_availability WHERE id = $1", {id});
  if (rows.empty()) throw ApiError::not_found("availability");
  const Principal& who = ctx.user();
  if (who.role != Role::admin && rows.front().i64("user_id") != who.user_id) {
    throw ApiError::forbidden("only an admin may change another person's availability");
  }
  tx.exec("DELETE FROM staff_availability WHERE id = $1", {id});
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
  for (const storage::Row& r : tx.query(
           "SELECT * FROM staff_availability WHERE user_id = $1 AND (weekday = $2 OR on_date = $3)",
           {user_id, std::int64_t{calendar::iso_weekday(day)}, calendar::format_day(day)})) {
    if (auto c = r.opt_i64("clinic_id"); c && *c != hours.clinic_id) continue;
    const int f = calendar::parse_hhmm(r.text("from_time")).value_or(0);
    const int t = calendar::parse_hhmm(r.text("to_time")).value_or(0);
    if (r.i64("available") == 0) {
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
    storage::Rows c = tx_.query("SELECT clinic_id FROM chairs WHERE id = $1", {chair_id});
    if (c.empty()) throw Error(ErrorKind::internal, "appointment on a missing chair");
    return zones_.emplace(chair_id, load_clinic_zone(tx_, c.front().i64("clinic_id")))
        .first->second;
  }

 private:
  storage::Transaction& tx_;
  std::map<std::int64_t, ClinicZone> zones_;
};

// Times on the clinic's wall clock: date, start and end as the clinic reads them ("2026-11-26",
// "2026-11-26T09:00"), starts_at / ends_at the same instants with the offset then in force
// ("2026-11-26T09:00:00-05:00"), which is what a client in another zone should compute with.
nlohmann::json appointment_json(const storage::Row& r, ChairZones& zones) {
  const ClinicZone& zone = zones.of(r.i64("chair_id"));
  const std::int64_t starts = r.i64("starts_ms");
  const std::int64_t ends = r.i64("ends_ms");
  return {{"id", r.i64("id")},
          {"patient_id", r.i64("patient_id")},
          {"course_id", opt_json(r.opt_i64("course_id"))},
          {"chair_id", r.i64("chair_id")},
          {"staff_user_id", opt_json(r.opt_i64("staff_user_id"))},
          {"kind", r.text("kind")},
          {"date", r.text("on_date")},
          {"start", zone.local_minutes(starts)},
          {"end", zone.local_minutes(ends)},
          {"starts_at", zone.iso(starts)},
          {"ends_at", zone.iso(ends)},
          {"timezone", zone.name},
          {"status", r.text("status")},
          {"status_reason", r.text("status_reason")},
          {"notes", r.text("notes")},
          {"created_by", r.i64("created_by")},
          {"created_at", iso8601_ms(r.i64("created_at_ms"))},
          {"updated_at", iso8601_ms(r.i64("updated_at_ms"))},
          {"version", r.i64("version")}};
}

storage::Row load_appointment(storage::Transaction& tx, std::int64_t id) {
  storage::Rows rows = tx.query("SELECT * FROM appointments WHERE id = $1", {id});
  if (rows.empty()) throw ApiError::not_found("appointment");
  return rows.front();
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
};

// Every rule of a booking except the slot constraints (which the database enforces on insert).
// `exclude` is the appointment being rescheduled (0 for a new one).
void validate_booking(storage::Transaction& tx, Booking& b, std::int64_t exclude) {
  const storage::Row patient = load_patient(tx, b.patient_id);
  std::optional<storage::Row> course;
  if (b.course_id) {
    storage::Rows c = tx.query("SELECT * FROM courses WHERE id = $1", {*b.course_id});
    if (c.empty() || c.front().i64("patient_id") != b.patient_id) {
      throw kit::InputError("course_id", "no such course for this patient");
    }
    course = c.front();
  }
  const std::string state = course ? course->text("state") : "";
  if (b.kind.empty())
    b.kind = !course ? "consult" : state == "maintenance" ? "booster" : "infusion";
  if (b.kind != "infusion" && b.kind != "booster" && b.kind != "consult") {
    throw kit::InputError("kind", "must be infusion, booster or consult");
  }
  if (b.kind != "consult") {
    if (!course) throw kit::InputError("course_id", "an infusion or booster belongs to a course");
    const std::string status = patient.text("status");
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
      const std::int64_t total =
          course->i64("planned_infusions") + course->i64("extension_infusions");
      storage::Rows n = tx.query(
          "SELECT COUNT(*) AS n FROM appointments WHERE course_id = $1 AND kind = 'infusion' AND "
          "status IN ('booked', 'completed') AND id <> $2",
          {*b.course_id, exclude});
      if (n.front().i64("n") >= total) {
        throw ApiError::rule_refused("all " + std::to_string(total) +
                                         " infusions of the series are booked or given; extend "
                                         "the course to add more",
                                     "course_id");
      }
    }
  }

  storage::Rows chair = tx.query("SELECT * FROM chairs WHERE id = $1", {b.chair_id});
  if (chair.empty()) throw kit::InputError("chair_id", "no such chair");
  if (chair.front().i64("active") == 0)
    throw ApiError::rule_refused("the chair is not in use", "chair_id");
  const ClinicHours hours = load_clinic_hours(tx, chair.front().i64("clinic_id"));
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
    b.ends_ms =
        b.starts_ms + (course ? chair_block_ms(course->text("protocol_id"), hours.recovery_minutes)
                              : kDefaultConsultMs);
  }
  if (*b.ends_ms % kSlotMs != 0) throw kit::InputError("end", "must be on a 15-minute boundary");
  if (*b.ends_ms <= b.starts_ms) throw kit::InputError("end", "must be after start");
  // Opening hours are the clinic's wall clock on the appointment's local day.
  const std::int64_t day = calendar::day_of_ms(wall_start);
  b.on_date = calendar::format_day(day);
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
  storage::Rows overlap = tx.query(
      "SELECT id FROM appointments WHERE patient_id = $1 AND status = 'booked' AND starts_ms < $2 "
      "AND ends_ms > $3 AND id <> $4",
      {b.patient_id, *b.ends_ms, b.starts_ms, exclude});
  if (!overlap.empty()) {
    throw ApiError::conflict("the patient already has an appointment then (appointment " +
                                 std::to_string(overlap.front().i64("id")) + ")",
                             "patient_id");
  }
}

void hold_slots(storage::Transaction& tx, std::int64_t appointment_id, const Booking& b) {
  for (std::int64_t s = b.starts_ms; s < *b.ends_ms; s += kSlotMs) {
    storage::Rows taken = tx.query(
        "SELECT appointment_id FROM appointment_slots WHERE chair_id = $1 AND slot_start = $2",
        {b.chair_id, s});
    if (!taken.empty()) {
      throw ApiError::conflict("chair already booked (appointment " +
                                   std::to_string(taken.front().i64("appointment_id")) + ")",
                               "chair_id");
    }
    if (b.staff_user_id) {
      storage::Rows busy =
          tx.query("SELECT appointment_id FROM staff_slots WHERE user_id = $1 AND slot_start = $2",
                   {*b.staff_user_id, s});
      if (!busy.empty()) {
        throw ApiError::conflict("staff member already booked (appointment " +
                                     std::to_string(busy.front().i64("appointment_id")) + ")",
                                 "staff_user_id");
      }
    }
  }
  for (std::int64_t s = b.starts_ms; s < *b.ends_ms; s += kSlotMs) {
    try {
      tx.exec(
          "INSERT INTO appointment_slots (chair_id, slot_start, appointment_id) VALUES ($1, $2, "
          "$3)",
          {b.chair_id, s, appointment_id});
    } catch (const storage::ConstraintViolation&) {
      throw ApiError::conflict("chair already booked", "chair_id");
    }
    if (b.staff_user_id) {
      try {
        tx.exec("INSERT INTO staff_slots (user_id, slot_start, appointment_id) VALUES ($1, $2, $3)",
                {*b.staff_user_id, s, appointment_id});
      } catch (const storage::ConstraintViolation&) {
        throw ApiError::conflict("staff member already booked", "staff_user_id");
      }
    }
  }
}

storage::Value opt_value(const std::optional<std::int64_t>& v) {
  return v ? storage::Value(*v) : storage::null();
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
  r.finish();
  if (notes.size() > kMaxText) throw kit::InputError("notes", "is too long");
  ctx.require_patient_access(b.patient_id);

  storage::Transaction& tx = ctx.tx();
  validate_booking(tx, b, 0);
  const std::int64_t now = ctx.services().now_ms();
  storage::Rows ins = tx.query(
      "INSERT INTO appointments (patient_id, course_id, chair_id, staff_user_id, kind, starts_ms, "
      "ends_ms, on_date, status, notes, created_by, created_at_ms, updated_at_ms, version) VALUES "
      "($1, $2, $3, $4, $5, $6, $7, $8, 'booked', $9, $10, $11, $11, 1) RETURNING id",
      {b.patient_id, opt_value(b.course_id), b.chair_id, opt_value(b.staff_user_id), b.kind,
       b.starts_ms, *b.ends_ms, b.on_date, notes, ctx.user().user_id, now});
  const std::int64_t id = ins.front().i64("id");
  hold_slots(tx, id, b);
  const storage::Row row = load_appointment(tx, id);
  ChairZones zones(tx);
  Response resp = json_response_with_etag(appointment_json(row, zones), 1, 201);
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
  std::string sql = "SELECT * FROM appointments WHERE 1 = 1";
  std::vector<storage::Value> params;
  const auto add = [&](const std::string& clause, storage::Value v) {
    params.push_back(std::move(v));
    sql += " AND " + clause + " $" + std::to_string(params.size());
  };
  if (patient) add("patient_id =", *patient);
  if (auto it = req.query.find("date"); it != req.query.end()) {
    require_date(it->second, "date");
    add("on_date =", it->second);
  }
  if (auto it = req.query.find("from"); it != req.query.end()) {
    require_date(it->second, "from");
    add("on_date >=", it->second);
  }
  if (auto it = req.query.find("to"); it != req.query.end()) {
    require_date(it->second, "to");
    add("on_date <=", it->second);
  }
  if (auto c = query_int(req, "chair_id", 1, INT64_MAX)) add("chair_id =", *c);
  if (auto c = query_int(req, "course_id", 1, INT64_MAX)) add("course_id =", *c);
  if (auto s = query_int(req, "staff_user_id", 1, INT64_MAX)) add("staff_user_id =", *s);
  if (auto it = req.query.find("status"); it != req.query.end()) add("status =", it->second);
  const std::int64_t limit = query_int(req, "limit", 1, 1000).value_or(200);
  params.emplace_back(limit);
  sql += " ORDER BY starts_ms, chair_id LIMIT $" + std::to_string(params.size());
  nlohmann::json out = nlohmann::json::array();
  ChairZones zones(ctx.tx());
  for (const storage::Row& r : ctx.tx().query(sql, params)) {
    out.push_back(appointment_json(r, zones));
  }
  return json_response({{"appointments", out}});
}

Response get_appointment(RouteContext& ctx) {
  const storage::Row row = load_appointment(ctx.tx(), ctx.id_param("id"));
  ctx.require_patient_access(row.i64("patient_id"));
  ChairZones zones(ctx.tx());
  return json_response_with_etag(appointment_json(row, zones), row.i64("version"));
}

// Status changes (completed, cancelled, no_show) and rescheduling (start, end, chair, staff) of a
// booked appointment. If-Match is required. Cancelling frees the chair and staff slots.
Response patch_appointment(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  storage::Transaction& tx = ctx.tx();
  const storage::Row current = load_appointment(tx, id);
  ctx.require_patient_access(current.i64("patient_id"));
  ctx.require_if_match(current.i64("version"));
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
  r.finish();
  if (status && *status != "booked" && *status != "completed" && *status != "cancelled" &&
      *status != "no_show") {
    throw kit::InputError("status", "must be completed, cancelled or no_show");
  }
  if (reason.size() > kMaxText) throw kit::InputError("status_reason", "is too long");
  if (notes && notes->size() > kMaxText) throw kit::InputError("notes", "is too long");
  const bool reschedule = start || end || chair || staff_given;
  if (!status && !notes && !reschedule) throw kit::InputError("body", "names no field to change");
  const std::string from = current.text("status");
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
  b.patient_id = current.i64("patient_id");
  b.course_id = current.opt_i64("course_id");
  b.chair_id = chair ? std::int64_t{*chair} : current.i64("chair_id");
  b.staff_user_id = staff_given ? staff : current.opt_i64("staff_user_id");
  b.kind = current.text("kind");
  b.starts_ms = current.i64("starts_ms");
  b.ends_ms = current.i64("ends_ms");
  b.on_date = current.text("on_date");
  b.start_text = start;
  b.end_text = end;
  if (start && !end) b.keep_duration_ms = current.i64("ends_ms") - current.i64("starts_ms");
  if (reschedule) {
    free_slots(tx, id);
    validate_booking(tx, b, id);
    hold_slots(tx, id, b);
  } else if (to == "cancelled") {
    free_slots(tx, id);
  }
  const std::int64_t changed = tx.exec(
      "UPDATE appointments SET status = $1, status_reason = $2, notes = $3, chair_id = $4, "
      "staff_user_id = $5, starts_ms = $6, ends_ms = $7, on_date = $8, updated_at_ms = $9, "
      "version = version + 1 WHERE id = $10 AND version = $11",
      {to, status ? reason : current.text("status_reason"), notes.value_or(current.text("notes")),
       b.chair_id, opt_value(b.staff_user_id), b.starts_ms, *b.ends_ms, b.on_date, now, id,
       current.i64("version")});
  if (changed != 1) throw ApiError::precondition_failed();
  const storage::Row row = load_appointment(tx, id);
  ChairZones zones(tx);
  return json_response_with_etag(appointment_json(row, zones), row.i64("version"));
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
              create_availability, 201});
  router.add({"GET", "/api/v1/staff-availability", "List staff availability (?user_id=)",
              "scheduling", access_staff(), false, list_availability, 200});
  router.add({"DELETE", "/api/v1/staff-availability/{id}", "Remove an availability row",
              "scheduling", access_roles({Role::admin, Role::physician, Role::nurse}), false,
              delete_availability, 200});
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
