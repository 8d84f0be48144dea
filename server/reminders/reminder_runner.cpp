// `kit serve`'s reminders (server/reminders/reminder_runner.h).
#include "server/reminders/reminder_runner.h"

#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "core/common/error.h"
#include "core/measurement/schedule.h"
#include "server/api/audit.h"
#include "server/reminders/catalogue.h"
#include "server/resources/clinic_time.h"
#include "server/resources/measurement_facts.h"
#include "storage/stores/assessment_store.h"
#include "storage/stores/course_store.h"
#include "storage/stores/reminder_store.h"
#include "storage/stores/scheduling_store.h"

namespace kit::server {

namespace {

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string host_name() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "host";
  return buf;
}

// The patients reminders go to: with an address, and not declined or discharged.
bool reachable(const storage::ReminderContact& c) {
  return c.email && !c.email->empty() && c.status != "declined" && c.status != "discharged";
}

AuditEntry system_entry(std::int64_t at_ms, std::string action,
                        std::optional<std::int64_t> patient_id, int status) {
  AuditEntry e;
  e.at_ms = at_ms;
  e.username = "kit serve";
  e.role = "system";
  e.action = std::move(action);
  e.patient_id = patient_id;
  e.remote_address = "local";
  e.outcome = "allowed";
  e.status = status;
  return e;
}

int parse_hh_mm(const std::string& t, const std::string& field) {
  if (t.size() != 5 || t[2] != ':' || !std::isdigit(static_cast<unsigned char>(t[0])) ||
      !std::isdigit(static_cast<unsigned char>(t[1])) ||
      !std::isdigit(static_cast<unsigned char>(t[3])) ||
      !std::isdigit(static_cast<unsigned char>(t[4]))) {
    throw kit::InputError(field, "expected HH:MM-HH:MM, e.g. 09:00-20:00");
  }
  const int h = (t[0] - '0') * 10 + (t[1] - '0');
  const int m = (t[3] - '0') * 10 + (t[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) {
    throw kit::InputError(field, "'" + t + "' is not a time of day");
  }
  return h * 60 + m;
}

// What reminders are about now: the reachable patients (all, or `only`), their open and closed
// items, and the appointment behind each appointment item.
struct Facts {
  std::map<std::int64_t, storage::ReminderContact> contacts;
  std::vector<reminders::DueItem> items;
  std::map<std::string, storage::ReminderAppointment> appointment_of;  // by item key
};

Facts gather_facts(storage::Transaction& tx, const reminders::Policy& policy, std::int64_t now,
                   std::optional<std::int64_t> only) {
  Facts f;
  auto& contacts = f.contacts;
  auto& items = f.items;
  auto& appointment_of = f.appointment_of;
  storage::ReminderStore store(tx);
  for (auto& c : store.contacts()) {
    if (reachable(c) && (!only || c.patient_id == *only))
      contacts.emplace(c.patient_id, std::move(c));
  }

  std::set<std::int64_t> future_booking;
  for (const auto& a : store.appointments_from(now, now + 3650 * reminders::kDayMs)) {
    future_booking.insert(a.patient_id);
    if (!contacts.count(a.patient_id)) continue;
    reminders::DueItem item =
        reminders::appointment_item(policy, now, {a.id, a.patient_id, a.starts_ms, true});
    if (!item.open) continue;
    appointment_of[item.key] = a;
    items.push_back(std::move(item));
  }
  for (const auto& [pid, contact] : contacts) {
    // Completed questionnaires as GET /api/v1/patients/{id}/measurements counts them: active
    // sheets outside a session, when each can have been taken (read per course below, in the
    // course's clinic's time zone).
    const std::vector<storage::Assessment> sheets = storage::AssessmentStore(tx).of_patient(pid);
    const std::vector<storage::Course> courses = storage::CourseStore(tx).for_patient(pid);
    // "Book your reassessment" is about the patient's latest course only.
    std::int64_t latest = 0;
    for (const storage::Course& c : courses) {
      const bool later =
          latest == 0 || std::any_of(courses.begin(), courses.end(), [&](const auto& l) {
            return l.id == latest && (c.created_at_ms > l.created_at_ms ||
                                      (c.created_at_ms == l.created_at_ms && c.id > l.id));
          });
      if (later) latest = c.id;
    }
    for (const storage::Course& course : courses) {
      const measurement::Course facts = course_facts(tx, course);
      const measurement::Policy mp = measurement::default_policy(contact.indication);
      const std::vector<measurement::Taken> taken =
          completed_questionnaires(sheets, course_zone(tx, course));
      const auto statuses =
          measurement::statuses(measurement::occasions(mp, facts, now), taken, now);
      for (auto& item : reminders::questionnaire_items(pid, course.id, statuses)) {
        items.push_back(std::move(item));
      }
      std::optional<std::int64_t> last_end;
      for (const measurement::Infusion& i : facts.infusions) {
        if (!i.cancelled && i.end_ms) last_end = std::max(last_end.value_or(0), *i.end_ms);
      }
      if (course.id != latest) continue;
      items.push_back(reminders::reassessment_item(
          policy, now, {pid, course.id, course.state, last_end, future_booking.count(pid) > 0}));
    }
  }

  return f;
}

}  // namespace

std::pair<int, int> parse_reminder_hours(const std::string& text, const std::string& field) {
  const auto dash = text.find('-');
  if (dash == std::string::npos)
    throw kit::InputError(field, "expected HH:MM-HH:MM, e.g. 09:00-20:00");
  const int from = parse_hh_mm(text.substr(0, dash), field);
  const int until = parse_hh_mm(text.substr(dash + 1), field);
  if (from >= until || from >= 24 * 60) {
    throw kit::InputError(field, "the hours must start before they end, within one day");
  }
  return {from, until};
}

ReminderRunner::ReminderRunner(Services& services, ReminderSettings settings)
    : services_(services),
      settings_(std::move(settings)),
      claim_id_(host_name() + ":" + std::to_string(::getpid()) + ":" + random_hex(6)) {}

ReminderRunner::~ReminderRunner() { stop(); }

void ReminderRunner::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || settings_.every_ms <= 0) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void ReminderRunner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ReminderRunner::loop() {
  std::int64_t next_plan = services_.now_ms();
  const bool sending = !settings_.smtp.url.empty();
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const std::int64_t now = services_.now_ms();
    if (now >= next_plan) {
      try {
        const PlanResult r = plan_once();
        if (r.planned || r.cancelled) {
          services_.log_event("info", "reminders planned into the outbox",
                              {{"planned", r.planned},
                               {"cancelled", r.cancelled},
                               {"patients", r.patients},
                               {"sending", sending}});
        }
      } catch (const std::exception& e) {
        services_.log_event("error", "reminders: planning failed (retried next period)",
                            {{"error", e.what()}});
      }
      next_plan = now + settings_.every_ms;
    }
    if (sending) {
      try {
        send_due();
      } catch (const std::exception& e) {
        services_.log_event("error", "reminders: sending failed (retried shortly)",
                            {{"error", e.what()}});
      }
    }
    lock.lock();
    if (stopping_) break;
    // Messages due for a retry are looked for every 2 s while a relay is configured.
    const std::int64_t until = sending ? std::min(next_plan, services_.now_ms() + 2000) : next_plan;
    const std::int64_t wait = std::clamp<std::int64_t>(until - services_.now_ms(), 0, 60'000);
    wake_.wait_for(lock, std::chrono::milliseconds(wait));
  }
}

