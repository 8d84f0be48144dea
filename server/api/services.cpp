#include "server/api/services.h"

#include <cstdio>

#include "core/common/civil_date.h"

namespace kit::server {

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
