#include <charconv>

#include "core/common/error.h"
#include "server/resources/modules.h"

namespace kit::server {

namespace {

bool parse_i64(std::string_view s, std::int64_t& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, std::int64_t& out) {
  if (pos + n > s.size()) return false;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return parse_i64(s.substr(pos, n), out);
}

std::optional<std::int64_t> parse_time(std::string_view s) {
  std::int64_t v = 0;
  if (s.find('-') == std::string_view::npos) {
    if (parse_i64(s, v) && v >= 0) return v;
    return std::nullopt;
  }
  std::int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  if (s.size() > 10) {
    if (s.size() < 20 || s[10] != 'T' || !digits(s, 11, 2, h) || s[13] != ':' ||
        !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec)) {
      return std::nullopt;
    }
    std::size_t pos = 19;
    if (s[pos] == '.') {
      if (!digits(s, pos + 1, 3, ms)) return std::nullopt;
      pos += 4;
    }
    if (pos + 1 != s.size() || s[pos] != 'Z') return std::nullopt;
    if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
  }
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 24 + h) * 60 + mi) * 60'000 + sec * 1000 + ms;
}

}  // namespace

std::optional<std::int64_t> query_int(const Request& req, const std::string& name, std::int64_t min,
                                      std::int64_t max) {
  auto it = req.query.find(name);
  if (it == req.query.end()) return std::nullopt;
  std::int64_t v = 0;
  if (!parse_i64(it->second, v)) throw kit::InputError(name, "must be an integer");
  if (v < min || v > max) {
    throw kit::InputError(name,
                          "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return v;
}

std::optional<std::int64_t> query_time_ms(const Request& req, const std::string& name) {
  auto it = req.query.find(name);
  if (it == req.query.end()) return std::nullopt;
  auto v = parse_time(it->second);
  if (!v) {
    throw kit::InputError(name,
                          "must be milliseconds since 1970 or an ISO-8601 UTC time (2026-11-24 or "
                          "2026-11-24T14:56:10Z)");
  }
  return v;
}

}  // namespace kit::server