ReminderRunner::PlanResult ReminderRunner::plan_once() {
  const std::int64_t now = services_.now_ms();
  const reminders::Policy& policy = settings_.policy;
  PlanResult result;
  std::int64_t audit_rows = 0;
  storage::with_transaction(services_.db(), [&](storage::Transaction& tx) {
    result = PlanResult{};
    audit_rows = 0;
    storage::ReminderStore store(tx);
    storage::SchedulingStore scheduling(tx);
    // The clinic whose hours and days reminders keep: the first clinic (lowest id), else UTC.
    const auto clinics = scheduling.clinics();
    const std::string home_zone_name = clinics.empty() ? "UTC" : clinics.front().timezone;
    const std::string home_name = clinics.empty() ? "KIT" : clinics.front().name;
    const ClinicZone home = zone_named(home_zone_name);
    const int offset = home.offset_min(now);

    Facts f = gather_facts(tx, policy, now, std::nullopt);
    const auto& contacts = f.contacts;
    const auto& items = f.items;
    const auto& appointment_of = f.appointment_of;
    result.patients = static_cast<int>(contacts.size());

    std::vector<reminders::Planned> planned;
    for (const auto& p : store.planned()) {
      if (const auto kind = reminders::kind_from_name(p.kind)) {
        planned.push_back(
            {*kind, p.patient_id, p.due_key, static_cast<int>(p.reminder_number), p.local_day});
      }
    }
    std::string base = settings_.portal_base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    const std::string link = base + "/portal";
    const std::string from = settings_.smtp.from;
    const std::string domain =
        from.find('@') == std::string::npos ? "kit.invalid" : from.substr(from.find('@') + 1);

    for (const reminders::Decision& d :
         reminders::due_reminders(policy, now, offset, items, planned)) {
      const storage::ReminderContact& contact = contacts.at(d.patient_id);
      std::vector<std::pair<std::string, std::string>> values = {
          {"clinic", home_name}, {"link", link}, {"timezone", home.name}};
      if (d.kind == reminders::Kind::appointment_upcoming) {
        const storage::ReminderAppointment& a = appointment_of.at(d.key);
        const ClinicZone z = zone_named(a.clinic_timezone);
        const std::string local = z.local_minutes(a.starts_ms);  // YYYY-MM-DDTHH:MM
        values = {{"clinic", a.clinic_name},
                  {"link", link},
                  {"timezone", z.name},
                  {"date", local.substr(0, 10)},
                  {"time", local.substr(11, 5)}};
      }
      const ReminderText text = reminder_text(d.kind, contact.language, values);
      storage::OutboxMessage m;
      m.kind = std::string(reminders::kind_name(d.kind));
      m.patient_id = d.patient_id;
      m.due_key = d.key;
      m.reminder_number = d.number;
      m.local_day = d.local_day;
      m.recipient = *contact.email;
      m.language = text.language;
      m.subject = text.subject;
      m.body = text.body;
      m.message_id = "<kit-reminder." + random_hex(12) + "@" + domain + ">";
      m.next_attempt_at_ms = d.send_at_ms;  // inside the clinic's sending hours
      m.planned_at_ms = now;
      if (const auto id = store.enqueue(m)) {
        append_audit(tx,
                     system_entry(now,
                                  "reminder planned: " + m.kind + " #" + std::to_string(d.number) +
                                      " (outbox " + std::to_string(*id) + ")",
                                  d.patient_id, 201));
        ++audit_rows;
        ++result.planned;
      }
    }
    for (const storage::OutboxMessage& q : store.queued()) {
      const auto kind = reminders::kind_from_name(q.kind);
      if (kind && reminders::still_wanted(*kind, q.patient_id, q.due_key, items)) continue;
      store.cancel(q.id,
                   "its item closed before it was sent (done, cancelled, moved or past; or the "
                   "patient has no address now)",
                   now);
      append_audit(tx, system_entry(now, "reminder cancelled (outbox " + std::to_string(q.id) + ")",
                                    q.patient_id, 200));
      ++audit_rows;
      ++result.cancelled;
    }
    // The planner read every reachable patient's schedule: one row says so (none while no
    // patient has an address: no patient data was read).
    if (result.patients == 0) return;
    append_audit(tx, system_entry(now,
                                  "reminder planner: read the schedules of " +
                                      std::to_string(result.patients) + " patients; planned " +
                                      std::to_string(result.planned) + ", cancelled " +
                                      std::to_string(result.cancelled),
                                  std::nullopt, 200));
    ++audit_rows;
  });
  services_.audit_rows_committed(audit_rows);
  return result;
}

