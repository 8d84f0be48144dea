#include "server/backup/backup_schedule.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <sstream>

#include "core/common/calendar.h"
#include "core/common/error.h"

namespace kit::server {

namespace {

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string w;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!w.empty()) out.push_back(std::move(w));
      w.clear();
    } else {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (!w.empty()) out.push_back(std::move(w));
  return out;
}

bool all_digits(std::string_view s, std::size_t n) {
  return s.size() == n &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

constexpr const char* kForms =
    "must be \"daily at HH:MM\" (the clinic's wall clock, 24-hour) or \"every N seconds|minutes|"
    "hours\"";

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

std::string BackupSchedule::text() const {
  if (kind == Kind::interval) return "every " + std::to_string(interval_s) + " seconds";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute_of_day / 60, minute_of_day % 60);
  return std::string("daily at ") + buf;
}

BackupSchedule parse_backup_schedule(std::string_view text, const std::string& field) {
  const std::vector<std::string> w = words(text);
  BackupSchedule s;
  if (w.size() == 3 && w[0] == "daily" && w[1] == "at") {
    const std::string& t = w[2];
    if (t.size() != 5 || t[2] != ':' || !all_digits(std::string_view(t).substr(0, 2), 2) ||
        !all_digits(std::string_view(t).substr(3, 2), 2)) {
      throw kit::InputError(field, std::string(kForms) + "; '" + t + "' is not HH:MM");
    }
    const int h = (t[0] - '0') * 10 + (t[1] - '0');
    const int m = (t[3] - '0') * 10 + (t[4] - '0');
    if (h > 23 || m > 59) {
      throw kit::InputError(field, "'" + t + "' is not a time of day (00:00 to 23:59)");
    }
    s.kind = BackupSchedule::Kind::daily;
    s.minute_of_day = h * 60 + m;
    return s;
  }
  if (w.size() == 3 && w[0] == "every") {
    std::int64_t n = 0;
    const std::string& num = w[1];
    const auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), n);
    if (ec != std::errc() || ptr != num.data() + num.size() || n < 1) {
      throw kit::InputError(
          field, std::string(kForms) + "; N must be a whole number from 1 ('" + num + "')");
    }
    std::int64_t unit = 0;
    const std::string& u = w[2];
    if (u == "second" || u == "seconds") unit = 1;
    if (u == "minute" || u == "minutes") unit = 60;
    if (u == "hour" || u == "hours") unit = 3600;
    if (unit == 0) throw kit::InputError(field, std::string(kForms) + "; unknown unit '" + u + "'");
    if (n > kMaxBackupIntervalS / unit) {
      throw kit::InputError(field, "the interval must be at most " +
                                       std::to_string(kMaxBackupIntervalS / 3600) +
                                       " hours (a week); use \"daily at HH:MM\" for daily backups");
    }
    s.kind = BackupSchedule::Kind::interval;
    s.interval_s = n * unit;
    if (s.interval_s < kMinBackupIntervalS) {
      throw kit::InputError(field, "the interval must be at least " +
                                       std::to_string(kMinBackupIntervalS) + " seconds");
    }
    return s;
  }
  throw kit::InputError(field,
                        std::string(kForms) + " (got '" + std::string(text.substr(0, 64)) + "')");
}

std::int64_t next_backup_ms(const BackupSchedule& s, const ClinicZone& zone, std::int64_t now_ms) {
  if (s.kind == BackupSchedule::Kind::interval) {
    const std::int64_t step = s.interval_s * 1000;
    return (floor_div(now_ms, step) + 1) * step;
  }
  // The clinic's local day now, then the next days: the first whose HH:MM lies after now. A
  // skipped HH:MM reads as the instant of the jump, a doubled one as its first occurrence
  // (ClinicZone::to_utc_ms_lenient).
  const std::int64_t today = zone.local_day(now_ms);
  for (std::int64_t day = today - 1; day <= today + 3; ++day) {
    const std::int64_t wall = day * calendar::kDayMs + s.minute_of_day * calendar::kMinuteMs;
    const std::int64_t at = zone.to_utc_ms_lenient(wall);
    if (at > now_ms) return at;
  }
  // Unreachable for any zone in the tz database (offsets are under a day).
  throw std::logic_error("next_backup_ms: no run within three days");
}

std::string backup_file_name(std::int64_t utc_ms, int n) {
  const std::time_t t = static_cast<std::time_t>(floor_div(utc_ms, 1000));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  char buf[64];
  if (n > 0) {
    std::snprintf(buf, sizeof buf, "kit-backup-%s-%d.db", stamp, n);
  } else {
    std::snprintf(buf, sizeof buf, "kit-backup-%s.db", stamp);
  }
  return buf;
}

bool is_backup_file_name(std::string_view name) {
  // kit-backup-YYYYMMDDTHHMMSSZ[-N].db
  constexpr std::string_view prefix = "kit-backup-";
  constexpr std::string_view suffix = ".db";
  if (name.size() < prefix.size() + 16 + suffix.size()) return false;
  if (name.substr(0, prefix.size()) != prefix) return false;
  if (name.substr(name.size() - suffix.size()) != suffix) return false;
  const std::string_view stamp = name.substr(prefix.size(), 16);
  if (!all_digits(stamp.substr(0, 8), 8) || stamp[8] != 'T' || !all_digits(stamp.substr(9, 6), 6) ||
      stamp[15] != 'Z') {
    return false;
  }
  const std::string_view rest =
      name.substr(prefix.size() + 16, name.size() - prefix.size() - 16 - suffix.size());
  if (rest.empty()) return true;
  if (rest.size() < 2 || rest[0] != '-' || rest[1] == '0') return false;
  return all_digits(rest.substr(1), rest.size() - 1);
}

std::vector<std::int64_t> backups_to_prune(const std::vector<RecordedBackup>& runs, int keep) {
  std::vector<const RecordedBackup*> live;
  for (const RecordedBackup& r : runs) {
    if (r.verified && !r.pruned && is_backup_file_name(r.file)) live.push_back(&r);
  }
  // Newest first (start time, then id for two runs in the same millisecond).
  std::sort(live.begin(), live.end(), [](const RecordedBackup* a, const RecordedBackup* b) {
    return a->started_ms != b->started_ms ? a->started_ms > b->started_ms : a->id > b->id;
  });
  std::vector<std::int64_t> out;
  for (std::size_t i = static_cast<std::size_t>(std::max(keep, 0)); i < live.size(); ++i) {
    out.push_back(live[i]->id);
  }
  std::reverse(out.begin(), out.end());  // oldest first
  return out;
}

}  // namespace kit::server
