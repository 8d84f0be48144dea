#pragma once
// The test clock of `kit serve --demo --test-clock FILE` (docs/adr/0029-test-clock.md): the
// server's "now" is the real clock plus an offset in minutes read from FILE, so a browser test can
// walk a patient through an induction series whose infusions fall on different days. Only for a
// demo clinic (resolve_serve_options refuses the flag without --demo; it has no TOML key and no
// environment variable), announced by a warning in the log and a "TEST CLOCK" banner on every
// screen (GET /api/v1/info, /healthz).
//
// The offset comes from the file and nowhere else: no HTTP route can move time. The file is read
// at every reading of the clock; it holds one whole number of minutes (0 to kMaxOffsetMinutes,
// optional surrounding white space). Time never runs backwards: an offset smaller than one already
// read, or a file that cannot be read or parsed, keeps the largest offset read so far (with a
// warning in the log).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace kit::server {

class TestClock {
 public:
  // Ten years: far beyond any series a test walks through, and small enough that now + offset
  // stays a valid date for every calendar function.
  static constexpr std::int64_t kMaxOffsetMinutes = 10LL * 366 * 24 * 60;

  using Warn = std::function<void(const std::string& message, const std::string& problem)>;
  using WallClock = std::function<std::int64_t()>;  // real milliseconds since the epoch

  // Reads the file once; throws std::runtime_error naming the file and what is wrong when it is
  // missing or does not hold an offset.
  explicit TestClock(std::filesystem::path file, Warn warn = {}, WallClock wall = {});

  // The real clock plus the offset (the file is read again first).
  std::int64_t now_ms();
  // The offset in force (the largest read so far).
  std::int64_t offset_minutes() const;
  const std::filesystem::path& file() const { return file_; }

  // "1440" -> 1440; empty, signed, fractional, non-digits or above kMaxOffsetMinutes -> nullopt.
  static std::optional<std::int64_t> parse_offset_minutes(std::string_view text);

 private:
  // The file's offset, or the reason it has none.
  std::optional<std::int64_t> read(std::string& problem) const;

  std::filesystem::path file_;
  Warn warn_;
  WallClock wall_;
  mutable std::mutex mutex_;
  std::int64_t offset_minutes_ = 0;
  std::string last_problem_;  // warned once per distinct problem
};

}  // namespace kit::server
