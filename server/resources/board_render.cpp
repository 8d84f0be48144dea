#include "server/resources/board_render.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "server/api/services.h"

namespace kit::server {

namespace {

// One value as json::dump() writes it (json_response's settings: compact, UTF-8 kept, invalid
// UTF-8 replaced).
template <class T>
std::string dumped(const T& value) {
  return nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string dumped_time(const std::optional<std::int64_t>& ms) {
  return ms ? dumped(iso8601_ms(*ms)) : std::string("null");
}

}  // namespace

BoardSessionText board_session_text(const storage::BoardSession& s,
                                    std::vector<storage::PumpClockEvent> events) {
  // Keys in the order json::dump() writes an object's (std::map: sorted).
  BoardSessionText out;
  out.events = std::move(events);
  out.head = "{\"appointment_id\":" + dumped(s.appointment_id.value_or(0)) +
             ",\"chair_id\":" + (s.chair_id ? dumped(*s.chair_id) : std::string("null")) +
             ",\"infused_minutes\":";
  out.tail = ",\"patient_id\":" + dumped(s.patient_id) +
             ",\"planned_duration_min\":" + dumped(s.planned_duration_min) +
             ",\"session_id\":" + dumped(s.id) + ",\"started_at\":" + dumped_time(s.started_at_ms) +
             ",\"state\":" + dumped(s.state) + ",\"stopped_at\":" + dumped_time(s.stopped_at_ms) +
             "}";
  return out;
}

std::string board_open_alerts_text(
    const std::map<std::int64_t, std::pair<std::int64_t, std::string>>& open) {
  nlohmann::json alerts = nlohmann::json::array();
  for (const auto& [patient_id, summary] : open) {
    alerts.push_back({{"patient_id", patient_id},
                      {"open", summary.first},
                      {"highest_severity", summary.second}});
  }
  return alerts.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::int64_t infused_ms(const std::vector<storage::PumpClockEvent>& events, std::int64_t now_ms) {
  std::int64_t total = 0;
  std::optional<std::int64_t> since;
  for (const storage::PumpClockEvent& e : events) {
    if (e.status == "entered_in_error") continue;
    if (e.kind == "start" || e.kind == "resume") {
      if (!since) since = e.at_ms;
    } else if (e.kind == "pause" || e.kind == "stop") {
      if (since) total += std::max<std::int64_t>(0, e.at_ms - *since);
      since.reset();
    }
  }
  if (since) total += std::max<std::int64_t>(0, now_ms - *since);
  return total;
}

std::string render_board(const BoardRows& rows, const std::string& date, std::int64_t now_ms) {
  std::string out;
  out.reserve(64 + rows.open_alerts.size() + rows.sessions.size() * 320);
  out += "{\"date\":";
  out += dumped(date);
  out += ",\"now\":";
  out += dumped(iso8601_ms(now_ms));
  out += ",\"open_alerts\":";
  out += rows.open_alerts;
  out += ",\"sessions\":[";
  bool first = true;
  for (const BoardSessionText& s : rows.sessions) {
    if (!first) out += ',';
    first = false;
    out += s.head;
    out += dumped(static_cast<double>(infused_ms(s.events, now_ms)) / 60000.0);
    out += s.tail;
  }
  out += "]}";
  return out;
}

}  // namespace kit::server
