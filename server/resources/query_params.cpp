#include <charconv>

#include "core/common/calendar.h"
#include "core/common/error.h"
#include "server/resources/modules.h"

namespace kit::server {

namespace {

bool parse_i64(std::string_view s, std::int64_t& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::optional<std::int64_t> parse_time(std::string_view s) {
  std::int64_t v = 0;
  if (s.find('-') == std::string_view::npos) {
    if (parse_i64(s, v) && v >= 0) return v;
    return std::nullopt;
  }
  if (s.size() == 10) {  // a date: its UTC midnight
    auto day = calendar::parse_day(s);
    if (!day) return std::nullopt;
    return *day * calendar::kDayMs;
  }
  // An instant needs its zone written (Z or an offset); a bare local time names none.
  auto t = calendar::parse_datetime(s);
  if (!t || !t->offset_min) return std::nullopt;
  return t->wall_ms - *t->offset_min * calendar::kMinuteMs;
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
