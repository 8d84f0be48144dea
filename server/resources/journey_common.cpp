#include "server/resources/journey_common.h"

#include <charconv>
#include <cmath>

#include "core/common/civil_date.h"
#include "core/common/error.h"
#include "core/dosing/drug_library.h"
#include "server/api/api_error.h"
#include "server/api/services.h"

namespace kit::server::journey {

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

bool leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

}  // namespace

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<std::int64_t> parse_date(std::string_view s) {
  int y = 0;
  int m = 0;
  int d = 0;
  if (s.size() != 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, m) || s[7] != '-' ||
      !digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  if (y < 1900 || m < 1 || m > 12 || d < 1 ||
      static_cast<unsigned>(d) > days_in_month(y, static_cast<unsigned>(m))) {
    return std::nullopt;
  }
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::string format_date(std::int64_t days) {
  std::int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  civil_from_days(days, y, m, d);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

int iso_weekday(std::int64_t days) {
  // 1970-01-01 was a Thursday (ISO 4).
  const std::int64_t w = ((days % 7) + 7 + 3) % 7;  // 0 = Monday
  return static_cast<int>(w) + 1;
}

std::optional<int> parse_hhmm(std::string_view s) {
  int h = 0;
  int m = 0;
  if (s.size() != 5 || !digits(s, 0, 2, h) || s[2] != ':' || !digits(s, 3, 2, m))
    return std::nullopt;
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

std::string format_hhmm(int minutes) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

std::optional<std::int64_t> parse_local_datetime(std::string_view s) {
  if (s.size() != 16 && s.size() != 19) return std::nullopt;
  auto day = parse_date(s.substr(0, 10));
  if (!day || s[10] != 'T') return std::nullopt;
  int h = 0;
  int m = 0;
  int sec = 0;
  if (!digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, m)) return std::nullopt;
  if (s.size() == 19 && (s[16] != ':' || !digits(s, 17, 2, sec))) return std::nullopt;
  if (h > 23 || m > 59 || sec > 59) return std::nullopt;
  return *day * kDayMs + (h * 60 + m) * kMinuteMs + sec * 1000;
}

std::string format_local_datetime(std::int64_t ms) {
  const std::int64_t day = floor_div(ms, kDayMs);
  const auto minutes = static_cast<int>((ms - day * kDayMs) / kMinuteMs);
  return format_date(day) + "T" + format_hhmm(minutes);
}

std::int64_t require_date(const std::string& text, const std::string& field) {
  auto d = parse_date(text);
  if (!d) throw kit::InputError(field, "must be a date YYYY-MM-DD");
  return *d;
}

std::int64_t require_local_datetime(const std::string& text, const std::string& field) {
  auto t = parse_local_datetime(text);
  if (!t) {
    throw kit::InputError(field, "must be the clinic's local time YYYY-MM-DDTHH:MM (no time zone)");
  }
  return *t;
}

int require_hhmm(const std::string& text, const std::string& field) {
  auto t = parse_hhmm(text);
  if (!t) throw kit::InputError(field, "must be a time HH:MM");
  return *t;
}

std::string require_text(const std::string& text, const std::string& field, std::size_t max_len) {
  std::size_t b = 0;
  std::size_t e = text.size();
  while (b < e && (text[b] == ' ' || text[b] == '\t')) ++b;
  while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t')) --e;
  if (b == e) throw kit::InputError(field, "must not be empty");
  if (e - b > max_len) {
    throw kit::InputError(field, "must be at most " + std::to_string(max_len) + " characters");
  }
  return text.substr(b, e - b);
}

nlohmann::json opt_json(const std::optional<std::int64_t>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
nlohmann::json opt_json(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
nlohmann::json opt_json(const std::optional<std::string>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// ---------------------------------------------------------------------------------------------

storage::Row load_patient(storage::Transaction& tx, std::int64_t id) {
  storage::Rows rows = tx.query("SELECT * FROM patients WHERE id = $1", {id});
  if (rows.empty()) throw ApiError::not_found("patient");
  return rows.front();
}

storage::Row load_course(storage::Transaction& tx, std::int64_t id) {
  storage::Rows rows = tx.query("SELECT * FROM courses WHERE id = $1", {id});
  if (rows.empty()) throw ApiError::not_found("course");
  return rows.front();
}

nlohmann::json patient_json(const storage::Row& r) {
  return {{"id", r.i64("id")},
          {"mrn", r.text("mrn")},
          {"given_name", r.text("given_name")},
          {"family_name", r.text("family_name")},
          {"date_of_birth", r.text("date_of_birth")},
          {"sex", r.text("sex")},
          {"weight_kg", opt_json(r.opt_f64("weight_kg"))},
          {"height_cm", opt_json(r.opt_f64("height_cm"))},
          {"email", opt_json(r.opt_text("email"))},
          {"phone", opt_json(r.opt_text("phone"))},
          {"indication", r.text("indication")},
          {"status", r.text("status")},
          {"inquiry_id", opt_json(r.opt_i64("inquiry_id"))},
          {"created_at", iso8601_ms(r.i64("created_at_ms"))},
          {"updated_at", iso8601_ms(r.i64("updated_at_ms"))},
          {"version", r.i64("version")}};
}

void set_patient_status(storage::Transaction& tx, std::int64_t patient_id,
                        const std::string& status, std::int64_t now_ms) {
  tx.exec(
      "UPDATE patients SET status = $1, updated_at_ms = $2, version = version + 1 WHERE id = $3",
      {status, now_ms, patient_id});
}

// ---------------------------------------------------------------------------------------------

ClinicHours load_clinic_hours(storage::Transaction& tx, std::int64_t clinic_id) {
  storage::Rows rows = tx.query(
      "SELECT id, opens_at, closes_at, open_weekdays, recovery_minutes FROM clinics WHERE id = $1",
      {clinic_id});
  if (rows.empty()) throw ApiError::not_found("clinic");
  const storage::Row& r = rows.front();
  ClinicHours h;
  h.clinic_id = r.i64("id");
  h.opens_min = parse_hhmm(r.text("opens_at")).value_or(0);
  h.closes_min = parse_hhmm(r.text("closes_at")).value_or(24 * 60);
  h.open_weekdays = r.text("open_weekdays");
  h.recovery_minutes = static_cast<int>(r.i64("recovery_minutes"));
  return h;
}

bool clinic_open_on(const ClinicHours& h, std::int64_t day) {
  const char wd = static_cast<char>('0' + iso_weekday(day));
  return h.open_weekdays.find(wd) != std::string::npos;
}

std::int64_t chair_block_ms(const std::string& protocol_id, int recovery_minutes) {
  const dosing::Protocol* p = dosing::builtin_library().find(protocol_id);
  if (p == nullptr) throw ApiError::rule_refused("unknown protocol " + protocol_id, "protocol_id");
  if (p->route != dosing::Route::kIvInfusion || !p->duration) {
    throw ApiError::rule_refused(
        "protocol " + protocol_id +
            " is not a timed IV infusion and cannot be scheduled in a chair",
        "protocol_id");
  }
  const double minutes = p->duration->value() + recovery_minutes;
  const auto ms = static_cast<std::int64_t>(std::ceil(minutes)) * kMinuteMs;
  return (ms + kSlotMs - 1) / kSlotMs * kSlotMs;
}

void free_slots(storage::Transaction& tx, std::int64_t appointment_id) {
  tx.exec("DELETE FROM appointment_slots WHERE appointment_id = $1", {appointment_id});
  tx.exec("DELETE FROM staff_slots WHERE appointment_id = $1", {appointment_id});
}

std::int64_t cancel_booked_appointments(storage::Transaction& tx, std::int64_t course_id,
                                        const std::string& reason, std::int64_t now_ms) {
  storage::Rows rows = tx.query(
      "SELECT id FROM appointments WHERE course_id = $1 AND status = 'booked'", {course_id});
  for (const storage::Row& r : rows) {
    free_slots(tx, r.i64("id"));
    tx.exec(
        "UPDATE appointments SET status = 'cancelled', status_reason = $1, updated_at_ms = $2, "
        "version = version + 1 WHERE id = $3",
        {reason, now_ms, r.i64("id")});
  }
  return static_cast<std::int64_t>(rows.size());
}

std::optional<FreeChair> first_free_chair(storage::Transaction& tx, const ClinicHours& hours,
                                          const std::vector<std::int64_t>& chairs, std::int64_t day,
                                          std::int64_t block_ms) {
  if (chairs.empty() || !clinic_open_on(hours, day)) return std::nullopt;
  const std::int64_t day_start = day * kDayMs;
  const std::int64_t open = day_start + hours.opens_min * kMinuteMs;
  const std::int64_t close = day_start + hours.closes_min * kMinuteMs;
  // Taken slots of the day, per chair.
  std::set<std::pair<std::int64_t, std::int64_t>> taken;
  storage::Rows rows = tx.query(
      "SELECT chair_id, slot_start FROM appointment_slots WHERE slot_start >= $1 AND slot_start < "
      "$2",
      {day_start, day_start + kDayMs});
  for (const storage::Row& r : rows) taken.emplace(r.i64("chair_id"), r.i64("slot_start"));
  // Opening may not be on a slot boundary; start at the first boundary at or after it.
  const std::int64_t first = (open - day_start + kSlotMs - 1) / kSlotMs * kSlotMs + day_start;
  for (std::int64_t t = first; t + block_ms <= close; t += kSlotMs) {
    for (std::int64_t chair : chairs) {
      bool free = true;
      for (std::int64_t s = t; s < t + block_ms; s += kSlotMs) {
        if (taken.count({chair, s}) != 0) {
          free = false;
          break;
        }
      }
      if (free) return FreeChair{chair, t};
    }
  }
  return std::nullopt;
}

}  // namespace kit::server::journey
