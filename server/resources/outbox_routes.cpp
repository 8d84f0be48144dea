// GET /api/v1/outbox and GET /api/v1/outbox/{id}/attempts: the reminders' outbox and delivery log
// for the admin and the front desk (server/reminders/reminder_runner.h, docs/reminders.md). Each
// message names its patient, so each listed patient gets an audit row (a list read, ADR 0011).
#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/reminders/reminders.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/resources/modules.h"
#include "storage/stores/reminder_store.h"

namespace kit::server {

namespace {

using nlohmann::json;

json opt_time(const std::optional<std::int64_t>& ms) {
  return ms ? json(iso8601_ms(*ms)) : json(nullptr);
}

json message_json(const storage::OutboxMessage& m) {
  return {{"id", m.id},
          {"kind", m.kind},
          {"patient_id", m.patient_id},
          {"due_key", m.due_key},
          {"reminder_number", m.reminder_number},
          {"recipient", m.recipient},
          {"language", m.language},
          {"subject", m.subject},
          {"body", m.body},
          {"message_id", m.message_id},
          {"state", m.state},
          {"attempts", m.attempts},
          {"planned_at", iso8601_ms(m.planned_at_ms)},
          {"next_attempt_at",
           m.state == "queued" ? json(iso8601_ms(m.next_attempt_at_ms)) : json(nullptr)},
          {"sent_at", opt_time(m.sent_at_ms)},
          {"last_error", m.last_error.empty() ? json(nullptr) : json(m.last_error)},
          {"cancel_reason", m.cancel_reason.empty() ? json(nullptr) : json(m.cancel_reason)},
          {"updated_at", iso8601_ms(m.updated_at_ms)}};
}

std::optional<std::string> query_choice(const Request& req, const std::string& name,
                                        const std::vector<std::string>& allowed) {
  const auto it = req.query.find(name);
  if (it == req.query.end()) return std::nullopt;
  for (const std::string& a : allowed) {
    if (a == it->second) return a;
  }
  std::string list;
  for (const std::string& a : allowed) list += (list.empty() ? "" : ", ") + a;
  throw kit::InputError(name, "must be one of " + list);
}

Response list_outbox(RouteContext& ctx) {
  const Request& req = ctx.request();
  storage::OutboxSearch s;
  s.state = query_choice(req, "state", {"queued", "sending", "sent", "failed", "cancelled"});
  s.kind = query_choice(req, "kind",
                        {std::string(reminders::kind_name(reminders::Kind::questionnaire_due)),
                         std::string(reminders::kind_name(reminders::Kind::appointment_upcoming)),
                         std::string(reminders::kind_name(reminders::Kind::book_reassessment))});
  s.patient_id = query_int(req, "patient_id", 1, INT64_MAX);
  s.limit = query_int(req, "limit", 1, 200).value_or(50);
  s.offset = query_int(req, "offset", 0, 1'000'000'000).value_or(0);
  storage::ReminderStore store(ctx.tx());
  json list = json::array();
  for (const storage::OutboxMessage& m : store.search(s)) {
    ctx.add_listed_patient(m.patient_id);  // each patient listed has this read in their log
    list.push_back(message_json(m));
  }
  json counts = json::object();
  for (const char* state : {"queued", "sending", "sent", "failed", "cancelled"}) {
    storage::OutboxSearch c = s;
    c.state = state;
    counts[state] = store.count(c);
  }
  return json_response({{"messages", list},
                        {"total", store.count(s)},
                        {"limit", s.limit},
                        {"offset", s.offset},
                        {"counts", counts}});
}

Response outbox_attempts(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  storage::ReminderStore store(ctx.tx());
  const auto m = store.find(id);
  if (!m) throw ApiError::not_found("outbox message");
  ctx.set_patient(m->patient_id);
  json list = json::array();
  for (const storage::OutboxAttempt& a : store.attempts(id)) {
    list.push_back({{"attempt", a.attempt},
                    {"started_at", iso8601_ms(a.started_at_ms)},
                    {"finished_at", opt_time(a.finished_at_ms)},
                    {"outcome", a.outcome},
                    {"smtp_code", a.smtp_code == 0 ? json(nullptr) : json(a.smtp_code)},
                    {"smtp_reply", a.smtp_reply},
                    {"claimed_by", a.claimed_by}});
  }
  return json_response({{"message", message_json(*m)}, {"attempts", list}});
}

}  // namespace

void register_outbox_routes(Router& router) {
  router.add({"GET", "/api/v1/outbox",
              "The reminders' outbox, newest first (?state, kind, patient_id, limit <= 200, "
              "offset), with the count in each state",
              "reminders", access_roles({Role::admin, Role::front_desk}), true, list_outbox, 200});
  router.add({"GET", "/api/v1/outbox/{id}/attempts",
              "One outbox message and its delivery log: each try with the SMTP relay's reply",
              "reminders", access_roles({Role::admin, Role::front_desk}), true, outbox_attempts,
              200});
}

}  // namespace kit::server
