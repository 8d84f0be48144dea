#pragma once
// The proleptic Gregorian calendar for every layer, on std::chrono's calendar types: ISO dates,
// day numbers, weekdays, ages in whole years, clock times of day and zone-less date-times.
// Pure: no clock is read and no time zone is applied here. Applying a clinic's zone needs the IANA
// database (files on disk), so it lives in the server (server/resources/clinic_time.h).
#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kit::calendar {

inline constexpr std::int64_t kSecondMs = 1'000;
inline constexpr std::int64_t kMinuteMs = 60'000;
inline constexpr std::int64_t kDayMs = 86'400'000;

// A real calendar date, ordered chronologically. Defaults to 1970-01-01 (day number 0), so a
// default-made Date is never indeterminate.
struct Date {
  std::chrono::year_month_day ymd{std::chrono::year{1970}, std::chrono::January,
                                  std::chrono::day{1}};

  int year() const { return static_cast<int>(ymd.year()); }
  int month() const { return static_cast<int>(static_cast<unsigned>(ymd.month())); }
  int day() const { return static_cast<int>(static_cast<unsigned>(ymd.day())); }
  // Days since 1970-01-01 (negative before it).
  std::int64_t day_number() const;
  static Date from_day_number(std::int64_t days);
  std::string iso() const;  // "YYYY-MM-DD"
  auto operator<=>(const Date&) const = default;
};

// "YYYY-MM-DD" exactly, and a real date (no 2026-02-30, no 2026-1-5, no time, no spaces). Years
// 1900-9999: no clinic record predates 1900, and the floor keeps typos such as 0026 out.
std::optional<Date> parse_iso_date(std::string_view text);

// ---- Day numbers (days since 1970-01-01), the unit the scheduling code counts in --------------
std::optional<std::int64_t> parse_day(std::string_view text);  // parse_iso_date as a day number
std::string format_day(std::int64_t day);                      // "YYYY-MM-DD"
int iso_weekday(std::int64_t day);                             // 1 = Monday ... 7 = Sunday
// The day a millisecond count falls on, rounding towards minus infinity (1969 stays in 1969).
std::int64_t day_of_ms(std::int64_t ms);

// Whole years from `birth` to `on` (a birthday counts on its day; 29 February birthdays count on
// 1 March in common years). 0 when `birth` is after `on`.
int age_years(const Date& birth, const Date& on);

// ---- Clock times of day ------------------------------------------------------------------------
// "HH:MM" -> minutes after midnight, 00:00-24:00 (24:00 is the end of the day, for closing times).
std::optional<int> parse_hhmm(std::string_view text);
std::string format_hhmm(int minutes);  // 0-1440 -> "HH:MM"

// ---- Date-times --------------------------------------------------------------------------------
// A written date-time "YYYY-MM-DDTHH:MM[:SS[.mmm]]" optionally followed by "Z" or "+HH:MM" /
// "-HH:MM". `wall_ms` is the written date and time as ms since 1970-01-01T00:00 of the same
// (unnamed) clock; `offset_min` is the written offset east of UTC, absent when none was written.
struct DateTimeText {
  std::int64_t wall_ms = 0;
  std::optional<int> offset_min;
};
std::optional<DateTimeText> parse_datetime(std::string_view text);

// Formats ms since 1970-01-01T00:00 of some clock, without a zone.
std::string format_minutes(std::int64_t wall_ms);  // "YYYY-MM-DDTHH:MM" (seconds dropped)
std::string format_seconds(std::int64_t wall_ms);  // "YYYY-MM-DDTHH:MM:SS"
// An offset east of UTC as written after a time: "+02:00", "-05:00", "+05:45", "+00:00".
std::string format_offset(int offset_min);
// A UTC instant as "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string format_utc_ms(std::int64_t utc_ms);

}  // namespace kit::calendar
