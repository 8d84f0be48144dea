#pragma once
// The chair board's answer (GET /api/v1/board, board_routes.cpp), split so that what depends only
// on the data is prepared once per data change and kept in the snapshot cache (ADR 0030), and
// each refresh adds only what depends on "now": the `now` field and each session's infused time.
// The text is byte for byte what nlohmann::json::dump() gives for the same object (keys in
// order, the same number and string formatting): tests/server/board_render_test.cpp checks it
// against a json-built answer over random boards.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "storage/stores/infusion_store.h"

namespace kit::server {

// One shown session: its pump events (for the infusion clock) and its JSON object, pre-rendered
// around the infused time: `head` + <infused minutes> + `tail`.
struct BoardSessionText {
  std::vector<storage::PumpClockEvent> events;
  std::string head;
  std::string tail;
};

// What the board reads of the database for one day, ready to render.
struct BoardRows {
  std::vector<BoardSessionText> sessions;
  std::string open_alerts;  // the whole `open_alerts` array
};

// Prepares a session's text (once per data change).
BoardSessionText board_session_text(const storage::BoardSession& s,
                                    std::vector<storage::PumpClockEvent> events);
// patient -> (open alerts, highest severity).
std::string board_open_alerts_text(
    const std::map<std::int64_t, std::pair<std::int64_t, std::string>>& open);

// Infused time: the pump ran from each start or resume to the next pause or stop (or to now while
// it still runs). Events entered in error are left out.
std::int64_t infused_ms(const std::vector<storage::PumpClockEvent>& events, std::int64_t now_ms);

// The whole answer at `now_ms`.
std::string render_board(const BoardRows& rows, const std::string& date, std::int64_t now_ms);

}  // namespace kit::server
