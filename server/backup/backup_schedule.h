#pragma once
// The scheduled backup's pure logic (docs/adr/0020-scheduled-backups.md): the schedule's grammar,
// the next run time on the clinic's wall clock (time zones through date-tz, as
// server/resources/clinic_time.h does), the backup files' names and which of them to prune. No
// files, clocks or database here: server/backup/backup_runner.h does the I/O.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/resources/clinic_time.h"

namespace kit::server {

// `backup_every`: "daily at HH:MM" (the clinic's wall clock, 24-hour) or "every N seconds|minutes|
// hours" (N >= 1; the whole interval at least kMinBackupIntervalS and at most a week).
struct BackupSchedule {
  enum class Kind { daily, interval };
  Kind kind = Kind::daily;
  int minute_of_day = 120;      // daily: minutes after local midnight, 0..1439
  std::int64_t interval_s = 0;  // interval: seconds between runs
  // The canonical text ("daily at 02:00", "every 21600 seconds").
  std::string text() const;
};

// The shortest interval accepted: short enough for a restore drill, and the backup itself (an
// online copy plus its verification) takes about a second on a clinic-sized database.
inline constexpr std::int64_t kMinBackupIntervalS = 2;
inline constexpr std::int64_t kMaxBackupIntervalS = 7 * 24 * 3600;

// Throws kit::InputError naming `field` when the text is not one of the forms above.
BackupSchedule parse_backup_schedule(std::string_view text,
                                     const std::string& field = "backup_every");

// The first run strictly after now_ms (UTC ms since the epoch).
// - daily: the next instant the clinic's wall clock shows HH:MM. On the night the clocks skip that
//   time (spring forward) the run happens at the instant of the jump; on the night they show it
//   twice (fall back) it happens once, at the first occurrence.
// - interval: the next multiple of the interval counted from the Unix epoch (UTC), so that a
//   restart neither delays nor repeats a run and "every 6 hours" means 00:00, 06:00, ... UTC.
std::int64_t next_backup_ms(const BackupSchedule& schedule, const ClinicZone& zone,
                            std::int64_t now_ms);

// "kit-backup-20261126T020000Z.db" for the run started at utc_ms (seconds, UTC); with n > 0,
// "kit-backup-20261126T020000Z-<n>.db" (two runs in the same second).
std::string backup_file_name(std::int64_t utc_ms, int n = 0);
// Whether a file name is one backup_file_name gives (no folder part, nothing appended).
bool is_backup_file_name(std::string_view name);

// A run the scheduler recorded (storage/stores/backup_store.h), as pruning sees it.
struct RecordedBackup {
  std::int64_t id = 0;
  std::int64_t started_ms = 0;
  std::string file;       // a name inside the backup folder
  bool verified = false;  // written, integrity_check "ok" and the audit chain verified
  bool pruned = false;    // already deleted by an earlier prune
};

// The ids of the runs whose files are to be deleted so that the newest `keep` verified backups
// remain: only verified, not yet pruned runs whose file name is a backup_file_name, oldest first.
// A failed or unverified run is never counted as kept and never pruned; a file of another name is
// never touched.
std::vector<std::int64_t> backups_to_prune(const std::vector<RecordedBackup>& runs, int keep);

}  // namespace kit::server
