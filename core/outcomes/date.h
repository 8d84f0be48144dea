#pragma once
// Calendar dates for dated score series. Only ISO 8601 calendar dates "YYYY-MM-DD" that exist on
// the proleptic Gregorian calendar are accepted (no 2026-02-30, no 2026-1-5, no times).
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace kit::outcomes {

struct Date {
  int year = 0;
  int month = 0;
  int day = 0;
  auto operator<=>(const Date&) const = default;
  std::string iso() const;
};

bool is_leap_year(int year);
int days_in_month(int year, int month);
// Empty if `text` is not exactly a real YYYY-MM-DD date (years 1900-9999).
std::optional<Date> parse_iso_date(std::string_view text);

}  // namespace kit::outcomes
