#pragma once
// `kit serve`'s scheduled backups (docs/adr/0020-scheduled-backups.md): a background thread that,
// at each time of the schedule (server/backup/backup_schedule.h), copies the SQLite database with
// the online backup API into the backup folder (temporary name, fsync, rename, fsync of the
// folder), verifies the copy (integrity_check and its audit chain, server/backup/backup_check.h),
// records the run (storage/stores/backup_store.h, an audit row and a JSON log line) and then
// prunes the oldest verified backups it wrote beyond `keep`. A failed run is logged as an error,
// recorded as failed, and deletes nothing. Requests never wait for it: the copy reads a snapshot
// (WAL readers never block the writer) and the records are one short transaction.
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "server/api/services.h"
#include "server/backup/backup_schedule.h"
#include "storage/stores/backup_store.h"

namespace kit::server {

struct BackupSettings {
  std::filesystem::path folder;  // absolute; never created by kit (a mount point may be unmounted)
  BackupSchedule schedule;
  int keep = 14;
  // IANA zone of "daily at HH:MM"; empty: the zone of the clinic with the lowest id, else UTC.
  std::string timezone;
};

class BackupRunner {
 public:
  BackupRunner(Services& services, BackupSettings settings);
  ~BackupRunner();
  BackupRunner(const BackupRunner&) = delete;
  BackupRunner& operator=(const BackupRunner&) = delete;

  void start();  // the schedule's thread
  void stop();   // waits for a run in progress, then ends the thread

  // One run now: copy, verify, record, prune. Never throws; the run as recorded.
  storage::BackupRun run_once();

  const BackupSettings& settings() const { return settings_; }
  // The zone the schedule is read in now (settings().timezone, the first clinic's, or UTC).
  ClinicZone zone();
  // When the thread will run next (none before start() or after stop()).
  std::optional<std::int64_t> next_run_ms() const;

 private:
  void loop();
  void prune();

  Services& services_;
  BackupSettings settings_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::optional<std::int64_t> next_ms_;
  std::mutex run_mutex_;  // one run at a time
  std::thread thread_;
};

}  // namespace kit::server
