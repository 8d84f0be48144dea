#include "server/resources/clinic_time.h"

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <stdexcept>

#include "core/common/calendar.h"
#include "core/common/error.h"
#include "storage/stores/scheduling_store.h"

namespace kit::server {

namespace {

using std::chrono::milliseconds;

const date::time_zone* find_zone(const std::string& name) {
  if (name.empty() || name.size() > 64) return nullptr;
  try {
    return date::locate_zone(name);
  } catch (const std::runtime_error&) {
    return nullptr;  // not in the database (locate_zone's only way of saying so)
  }
}

date::sys_time<milliseconds> sys(std::int64_t utc_ms) {
  return date::sys_time<milliseconds>{milliseconds(utc_ms)};
}

}  // namespace

std::int64_t ClinicZone::to_wall_ms(std::int64_t utc_ms) const {
  return zone->to_local(sys(utc_ms)).time_since_epoch().count();
}

int ClinicZone::offset_min(std::int64_t utc_ms) const {
  const auto info = zone->get_info(sys(utc_ms));
  return static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(info.offset).count());
}

std::int64_t ClinicZone::local_day(std::int64_t utc_ms) const {
  return calendar::day_of_ms(to_wall_ms(utc_ms));
}

std::string ClinicZone::local_date(std::int64_t utc_ms) const {
  return calendar::format_day(local_day(utc_ms));
}

std::string ClinicZone::local_minutes(std::int64_t utc_ms) const {
  return calendar::format_minutes(to_wall_ms(utc_ms));
}

std::string ClinicZone::iso(std::int64_t utc_ms) const {
  return calendar::format_seconds(to_wall_ms(utc_ms)) + calendar::format_offset(offset_min(utc_ms));
}

std::int64_t ClinicZone::to_utc_ms(std::int64_t wall_ms, const std::string& field) const {
  const date::local_time<milliseconds> local{milliseconds(wall_ms)};
  const date::local_info info = zone->get_info(local);
  if (info.result == date::local_info::nonexistent) {
    // The gap on the wall clock: the transition read under the old offset, then under the new.
    const auto wall_at = [&](std::chrono::seconds offset) {
      const auto t =
          std::chrono::duration_cast<milliseconds>((info.first.end + offset).time_since_epoch());
      return calendar::format_minutes(t.count()).substr(11);  // "HH:MM"
    };
    throw kit::InputError(field, calendar::format_minutes(wall_ms) + " does not exist in " + name +
                                     ": the clocks go from " + wall_at(info.first.offset) +
                                     " straight to " + wall_at(info.second.offset) + " that day");
  }
  return to_utc_ms_lenient(wall_ms);
}

std::int64_t ClinicZone::to_utc_ms_lenient(std::int64_t wall_ms) const {
  // choose::earliest: the first of two instants in an overlap, the transition itself in a gap.
  const date::local_time<milliseconds> local{milliseconds(wall_ms)};
  return zone->to_sys(local, date::choose::earliest).time_since_epoch().count();
}

std::int64_t ClinicZone::parse_instant(std::string_view text, const std::string& field) const {
  const auto t = calendar::parse_datetime(text);
  if (!t) {
    throw kit::InputError(field,
                          "must be the clinic's local time YYYY-MM-DDTHH:MM, or an ISO 8601 "
                          "instant with Z or an offset (YYYY-MM-DDTHH:MM:SS+02:00)");
  }
  if (t->offset_min) return t->wall_ms - *t->offset_min * calendar::kMinuteMs;
  return to_utc_ms(t->wall_ms, field);
}

ClinicZone zone_named(const std::string& name, const std::string& field) {
  const date::time_zone* z = find_zone(name);
  if (z == nullptr) {
    throw kit::InputError(field,
                          "must be an IANA time zone name such as Europe/Berlin or "
                          "America/New_York (got '" +
                              name.substr(0, 64) + "')");
  }
  return ClinicZone{name, z};
}

ClinicZone load_clinic_zone(storage::Transaction& tx, std::int64_t clinic_id) {
  const std::optional<storage::Clinic> clinic = storage::SchedulingStore(tx).find_clinic(clinic_id);
  if (!clinic) throw Error::not_found("clinic");
  const std::string name = clinic->timezone;
  const date::time_zone* z = find_zone(name);
  if (z == nullptr) {
    // Validated when the clinic was saved: an unknown stored zone is our fault, not the caller's.
    throw Error(ErrorKind::internal,
                "clinic " + std::to_string(clinic_id) + " has an unknown time zone '" + name + "'");
  }
  return ClinicZone{name, z};
}

std::string clinic_today(storage::Transaction& tx, std::int64_t clinic_id, std::int64_t now_ms) {
  return load_clinic_zone(tx, clinic_id).local_date(now_ms);
}

}  // namespace kit::server
