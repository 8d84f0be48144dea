// GET /api/v1/backups: the backup schedule and its recent runs, for the clinic's admin
// (server/backup/backup_runner.h, docs/adr/0020-scheduled-backups.md). Read-only; no patient data.
#include <nlohmann/json.hpp>

#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/backup/backup_runner.h"
#include "server/resources/modules.h"
#include "storage/stores/backup_store.h"
#include "storage/stores/scheduling_store.h"

namespace kit::server {

namespace {

nlohmann::json run_json(const storage::BackupRun& r) {
  nlohmann::json rows = nlohmann::json::object();
  try {
    rows = nlohmann::json::parse(r.table_rows_json);
  } catch (const nlohmann::json::exception&) {
    rows = nlohmann::json::object();
  }
  return {{"id", r.id},
          {"started_at", iso8601_ms(r.started_at_ms)},
          {"finished_at", iso8601_ms(r.finished_at_ms)},
          {"status", r.status},
          {"folder", r.folder},
          {"file", r.file.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.file)},
          {"error", r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error)},
          {"bytes", r.bytes},
          {"schema_version", r.schema_version},
          {"integrity", r.integrity},
          {"audit_chain_ok", r.audit_chain_ok},
          {"audit_rows", r.audit_rows},
          {"audit_head_seq", r.audit_head_seq},
          {"audit_head_hash", r.audit_head_hash},
          {"table_rows", rows},
          {"pruned_at",
           r.pruned_at_ms ? nlohmann::json(iso8601_ms(*r.pruned_at_ms)) : nlohmann::json(nullptr)}};
}

Response list_backups(RouteContext& ctx) {
  const std::int64_t limit = query_int(ctx.request(), "limit", 1, 200).value_or(20);
  storage::BackupStore store(ctx.tx());
  const std::vector<storage::BackupRun> runs = store.recent(limit);
  const std::optional<storage::BackupRun> last_ok = store.last_ok();
  nlohmann::json schedule = nullptr;
  if (BackupRunner* runner = ctx.services().backup_runner()) {
    const BackupSettings& s = runner->settings();
    const std::optional<std::int64_t> next = runner->next_run_ms();
    // The zone "daily at" is read in: the setting, else the first clinic's (as the runner does).
    std::string zone = s.timezone;
    if (zone.empty()) {
      const auto clinics = storage::SchedulingStore(ctx.tx()).clinics();
      zone = clinics.empty() ? std::string("UTC") : clinics.front().timezone;
    }
    schedule = {
        {"folder", s.folder.string()},
        {"every", s.schedule.text()},
        {"keep", s.keep},
        {"timezone", zone},
        {"next_run_at", next ? nlohmann::json(iso8601_ms(*next)) : nlohmann::json(nullptr)}};
  }
  nlohmann::json list = nlohmann::json::array();
  for (const storage::BackupRun& r : runs) list.push_back(run_json(r));
  return json_response({{"backend", ctx.services().db().backend()},
                        {"enabled", schedule.is_object()},
                        {"schedule", schedule},
                        {"last", runs.empty() ? nlohmann::json(nullptr) : run_json(runs.front())},
                        {"last_ok", last_ok ? run_json(*last_ok) : nlohmann::json(nullptr)},
                        {"runs", list}});
}

}  // namespace

void register_backup_routes(Router& router) {
  router.add({"GET", "/api/v1/backups",
              "The backup schedule, the last backup and the last verified one, and the recent runs "
              "newest first (limit <= 200, default 20)",
              "backups", access_roles({Role::admin}), false, list_backups, 200});
}

}  // namespace kit::server
