#pragma once
// Shared pieces of the patient's journey modules (patient, intake, course, scheduling routes):
// calendar arithmetic on the clinic's wall clock, the chair/staff slot rules, and row loaders.
// Rules and their sources: docs/api-journey.md.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "server/api/router.h"
#include "storage/database.h"

namespace kit::server::journey {

// ---- Roles ----------------------------------------------------------------------------------
inline std::set<Role> staff_roles() {
  return {Role::admin, Role::physician, Role::nurse, Role::front_desk};
}
inline std::set<Role> clinical_roles() { return {Role::physician, Role::nurse}; }

// ---- Calendar (the clinic's wall clock; no zone arithmetic) ----------------------------------
inline constexpr std::int64_t kMinuteMs = 60'000;
inline constexpr std::int64_t kDayMs = 86'400'000;
// Chairs and staff are booked in 15-minute slots (appointment_slots, staff_slots).
inline constexpr std::int64_t kSlotMs = 15 * kMinuteMs;

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
// "YYYY-MM-DD" -> days since 1970-01-01; nullopt when malformed or not a real date.
std::optional<std::int64_t> parse_date(std::string_view s);
std::string format_date(std::int64_t days);
// ISO weekday: 1 = Monday ... 7 = Sunday.
int iso_weekday(std::int64_t days);
// "HH:MM" -> minutes after midnight (00:00-24:00).
std::optional<int> parse_hhmm(std::string_view s);
std::string format_hhmm(int minutes);
// "YYYY-MM-DDTHH:MM" or "...:SS" (no zone: the clinic's wall clock) -> ms since 1970-01-01T00:00.
std::optional<std::int64_t> parse_local_datetime(std::string_view s);
std::string format_local_datetime(std::int64_t ms);  // "YYYY-MM-DDTHH:MM"

// Reading typed fields with the field named on error.
std::int64_t require_date(const std::string& text, const std::string& field);
std::int64_t require_local_datetime(const std::string& text, const std::string& field);
int require_hhmm(const std::string& text, const std::string& field);
// A non-empty text of at most max_len characters.
std::string require_text(const std::string& text, const std::string& field, std::size_t max_len);

nlohmann::json opt_json(const std::optional<std::int64_t>& v);
nlohmann::json opt_json(const std::optional<double>& v);
nlohmann::json opt_json(const std::optional<std::string>& v);

// ---- Loaders (404 when absent) ----------------------------------------------------------------
storage::Row load_patient(storage::Transaction& tx, std::int64_t id);
storage::Row load_course(storage::Transaction& tx, std::int64_t id);
nlohmann::json patient_json(const storage::Row& r);
// Sets the patient's workflow status and bumps its version.
void set_patient_status(storage::Transaction& tx, std::int64_t patient_id,
                        const std::string& status, std::int64_t now_ms);

// ---- Scheduling rules shared by courses and appointments -------------------------------------
struct ClinicHours {
  std::int64_t clinic_id = 0;
  int opens_min = 0;
  int closes_min = 0;
  std::string open_weekdays;  // "12345"
  int recovery_minutes = 60;
};
ClinicHours load_clinic_hours(storage::Transaction& tx, std::int64_t clinic_id);
bool clinic_open_on(const ClinicHours& h, std::int64_t day);

// Chair time for one infusion of `protocol_id`: its duration plus the clinic's recovery time,
// rounded up to whole slots. 422 when the protocol is not a timed infusion.
std::int64_t chair_block_ms(const std::string& protocol_id, int recovery_minutes);

// Cancels the course's booked appointments (frees their slots); returns how many.
std::int64_t cancel_booked_appointments(storage::Transaction& tx, std::int64_t course_id,
                                        const std::string& reason, std::int64_t now_ms);
// Frees every chair and staff slot an appointment holds.
void free_slots(storage::Transaction& tx, std::int64_t appointment_id);

// The first start time on `day` at which one of `chairs` (all of the same clinic `hours`) is free
// for `block_ms`, scanning from opening in slot steps. nullopt when none.
struct FreeChair {
  std::int64_t chair_id = 0;
  std::int64_t starts_ms = 0;
};
std::optional<FreeChair> first_free_chair(storage::Transaction& tx, const ClinicHours& hours,
                                          const std::vector<std::int64_t>& chairs, std::int64_t day,
                                          std::int64_t block_ms);

}  // namespace kit::server::journey
