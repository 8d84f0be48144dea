#pragma once
// Shared pieces of the patient's journey modules (patient, intake, course, scheduling routes):
// the clinic's calendar and the chair/staff slot rules. The SQL is in the stores
// (storage/stores/scheduling_store.h, course_store.h, patient_store.h).
// Rules and their sources: docs/api-journey.md.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/calendar.h"
#include "server/api/router.h"
#include "server/resources/clinic_time.h"
#include "storage/database.h"

namespace kit::server::journey {

// ---- Roles ----------------------------------------------------------------------------------
inline std::set<Role> staff_roles() {
  return {Role::admin, Role::physician, Role::nurse, Role::front_desk};
}
inline std::set<Role> clinical_roles() { return {Role::physician, Role::nurse}; }

// ---- Calendar (core/common/calendar.h) and the clinic's zone (clinic_time.h) -----------------
// Appointments, slots and "now" are UTC instants; days are clinic-local day numbers (days since
// 1970-01-01 of the clinic's wall clock) and opening hours are minutes of the clinic's day.
using calendar::kDayMs;
using calendar::kMinuteMs;
// Chairs and staff are booked in 15-minute slots (appointment_slots, staff_slots). Every zone in
// use today is offset from UTC by whole quarter hours, so the clinic's 15-minute grid is also
// UTC's, and slots from clinics in different zones line up.
inline constexpr std::int64_t kSlotMs = 15 * kMinuteMs;

// Reading typed fields with the field named on error.
// "YYYY-MM-DD" -> day number.
std::int64_t require_date(const std::string& text, const std::string& field);
// A date-time a clinic's zone can read (ClinicZone::parse_instant), checked before the zone is
// known so a malformed time is refused first; returns `text`.
std::string require_datetime_text(const std::string& text, const std::string& field);
int require_hhmm(const std::string& text, const std::string& field);
// A non-empty text of at most max_len characters.
std::string require_text(const std::string& text, const std::string& field, std::size_t max_len);
// A text that must be one line (a name, an MRN, a phone number): refused, naming the field, when
// it holds a control character (C0 including tab, CR and LF, DEL, C1) or a Unicode line or
// paragraph separator, which would split a printed record, a CSV row or a log line.
const std::string& require_one_line(const std::string& text, const std::string& field);
// require_text, then require_one_line.
std::string require_line(const std::string& text, const std::string& field, std::size_t max_len);

nlohmann::json opt_json(const std::optional<std::int64_t>& v);
nlohmann::json opt_json(const std::optional<double>& v);
nlohmann::json opt_json(const std::optional<std::string>& v);

// ---- Scheduling rules shared by courses and appointments -------------------------------------
struct ClinicHours {
  std::int64_t clinic_id = 0;
  int opens_min = 0;
  int closes_min = 0;
  std::string open_weekdays;  // "12345"
  int recovery_minutes = 60;
  ClinicZone zone;
};
// The clinic's hours and zone, through storage::SchedulingStore; 404 when there is no such clinic.
ClinicHours load_clinic_hours(storage::Transaction& tx, std::int64_t clinic_id);
// Whether the clinic opens on the local day `day`.
bool clinic_open_on(const ClinicHours& h, std::int64_t day);
// The UTC instants the clinic opens and closes on the local day `day` (on a DST night, an hour
// the clocks skip is read as the instant they jump).
std::int64_t opens_utc_ms(const ClinicHours& h, std::int64_t day);
std::int64_t closes_utc_ms(const ClinicHours& h, std::int64_t day);

// Chair time for one infusion of `protocol_id`: its duration plus the clinic's recovery time,
// rounded up to whole slots. 422 when the protocol is not a timed infusion.
std::int64_t chair_block_ms(const std::string& protocol_id, int recovery_minutes);

// The first start (a UTC instant) on the clinic's local day `day`, not before `not_before_ms`, at
// which one of `chairs` (all of the clinic of `hours`) is free for `block_ms`, scanning from
// opening in slot steps. nullopt when none.
struct FreeChair {
  std::int64_t chair_id = 0;
  std::int64_t starts_ms = 0;
};
std::optional<FreeChair> first_free_chair(storage::Transaction& tx, const ClinicHours& hours,
                                          const std::vector<std::int64_t>& chairs, std::int64_t day,
                                          std::int64_t block_ms, std::int64_t not_before_ms);

}  // namespace kit::server::journey
