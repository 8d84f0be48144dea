// The audit log: admins query it and check its chain; a patient sees who opened their record.
#include <nlohmann/json.hpp>

#include "server/api/api_error.h"
#include "server/api/audit.h"
#include "server/api/audit_anchor.h"
#include "server/api/services.h"
#include "server/resources/modules.h"

namespace kit::server {

namespace {

nlohmann::json opt(const std::optional<std::int64_t>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

Response query_audit(RouteContext& ctx) {
  const Request& req = ctx.request();
  auto patient_id = query_int(req, "patient_id", 1, INT64_MAX);
  auto from = query_time_ms(req, "from");
  auto to = query_time_ms(req, "to");
  auto limit = query_int(req, "limit", 1, 1000).value_or(100);
  auto before = query_int(req, "before_id", 1, INT64_MAX);
  std::string sql =
      "SELECT id, seq, at_ms, user_id, username, role, action, patient_id, remote_address, "
      "outcome, "
      "status, hash FROM audit_log WHERE 1 = 1";
  std::vector<storage::Value> params;
  auto add = [&](const std::string& clause, storage::Value v) {
    params.push_back(std::move(v));
    sql += " AND " + clause + " $" + std::to_string(params.size());
  };
  if (patient_id) {
    ctx.set_patient(*patient_id);
    add("patient_id =", *patient_id);
  }
  if (auto it = req.query.find("user"); it != req.query.end()) add("username =", it->second);
  if (auto it = req.query.find("action"); it != req.query.end()) add("action =", it->second);
  if (from) add("at_ms >=", *from);
  if (to) add("at_ms <", *to);
  if (before) add("id <", *before);
  params.push_back(limit);
  sql += " ORDER BY seq DESC LIMIT $" + std::to_string(params.size());
  storage::Rows rows = ctx.tx().query(sql, params);
  nlohmann::json out = nlohmann::json::array();
  for (const storage::Row& r : rows) {
    out.push_back({{"id", r.i64("id")},
                   {"seq", r.i64("seq")},
                   {"at", iso8601_ms(r.i64("at_ms"))},
                   {"user_id", opt(r.opt_i64("user_id"))},
                   {"username", r.text("username")},
                   {"role", r.text("role")},
                   {"action", r.text("action")},
                   {"patient_id", opt(r.opt_i64("patient_id"))},
                   {"remote_address", r.text("remote_address")},
                   {"outcome", r.text("outcome")},
                   {"status", r.i64("status")},
                   {"hash", r.text("hash")}});
  }
  return json_response(out);
}

// The chain in the database, and the heads anchored outside it (server/api/audit_anchor.h): a
// cut tail verifies as a chain but not against the anchors.
Response verify(RouteContext& ctx) {
  nlohmann::json anchors = {{"checked", false},
                            {"reason", "this server writes no anchor file (kit serve does)"}};
  std::optional<AnchorFile> file;
  if (const AuditAnchor* anchor = ctx.services().audit_anchor()) {
    file = read_anchor_file(anchor->file(), anchor->key());  // before the chain is read
  }
  const ChainCheck c = verify_chain(ctx.tx());
  bool ok = c.ok;
  if (file) {
    const AnchorCheck a = compare_anchors(ctx.tx(), *file, c.head);
    ok = ok && a.ok;
    anchors = a.to_json();
  }
  return json_response({{"ok", ok},
                        {"chain_ok", c.ok},
                        {"rows", c.rows},
                        {"first_bad_id", opt(c.first_bad_id)},
                        {"head_seq", c.head.seq},
                        {"anchors", anchors}});
}

Response access_log(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("patient_id");
  ctx.require_patient_access(patient_id);
  // Newest first, in pages: `limit` (default 50, at most 200) rows with an id below `before_id`
  // (the last id of the previous page).
  const auto limit = query_int(ctx.request(), "limit", 1, 200).value_or(50);
  const auto before = query_int(ctx.request(), "before_id", 1, INT64_MAX).value_or(INT64_MAX);
  // Reads of this very log are left out: the patient asked who opened the record.
  storage::Rows rows = ctx.tx().query(
      "SELECT id, at_ms, username, role, action, remote_address, outcome FROM audit_log "
      "WHERE patient_id = $1 AND action <> $2 AND id < $3 ORDER BY id DESC LIMIT $4",
      {patient_id, std::string("GET /api/v1/patients/{patient_id}/access-log"), before, limit});
  nlohmann::json out = nlohmann::json::array();
  for (const storage::Row& r : rows) {
    out.push_back({{"id", r.i64("id")},
                   {"at", iso8601_ms(r.i64("at_ms"))},
                   {"username", r.text("username")},
                   {"role", r.text("role")},
                   {"action", r.text("action")},
                   {"remote_address", r.text("remote_address")},
                   {"outcome", r.text("outcome")}});
  }
  return json_response(out);
}

}  // namespace

void register_audit_routes(Router& router) {
  // Reading the audit log is itself recorded (it reveals who saw which patient).
  router.add({"GET", "/api/v1/audit",
              "Query the audit log (filters: patient_id, user, from, to, before_id, limit)",
              "audit", access_roles({Role::admin}), true, query_audit, 200});
  router.add({"GET", "/api/v1/audit/verify",
              "Check the audit log's hash chain and the heads anchored outside the database",
              "audit", access_roles({Role::admin}), false, verify, 200});
  router.add(
      {"GET", "/api/v1/patients/{patient_id}/access-log",
       "Who opened this patient's record, when and from where, newest first (before_id, limit <= "
       "200; the patient or admin/physician)",
       "audit", access_roles({Role::admin, Role::physician}, true), true, access_log, 200});
}

}  // namespace kit::server
