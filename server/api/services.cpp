#include "server/api/services.h"

#include <cstdio>

namespace kit::server {

namespace {

// Days since 1970-01-01 to a civil date (H. Hinnant's algorithm), valid for any int64 day count
// the clock can produce.
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

std::string iso8601_ms(std::int64_t ms) {
  const std::int64_t days = floor_div(ms, 86'400'000);
  const std::int64_t rem = ms - days * 86'400'000;
  std::int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  civil_from_days(days, y, m, d);
  const auto h = static_cast<int>(rem / 3'600'000);
  const auto mi = static_cast<int>(rem / 60'000 % 60);
  const auto s = static_cast<int>(rem / 1000 % 60);
  const auto milli = static_cast<int>(rem % 1000);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<long long>(y),
                m, d, h, mi, s, milli);
  return buf;
}

}  // namespace kit::server
