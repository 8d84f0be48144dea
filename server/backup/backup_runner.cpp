#include "server/backup/backup_runner.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "server/api/audit.h"
#include "server/backup/backup_check.h"
#include "storage/stores/scheduling_store.h"

namespace kit::server {

namespace fs = std::filesystem;

namespace {

void fsync_folder(const fs::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open the folder " + folder.string() + " to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw std::runtime_error("fsync of the folder " + folder.string() + " failed");
}

}  // namespace

BackupRunner::BackupRunner(Services& services, BackupSettings settings)
    : services_(services), settings_(std::move(settings)) {}

BackupRunner::~BackupRunner() { stop(); }

void BackupRunner::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void BackupRunner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    next_ms_.reset();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::optional<std::int64_t> BackupRunner::next_run_ms() const {
  std::lock_guard lock(mutex_);
  return next_ms_;
}

ClinicZone BackupRunner::zone() {
  if (!settings_.timezone.empty()) return zone_named(settings_.timezone, "backup_timezone");
  try {
    const std::string name =
        storage::with_transaction(services_.db(), [](storage::Transaction& tx) -> std::string {
          const auto clinics = storage::SchedulingStore(tx).clinics();
          return clinics.empty() ? std::string("UTC") : clinics.front().timezone;
        });
    return zone_named(name, "timezone");
  } catch (const std::exception& e) {
    services_.log_event("warn", "backup: the clinic's time zone cannot be read; using UTC",
                        {{"error", e.what()}});
    return zone_named("UTC");
  }
}

void BackupRunner::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const ClinicZone z = zone();
    const std::int64_t next = next_backup_ms(settings_.schedule, z, services_.now_ms());
    lock.lock();
    if (stopping_) break;
    next_ms_ = next;
    // Wake at least every minute: the wall clock may be stepped (NTP) while we wait.
    for (;;) {
      const std::int64_t now = services_.now_ms();
      if (stopping_ || now >= next) break;
      wake_.wait_for(lock, std::chrono::milliseconds(std::min<std::int64_t>(next - now, 60'000)));
    }
    if (stopping_) break;
    lock.unlock();
    run_once();
    lock.lock();
  }
  next_ms_.reset();
}

storage::BackupRun BackupRunner::run_once() {
  std::lock_guard one_at_a_time(run_mutex_);
  storage::BackupRun run;
  run.started_at_ms = services_.now_ms();
  run.folder = settings_.folder.string();
  fs::path partial;
  std::error_code ec;
  try {
    // Never created here: a missing folder is an unmounted disk or a typo, and a backup written
    // under an empty mount point would fill the local disk and be lost on the next mount.
    if (!fs::is_directory(settings_.folder, ec)) {
      throw std::runtime_error("the backup folder " + settings_.folder.string() +
                               " does not exist or is not a folder (is the disk mounted?)");
    }
    std::string name;
    for (int n = 0;; ++n) {
      name = backup_file_name(run.started_at_ms, n);
      if (!fs::exists(settings_.folder / name, ec) &&
          !fs::exists(settings_.folder / (name + ".partial"), ec)) {
        break;
      }
    }
    partial = settings_.folder / (name + ".partial");
    // The online backup: a snapshot in one read transaction, written to a temporary name,
    // fsynced and renamed to `partial`, the folder fsynced (storage/sqlite_database.cpp).
    services_.db().backup_to(partial);
    const BackupCheck check = verify_backup_file(partial);
    run.bytes = static_cast<std::int64_t>(check.bytes);
    run.integrity = check.integrity;
    run.schema_version = check.schema_version;
    run.audit_chain_ok = check.chain.ok && check.chain.head_matches;
    run.audit_rows = check.chain.rows;
    run.audit_head_seq = check.chain.head.seq;
    run.audit_head_hash = check.chain.head.hash;
    run.table_rows_json = nlohmann::json(check.table_rows).dump();
    if (!check.ok) {
      throw std::runtime_error("the copy failed its verification (" + check.problem_code +
                               "): " + check.problem);
    }
    // Only a verified copy gets a backup's name.
    fs::rename(partial, settings_.folder / name);
    partial.clear();
    fsync_folder(settings_.folder);
    run.file = name;
    run.status = "ok";
  } catch (const std::exception& e) {
    run.status = "failed";
    run.error = e.what();
    run.file.clear();
    run.audit_chain_ok = false;
    if (!partial.empty()) fs::remove(partial, ec);  // an unverified copy is not a backup
  }
  run.finished_at_ms = services_.now_ms();

  // The record: the run's row and an audit row, in one transaction.
  try {
    storage::with_transaction(services_.db(), [&](storage::Transaction& tx) {
      run.id = storage::BackupStore(tx).record(run);
      AuditEntry e;
      e.at_ms = run.finished_at_ms;
      e.username = "kit serve";
      e.role = "system";
      e.action = "scheduled backup " + (run.status == "ok" ? run.file : std::string("failed")) +
                 " (backup run " + std::to_string(run.id) + ")";
      e.remote_address = "local";
      e.outcome = "allowed";
      e.status = run.status == "ok" ? 201 : 500;
      append_audit(tx, e);
    });
    services_.audit_rows_committed(1);
  } catch (const std::exception& e) {
    services_.log_event("error", "backup: the run cannot be recorded in the database",
                        {{"error", e.what()}, {"backup_status", run.status}, {"file", run.file}});
  }

  const nlohmann::json fields = {{"backup_run", run.id},
                                 {"backup_status", run.status},
                                 {"folder", run.folder},
                                 {"file", run.file},
                                 {"bytes", run.bytes},
                                 {"duration_ms", run.finished_at_ms - run.started_at_ms},
                                 {"integrity", run.integrity},
                                 {"audit_chain_ok", run.audit_chain_ok},
                                 {"audit_head_seq", run.audit_head_seq},
                                 {"error", run.error}};
  if (run.status == "ok") {
    services_.log_event("info", "backup written and verified", fields);
    prune();
  } else {
    // Loud: an error line in the log, a failed row an admin sees (GET /api/v1/backups), and the
    // older backups left as they are.
    services_.log_event("error", "BACKUP FAILED: no new backup; the older ones are kept", fields);
  }
  return run;
}

void BackupRunner::prune() {
  try {
    const std::vector<storage::BackupRun> kept =
        storage::with_transaction(services_.db(), [&](storage::Transaction& tx) {
          return storage::BackupStore(tx).kept_in(settings_.folder.string());
        });
    std::vector<RecordedBackup> runs;
    for (const storage::BackupRun& r : kept) {
      runs.push_back({r.id, r.started_at_ms, r.file, r.status == "ok", r.pruned_at_ms.has_value()});
    }
    for (const std::int64_t id : backups_to_prune(runs, settings_.keep)) {
      const auto it = std::find_if(kept.begin(), kept.end(),
                                   [id](const storage::BackupRun& r) { return r.id == id; });
      const fs::path file = settings_.folder / it->file;
      std::error_code ec;
      const fs::file_status st = fs::symlink_status(file, ec);
      bool gone = !fs::exists(st);
      if (!gone) {
        // Only the file this run wrote: a regular file of the size it had when verified.
        if (!fs::is_regular_file(st) ||
            fs::file_size(file, ec) != static_cast<std::uintmax_t>(it->bytes)) {
          services_.log_event("warn",
                              "backup: not pruned, the file is not the one this server wrote",
                              {{"backup_run", id}, {"file", file.string()}});
          continue;
        }
        if (!fs::remove(file, ec) || ec) {
          services_.log_event(
              "warn", "backup: an old backup cannot be deleted",
              {{"backup_run", id}, {"file", file.string()}, {"error", ec.message()}});
          continue;
        }
        fsync_folder(settings_.folder);
      }
      storage::with_transaction(services_.db(), [&](storage::Transaction& tx) {
        storage::BackupStore(tx).mark_pruned(id, services_.now_ms());
      });
      services_.log_event("info",
                          gone ? "backup: an old backup was already gone"
                               : "backup pruned (older than the newest kept)",
                          {{"backup_run", id}, {"file", file.string()}, {"keep", settings_.keep}});
    }
  } catch (const std::exception& e) {
    services_.log_event("error", "backup: pruning failed (nothing more deleted)",
                        {{"error", e.what()}});
  }
}

}  // namespace kit::server