int ReminderRunner::send_due() {
  const std::int64_t now = services_.now_ms();
  const int max_tries = settings_.delivery.max_tries;
  // A claim older than twice the send timeout belongs to a process that stopped mid-send.
  const std::int64_t lease_ms = 2LL * settings_.smtp.timeout_s * 1000;
  const auto recovered = storage::with_transaction(services_.db(), [&](storage::Transaction& tx) {
    storage::ReminderStore store(tx);
    std::vector<std::pair<std::int64_t, std::int64_t>> out;  // (id, patient)
    for (const std::int64_t id :
         store.recover_interrupted(claim_id_, now - lease_ms, max_tries, now)) {
      const auto m = store.find(id);
      append_audit(tx, system_entry(now,
                                    "reminder e-mail attempt interrupted (outbox " +
                                        std::to_string(id) + "): " + (m ? m->state : ""),
                                    m ? std::optional(m->patient_id) : std::nullopt, 500));
      out.emplace_back(id, m ? m->patient_id : 0);
    }
    return out;
  });
  if (!recovered.empty()) {
    services_.audit_rows_committed(static_cast<std::int64_t>(recovered.size()));
    for (const auto& [id, _] : recovered) {
      services_.log_event("warn",
                          "reminders: a send was interrupted (its process stopped); the message "
                          "goes again (at-least-once)",
                          {{"outbox_id", id}});
    }
  }
  const auto due = storage::with_transaction(services_.db(), [&](storage::Transaction& tx) {
    return storage::ReminderStore(tx).due(now, 50);
  });
  int attempted = 0;
  for (const storage::OutboxMessage& m : due) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    send_one(m.id);
    ++attempted;
  }
  return attempted;
}

