// The one calendar of the code base (core/common/calendar.h): ISO dates, day numbers, weekdays,
// ages, clock times and zone-less date-times. Rows name why each case matters.
#include "core/common/calendar.h"

#include <gtest/gtest.h>

namespace kit::calendar {
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
  EXPECT_EQ(parse_day(row.text).has_value(), row.valid) << row.text;
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
                      DateRow{"2026-0a-05", false, "non-digit"},
                      DateRow{"-026-01-05", false, "sign"}, DateRow{"", false, "empty"}));

TEST(IsoDates, OrderIsChronological) {
  EXPECT_LT(*parse_iso_date("2025-12-31"), *parse_iso_date("2026-01-01"));
  EXPECT_LT(*parse_iso_date("2026-01-31"), *parse_iso_date("2026-02-01"));
  EXPECT_EQ(Date{}.iso(), "1970-01-01");  // a default Date is day 0, never indeterminate
}

TEST(DayNumbers, RoundTripAcrossEraAndLeapBoundaries) {
  EXPECT_EQ(*parse_day("1970-01-01"), 0);
  EXPECT_EQ(*parse_day("2000-03-01"), 11017);
  EXPECT_EQ(*parse_day("2026-11-26"), 20783);
  EXPECT_EQ(format_day(-1), "1969-12-31");
  EXPECT_EQ(format_day(-25567), "1900-01-01");
  // Every day from 1900 to 2100 survives format -> parse, and days are consecutive.
  for (std::int64_t d = -25567; d < 47482; ++d) {
    const std::string iso = format_day(d);
    ASSERT_EQ(parse_day(iso), d) << iso;
    ASSERT_EQ(Date::from_day_number(d).day_number(), d);
  }
}

TEST(DayNumbers, MillisecondsRoundTowardsMinusInfinity) {
  EXPECT_EQ(day_of_ms(0), 0);
  EXPECT_EQ(day_of_ms(kDayMs - 1), 0);
  EXPECT_EQ(day_of_ms(-1), -1);  // 1969-12-31T23:59:59.999 is still 1969
  EXPECT_EQ(day_of_ms(-kDayMs), -1);
}

TEST(Weekdays, IsoNumbering) {
  EXPECT_EQ(iso_weekday(0), 4);                         // 1970-01-01 was a Thursday
  EXPECT_EQ(iso_weekday(*parse_day("2027-02-01")), 1);  // Monday
  EXPECT_EQ(iso_weekday(*parse_day("2026-11-29")), 7);  // Sunday
  EXPECT_EQ(iso_weekday(-1), 3);                        // before 1970 too
  EXPECT_EQ(iso_weekday(-4), 7);
}

TEST(Ages, WholeYearsCountOnTheBirthday) {
  const auto age = [](const char* birth, const char* on) {
    return age_years(*parse_iso_date(birth), *parse_iso_date(on));
  };
  EXPECT_EQ(age("1984-12-10", "2026-12-09"), 41);
  EXPECT_EQ(age("1984-12-10", "2026-12-10"), 42);  // the birthday itself counts
  EXPECT_EQ(age("1984-12-10", "2027-01-15"), 42);
  EXPECT_EQ(age("2000-02-29", "2026-02-28"), 25);  // leap-day birthdays count on 1 March
  EXPECT_EQ(age("2000-02-29", "2026-03-01"), 26);
  EXPECT_EQ(age("2000-02-29", "2028-02-29"), 28);
  EXPECT_EQ(age("2030-01-01", "2026-01-01"), 0);  // not yet born: 0, not negative
}

TEST(ClockTimes, HhMm) {
  EXPECT_EQ(parse_hhmm("00:00"), 0);
  EXPECT_EQ(parse_hhmm("08:30"), 510);
  EXPECT_EQ(parse_hhmm("24:00"), 1440);  // a closing time at the end of the day
  EXPECT_FALSE(parse_hhmm("24:01"));
  EXPECT_FALSE(parse_hhmm("12:60"));
  EXPECT_FALSE(parse_hhmm("8:30"));
  EXPECT_FALSE(parse_hhmm("08-30"));
  EXPECT_FALSE(parse_hhmm("08:3a"));
  EXPECT_EQ(format_hhmm(0), "00:00");
  EXPECT_EQ(format_hhmm(1439), "23:59");
  EXPECT_EQ(format_hhmm(1440), "24:00");
}

TEST(DateTimes, ParseLocalAndZoned) {
  const std::int64_t day = *parse_day("2026-11-26");
  auto t = parse_datetime("2026-11-26T09:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->wall_ms, day * kDayMs + 9 * 60 * kMinuteMs);
  EXPECT_FALSE(t->offset_min);  // no zone written: the reader decides whose wall clock it is
  t = parse_datetime("2026-11-26T09:00:30");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->wall_ms, day * kDayMs + 9 * 60 * kMinuteMs + 30 * kSecondMs);
  t = parse_datetime("2026-11-26T09:00:30.250Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->wall_ms % kSecondMs, 250);
  EXPECT_EQ(t->offset_min, 0);
  t = parse_datetime("2026-11-26T09:00:00-05:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->offset_min, -300);
  t = parse_datetime("2026-11-26T09:00+05:45");  // Kathmandu: offsets need not be whole hours
  ASSERT_TRUE(t);
  EXPECT_EQ(t->offset_min, 345);
  for (const char* bad : {"2026-11-26", "2026-11-26 09:00", "2026-11-26T9:00", "2026-11-26T24:00",
                          "2026-11-26T09:60", "2026-11-26T09:00:60", "2026-11-26T09:00:00.5Z",
                          "2026-11-26T09:00z", "2026-11-26T09:00+5", "2026-11-26T09:00+0500",
                          "2026-11-26T09:00+19:00", "2026-02-30T09:00", "2026-11-26T09:00Z "}) {
    EXPECT_FALSE(parse_datetime(bad)) << bad;
  }
}

TEST(DateTimes, Format) {
  const std::int64_t ms = *parse_day("2026-03-29") * kDayMs + 8 * 60 * kMinuteMs + 5 * kSecondMs;
  EXPECT_EQ(format_minutes(ms), "2026-03-29T08:00");
  EXPECT_EQ(format_seconds(ms), "2026-03-29T08:00:05");
  EXPECT_EQ(format_utc_ms(ms + 7), "2026-03-29T08:00:05.007Z");
  EXPECT_EQ(format_utc_ms(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_offset(120), "+02:00");
  EXPECT_EQ(format_offset(-300), "-05:00");
  EXPECT_EQ(format_offset(345), "+05:45");
  EXPECT_EQ(format_offset(0), "+00:00");
  EXPECT_EQ(format_offset(-30), "-00:30");
}

}  // namespace
}  // namespace kit::calendar
