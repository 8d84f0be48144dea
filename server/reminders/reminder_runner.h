#pragma once
// `kit serve`'s reminders (issue 12 §1, docs/reminders.md, docs/adr/0025-reminders-outbox.md): a
// background thread that, every `every_ms`, plans the reminders due now into the outbox
// (core/reminders/reminders.h decides; storage/stores/reminder_store.h keeps) and cancels queued
// ones whose item closed; and, when an SMTP relay is configured, hands the due outbox messages to
// it one by one (server/reminders/smtp_client.h), logging each attempt with the relay's reply and
// retrying with back-off until the message's tries are used up.
//
// Delivery is at least once: a message is claimed (state sending, an attempt row) in one
// transaction before it goes to the relay and marked sent in another after the relay accepted it.
// A process that dies between the two leaves the message "sending"; after the claim's lease (twice
// the send timeout) any server marks that attempt interrupted and sends the message again, with
// the same Message-ID header so that the patient's mail program can fold a duplicate.
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/reminders/reminders.h"
#include "server/api/services.h"
#include "server/reminders/smtp_client.h"

namespace kit::server {

struct ReminderSettings {
  std::int64_t every_ms = 300'000;  // planning period; 0: the runner is off
  reminders::Policy policy;
  reminders::DeliveryPolicy delivery;
  SmtpSettings smtp;            // smtp.url empty: planned into the outbox, never sent
  std::string portal_base_url;  // the link in every message: <base>/portal
};

// "09:00-20:00" (24:00 allowed as the end) -> minutes of the day. Throws kit::InputError naming
// `field`.
std::pair<int, int> parse_reminder_hours(const std::string& text, const std::string& field);

class ReminderRunner {
 public:
  ReminderRunner(Services& services, ReminderSettings settings);
  ~ReminderRunner();
  ReminderRunner(const ReminderRunner&) = delete;
  ReminderRunner& operator=(const ReminderRunner&) = delete;

  void start();
  void stop();  // waits for a message being sent (at most the send timeout)

  struct PlanResult {
    int patients = 0;
    int planned = 0;
    int cancelled = 0;
  };
  // One planning pass now. Throws on a database error.
  PlanResult plan_once();
  // Recovers interrupted sends, then sends the due messages. Returns how many were attempted.
  int send_due();

  const ReminderSettings& settings() const { return settings_; }
  const std::string& claim_id() const { return claim_id_; }

 private:
  void loop();
  void send_one(std::int64_t outbox_id);

  Services& services_;
  ReminderSettings settings_;
  std::string claim_id_;  // this process: host, pid and a random part
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace kit::server
