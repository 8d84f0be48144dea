// GET /api/v1/board?date=YYYY-MM-DD: the day's chair board for every staff role, the front desk
// included. The front desk may not read infusion sessions or alert texts (clinical data), yet the
// board must say where each patient is: so this route gives, for each appointment of the day that
// has an infusion session, only the session's state and its clock (started, infused time so far,
// planned duration, stopped) and, per patient, how many alerts are open and the highest severity.
// No dose, rate, vital sign or alert text leaves here.
#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "core/common/error.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/api/snapshot_cache.h"
#include "server/resources/board_render.h"
#include "server/resources/journey_common.h"
#include "server/resources/modules.h"
#include "storage/stores/account_store.h"
#include "storage/stores/assessment_store.h"
#include "storage/stores/infusion_store.h"
#include "storage/stores/scheduling_store.h"

namespace kit::server {

namespace {

int severity_rank(const std::string& s) {
  if (s == "critical") return 3;
  if (s == "high") return 2;
  if (s == "moderate") return 1;
  return 0;
}

// What the board reads of the database for one day, prepared for rendering (board_render.h).
BoardRows read_board_rows(storage::Transaction& tx, const std::string& date) {
  // Only the columns the board shows are read (the board is refreshed by every chair-side screen;
  // a session's plan alone is several kB).
  const std::vector<storage::DayBooking> appointments =
      storage::SchedulingStore(tx).day_bookings(date, 1000);
  std::set<std::int64_t> patients;
  std::set<std::int64_t> appointment_ids;
  for (const storage::DayBooking& a : appointments) {
    if (a.status == "cancelled") continue;
    patients.insert(a.patient_id);
    appointment_ids.insert(a.id);
  }
  storage::InfusionStore infusions(tx);
  // One query per kind for the whole day (sessions, their pump events, open alerts), not one per
  // patient.
  std::vector<storage::BoardSession> shown;
  std::vector<std::int64_t> shown_ids;
  for (storage::BoardSession& s : infusions.board_sessions_of_appointments(
           std::vector<std::int64_t>(appointment_ids.begin(), appointment_ids.end()))) {
    if (!s.appointment_id || patients.count(s.patient_id) == 0) continue;
    if (s.state == "voided") continue;
    shown_ids.push_back(s.id);
    shown.push_back(std::move(s));
  }
  std::map<std::int64_t, std::vector<storage::PumpClockEvent>> events =
      infusions.pump_clock_of(shown_ids);
  BoardRows out;
  for (const storage::BoardSession& s : shown) {
    auto ev = events.find(s.id);
    out.sessions.push_back(board_session_text(
        s, ev == events.end() ? std::vector<storage::PumpClockEvent>{} : std::move(ev->second)));
  }
  std::map<std::int64_t, std::pair<std::int64_t, std::string>> open;  // patient -> count, highest
  for (const auto& [patient_id, severity] : storage::AssessmentStore(tx).open_alert_severities(
           std::vector<std::int64_t>(patients.begin(), patients.end()))) {
    auto& [count, highest] = open[patient_id];
    ++count;
    if (severity_rank(severity) > severity_rank(highest)) highest = severity;
  }
  out.open_alerts = board_open_alerts_text(open);
  return out;
}

Response board(RouteContext& ctx) {
  const Request& req = ctx.request();
  auto it = req.query.find("date");
  if (it == req.query.end()) throw kit::InputError("date", "is required (YYYY-MM-DD)");
  journey::require_date(it->second, "date");
  const std::string& date = it->second;
  storage::Transaction& tx = ctx.tx();
  // The generation is read first, in the same snapshot as everything below (the cache's rule).
  const std::optional<std::int64_t> generation = tx.data_generation();
  SnapshotCache& cache = ctx.services().snapshot_cache();
  const std::string key = "board:" + date;
  std::shared_ptr<const BoardRows> rows = cache.find<BoardRows>(key, generation);
  if (!rows) {
    auto fresh = std::make_shared<const BoardRows>(read_board_rows(tx, date));
    cache.store(key, generation, fresh);
    rows = std::move(fresh);
  }
  Response r;
  r.status = 200;
  r.content_type = "application/json";
  r.body = render_board(*rows, date, ctx.services().now_ms());
  return r;
}

// Who can be booked with a patient: the active physician and nurse accounts (id, username, role),
// for the front desk's booking form (GET /users is the admin's and lists every account).
Response clinicians(RouteContext& ctx) {
  nlohmann::json out = nlohmann::json::array();
  for (const storage::User& u : storage::AccountStore(ctx.tx()).users()) {
    if (u.disabled || (u.role != "physician" && u.role != "nurse")) continue;
    out.push_back({{"id", u.id}, {"username", u.username}, {"role", u.role}});
  }
  return json_response({{"clinicians", out}});
}

}  // namespace

void register_board_routes(Router& router) {
  router.add({"GET", "/api/v1/board",
              "The day's chair board (?date=): per appointment its infusion session's state and "
              "clock, per patient the count of open alerts (no clinical values)",
              "scheduling", access_staff(), true, board, 200});
  router.add({"GET", "/api/v1/clinicians",
              "Active physician and nurse accounts (id, username, role) to book with a patient",
              "scheduling", access_staff(), false, clinicians, 200});
}

}  // namespace kit::server
