#pragma once
// Reminders (issue 12 §1, docs/reminders.md, docs/adr/0025-reminders-outbox.md): which e-mail
// reminders are due now. Pure: the clock, the clinic's offset from UTC, the policy, what the
// patient owes or attends, and the reminders already planned go in; decisions come out. The
// server (server/reminders/) gathers the facts, writes the decisions into the outbox and sends.
//
// Three kinds: a questionnaire is due (core/measurement/schedule.h), an appointment is coming,
// and "book your reassessment" (a course past its last infusion with nothing booked). Each thing
// owed is a due item with a stable key; each item gets at most `max_reminders` reminders, at most
// one per clinic-local day, only inside the clinic's sending hours, and none once it is done,
// cancelled or past. None of these numbers is clinical: they are the clinic's policy.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/measurement/schedule.h"

namespace kit::reminders {

enum class Kind { questionnaire_due, appointment_upcoming, book_reassessment };
std::string_view kind_name(Kind k);
std::optional<Kind> kind_from_name(std::string_view name);

inline constexpr std::int64_t kMinuteMs = 60'000;
inline constexpr std::int64_t kDayMs = 86'400'000;

// The clinic's reminder policy (defaults in docs/reminders.md; configuration in kit serve).
struct Policy {
  int max_reminders = 3;                          // per due item: "three times at most" (issue 12)
  std::int64_t appointment_lead_ms = 2 * kDayMs;  // remind in the 48 h before an appointment
  std::int64_t reassessment_after_ms = 28 * kDayMs;  // after the last infusion, nothing booked
  int send_from_min = 9 * 60;                        // clinic-local sending hours: from 09:00 ...
  int send_until_min = 20 * 60;  // ... until 20:00 (nobody is woken by a reminder)
};

// Something the patient owes or attends, as it stands now. `key` is stable for the life of the
// item (its de-duplication key); `open` is false once the item is done, cancelled or past.
struct DueItem {
  Kind kind = Kind::questionnaire_due;
  std::int64_t patient_id = 0;
  std::string key;
  bool open = false;
  std::int64_t at_ms = 0;  // appointment_upcoming: when it starts (else 0)
};

// A reminder already in the outbox (in any state but cancelled: a failed delivery counts, so a
// bad address is not written to every day).
struct Planned {
  Kind kind = Kind::questionnaire_due;
  std::int64_t patient_id = 0;
  std::string key;
  int number = 0;              // 1-based reminder number of the item
  std::int64_t local_day = 0;  // the clinic-local day it was planned on (days since 1970-01-01)
};

// A reminder to write into the outbox now, to be sent from `send_at_ms` (now, or the next
// opening of the sending hours); `local_day` is the clinic-local day of that send time.
struct Decision {
  Kind kind = Kind::questionnaire_due;
  std::int64_t patient_id = 0;
  std::string key;
  int number = 0;  // 1 .. max_reminders
  std::int64_t send_at_ms = 0;
  std::int64_t local_day = 0;
};

// The clinic-local day and minute of the day of a UTC instant, given the clinic's offset east of
// UTC at that instant (the server reads it from the tz database).
std::int64_t local_day(std::int64_t utc_ms, int offset_min);
int local_minute_of_day(std::int64_t utc_ms, int offset_min);

// The first instant at or after `now_ms` inside the sending hours (the offset is taken as
// constant until then: a DST change overnight moves the send by its hour at most).
std::int64_t next_send_ms(const Policy& policy, std::int64_t now_ms, int offset_min);

// The reminders to plan now: for each open item, the next reminder when fewer than max_reminders
// were planned and none for the local day it would be sent on (next_send_ms). Planning runs at any
// hour (the outbox shows what will go); sending waits for the hours. One per item at most;
// ordered as the items are.
std::vector<Decision> due_reminders(const Policy& policy, std::int64_t now_ms, int offset_min,
                                    const std::vector<DueItem>& items,
                                    const std::vector<Planned>& planned);

// Whether a reminder still waiting in the outbox should go: only while its item is open (an item
// no longer listed is closed). A queued reminder whose item closed is cancelled, never sent.
bool still_wanted(Kind kind, std::int64_t patient_id, const std::string& key,
                  const std::vector<DueItem>& items);

// --- The items, from the facts -------------------------------------------------------------

// Questionnaires: the occasions of one course grouped by when they fall (baseline, before or
// after infusion n, maintenance week w), one item per group; open while some questionnaire of the
// group is due. The key names the course and the occasion, never an instrument (an instrument
// would tell a diagnosis: PCL-5 is PTSD).
std::vector<DueItem> questionnaire_items(std::int64_t patient_id, std::int64_t course_id,
                                         const std::vector<measurement::OccasionStatus>& statuses);

// An appointment: open while booked and starting within the lead time from now. The key holds the
// start, so a moved appointment is a new item (the old one closes and its queued reminder is
// cancelled).
struct Appointment {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::int64_t starts_ms = 0;
  bool booked = false;  // status "booked" (not cancelled, completed, no-show)
};
DueItem appointment_item(const Policy& policy, std::int64_t now_ms, const Appointment& a);

// "Book your reassessment": a course in maintenance or completed whose last infusion ended at
// least reassessment_after_ms ago, while the patient has nothing booked from now on. The key
// holds the last infusion's end, so the next gap after a new infusion is a new item.
struct CourseFacts {
  std::int64_t patient_id = 0;
  std::int64_t course_id = 0;
  std::string state;  // planned | induction | maintenance | completed | stopped
  std::optional<std::int64_t> last_infusion_end_ms;
  bool has_future_booking = false;
};
DueItem reassessment_item(const Policy& policy, std::int64_t now_ms, const CourseFacts& c);

// --- Delivery retries ----------------------------------------------------------------------

struct DeliveryPolicy {
  int max_tries = 5;                               // attempts to hand one message to the relay
  std::int64_t first_retry_ms = 5 * kMinuteMs;     // then doubling ...
  std::int64_t max_retry_ms = 6 * 60 * kMinuteMs;  // ... up to 6 h between tries
};
// After `tries_made` failed tries (>= 1): none when the message has used its tries (it fails),
// else when to try next.
std::optional<std::int64_t> next_try_ms(const DeliveryPolicy& policy, int tries_made,
                                        std::int64_t now_ms);

// --- Message text --------------------------------------------------------------------------

// Replaces each "{name}" in `text` by its value; an unknown name is left as written, so a
// catalogue typo shows in the message instead of silently vanishing. Values are inserted as they
// are (never re-scanned).
std::string fill(std::string_view text,
                 const std::vector<std::pair<std::string, std::string>>& values);

}  // namespace kit::reminders
