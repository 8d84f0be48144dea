#include "core/common/calendar.h"

#include <cstdio>

namespace kit::calendar {

namespace {

using std::chrono::day;
using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::month;
using std::chrono::sys_days;
using std::chrono::year;
using std::chrono::year_month_day;

// `count` decimal digits at `pos`; nullopt on anything else (signs, spaces, short text).
std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t count) {
  if (pos + count > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// Offsets on the wire never exceed ±18:00 (ISO 8601 profiles and java.time agree; the real
// extremes are -12:00 and +14:00).
constexpr int kMaxOffsetMin = 18 * 60;

}  // namespace

std::int64_t Date::day_number() const { return sys_days(ymd).time_since_epoch().count(); }

Date Date::from_day_number(std::int64_t days_since_epoch) {
  return Date{year_month_day(sys_days(days(days_since_epoch)))};
}

std::string Date::iso() const {
  char buf[48];  // room for any int, so no truncation warning
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year(), month(), day());
  return buf;
}

std::optional<Date> parse_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto y = digits(text, 0, 4);
  const auto m = digits(text, 5, 2);
  const auto d = digits(text, 8, 2);
  if (!y || !m || !d || *y < 1900) return std::nullopt;
  const year_month_day ymd{year(*y), month(static_cast<unsigned>(*m)),
                           day(static_cast<unsigned>(*d))};
  if (!ymd.ok()) return std::nullopt;
  return Date{ymd};
}

std::optional<std::int64_t> parse_day(std::string_view text) {
  const auto d = parse_iso_date(text);
  if (!d) return std::nullopt;
  return d->day_number();
}

std::string format_day(std::int64_t day_number) { return Date::from_day_number(day_number).iso(); }

int iso_weekday(std::int64_t day_number) {
  return static_cast<int>(std::chrono::weekday(sys_days(days(day_number))).iso_encoding());
}

std::int64_t day_of_ms(std::int64_t ms) {
  return std::chrono::floor<days>(milliseconds(ms)).count();
}

int age_years(const Date& birth, const Date& on) {
  int years = on.year() - birth.year();
  if (on.month() < birth.month() || (on.month() == birth.month() && on.day() < birth.day())) {
    --years;
  }
  return years < 0 ? 0 : years;
}

std::optional<int> parse_hhmm(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  const auto h = digits(text, 0, 2);
  const auto m = digits(text, 3, 2);
  if (!h || !m || *m > 59 || *h > 24 || (*h == 24 && *m != 0)) return std::nullopt;
  return *h * 60 + *m;
}

std::string format_hhmm(int minutes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

std::optional<DateTimeText> parse_datetime(std::string_view text) {
  if (text.size() < 16 || text[10] != 'T' || text[13] != ':') return std::nullopt;
  const auto day_number = parse_day(text.substr(0, 10));
  const auto h = digits(text, 11, 2);
  const auto mi = digits(text, 14, 2);
  if (!day_number || !h || !mi || *h > 23 || *mi > 59) return std::nullopt;
  int sec = 0;
  int milli = 0;
  std::size_t pos = 16;
  if (pos < text.size() && text[pos] == ':') {
    const auto s = digits(text, pos + 1, 2);
    if (!s || *s > 59) return std::nullopt;  // leap seconds are not scheduled
    sec = *s;
    pos += 3;
    if (pos < text.size() && text[pos] == '.') {
      const auto f = digits(text, pos + 1, 3);
      if (!f) return std::nullopt;
      milli = *f;
      pos += 4;
    }
  }
  DateTimeText out;
  out.wall_ms = *day_number * kDayMs + (*h * 60 + *mi) * kMinuteMs + sec * kSecondMs + milli;
  if (pos == text.size()) return out;
  if (text[pos] == 'Z' && pos + 1 == text.size()) {
    out.offset_min = 0;
    return out;
  }
  if ((text[pos] != '+' && text[pos] != '-') || pos + 6 != text.size() || text[pos + 3] != ':') {
    return std::nullopt;
  }
  const auto oh = digits(text, pos + 1, 2);
  const auto om = digits(text, pos + 4, 2);
  if (!oh || !om || *om > 59 || *oh * 60 + *om > kMaxOffsetMin) return std::nullopt;
  out.offset_min = (text[pos] == '-' ? -1 : 1) * (*oh * 60 + *om);
  return out;
}

std::string format_minutes(std::int64_t wall_ms) { return format_seconds(wall_ms).substr(0, 16); }

std::string format_seconds(std::int64_t wall_ms) {
  const std::int64_t day_number = day_of_ms(wall_ms);
  const std::chrono::hh_mm_ss<milliseconds> t{milliseconds(wall_ms - day_number * kDayMs)};
  char buf[32];
  std::snprintf(buf, sizeof buf, "T%02d:%02d:%02d", static_cast<int>(t.hours().count()),
                static_cast<int>(t.minutes().count()), static_cast<int>(t.seconds().count()));
  return format_day(day_number) + buf;
}

std::string format_offset(int offset_min) {
  const int a = offset_min < 0 ? -offset_min : offset_min;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset_min < 0 ? '-' : '+', a / 60, a % 60);
  return buf;
}

std::string format_utc_ms(std::int64_t utc_ms) {
  const auto milli = static_cast<int>((utc_ms - day_of_ms(utc_ms) * kDayMs) % kSecondMs);
  char buf[16];
  std::snprintf(buf, sizeof buf, ".%03dZ", milli);
  return format_seconds(utc_ms) + buf;
}

}  // namespace kit::calendar