void ReminderRunner::send_one(std::int64_t outbox_id) {
  const std::int64_t claimed_at = services_.now_ms();
  int offset = 0;
  bool cancelled = false;
  const auto claimed = storage::with_transaction(
      services_.db(), [&](storage::Transaction& tx) -> std::optional<storage::OutboxMessage> {
        storage::ReminderStore store(tx);
        cancelled = false;
        const auto clinics = storage::SchedulingStore(tx).clinics();
        offset = zone_named(clinics.empty() ? std::string("UTC") : clinics.front().timezone)
                     .offset_min(claimed_at);
        const auto queued = store.find(outbox_id);
        if (!queued || queued->state != "queued") return std::nullopt;
        // The item as it stands now: a questionnaire answered, an appointment moved or cancelled
        // since the last planning pass cancels the message instead of sending it.
        const auto kind = reminders::kind_from_name(queued->kind);
        const Facts f = gather_facts(tx, settings_.policy, claimed_at, queued->patient_id);
        if (!kind ||
            !reminders::still_wanted(*kind, queued->patient_id, queued->due_key, f.items)) {
          store.cancel(outbox_id, "its item closed before it was sent", claimed_at);
          append_audit(tx,
                       system_entry(claimed_at,
                                    "reminder cancelled (outbox " + std::to_string(outbox_id) + ")",
                                    queued->patient_id, 200));
          cancelled = true;
          return std::nullopt;
        }
        if (!store.claim(outbox_id, claim_id_, claimed_at)) return std::nullopt;
        return store.find(outbox_id);
      });
  if (cancelled) services_.audit_rows_committed(1);
  if (!claimed) return;  // cancelled, or another server took it
  const storage::OutboxMessage& m = *claimed;
  Mail mail{m.recipient, m.subject, m.body, m.message_id, m.planned_at_ms};
  const SmtpResult r = send_mail(settings_.smtp, mail);
  const std::int64_t now = services_.now_ms();
  std::optional<std::int64_t> retry_at;
  if (!r.accepted) {
    retry_at = reminders::next_try_ms(settings_.delivery, static_cast<int>(m.attempts), now);
    // A retry waits for the clinic's sending hours too.
    if (retry_at) retry_at = reminders::next_send_ms(settings_.policy, *retry_at, offset);
  }
  storage::with_transaction(services_.db(), [&](storage::Transaction& tx) {
    storage::ReminderStore store(tx);
    std::string action;
    if (r.accepted) {
      store.finish_sent(m.id, m.attempts, r.code, r.reply, now);
      action = "reminder e-mail sent";
    } else {
      store.finish_failed(m.id, m.attempts, r.code, r.reply, retry_at, now);
      action = retry_at ? "reminder e-mail not accepted; retried later"
                        : "reminder e-mail failed; no tries left";
    }
    append_audit(tx, system_entry(now,
                                  action + " (outbox " + std::to_string(m.id) + ", attempt " +
                                      std::to_string(m.attempts) + ")",
                                  m.patient_id, r.accepted ? 200 : 502));
  });
  services_.audit_rows_committed(1);
  // The log names the message and the relay's reply code, never the address, the text or the
  // reply line (a relay may quote the address in it); the reply is in the delivery log.
  const nlohmann::json fields = {
      {"outbox_id", m.id},
      {"kind", m.kind},
      {"attempt", m.attempts},
      {"smtp_code", r.code},
      {"retry_at", retry_at ? nlohmann::json(iso8601_ms(*retry_at)) : nlohmann::json(nullptr)}};
  if (r.accepted) {
    services_.log_event("info", "reminder e-mail sent", fields);
  } else if (retry_at) {
    services_.log_event("warn", "reminder e-mail not accepted; retried later", fields);
  } else {
    services_.log_event("error", "REMINDER E-MAIL FAILED: no tries left", fields);
  }
}

}  // namespace kit::server
