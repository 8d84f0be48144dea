#pragma once
// The scheduling store: clinics, chairs, staff availability, appointments and the slot rows that
// hold chairs and staff (tables in storage/migrations/0004_courses_scheduling.sql). Follows the
// store pattern of docs/storage.md: named operations over the caller's transaction, plain records,
// one row->record function per type; "not found" is std::nullopt, a refused write the database's
// ConstraintViolation. Opening hours, zones and the booking rules stay with the caller
// (server/resources/scheduling_routes.cpp, journey_common.h, clinic_time.h).
//
// Times: starts_ms, ends_ms and slot_start_ms are UTC instants; on_date is the clinic-local ISO
// date of the start; from_time, to_time, opens_at and closes_at are "HH:MM" on the clinic's wall
// clock. A booked appointment holds one appointment_slots row per 15-minute slot of its chair and
// one staff_slots row per slot of its staff member: their UNIQUE constraints refuse a double
// booking even between two server processes, provided the caller writes an appointment and its
// slots in one transaction.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"

namespace kit::storage {

struct Clinic {
  std::int64_t id = 0;
  std::string name;
  std::string timezone;       // IANA name, validated by the caller
  std::string opens_at;       // HH:MM, clinic-local
  std::string closes_at;      // HH:MM, clinic-local
  std::string open_weekdays;  // ISO weekday digits, "12345"
  std::int64_t recovery_minutes = 0;
  std::int64_t observation_minutes = 0;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t version = 0;
};

struct NewClinic {
  std::string name;
  std::string timezone;
  std::string opens_at;
  std::string closes_at;
  std::string open_weekdays;
  std::int64_t recovery_minutes = 0;
  std::int64_t observation_minutes = 0;
  std::int64_t at_ms = 0;
};

struct Chair {
  std::int64_t id = 0;
  std::int64_t clinic_id = 0;
  std::string name;
  bool active = true;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t version = 0;
};

struct NewChair {
  std::int64_t clinic_id = 0;
  std::string name;
  bool active = true;
  std::int64_t at_ms = 0;
};

// A working window (weekly or on one date) or, with available false, dated time off.
struct StaffAvailability {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::optional<std::int64_t> clinic_id;  // none: any clinic
  std::optional<std::int64_t> weekday;    // ISO 1-7; exactly one of weekday and on_date
  std::optional<std::string> on_date;     // ISO date
  std::string from_time;
  std::string to_time;
  bool available = true;
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> set_by;         // who set it (none: before migration 0010)
  std::optional<std::int64_t> removed_at_ms;  // removed rows are kept, never deleted
  std::optional<std::int64_t> removed_by;
};

struct NewStaffAvailability {
  std::int64_t user_id = 0;
  std::optional<std::int64_t> clinic_id;
  std::optional<std::int64_t> weekday;
  std::optional<std::string> on_date;
  std::string from_time;
  std::string to_time;
  bool available = true;
  std::int64_t at_ms = 0;
  std::optional<std::int64_t> set_by;  // the user who sets it
};

struct Appointment {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::optional<std::int64_t> course_id;
  std::int64_t chair_id = 0;
  std::optional<std::int64_t> staff_user_id;
  std::string kind;  // infusion | booster | consult
  std::int64_t starts_ms = 0;
  std::int64_t ends_ms = 0;
  std::string on_date;
  std::string status;  // booked | completed | cancelled | no_show
  std::string status_reason;
  std::string notes;
  std::int64_t created_by = 0;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t version = 0;
  std::string booking_reason;  // a clinician's reason for booking it on a day already past
};

// What the chair board reads of an appointment of the day.
struct DayBooking {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::string status;  // booked | completed | cancelled | no_show
};

// A new appointment, booked, version 1.
struct NewAppointment {
  std::int64_t patient_id = 0;
  std::optional<std::int64_t> course_id;
  std::int64_t chair_id = 0;
  std::optional<std::int64_t> staff_user_id;
  std::string kind;
  std::int64_t starts_ms = 0;
  std::int64_t ends_ms = 0;
  std::string on_date;
  std::string notes;
  std::int64_t created_by = 0;
  std::int64_t at_ms = 0;
  std::string booking_reason;
};

// Every column an appointment's update writes (a status change, a reschedule or new notes).
struct AppointmentUpdate {
  std::string status;
  std::string status_reason;
  std::string notes;
  std::int64_t chair_id = 0;
  std::optional<std::int64_t> staff_user_id;
  std::int64_t starts_ms = 0;
  std::int64_t ends_ms = 0;
  std::string on_date;
  std::string booking_reason;
};

// Filters of an appointment list; an absent one matches everything. Dates are on_date values.
struct AppointmentSearch {
  std::optional<std::int64_t> patient_id;
  std::optional<std::string> on_date;
  std::optional<std::string> from_date;
  std::optional<std::string> to_date;
  std::optional<std::int64_t> chair_id;
  std::optional<std::int64_t> course_id;
  std::optional<std::int64_t> staff_user_id;
  std::optional<std::string> status;
  std::int64_t limit = 200;
};

// One slot a chair is held for.
struct ChairSlot {
  std::int64_t chair_id = 0;
  std::int64_t slot_start_ms = 0;
};

// A course's infusion appointments by status.
struct InfusionCounts {
  std::int64_t booked = 0;
  std::int64_t completed = 0;
  std::int64_t cancelled = 0;
  std::int64_t no_show = 0;
};

class SchedulingStore {
 public:
  explicit SchedulingStore(Transaction& tx) : tx_(tx) {}

