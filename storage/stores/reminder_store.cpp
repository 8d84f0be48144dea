// The reminders' outbox and delivery log (storage/stores/reminder_store.h).
#include "storage/stores/reminder_store.h"

#include <algorithm>

namespace kit::storage {

namespace {

constexpr const char* kColumns =
    "SELECT id, kind, patient_id, due_key, reminder_number, local_day, recipient, language, "
    "subject, body, message_id, state, attempts, next_attempt_at_ms, planned_at_ms, "
    "claimed_at_ms, claimed_by, sent_at_ms, last_error, cancel_reason, updated_at_ms "
    "FROM reminder_outbox ";

OutboxMessage from_row(const Row& r) {
  OutboxMessage m;
  m.id = r.i64("id");
  m.kind = r.text("kind");
  m.patient_id = r.i64("patient_id");
  m.due_key = r.text("due_key");
  m.reminder_number = r.i64("reminder_number");
  m.local_day = r.i64("local_day");
  m.recipient = r.text("recipient");
  m.language = r.text("language");
  m.subject = r.text("subject");
  m.body = r.text("body");
  m.message_id = r.text("message_id");
  m.state = r.text("state");
  m.attempts = r.i64("attempts");
  m.next_attempt_at_ms = r.i64("next_attempt_at_ms");
  m.planned_at_ms = r.i64("planned_at_ms");
  m.claimed_at_ms = r.opt_i64("claimed_at_ms");
  m.claimed_by = r.text("claimed_by");
  m.sent_at_ms = r.opt_i64("sent_at_ms");
  m.last_error = r.text("last_error");
  m.cancel_reason = r.text("cancel_reason");
  m.updated_at_ms = r.i64("updated_at_ms");
  return m;
}

std::vector<OutboxMessage> all(const Rows& rows) {
  std::vector<OutboxMessage> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(from_row(r));
  return out;
}

// WHERE clause and parameters of a search.
std::string where(const OutboxSearch& s, std::vector<Value>& params) {
  std::string w = "WHERE 1 = 1";
  if (s.state) {
    params.emplace_back(*s.state);
    w += " AND state = $" + std::to_string(params.size());
  }
  if (s.kind) {
    params.emplace_back(*s.kind);
    w += " AND kind = $" + std::to_string(params.size());
  }
  if (s.patient_id) {
    params.emplace_back(*s.patient_id);
    w += " AND patient_id = $" + std::to_string(params.size());
  }
  return w + " ";
}

}  // namespace

std::optional<std::int64_t> ReminderStore::enqueue(const OutboxMessage& m) {
  Rows rows = tx_.query(
      "INSERT INTO reminder_outbox (kind, patient_id, due_key, reminder_number, local_day, "
      "recipient, language, subject, body, message_id, state, attempts, next_attempt_at_ms, "
      "planned_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'queued', 0, "
      "$11, $12, $12) ON CONFLICT (kind, patient_id, due_key, reminder_number) DO NOTHING "
      "RETURNING id",
      {m.kind, m.patient_id, m.due_key, m.reminder_number, m.local_day, m.recipient, m.language,
       m.subject, m.body, m.message_id, m.next_attempt_at_ms, m.planned_at_ms});
  if (rows.empty()) return std::nullopt;
  return rows.front().i64("id");
}

std::vector<PlannedReminder> ReminderStore::planned() {
  std::vector<PlannedReminder> out;
  for (const Row& r :
       tx_.query("SELECT kind, patient_id, due_key, reminder_number, local_day, state "
                 "FROM reminder_outbox WHERE state <> 'cancelled'")) {
    out.push_back({r.text("kind"), r.i64("patient_id"), r.text("due_key"), r.i64("reminder_number"),
                   r.i64("local_day"), r.text("state")});
  }
  return out;
}

std::vector<OutboxMessage> ReminderStore::queued() {
  return all(tx_.query(std::string(kColumns) + "WHERE state = 'queued' ORDER BY id"));
}

void ReminderStore::cancel(std::int64_t id, const std::string& reason, std::int64_t at_ms) {
  tx_.exec(
      "UPDATE reminder_outbox SET state = 'cancelled', cancel_reason = $1, updated_at_ms = $2 "
      "WHERE id = $3 AND state = 'queued'",
      {reason, at_ms, id});
}

std::vector<OutboxMessage> ReminderStore::due(std::int64_t now_ms, std::int64_t limit) {
  return all(tx_.query(std::string(kColumns) +
                           "WHERE state = 'queued' AND next_attempt_at_ms <= $1 "
                           "ORDER BY next_attempt_at_ms, id LIMIT $2",
                       {now_ms, limit}));
}

bool ReminderStore::claim(std::int64_t id, const std::string& claimed_by, std::int64_t now_ms) {
  Rows rows = tx_.query(
      "UPDATE reminder_outbox SET state = 'sending', attempts = attempts + 1, claimed_at_ms = $1, "
      "claimed_by = $2, updated_at_ms = $1 WHERE id = $3 AND state = 'queued' RETURNING attempts",
      {now_ms, claimed_by, id});
  if (rows.empty()) return false;
  tx_.exec(
      "INSERT INTO reminder_attempts (outbox_id, attempt, started_at_ms, outcome, claimed_by) "
      "VALUES ($1, $2, $3, 'sending', $4)",
      {id, rows.front().i64("attempts"), now_ms, claimed_by});
  return true;
}

void ReminderStore::finish_sent(std::int64_t id, std::int64_t attempt, std::int64_t code,
                                const std::string& reply, std::int64_t now_ms) {
  tx_.exec(
      "UPDATE reminder_attempts SET outcome = 'sent', finished_at_ms = $1, smtp_code = $2, "
      "smtp_reply = $3 WHERE outbox_id = $4 AND attempt = $5",
      {now_ms, code, reply, id, attempt});
  tx_.exec(
      "UPDATE reminder_outbox SET state = 'sent', sent_at_ms = $1, updated_at_ms = $1, "
      "last_error = '' WHERE id = $2 AND state = 'sending'",
      {now_ms, id});
}

void ReminderStore::finish_failed(std::int64_t id, std::int64_t attempt, std::int64_t code,
                                  const std::string& reply, std::optional<std::int64_t> retry_at,
                                  std::int64_t now_ms) {
  tx_.exec(
      "UPDATE reminder_attempts SET outcome = 'failed', finished_at_ms = $1, smtp_code = $2, "
      "smtp_reply = $3 WHERE outbox_id = $4 AND attempt = $5",
      {now_ms, code, reply, id, attempt});
  if (retry_at) {
    tx_.exec(
        "UPDATE reminder_outbox SET state = 'queued', next_attempt_at_ms = $1, last_error = $2, "
        "updated_at_ms = $3 WHERE id = $4 AND state = 'sending'",
        {*retry_at, reply, now_ms, id});
  } else {
    tx_.exec(
        "UPDATE reminder_outbox SET state = 'failed', last_error = $1, updated_at_ms = $2 "
        "WHERE id = $3 AND state = 'sending'",
        {reply, now_ms, id});
  }
}

std::vector<std::int64_t> ReminderStore::recover_interrupted(const std::string& alive_claim,
                                                             std::int64_t claimed_before_ms,
                                                             int max_tries, std::int64_t now_ms) {
  std::vector<std::int64_t> ids;
  for (const Row& r : tx_.query(
           "SELECT id, attempts FROM reminder_outbox WHERE state = 'sending' AND claimed_by <> $1 "
           "AND claimed_at_ms < $2 ORDER BY id",
           {alive_claim, claimed_before_ms})) {
    const std::int64_t id = r.i64("id");
    const std::int64_t attempts = r.i64("attempts");
    const std::string note =
        "interrupted: the sending process stopped during the attempt; the relay may or may not "
        "have accepted the message (at-least-once delivery)";
    tx_.exec(
        "UPDATE reminder_attempts SET outcome = 'interrupted', finished_at_ms = $1, "
        "smtp_reply = $2 WHERE outbox_id = $3 AND outcome = 'sending'",
        {now_ms, note, id});
    if (attempts >= max_tries) {
      tx_.exec(
          "UPDATE reminder_outbox SET state = 'failed', last_error = $1, updated_at_ms = $2 "
          "WHERE id = $3 AND state = 'sending'",
          {note, now_ms, id});
    } else {
      tx_.exec(
          "UPDATE reminder_outbox SET state = 'queued', next_attempt_at_ms = $1, last_error = $2, "
          "updated_at_ms = $1 WHERE id = $3 AND state = 'sending'",
          {now_ms, note, id});
    }
    ids.push_back(id);
  }
  return ids;
}

std::optional<OutboxMessage> ReminderStore::find(std::int64_t id) {
  Rows rows = tx_.query(std::string(kColumns) + "WHERE id = $1", {id});
  if (rows.empty()) return std::nullopt;
  return from_row(rows.front());
}

std::vector<OutboxMessage> ReminderStore::search(const OutboxSearch& s) {
  std::vector<Value> params;
  std::string sql = std::string(kColumns) + where(s, params) + "ORDER BY id DESC";
  params.emplace_back(s.limit);
  sql += " LIMIT $" + std::to_string(params.size());
  params.emplace_back(s.offset);
  sql += " OFFSET $" + std::to_string(params.size());
  return all(tx_.query(sql, params));
}

std::int64_t ReminderStore::count(const OutboxSearch& s) {
  std::vector<Value> params;
  const std::string sql = "SELECT COUNT(*) AS n FROM reminder_outbox " + where(s, params);
  return tx_.query(sql, params).front().i64("n");
}

std::vector<OutboxAttempt> ReminderStore::attempts(std::int64_t outbox_id) {
  std::vector<OutboxAttempt> out;
  for (const Row& r : tx_.query(
           "SELECT id, outbox_id, attempt, started_at_ms, finished_at_ms, outcome, smtp_code, "
           "smtp_reply, claimed_by FROM reminder_attempts WHERE outbox_id = $1 ORDER BY attempt",
           {outbox_id})) {
    out.push_back({r.i64("id"), r.i64("outbox_id"), r.i64("attempt"), r.i64("started_at_ms"),
                   r.opt_i64("finished_at_ms"), r.text("outcome"), r.i64("smtp_code"),
                   r.text("smtp_reply"), r.text("claimed_by")});
  }
  return out;
}

std::vector<ReminderContact> ReminderStore::contacts() {
  // The language is the one the patient (or the clinic) chose for the portal
  // (patient_preferences, migration 0014); without a choice, English.
  std::vector<ReminderContact> out;
  for (const Row& r :
       tx_.query("SELECT p.id, p.email, p.status, p.indication, pp.language FROM patients p "
                 "LEFT JOIN patient_preferences pp ON pp.patient_id = p.id ORDER BY p.id")) {
    ReminderContact c;
    c.patient_id = r.i64("id");
    c.email = r.opt_text("email");
    c.status = r.text("status");
    c.indication = r.text("indication");
    if (auto lang = r.opt_text("language"); lang && !lang->empty()) c.language = *lang;
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<ReminderAppointment> ReminderStore::appointments_from(std::int64_t from_ms,
                                                                  std::int64_t to_ms) {
  std::vector<ReminderAppointment> out;
  for (const Row& r : tx_.query(
           "SELECT a.id, a.patient_id, a.starts_ms, a.status, a.kind, c.name AS clinic_name, "
           "c.timezone AS clinic_timezone FROM appointments a JOIN chairs ch ON ch.id = a.chair_id "
           "JOIN clinics c ON c.id = ch.clinic_id WHERE a.status = 'booked' AND a.starts_ms > $1 "
           "AND a.starts_ms <= $2 ORDER BY a.starts_ms, a.id",
           {from_ms, to_ms})) {
    out.push_back({r.i64("id"), r.i64("patient_id"), r.i64("starts_ms"), r.text("status"),
                   r.text("kind"), r.text("clinic_name"), r.text("clinic_timezone")});
  }
  return out;
}

}  // namespace kit::storage
