#pragma once
// The clinic's own time: its IANA zone (clinics.timezone) applied to UTC instants. Appointments,
// chair and staff slots, pump events, vitals and "now" are all UTC instants (ms since the epoch);
// people read and write the clinic's local time, and the clinic's days are its local dates.
// Converting needs the IANA tz database (the OS tzdata, read by Howard Hinnant's date library), so
// this lives in the server; the zone-free calendar is core/common/calendar.h.
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/database.h"

namespace date {
class time_zone;
}

namespace kit::server {

// A zone known to the tz database. `wall_ms` below is a local date and time written as ms since
// 1970-01-01T00:00 of the clinic's wall clock (the zone-free form of core/common/calendar.h).
struct ClinicZone {
  std::string name;                       // IANA name, e.g. "America/New_York"
  const date::time_zone* zone = nullptr;  // set by zone_named / load_clinic_zone, never null there

  // The clinic's wall clock at a UTC instant, and its offset east of UTC in minutes then.
  std::int64_t to_wall_ms(std::int64_t utc_ms) const;
  int offset_min(std::int64_t utc_ms) const;
  // The clinic-local date of a UTC instant: day number (days since 1970-01-01) or "YYYY-MM-DD".
  std::int64_t local_day(std::int64_t utc_ms) const;
  std::string local_date(std::int64_t utc_ms) const;
  // "YYYY-MM-DDTHH:MM" on the clinic's wall clock, without the offset (what the clinic reads).
  std::string local_minutes(std::int64_t utc_ms) const;
  // ISO 8601 with the clinic's offset at that instant: "2026-03-29T08:00:00+02:00".
  std::string iso(std::int64_t utc_ms) const;

  // The UTC instant of a wall-clock time. A time the clocks skip (spring-forward gap) does not
  // exist: kit::InputError naming `field`. A time the clocks show twice (fall-back overlap) is
  // taken at its first occurrence, the earlier instant, under the offset in force before the
  // change: a 01:30 booking on the night the clocks go back happens the first time 01:30 comes.
  std::int64_t to_utc_ms(std::int64_t wall_ms, const std::string& field) const;
  // The same for scanning a day (opening hours, free slots): a skipped time becomes the instant
  // the clocks jump at, so a scan never fails on a DST night; overlaps as above.
  std::int64_t to_utc_ms_lenient(std::int64_t wall_ms) const;
  // A date-time from a request: "YYYY-MM-DDTHH:MM[:SS]" is the clinic's local time (to_utc_ms);
  // with "Z" or "+HH:MM"/"-HH:MM" it is that instant. kit::InputError naming `field` otherwise.
  std::int64_t parse_instant(std::string_view text, const std::string& field) const;
};

// The zone named `name`; kit::InputError naming `field` unless the tz database knows it.
ClinicZone zone_named(const std::string& name, const std::string& field = "timezone");

// Clinic `clinic_id`'s zone. not_found without such a clinic; an `internal` fault when the stored
// name is unknown (it was validated when saved, so the database or tzdata changed under us).
ClinicZone load_clinic_zone(storage::Transaction& tx, std::int64_t clinic_id);

// "YYYY-MM-DD": the clinic-local date of the UTC instant now_ms in clinic `clinic_id`'s zone.
std::string clinic_today(storage::Transaction& tx, std::int64_t clinic_id, std::int64_t now_ms);

}  // namespace kit::server
