#include "server/api/test_clock.h"

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kit::server {

namespace {

std::int64_t system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::optional<std::int64_t> TestClock::parse_offset_minutes(std::string_view text) {
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  if (text.empty() || text.size() > 9) return std::nullopt;
  std::int64_t minutes = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    minutes = minutes * 10 + (c - '0');
  }
  if (minutes > kMaxOffsetMinutes) return std::nullopt;
  return minutes;
}

TestClock::TestClock(std::filesystem::path file, Warn warn, WallClock wall)
    : file_(std::move(file)), warn_(std::move(warn)), wall_(std::move(wall)) {
  if (!wall_) wall_ = system_ms;
  std::string problem;
  const std::optional<std::int64_t> first = read(problem);
  if (!first) throw std::runtime_error("--test-clock " + file_.string() + ": " + problem);
  offset_minutes_ = *first;
}

std::optional<std::int64_t> TestClock::read(std::string& problem) const {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file_, ec)) {
    problem = "not a regular file";
    return std::nullopt;
  }
  std::ifstream in(file_, std::ios::binary);
  if (!in) {
    problem = "cannot be read";
    return std::nullopt;
  }
  char buf[64];
  in.read(buf, sizeof buf);
  const std::string text(buf, static_cast<std::size_t>(in.gcount()));
  const std::optional<std::int64_t> minutes = parse_offset_minutes(text);
  if (!minutes) {
    problem =
        "does not hold a whole number of minutes from 0 to " + std::to_string(kMaxOffsetMinutes);
  }
  return minutes;
}

std::int64_t TestClock::now_ms() {
  std::string problem;
  const std::optional<std::int64_t> read_now = read(problem);
  std::int64_t offset = 0;
  std::string warning;
  {
    std::lock_guard lock(mutex_);
    if (!read_now) {
      if (problem != last_problem_) warning = "the test clock's file " + problem;
      last_problem_ = problem;
    } else if (*read_now < offset_minutes_) {
      problem =
          "offset " + std::to_string(*read_now) + " is below " + std::to_string(offset_minutes_);
      if (problem != last_problem_) warning = "the test clock does not run backwards: " + problem;
      last_problem_ = problem;
    } else {
      offset_minutes_ = *read_now;
      last_problem_.clear();
    }
    offset = offset_minutes_;
  }
  if (!warning.empty() && warn_)
    warn_(warning + "; the offset stays " + std::to_string(offset) + " minutes", file_.string());
  return wall_() + offset * 60'000;
}

std::int64_t TestClock::offset_minutes() const {
  std::lock_guard lock(mutex_);
  return offset_minutes_;
}

}  // namespace kit::server
