#pragma once
// What handlers may use. One instance per server process, shared by all requests (thread-safe).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "storage/database.h"

namespace kit::server {

// The handlers' settings. `kit serve` fills them from its configuration (server/serve/config.h:
// TOML key = field name, environment KIT_<FIELD>, command line via ServeFlags; all documented in
// docs/kit.example.toml), which also holds their accepted ranges. The defaults below are the
// defaults of `kit serve`.
struct ServerConfig {
  bool demo = false;  // demo clinic (set by `demo`, not a key of its own)
  bool tls = false;   // clients reach kit over HTTPS (kit itself speaks plain
                      // HTTP; a TLS proxy in front): login cookies get Secure
  int login_ttl_minutes = 12 * 60;
  // A login unused this long ends (shared workstations at the chair and the front desk).
  int login_idle_minutes = 30;      // a login (token and cookie) lasts this long from sign-in
  int login_max_failures = 5;       // consecutive failed passwords, then the username locks
  int login_lock_minutes = 15;      // for this long
  int inquiry_limit_per_hour = 10;  // public inquiries per remote address per hour
  // An intake screening older than this no longer clears a patient for infusion (clinic policy,
  // core/infusion/gates.h GatePolicy).
  int screening_max_age_days = 180;
  // Staff roles ("admin", "physician", "nurse", "front_desk") that must have a second factor
  // (TOTP): until they enrol, their logins reach only their own account and the enrolment
  // (docs/security.md, Second factor). Empty: nobody is required to.
  std::set<std::string> totp_required_roles;
  // ED ketamine sedation (core/sedation/rules.h SedationPolicy): minimum minutes from the last IV
  // and IM dose to discharge (policy, the lower ends of ACEP's dose-to-discharge times 50-110 IV,
  // 60-140 IM; never below RCEM's 25 min after IV) and after the last adverse event (policy,
  // anchored on RCEM's 25 min).
  int ed_sedation_min_after_iv_dose_minutes = 50;
  int ed_sedation_min_after_im_dose_minutes = 60;
  int ed_sedation_after_adverse_event_minutes = 25;
  // The escort's discharge instructions (GET /api/v1/sessions/{id}/escort-instructions): the
  // clinic's phone number and its own text, as configured (empty: none).
  std::string discharge_phone;
  std::string discharge_instructions;
  // The patient portal (server/resources/portal_routes.cpp, docs/web-portal.md): how long an
  // invitation link stays usable (policy), the clinic's name and phone number shown to patients
  // (the phone beside the crisis guidance; empty: not shown), and the clinic's own licensed
  // questionnaire texts (a JSON array, validated at start; empty: none).
  int invitation_ttl_hours = 72;
  std::string clinic_name;
  std::string clinic_phone;
  std::string clinic_questionnaire_texts;
};

class AuditAnchor;    // server/api/audit_anchor.h
class AuditBatcher;   // server/api/audit.h
class BackupRunner;   // server/backup/backup_runner.h
class SnapshotCache;  // server/api/snapshot_cache.h
class StorageGuard;   // server/api/storage_guard.h
class TestClock;      // server/api/test_clock.h

class Services {
 public:
  Services(storage::Database& db, ServerConfig config);
  storage::Database& db() { return db_; }
  // Appends the audit rows of reads in shared writer transactions (audit.h).
  AuditBatcher& audit_batcher() { return *audit_batcher_; }
  // Reads kept while the data they came from is unchanged (snapshot_cache.h): the chair board.
  SnapshotCache& snapshot_cache() { return *snapshot_cache_; }
  const ServerConfig& config() const { return config_; }
  // Wall clock in milliseconds since the epoch; replaceable in tests.
  std::int64_t now_ms() const {
    return clock_ ? clock_()
                  : std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  }
  void set_clock(std::function<std::int64_t()> clock) { clock_ = std::move(clock); }
  // `kit serve --demo --test-clock FILE` (ADR 0029): now_ms() reads this clock, and GET
  // /api/v1/info and /healthz announce it. Null (the default) in every real clinic.
  void set_test_clock(TestClock* clock);
  TestClock* test_clock() const { return test_clock_; }
  // The audit chain's anchor outside the database (kit serve sets it before serving; none in
  // in-process tests): told of committed audit rows, read by GET /api/v1/audit/verify.
  void set_audit_anchor(AuditAnchor* anchor) { anchor_ = anchor; }
  AuditAnchor* audit_anchor() const { return anchor_; }
  void audit_rows_committed(std::int64_t rows);
  // The backup schedule (kit serve sets it when backup_folder is configured), read by
  // GET /api/v1/backups.
  void set_backup_runner(BackupRunner* runner) { backup_runner_ = runner; }
  BackupRunner* backup_runner() const { return backup_runner_; }
  // The full-disk guard of an SQLite data folder (kit serve sets it; none for PostgreSQL and in
  // in-process tests): writes are refused while the disk is full, reads go on in its reserve.
  void set_storage_guard(StorageGuard* guard) { storage_guard_ = guard; }
  StorageGuard* storage_guard() const { return storage_guard_; }

  // Faults the handlers report (an internal error, a failed audit write): level ("error",
  // "warn"), a message and fields, never bodies or patient data. `kit serve` sends them to its
  // JSON log; unset, each is one JSON object on a line of stderr.
  using EventLog = std::function<void(const std::string& level, const std::string& msg,
                                      const nlohmann::json& fields)>;
  void set_event_log(EventLog log) { event_log_ = std::move(log); }
  void log_event(const std::string& level, const std::string& msg,
                 const nlohmann::json& fields) const;

 private:
  storage::Database& db_;
  ServerConfig config_;
  std::shared_ptr<AuditBatcher> audit_batcher_;
  std::shared_ptr<SnapshotCache> snapshot_cache_;
  std::function<std::int64_t()> clock_;
  TestClock* test_clock_ = nullptr;
  AuditAnchor* anchor_ = nullptr;
  BackupRunner* backup_runner_ = nullptr;
  StorageGuard* storage_guard_ = nullptr;
  EventLog event_log_;
};

// ISO-8601 UTC text for a millisecond timestamp ("2026-11-24T14:56:10.123Z").
std::string iso8601_ms(std::int64_t ms);

}  // namespace kit::server