  // Clinics.
  // Version 1; returns the id. A taken name is a ConstraintViolation.
  std::int64_t create_clinic(const NewClinic& clinic);
  std::optional<Clinic> find_clinic(std::int64_t clinic_id);
  bool clinic_name_taken(const std::string& name);
  // Ordered by id; with clinic_id, that clinic only (empty when there is none).
  std::vector<Clinic> clinics(std::optional<std::int64_t> clinic_id = std::nullopt);

  // Chairs.
  // Version 1; returns the id. A name taken in the clinic is a ConstraintViolation.
  std::int64_t create_chair(const NewChair& chair);
  std::optional<Chair> find_chair(std::int64_t chair_id);
  bool chair_name_taken(std::int64_t clinic_id, const std::string& name);
  // Ordered by clinic, then name; with clinic_id, that clinic's only.
  std::vector<Chair> chairs(std::optional<std::int64_t> clinic_id = std::nullopt);
  // The clinic's chairs in use, by id (the order in which free chairs are offered).
  std::vector<std::int64_t> active_chair_ids(std::int64_t clinic_id);
  // Sets name and active if the chair is still at expected_version (and bumps it); false if it
  // changed meanwhile.
  bool update_chair(std::int64_t chair_id, std::int64_t expected_version, const std::string& name,
                    bool active, std::int64_t now_ms);

  // Staff availability.
  std::int64_t add_availability(const NewStaffAvailability& availability);
  // Removed rows too (removed_at_ms set).
  std::optional<StaffAvailability> find_availability(std::int64_t availability_id);
  // Ordered by user, weekday, date, start; with user_id, that user's only; removed rows only
  // with include_removed.
  std::vector<StaffAvailability> availability(std::optional<std::int64_t> user_id = std::nullopt,
                                              bool include_removed = false);
  // The user's weekly rows for `weekday` and dated rows for `on_date`, of every clinic (not
  // removed).
  std::vector<StaffAvailability> availability_for_day(std::int64_t user_id, std::int64_t weekday,
                                                      const std::string& on_date);
  // Marks the row removed (who, when); it stays stored. False if it was removed already.
  bool remove_availability(std::int64_t availability_id, std::int64_t by_user_id,
                           std::int64_t now_ms);

  // Appointments.
  // Inserts the appointment, booked, version 1; returns its id. Its slots are held separately
  // (hold_chair_slot, hold_staff_slot), in the same transaction.
  std::int64_t create_appointment(const NewAppointment& appointment);
  std::optional<Appointment> find_appointment(std::int64_t appointment_id);
  // Ordered by start, then chair; at most search.limit.
  std::vector<Appointment> appointments(const AppointmentSearch& search);
  // The appointments of one clinic-local day, in the order of appointments() with on_date: id,
  // patient and status only (the chair board); at most `limit`.
  std::vector<DayBooking> day_bookings(const std::string& on_date, std::int64_t limit);
  // Writes the update if the appointment is still at expected_version (and bumps it); false if it
  // changed meanwhile.
  bool update_appointment(std::int64_t appointment_id, std::int64_t expected_version,
                          const AppointmentUpdate& update, std::int64_t now_ms);
  // The patient's booked and completed appointments (the days already taken), by id.
  std::vector<Appointment> held_appointments(std::int64_t patient_id);
  // A booked appointment of the patient overlapping [starts_ms, ends_ms), other than
  // `except_appointment_id`.
  std::optional<std::int64_t> patient_overlap(std::int64_t patient_id, std::int64_t starts_ms,
                                              std::int64_t ends_ms,
                                              std::int64_t except_appointment_id);
  // The course's infusion appointments booked or completed, other than `except_appointment_id`.
  std::int64_t infusions_held(std::int64_t course_id, std::int64_t except_appointment_id);
  InfusionCounts infusion_counts(std::int64_t course_id);
  // Whether an infusion session on this appointment has been discharged (the infusion happened):
  // the only way an infusion or booster appointment becomes completed.
  bool has_discharged_session(std::int64_t appointment_id);
  // Cancels the course's booked appointments with `reason` and frees their slots; returns how
  // many.
  std::int64_t cancel_booked_for_course(std::int64_t course_id, const std::string& reason,
                                        std::int64_t now_ms);

  // Slots. Each hold is one row; a slot already held is the database's ConstraintViolation.
  void hold_chair_slot(std::int64_t chair_id, std::int64_t slot_start_ms,
                       std::int64_t appointment_id);
  void hold_staff_slot(std::int64_t user_id, std::int64_t slot_start_ms,
                       std::int64_t appointment_id);
  // The appointment holding the slot, if any.
  std::optional<std::int64_t> chair_slot_holder(std::int64_t chair_id, std::int64_t slot_start_ms);
  std::optional<std::int64_t> staff_slot_holder(std::int64_t user_id, std::int64_t slot_start_ms);
  // Chair slots held from from_ms up to, not including, to_ms, in every clinic.
  std::vector<ChairSlot> chair_slots_between(std::int64_t from_ms, std::int64_t to_ms);
  // Frees every chair and staff slot the appointment holds.
  void free_slots(std::int64_t appointment_id);

 private:
  Transaction& tx_;
};

}  // namespace kit::storage
