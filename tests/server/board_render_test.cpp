// The chair board's pre-rendered answer (server/resources/board_render.h) is byte for byte the
// answer the route built with nlohmann::json before (the reference below is that code), over
// random boards: missing chairs and times, running, paused and stopped clocks, events entered in
// error, odd and invalid UTF-8 text, and large and fractional numbers.
#include "server/resources/board_render.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "server/api/services.h"

namespace kit::server {
namespace {

struct RandomSession {
  storage::BoardSession session;
  std::vector<storage::PumpClockEvent> events;
};

// The route's former answer, built the way it was built before.
std::string reference(const std::vector<RandomSession>& shown,
                      const std::map<std::int64_t, std::pair<std::int64_t, std::string>>& open,
                      const std::string& date, std::int64_t now) {
  nlohmann::json sessions = nlohmann::json::array();
  for (const RandomSession& r : shown) {
    const storage::BoardSession& s = r.session;
    const std::int64_t infused = infused_ms(r.events, now);
    sessions.push_back(
        {{"session_id", s.id},
         {"appointment_id", *s.appointment_id},
         {"patient_id", s.patient_id},
         {"chair_id", s.chair_id ? nlohmann::json(*s.chair_id) : nlohmann::json(nullptr)},
         {"state", s.state},
         {"started_at",
          s.started_at_ms ? nlohmann::json(iso8601_ms(*s.started_at_ms)) : nlohmann::json()},
         {"stopped_at",
          s.stopped_at_ms ? nlohmann::json(iso8601_ms(*s.stopped_at_ms)) : nlohmann::json()},
         {"infused_minutes", static_cast<double>(infused) / 60000.0},
         {"planned_duration_min", s.planned_duration_min}});
  }
  nlohmann::json alerts = nlohmann::json::array();
  for (const auto& [patient_id, summary] : open) {
    alerts.push_back({{"patient_id", patient_id},
                      {"open", summary.first},
                      {"highest_severity", summary.second}});
  }
  const nlohmann::json body = {
      {"date", date}, {"now", iso8601_ms(now)}, {"sessions", sessions}, {"open_alerts", alerts}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

TEST(BoardRender, IsByteForByteTheJsonAnswerOverRandomBoards) {
  std::mt19937_64 rng(26112026);
  const std::vector<std::string> texts = {
      "running",     "paused",        "stopped", "planned",      "quote\"back\\slash",
      "caf\xc3\xa9", "bad\xff utf-8", "",        "line\nbreak\t"};
  const std::vector<std::string> kinds = {"start", "pause", "resume", "stop", "rate_change"};
  const std::vector<std::string> statuses = {"active", "entered_in_error", "amended"};
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  const std::int64_t day = 1'795'000'000'000;
  for (int round = 0; round < 500; ++round) {
    std::vector<RandomSession> shown(rng() % 25);
    std::int64_t id = static_cast<std::int64_t>(rng() % 100000);
    for (RandomSession& r : shown) {
      storage::BoardSession& s = r.session;
      s.id = ++id;
      s.patient_id = static_cast<std::int64_t>(rng() % 1'000'000'000'000);
      s.appointment_id = static_cast<std::int64_t>(rng() % 100000);
      if (rng() % 3) s.chair_id = static_cast<std::int64_t>(rng() % 50);
      s.state = pick(texts);
      if (rng() % 2) s.started_at_ms = day + static_cast<std::int64_t>(rng() % 86'400'000);
      if (rng() % 3 == 0) s.stopped_at_ms = day + static_cast<std::int64_t>(rng() % 86'400'000);
      s.planned_duration_min = (rng() % 4 == 0) ? 40.0 : static_cast<double>(rng() % 100000) / 7.0;
      std::int64_t at = day + static_cast<std::int64_t>(rng() % 3'600'000);
      for (std::size_t e = rng() % 8; e > 0; --e) {
        at += static_cast<std::int64_t>(rng() % 900'000);
        r.events.push_back({s.id, pick(kinds), pick(statuses), at});
      }
    }
    std::map<std::int64_t, std::pair<std::int64_t, std::string>> open;
    for (std::size_t a = rng() % 6; a > 0; --a) {
      open[static_cast<std::int64_t>(rng() % 1000)] = {static_cast<std::int64_t>(1 + rng() % 4),
                                                       pick(texts)};
    }
    const std::string date = (rng() % 10 == 0) ? pick(texts) : "2026-11-26";
    const std::int64_t now = day + static_cast<std::int64_t>(rng() % 86'400'000);

    BoardRows rows;
    for (const RandomSession& r : shown)
      rows.sessions.push_back(board_session_text(r.session, r.events));
    rows.open_alerts = board_open_alerts_text(open);
    ASSERT_EQ(render_board(rows, date, now), reference(shown, open, date, now))
        << "round " << round;
  }
}

TEST(BoardRender, InfusedTimeRunsOnlyWhileThePumpRuns) {
  const std::vector<storage::PumpClockEvent> events = {{1, "start", "active", 0},
                                                       {1, "pause", "active", 60'000},
                                                       {1, "resume", "entered_in_error", 90'000},
                                                       {1, "resume", "active", 120'000}};
  EXPECT_EQ(infused_ms(events, 180'000), 120'000);  // 0-60 s and 120-180 s
  EXPECT_EQ(infused_ms({}, 180'000), 0);
}

}  // namespace
}  // namespace kit::server
