// The scheduling store (storage/stores/scheduling_store.h): the SQL of clinics, chairs, staff
// availability, appointments and their slots.
#include "storage/stores/scheduling_store.h"

#include <utility>

namespace kit::storage {
namespace {

constexpr const char* kClinicColumns =
    "id, name, timezone, opens_at, closes_at, open_weekdays, recovery_minutes, "
    "observation_minutes, created_at_ms, updated_at_ms, version";

constexpr const char* kChairColumns =
    "id, clinic_id, name, active, created_at_ms, updated_at_ms, version";

constexpr const char* kAvailabilityColumns =
    "id, user_id, clinic_id, weekday, on_date, from_time, to_time, available, created_at_ms, "
    "set_by, removed_at_ms, removed_by";

constexpr const char* kAppointmentColumns =
    "id, patient_id, course_id, chair_id, staff_user_id, kind, starts_ms, ends_ms, on_date, "
    "status, status_reason, notes, created_by, created_at_ms, updated_at_ms, version, "
    "booking_reason";

Value opt(const std::optional<std::int64_t>& v) { return v ? Value(*v) : null(); }
Value opt(const std::optional<std::string>& v) { return v ? Value(*v) : null(); }
Value flag(bool b) { return std::int64_t{b ? 1 : 0}; }

Clinic clinic_from_row(const Row& r) {
  Clinic c;
  c.id = r.i64("id");
  c.name = r.text("name");
  c.timezone = r.text("timezone");
  c.opens_at = r.text("opens_at");
  c.closes_at = r.text("closes_at");
  c.open_weekdays = r.text("open_weekdays");
  c.recovery_minutes = r.i64("recovery_minutes");
  c.observation_minutes = r.i64("observation_minutes");
  c.created_at_ms = r.i64("created_at_ms");
  c.updated_at_ms = r.i64("updated_at_ms");
  c.version = r.i64("version");
  return c;
}

Chair chair_from_row(const Row& r) {
  Chair c;
  c.id = r.i64("id");
  c.clinic_id = r.i64("clinic_id");
  c.name = r.text("name");
  c.active = r.i64("active") != 0;
  c.created_at_ms = r.i64("created_at_ms");
  c.updated_at_ms = r.i64("updated_at_ms");
  c.version = r.i64("version");
  return c;
}

StaffAvailability availability_from_row(const Row& r) {
  StaffAvailability a;
  a.id = r.i64("id");
  a.user_id = r.i64("user_id");
  a.clinic_id = r.opt_i64("clinic_id");
  a.weekday = r.opt_i64("weekday");
  a.on_date = r.opt_text("on_date");
  a.from_time = r.text("from_time");
  a.to_time = r.text("to_time");
  a.available = r.i64("available") != 0;
  a.created_at_ms = r.i64("created_at_ms");
  a.set_by = r.opt_i64("set_by");
  a.removed_at_ms = r.opt_i64("removed_at_ms");
  a.removed_by = r.opt_i64("removed_by");
  return a;
}

Appointment appointment_from_row(const Row& r) {
  Appointment a;
  a.id = r.i64("id");
  a.patient_id = r.i64("patient_id");
  a.course_id = r.opt_i64("course_id");
  a.chair_id = r.i64("chair_id");
  a.staff_user_id = r.opt_i64("staff_user_id");
  a.kind = r.text("kind");
  a.starts_ms = r.i64("starts_ms");
  a.ends_ms = r.i64("ends_ms");
  a.on_date = r.text("on_date");
  a.status = r.text("status");
  a.status_reason = r.text("status_reason");
  a.notes = r.text("notes");
  a.created_by = r.i64("created_by");
  a.created_at_ms = r.i64("created_at_ms");
  a.updated_at_ms = r.i64("updated_at_ms");
  a.version = r.i64("version");
  a.booking_reason = r.text("booking_reason");
  return a;
}

ChairSlot chair_slot_from_row(const Row& r) { return {r.i64("chair_id"), r.i64("slot_start")}; }

std::optional<std::int64_t> first_id(const Rows& rows, const char* column) {
  if (rows.empty()) return std::nullopt;
  return rows.front().i64(column);
}

}  // namespace

// ---- Clinics ------------------------------------------------------------------------------------

std::int64_t SchedulingStore::create_clinic(const NewClinic& c) {
  return tx_
      .query(
          "INSERT INTO clinics (name, timezone, opens_at, closes_at, open_weekdays, "
          "recovery_minutes, observation_minutes, created_at_ms, updated_at_ms, version) VALUES "
          "($1, $2, $3, $4, $5, $6, $7, $8, $8, 1) RETURNING id",
          {c.name, c.timezone, c.opens_at, c.closes_at, c.open_weekdays, c.recovery_minutes,
           c.observation_minutes, c.at_ms})
      .front()
      .i64("id");
}

std::optional<Clinic> SchedulingStore::find_clinic(std::int64_t clinic_id) {
  const Rows rows = tx_.query(
      std::string("SELECT ") + kClinicColumns + " FROM clinics WHERE id = $1", {clinic_id});
  if (rows.empty()) return std::nullopt;
  return clinic_from_row(rows.front());
}

bool SchedulingStore::clinic_name_taken(const std::string& name) {
  return !tx_.query("SELECT id FROM clinics WHERE name = $1", {name}).empty();
}

std::vector<Clinic> SchedulingStore::clinics(std::optional<std::int64_t> clinic_id) {
  std::string sql = std::string("SELECT ") + kClinicColumns + " FROM clinics";
  std::vector<Value> params;
  if (clinic_id) {
    sql += " WHERE id = $1";
    params.emplace_back(*clinic_id);
  }
  std::vector<Clinic> out;
  for (const Row& r : tx_.query(sql + " ORDER BY id", params)) out.push_back(clinic_from_row(r));
  return out;
}

// ---- Chairs -------------------------------------------------------------------------------------

std::int64_t SchedulingStore::create_chair(const NewChair& c) {
  return tx_
      .query(
          "INSERT INTO chairs (clinic_id, name, active, created_at_ms, updated_at_ms, version) "
          "VALUES ($1, $2, $3, $4, $4, 1) RETURNING id",
          {c.clinic_id, c.name, flag(c.active), c.at_ms})
      .front()
      .i64("id");
}

std::optional<Chair> SchedulingStore::find_chair(std::int64_t chair_id) {
  const Rows rows =
      tx_.query(std::string("SELECT ") + kChairColumns + " FROM chairs WHERE id = $1", {chair_id});
  if (rows.empty()) return std::nullopt;
  return chair_from_row(rows.front());
}

bool SchedulingStore::chair_name_taken(std::int64_t clinic_id, const std::string& name) {
  return !tx_.query("SELECT id FROM chairs WHERE clinic_id = $1 AND name = $2", {clinic_id, name})
              .empty();
}

std::vector<Chair> SchedulingStore::chairs(std::optional<std::int64_t> clinic_id) {
  std::string sql = std::string("SELECT ") + kChairColumns + " FROM chairs";
  std::vector<Value> params;
  if (clinic_id) {
    sql += " WHERE clinic_id = $1";
    params.emplace_back(*clinic_id);
  }
  std::vector<Chair> out;
  for (const Row& r : tx_.query(sql + " ORDER BY clinic_id, name", params)) {
    out.push_back(chair_from_row(r));
  }
  return out;
}

std::vector<std::int64_t> SchedulingStore::active_chair_ids(std::int64_t clinic_id) {
  std::vector<std::int64_t> out;
  for (const Row& r : tx_.query(
           "SELECT id FROM chairs WHERE clinic_id = $1 AND active = 1 ORDER BY id", {clinic_id})) {
    out.push_back(r.i64("id"));
  }
  return out;
}

bool SchedulingStore::update_chair(std::int64_t chair_id, std::int64_t expected_version,
                                   const std::string& name, bool active, std::int64_t now_ms) {
  return tx_.exec(
             "UPDATE chairs SET name = $1, active = $2, updated_at_ms = $3, version = version + 1 "
             "WHERE id = $4 AND version = $5",
             {name, flag(active), now_ms, chair_id, expected_version}) == 1;
}

// ---- Staff availability -------------------------------------------------------------------------

std::int64_t SchedulingStore::add_availability(const NewStaffAvailability& a) {
  return tx_
      .query(
          "INSERT INTO staff_availability (user_id, clinic_id, weekday, on_date, from_time, "
          "to_time, available, created_at_ms, set_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
          "$9) RETURNING id",
          {a.user_id, opt(a.clinic_id), opt(a.weekday), opt(a.on_date), a.from_time, a.to_time,
           flag(a.available), a.at_ms, opt(a.set_by)})
      .front()
      .i64("id");
}

std::optional<StaffAvailability> SchedulingStore::find_availability(std::int64_t availability_id) {
  const Rows rows = tx_.query(
      std::string("SELECT ") + kAvailabilityColumns + " FROM staff_availability WHERE id = $1",
      {availability_id});
  if (rows.empty()) return std::nullopt;
  return availability_from_row(rows.front());
}

std::vector<StaffAvailability> SchedulingStore::availability(std::optional<std::int64_t> user_id,
                                                             bool include_removed) {
  std::string sql =
      std::string("SELECT ") + kAvailabilityColumns + " FROM staff_availability WHERE 1 = 1";
  if (!include_removed) sql += " AND removed_at_ms IS NULL";
  std::vector<Value> params;
  if (user_id) {
    params.emplace_back(*user_id);
    sql += " AND user_id = $1";
  }
  std::vector<StaffAvailability> out;
  for (const Row& r : tx_.query(sql + " ORDER BY user_id, weekday, on_date, from_time", params)) {
    out.push_back(availability_from_row(r));
  }
  return out;
}

std::vector<StaffAvailability> SchedulingStore::availability_for_day(std::int64_t user_id,
                                                                     std::int64_t weekday,
                                                                     const std::string& on_date) {
  std::vector<StaffAvailability> out;
  for (const Row& r : tx_.query(std::string("SELECT ") + kAvailabilityColumns +
                                    " FROM staff_availability WHERE user_id = $1 AND (weekday = "
                                    "$2 OR on_date = $3) AND removed_at_ms IS NULL",
                                {user_id, weekday, on_date})) {
    out.push_back(availability_from_row(r));
  }
  return out;
}

bool SchedulingStore::remove_availability(std::int64_t availability_id, std::int64_t by_user_id,
                                          std::int64_t now_ms) {
  return tx_.exec(
             "UPDATE staff_availability SET removed_at_ms = $2, removed_by = $3 WHERE id = $1 AND "
             "removed_at_ms IS NULL",
             {availability_id, now_ms, by_user_id}) == 1;
}

// ---- Appointments -------------------------------------------------------------------------------

std::int64_t SchedulingStore::create_appointment(const NewAppointment& a) {
  return tx_
      .query(
          "INSERT INTO appointments (patient_id, course_id, chair_id, staff_user_id, kind, "
          "starts_ms, ends_ms, on_date, status, notes, created_by, created_at_ms, updated_at_ms, "
          "version, booking_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'booked', $9, $10, "
          "$11, $11, 1, $12) RETURNING id",
          {a.patient_id, opt(a.course_id), a.chair_id, opt(a.staff_user_id), a.kind, a.starts_ms,
           a.ends_ms, a.on_date, a.notes, a.created_by, a.at_ms, a.booking_reason})
      .front()
      .i64("id");
}

std::optional<Appointment> SchedulingStore::find_appointment(std::int64_t appointment_id) {
  const Rows rows =
      tx_.query(std::string("SELECT ") + kAppointmentColumns + " FROM appointments WHERE id = $1",
                {appointment_id});
  if (rows.empty()) return std::nullopt;
  return appointment_from_row(rows.front());
}

std::vector<Appointment> SchedulingStore::appointments(const AppointmentSearch& s) {
  std::string sql = std::string("SELECT ") + kAppointmentColumns + " FROM appointments WHERE 1 = 1";
  std::vector<Value> params;
  // Binds v to the next placeholder after `clause` (a column and its comparison).
  const auto add = [&](const char* clause, Value v) {
    params.push_back(std::move(v));
    sql += std::string(" AND ") + clause + " $" + std::to_string(params.size());
  };
  if (s.patient_id) add("patient_id =", *s.patient_id);
  if (s.on_date) add("on_date =", *s.on_date);
  if (s.from_date) add("on_date >=", *s.from_date);
  if (s.to_date) add("on_date <=", *s.to_date);
  if (s.chair_id) add("chair_id =", *s.chair_id);
  if (s.course_id) add("course_id =", *s.course_id);
  if (s.staff_user_id) add("staff_user_id =", *s.staff_user_id);
  if (s.status) add("status =", *s.status);
  params.emplace_back(s.limit);
  sql += " ORDER BY starts_ms, chair_id LIMIT $" + std::to_string(params.size());
  std::vector<Appointment> out;
  for (const Row& r : tx_.query(sql, params)) out.push_back(appointment_from_row(r));
  return out;
}

std::vector<DayBooking> SchedulingStore::day_bookings(const std::string& on_date,
                                                      std::int64_t limit) {
  std::vector<DayBooking> out;
  for (const Row& r :
       tx_.query("SELECT id, patient_id, status FROM appointments WHERE on_date = $1 "
                 "ORDER BY starts_ms, chair_id LIMIT $2",
                 {on_date, limit})) {
    out.push_back(DayBooking{r.i64("id"), r.i64("patient_id"), r.text("status")});
  }
  return out;
}

bool SchedulingStore::update_appointment(std::int64_t appointment_id, std::int64_t expected_version,
                                         const AppointmentUpdate& u, std::int64_t now_ms) {
  return tx_.exec(
             "UPDATE appointments SET status = $1, status_reason = $2, notes = $3, chair_id = $4, "
             "staff_user_id = $5, starts_ms = $6, ends_ms = $7, on_date = $8, updated_at_ms = $9, "
             "booking_reason = $12, version = version + 1 WHERE id = $10 AND version = $11",
             {u.status, u.status_reason, u.notes, u.chair_id, opt(u.staff_user_id), u.starts_ms,
              u.ends_ms, u.on_date, now_ms, appointment_id, expected_version, u.booking_reason}) ==
         1;
}

std::vector<Appointment> SchedulingStore::held_appointments(std::int64_t patient_id) {
  std::vector<Appointment> out;
  for (const Row& r : tx_.query(std::string("SELECT ") + kAppointmentColumns +
                                    " FROM appointments WHERE patient_id = $1 AND status IN "
                                    "('booked', 'completed') ORDER BY id",
                                {patient_id})) {
    out.push_back(appointment_from_row(r));
  }
  return out;
}

std::optional<std::int64_t> SchedulingStore::patient_overlap(std::int64_t patient_id,
                                                             std::int64_t starts_ms,
                                                             std::int64_t ends_ms,
                                                             std::int64_t except_appointment_id) {
  return first_id(tx_.query("SELECT id FROM appointments WHERE patient_id = $1 AND status = "
                            "'booked' AND starts_ms < $2 AND ends_ms > $3 AND id <> $4",
                            {patient_id, ends_ms, starts_ms, except_appointment_id}),
                  "id");
}

std::int64_t SchedulingStore::infusions_held(std::int64_t course_id,
                                             std::int64_t except_appointment_id) {
  return tx_
      .query(
          "SELECT COUNT(*) AS n FROM appointments WHERE course_id = $1 AND kind = 'infusion' AND "
          "status IN ('booked', 'completed') AND id <> $2",
          {course_id, except_appointment_id})
      .front()
      .i64("n");
}

InfusionCounts SchedulingStore::infusion_counts(std::int64_t course_id) {
  InfusionCounts counts;
  for (const Row& r :
       tx_.query("SELECT status, COUNT(*) AS n FROM appointments WHERE course_id = $1 AND kind = "
                 "'infusion' GROUP BY status",
                 {course_id})) {
    const std::string status = r.text("status");
    const std::int64_t n = r.i64("n");
    if (status == "booked") counts.booked = n;
    if (status == "completed") counts.completed = n;
    if (status == "cancelled") counts.cancelled = n;
    if (status == "no_show") counts.no_show = n;
  }
  return counts;
}

bool SchedulingStore::has_discharged_session(std::int64_t appointment_id) {
  return !tx_.query(
                 "SELECT id FROM infusion_sessions WHERE appointment_id = $1 AND state = "
                 "'discharged'",
                 {appointment_id})
              .empty();
}

std::int64_t SchedulingStore::cancel_booked_for_course(std::int64_t course_id,
                                                       const std::string& reason,
                                                       std::int64_t now_ms) {
  const Rows rows = tx_.query(
      "SELECT id FROM appointments WHERE course_id = $1 AND status = 'booked'", {course_id});
  for (const Row& r : rows) {
    free_slots(r.i64("id"));
    tx_.exec(
        "UPDATE appointments SET status = 'cancelled', status_reason = $1, updated_at_ms = $2, "
        "version = version + 1 WHERE id = $3",
        {reason, now_ms, r.i64("id")});
  }
  return static_cast<std::int64_t>(rows.size());
}

// ---- Slots --------------------------------------------------------------------------------------

void SchedulingStore::hold_chair_slot(std::int64_t chair_id, std::int64_t slot_start_ms,
                                      std::int64_t appointment_id) {
  tx_.exec(
      "INSERT INTO appointment_slots (chair_id, slot_start, appointment_id) VALUES ($1, $2, $3)",
      {chair_id, slot_start_ms, appointment_id});
}

void SchedulingStore::hold_staff_slot(std::int64_t user_id, std::int64_t slot_start_ms,
                                      std::int64_t appointment_id) {
  tx_.exec("INSERT INTO staff_slots (user_id, slot_start, appointment_id) VALUES ($1, $2, $3)",
           {user_id, slot_start_ms, appointment_id});
}

std::optional<std::int64_t> SchedulingStore::chair_slot_holder(std::int64_t chair_id,
                                                               std::int64_t slot_start_ms) {
  return first_id(
      tx_.query("SELECT appointment_id FROM appointment_slots WHERE chair_id = $1 AND slot_start = "
                "$2",
                {chair_id, slot_start_ms}),
      "appointment_id");
}

std::optional<std::int64_t> SchedulingStore::staff_slot_holder(std::int64_t user_id,
                                                               std::int64_t slot_start_ms) {
  return first_id(
      tx_.query("SELECT appointment_id FROM staff_slots WHERE user_id = $1 AND slot_start = $2",
                {user_id, slot_start_ms}),
      "appointment_id");
}

std::vector<ChairSlot> SchedulingStore::chair_slots_between(std::int64_t from_ms,
                                                            std::int64_t to_ms) {
  std::vector<ChairSlot> out;
  for (const Row& r :
       tx_.query("SELECT chair_id, slot_start FROM appointment_slots WHERE slot_start >= $1 AND "
                 "slot_start < $2",
                 {from_ms, to_ms})) {
    out.push_back(chair_slot_from_row(r));
  }
  return out;
}

void SchedulingStore::free_slots(std::int64_t appointment_id) {
  tx_.exec("DELETE FROM appointment_slots WHERE appointment_id = $1", {appointment_id});
  tx_.exec("DELETE FROM staff_slots WHERE appointment_id = $1", {appointment_id});
}

}  // namespace kit::storage
