// ISO calendar dates for dated score series: only real YYYY-MM-DD dates.
#include "core/outcomes/date.h"

#include <gtest/gtest.h>

namespace kit::outcomes {
namespace {

struct DateRow {
  const char* text;
  bool valid;
  const char* why;
};

class IsoDates : public ::testing::TestWithParam<DateRow> {};

TEST_P(IsoDates, ParseOnlyRealCalendarDates) {
  const DateRow& row = GetParam();
  const auto d = parse_iso_date(row.text);
  EXPECT_EQ(d.has_value(), row.valid) << row.text << ": " << row.why;
  if (d) {
    EXPECT_EQ(d->iso(), row.text);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Gregorian, IsoDates,
    ::testing::Values(DateRow{"2026-01-05", true, "ordinary date"},
                      DateRow{"2024-02-29", true, "leap year (divisible by 4)"},
                      DateRow{"2000-02-29", true, "leap year (divisible by 400)"},
                      DateRow{"1900-02-29", false, "1900 not leap (divisible by 100)"},
                      DateRow{"2026-02-29", false, "2026 not leap"},
                      DateRow{"2026-02-30", false, "no 30 February"},
                      DateRow{"2026-04-31", false, "April has 30 days"},
                      DateRow{"2026-12-31", true, "last day of year"},
                      DateRow{"2026-13-01", false, "month 13"},
                      DateRow{"2026-00-10", false, "month 0"},
                      DateRow{"2026-01-00", false, "day 0"},
                      DateRow{"2026-1-05", false, "month not zero-padded"},
                      DateRow{"2026/01/05", false, "wrong separator"},
                      DateRow{"2026-01-05T10:00", false, "time not allowed"},
                      DateRow{" 2026-01-05", false, "leading space"},
                      DateRow{"20260105", false, "basic format not allowed"},
                      DateRow{"0026-01-05", false, "year before 1900 (typo guard)"},
                      DateRow{"2026-0a-05", false, "non-digit"}, DateRow{"", false, "empty"}));

TEST(IsoDates, OrderIsChronological) {
  EXPECT_LT(*parse_iso_date("2025-12-31"), *parse_iso_date("2026-01-01"));
  EXPECT_LT(*parse_iso_date("2026-01-31"), *parse_iso_date("2026-02-01"));
}

}  // namespace
}  // namespace kit::outcomes
