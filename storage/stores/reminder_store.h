#pragma once
// The reminders' outbox and delivery log (storage/migrations/0015_reminder_outbox.sql,
// docs/reminders.md): named operations over the caller's transaction, as every store
// (docs/storage.md). The state moves queued -> sending -> sent | queued (retry) | failed, and
// queued -> cancelled; nothing is deleted.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"

namespace kit::storage {

struct OutboxMessage {
  std::int64_t id = 0;
  std::string kind;
  std::int64_t patient_id = 0;
  std::string due_key;
  std::int64_t reminder_number = 0;
  std::int64_t local_day = 0;
  std::string recipient;
  std::string language;
  std::string subject;
  std::string body;
  std::string message_id;
  std::string state;  // queued | sending | sent | failed | cancelled
  std::int64_t attempts = 0;
  std::int64_t next_attempt_at_ms = 0;
  std::int64_t planned_at_ms = 0;
  std::optional<std::int64_t> claimed_at_ms;
  std::string claimed_by;
  std::optional<std::int64_t> sent_at_ms;
  std::string last_error;
  std::string cancel_reason;
  std::int64_t updated_at_ms = 0;
};

struct OutboxAttempt {
  std::int64_t id = 0;
  std::int64_t outbox_id = 0;
  std::int64_t attempt = 0;
  std::int64_t started_at_ms = 0;
  std::optional<std::int64_t> finished_at_ms;
  std::string outcome;  // sending | sent | failed | interrupted
  std::int64_t smtp_code = 0;
  std::string smtp_reply;
  std::string claimed_by;
};

// What the planner knows of a reminder already planned (core: reminders::Planned).
struct PlannedReminder {
  std::string kind;
  std::int64_t patient_id = 0;
  std::string due_key;
  std::int64_t reminder_number = 0;
  std::int64_t local_day = 0;
  std::string state;
};

struct OutboxSearch {
  std::optional<std::string> state;
  std::optional<std::string> kind;
  std::optional<std::int64_t> patient_id;
  std::int64_t limit = 100;
  std::int64_t offset = 0;
};

// A booked appointment with its clinic (for the reminder's wording and time zone).
struct ReminderAppointment {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::int64_t starts_ms = 0;
  std::string status;
  std::string kind;
  std::string clinic_name;
  std::string clinic_timezone;
};

// A patient's contact for reminders. `language` is the portal language the patient or the clinic
// chose (patient_preferences), else "en".
struct ReminderContact {
  std::int64_t patient_id = 0;
  std::optional<std::string> email;
  std::string language = "en";
  std::string status;
  std::string indication;
};

class ReminderStore {
 public:
  explicit ReminderStore(Transaction& tx) : tx_(tx) {}

  // Inserts a queued message; nullopt when that reminder (kind, patient, key, number) was already
  // planned (by this or another server).
  std::optional<std::int64_t> enqueue(const OutboxMessage& m);
  // Every reminder planned for these patients (states other than cancelled), for de-duplication.
  std::vector<PlannedReminder> planned();
  // The queued messages (for cancelling those whose item closed).
  std::vector<OutboxMessage> queued();
  void cancel(std::int64_t id, const std::string& reason, std::int64_t at_ms);

  // Queued messages whose next attempt is due, oldest first, at most `limit`.
  std::vector<OutboxMessage> due(std::int64_t now_ms, std::int64_t limit);
  // Takes a queued message for one attempt: state sending, attempts + 1, an attempt row. False
  // when another process took it first (or it is no longer queued).
  bool claim(std::int64_t id, const std::string& claimed_by, std::int64_t now_ms);
  // The attempt's result. `retry_at` set: back to queued for then; unset after a failure: failed.
  void finish_sent(std::int64_t id, std::int64_t attempt, std::int64_t code,
                   const std::string& reply, std::int64_t now_ms);
  void finish_failed(std::int64_t id, std::int64_t attempt, std::int64_t code,
                     const std::string& reply, std::optional<std::int64_t> retry_at,
                     std::int64_t now_ms);
  // Messages left in state sending by a process that is gone: claimed by someone else than
  // `alive_claim` before `claimed_before_ms`, or by `stale_claim_of_this_host` patterns. Their
  // open attempt becomes 'interrupted' and the message goes back to queued (retry now), or to
  // failed when `max_tries` were used. Returns the ids recovered.
  std::vector<std::int64_t> recover_interrupted(const std::string& alive_claim,
                                                std::int64_t claimed_before_ms, int max_tries,
                                                std::int64_t now_ms);

  std::optional<OutboxMessage> find(std::int64_t id);
  std::vector<OutboxMessage> search(const OutboxSearch& s);
  std::int64_t count(const OutboxSearch& s);
  std::vector<OutboxAttempt> attempts(std::int64_t outbox_id);

  // Facts for the planner.
  std::vector<ReminderContact> contacts();
  std::vector<ReminderAppointment> appointments_from(std::int64_t from_ms, std::int64_t to_ms);

 private:
  Transaction& tx_;
};

}  // namespace kit::storage
