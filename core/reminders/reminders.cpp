// Reminders: which are due now (core/reminders/reminders.h).
#include "core/reminders/reminders.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace kit::reminders {

std::string_view kind_name(Kind k) {
  switch (k) {
    case Kind::questionnaire_due:
      return "questionnaire_due";
    case Kind::appointment_upcoming:
      return "appointment_upcoming";
    case Kind::book_reassessment:
      return "book_reassessment";
  }
  return "questionnaire_due";
}

std::optional<Kind> kind_from_name(std::string_view name) {
  for (Kind k : {Kind::questionnaire_due, Kind::appointment_upcoming, Kind::book_reassessment}) {
    if (kind_name(k) == name) return k;
  }
  return std::nullopt;
}

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

bool same_item(Kind k1, std::int64_t p1, const std::string& key1, Kind k2, std::int64_t p2,
               const std::string& key2) {
  return k1 == k2 && p1 == p2 && key1 == key2;
}

}  // namespace

std::int64_t local_day(std::int64_t utc_ms, int offset_min) {
  return floor_div(utc_ms + offset_min * kMinuteMs, kDayMs);
}

int local_minute_of_day(std::int64_t utc_ms, int offset_min) {
  const std::int64_t wall = utc_ms + offset_min * kMinuteMs;
  return static_cast<int>(floor_div(wall - floor_div(wall, kDayMs) * kDayMs, kMinuteMs));
}

std::int64_t next_send_ms(const Policy& policy, std::int64_t now_ms, int offset_min) {
  const int minute = local_minute_of_day(now_ms, offset_min);
  if (minute >= policy.send_from_min && minute < policy.send_until_min) return now_ms;
  // The start of today's hours (before them) or tomorrow's (after them), on the wall clock.
  const std::int64_t day =
      local_day(now_ms, offset_min) + (minute >= policy.send_until_min ? 1 : 0);
  return day * kDayMs + policy.send_from_min * kMinuteMs - offset_min * kMinuteMs;
}

std::vector<Decision> due_reminders(const Policy& policy, std::int64_t now_ms, int offset_min,
                                    const std::vector<DueItem>& items,
                                    const std::vector<Planned>& planned) {
  std::vector<Decision> out;
  const std::int64_t send_at = next_send_ms(policy, now_ms, offset_min);
  const std::int64_t day = local_day(send_at, offset_min);
  for (const DueItem& item : items) {
    if (!item.open) continue;
    // An item listed twice gets one reminder.
    if (std::any_of(out.begin(), out.end(), [&](const Decision& d) {
          return same_item(d.kind, d.patient_id, d.key, item.kind, item.patient_id, item.key);
        })) {
      continue;
    }
    int highest = 0;
    bool that_day_already = false;
    for (const Planned& p : planned) {
      if (!same_item(p.kind, p.patient_id, p.key, item.kind, item.patient_id, item.key)) continue;
      highest = std::max(highest, p.number);
      // "Once a day": one planned for that day (or, after a clock step, a later one) holds.
      if (p.local_day >= day) that_day_already = true;
    }
    if (that_day_already || highest >= policy.max_reminders) continue;
    out.push_back({item.kind, item.patient_id, item.key, highest + 1, send_at, day});
  }
  return out;
}

bool still_wanted(Kind kind, std::int64_t patient_id, const std::string& key,
                  const std::vector<DueItem>& items) {
  return std::any_of(items.begin(), items.end(), [&](const DueItem& i) {
    return i.open && same_item(i.kind, i.patient_id, i.key, kind, patient_id, key);
  });
}

std::vector<DueItem> questionnaire_items(std::int64_t patient_id, std::int64_t course_id,
                                         const std::vector<measurement::OccasionStatus>& statuses) {
  // Group by (moment, infusion number, week), in the order first seen.
  std::vector<DueItem> out;
  std::map<std::tuple<int, int, int>, std::size_t> index;
  for (const measurement::OccasionStatus& s : statuses) {
    const measurement::Occasion& o = s.occasion;
    const auto group = std::make_tuple(static_cast<int>(o.moment), o.infusion_number, o.week);
    auto it = index.find(group);
    if (it == index.end()) {
      DueItem item;
      item.kind = Kind::questionnaire_due;
      item.patient_id = patient_id;
      item.key = "course:" + std::to_string(course_id) + ":" +
                 std::string(measurement::moment_name(o.moment)) + ":" +
                 std::to_string(o.infusion_number) + ":" + std::to_string(o.week);
      item.open = false;
      it = index.emplace(group, out.size()).first;
      out.push_back(std::move(item));
    }
    if (s.status == measurement::Status::due) out[it->second].open = true;
  }
  return out;
}

DueItem appointment_item(const Policy& policy, std::int64_t now_ms, const Appointment& a) {
  DueItem item;
  item.kind = Kind::appointment_upcoming;
  item.patient_id = a.patient_id;
  item.key = "appointment:" + std::to_string(a.id) + ":" + std::to_string(a.starts_ms);
  item.at_ms = a.starts_ms;
  item.open =
      a.booked && a.starts_ms > now_ms && a.starts_ms - now_ms <= policy.appointment_lead_ms;
  return item;
}

DueItem reassessment_item(const Policy& policy, std::int64_t now_ms, const CourseFacts& c) {
  DueItem item;
  item.kind = Kind::book_reassessment;
  item.patient_id = c.patient_id;
  item.key = "course:" + std::to_string(c.course_id) +
             ":after:" + std::to_string(c.last_infusion_end_ms.value_or(0));
  item.open =
      (c.state == "maintenance" || c.state == "completed") && c.last_infusion_end_ms.has_value() &&
      now_ms - *c.last_infusion_end_ms >= policy.reassessment_after_ms && !c.has_future_booking;
  return item;
}

std::optional<std::int64_t> next_try_ms(const DeliveryPolicy& policy, int tries_made,
                                        std::int64_t now_ms) {
  if (tries_made >= policy.max_tries) return std::nullopt;
  std::int64_t wait = policy.first_retry_ms;
  for (int i = 1; i < tries_made && wait < policy.max_retry_ms; ++i) wait *= 2;
  return now_ms + std::min(wait, policy.max_retry_ms);
}

std::string fill(std::string_view text,
                 const std::vector<std::pair<std::string, std::string>>& values) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '{') {
      const std::size_t close = text.find('}', i + 1);
      if (close != std::string_view::npos) {
        const std::string_view name = text.substr(i + 1, close - i - 1);
        const auto it = std::find_if(values.begin(), values.end(),
                                     [&](const auto& v) { return v.first == name; });
        if (it != values.end()) {
          out += it->second;
          i = close + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

}  // namespace kit::reminders
