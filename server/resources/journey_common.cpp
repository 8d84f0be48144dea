#include "server/resources/journey_common.h"

#include <algorithm>
#include <cmath>

#include "core/common/error.h"
#include "core/dosing/drug_library.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "storage/stores/scheduling_store.h"

namespace kit::server::journey {

std::int64_t require_date(const std::string& text, const std::string& field) {
  auto d = calendar::parse_day(text);
  if (!d) throw kit::InputError(field, "must be a date YYYY-MM-DD");
  return *d;
}

std::string require_datetime_text(const std::string& text, const std::string& field) {
  if (!calendar::parse_datetime(text)) {
    throw kit::InputError(field,
                          "must be the clinic's local time YYYY-MM-DDTHH:MM, or an ISO 8601 "
                          "instant with Z or an offset (YYYY-MM-DDTHH:MM:SS+02:00)");
  }
  return text;
}

int require_hhmm(const std::string& text, const std::string& field) {
  auto t = calendar::parse_hhmm(text);
  if (!t) throw kit::InputError(field, "must be a time HH:MM");
  return *t;
}

std::string require_text(const std::string& text, const std::string& field, std::size_t max_len) {
  std::size_t b = 0;
  std::size_t e = text.size();
  while (b < e && (text[b] == ' ' || text[b] == '\t')) ++b;
  while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t')) --e;
  if (b == e) throw kit::InputError(field, "must not be empty");
  if (e - b > max_len) {
    throw kit::InputError(field, "must be at most " + std::to_string(max_len) + " characters");
  }
  return text.substr(b, e - b);
}

const std::string& require_one_line(const std::string& text, const std::string& field) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    const auto third = i + 2 < text.size() ? static_cast<unsigned char>(text[i + 2]) : 0;
    const bool c0_or_del = c < 0x20 || c == 0x7f;
    const bool c1 = c == 0xc2 && next >= 0x80 && next <= 0x9f;  // U+0080-U+009F
    const bool separator = c == 0xe2 && next == 0x80 && (third == 0xa8 || third == 0xa9);  // 2028/9
    if (c0_or_del || c1 || separator) {
      throw kit::InputError(field,
                            "must be one line, without line breaks, tabs or control characters");
    }
  }
  return text;
}

std::string require_line(const std::string& text, const std::string& field, std::size_t max_len) {
  return require_one_line(require_text(text, field, max_len), field);
}

nlohmann::json opt_json(const std::optional<std::int64_t>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
nlohmann::json opt_json(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
nlohmann::json opt_json(const std::optional<std::string>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// ---------------------------------------------------------------------------------------------

ClinicHours load_clinic_hours(storage::Transaction& tx, std::int64_t clinic_id) {
  const std::optional<storage::Clinic> clinic = storage::SchedulingStore(tx).find_clinic(clinic_id);
  if (!clinic) throw ApiError::not_found("clinic");
  ClinicHours h;
  h.clinic_id = clinic->id;
  h.opens_min = calendar::parse_hhmm(clinic->opens_at).value_or(0);
  h.closes_min = calendar::parse_hhmm(clinic->closes_at).value_or(24 * 60);
  h.open_weekdays = clinic->open_weekdays;
  h.recovery_minutes = static_cast<int>(clinic->recovery_minutes);
  h.zone = load_clinic_zone(tx, h.clinic_id);
  return h;
}

bool clinic_open_on(const ClinicHours& h, std::int64_t day) {
  const char wd = static_cast<char>('0' + calendar::iso_weekday(day));
  return h.open_weekdays.find(wd) != std::string::npos;
}

std::int64_t opens_utc_ms(const ClinicHours& h, std::int64_t day) {
  return h.zone.to_utc_ms_lenient(day * kDayMs + h.opens_min * kMinuteMs);
}

std::int64_t closes_utc_ms(const ClinicHours& h, std::int64_t day) {
  return h.zone.to_utc_ms_lenient(day * kDayMs + h.closes_min * kMinuteMs);
}

std::int64_t chair_block_ms(const std::string& protocol_id, int recovery_minutes) {
  const dosing::Protocol* p = dosing::builtin_library().find(protocol_id);
  if (p == nullptr) throw ApiError::rule_refused("unknown protocol " + protocol_id, "protocol_id");
  if (p->route != dosing::AdministrationRoute::kIvInfusion || !p->duration) {
    throw ApiError::rule_refused(
        "protocol " + protocol_id +
            " is not a timed IV infusion and cannot be scheduled in a chair",
        "protocol_id");
  }
  const double minutes = p->duration->value() + recovery_minutes;
  const auto ms = static_cast<std::int64_t>(std::ceil(minutes)) * kMinuteMs;
  return (ms + kSlotMs - 1) / kSlotMs * kSlotMs;
}

std::optional<FreeChair> first_free_chair(storage::Transaction& tx, const ClinicHours& hours,
                                          const std::vector<std::int64_t>& chairs, std::int64_t day,
                                          std::int64_t block_ms, std::int64_t not_before_ms) {
  if (chairs.empty() || !clinic_open_on(hours, day)) return std::nullopt;
  const std::int64_t open = opens_utc_ms(hours, day);
  const std::int64_t close = closes_utc_ms(hours, day);
  // Taken slots of the opening hours, per chair.
  std::set<std::pair<std::int64_t, std::int64_t>> taken;
  for (const storage::ChairSlot& slot :
       storage::SchedulingStore(tx).chair_slots_between(open, close)) {
    taken.emplace(slot.chair_id, slot.slot_start_ms);
  }
  // Opening (or now) may not be on a slot boundary; start at the first boundary at or after it.
  const std::int64_t earliest = std::max(open, not_before_ms);
  const std::int64_t first = (earliest + kSlotMs - 1) / kSlotMs * kSlotMs;
  for (std::int64_t t = first; t + block_ms <= close; t += kSlotMs) {
    for (std::int64_t chair : chairs) {
      bool free = true;
      for (std::int64_t s = t; s < t + block_ms; s += kSlotMs) {
        if (taken.count({chair, s}) != 0) {
          free = false;
          break;
        }
      }
      if (free) return FreeChair{chair, t};
    }
  }
  return std::nullopt;
}

}  // namespace kit::server::journey
