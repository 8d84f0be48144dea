// Infusion sessions at the chair: the dose plan from the core calculator, pump events and the
// delivered dose, the PK curve of what was actually given, vitals with alerts, adverse events,
// dissociation (CADSS) and discharge (Aldrete). Rules and sources: docs/api-chair.md.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/dosing_api.h"
#include "app/instruments_api.h"
#include "app/json_reader.h"
#include "app/pk_api.h"
#include "app/safety_api.h"
#include "core/common/error.h"
#include "core/dosing/drug_library.h"
#include "core/dosing/names.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/resources/chair_common.h"
#include "server/resources/modules.h"

namespace kit::server {

namespace {

using nlohmann::json;

// Vital signs are due at baseline, every kVitalsIntervalMin during the infusion, at its end and
// before discharge. Policy: the issue names baseline, 40 min and discharge as fixed points; the
// 15-minute interval in between is a clinic default (no published interval in the reference).
constexpr double kVitalsIntervalMin = 15.0;
constexpr const char* kDefaultPkModel = "domino1982";

constexpr const char* kSessionColumns =
    "id, patient_id, course_id, appointment_id, protocol_id, lot_id, plan_request_json, plan_json, "
    "plan_status, concentration_mg_per_ml, dosing_weight_kg, planned_dose_mg, "
    "planned_rate_ml_per_h, planned_duration_min, override_reason, override_physician_id, state, "
    "delivered_mg, started_at_ms, stopped_at_ms, created_by, created_at_ms, updated_at_ms, version";

double round6(double v) { return std::round(v * 1e6) / 1e6; }

json opt_iso_json(const std::optional<std::int64_t>& ms) {
  return ms ? json(iso8601_ms(*ms)) : json(nullptr);
}
json opt_json(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }
json opt_json(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
json opt_json(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

storage::Row load_session(storage::Transaction& tx, std::int64_t id) {
  storage::Rows rows = tx.query(
      std::string("SELECT ") + kSessionColumns + " FROM infusion_sessions WHERE id = $1", {id});
  if (rows.empty()) throw ApiError::not_found("session");
  return rows.front();
}

// Loads the session of {id} and records its patient for the audit log and the patient rule.
storage::Row session_for(RouteContext& ctx) {
  storage::Row row = load_session(ctx.tx(), ctx.id_param("id"));
  ctx.require_patient_access(row.i64("patient_id"));
  return row;
}

// ---------------------------------------------------------------------------------------------
// Pump events -> delivered dose

struct PumpEvent {
  std::string kind;
  std::optional<double> rate_ml_per_h;
  std::int64_t at_ms = 0;
};

struct Interval {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  double rate_ml_per_h = 0;
  bool open = false;  // still running: ends "now"
};

struct Delivery {
  std::vector<Interval> intervals;
  double mg = 0;
  double ml = 0;
  bool running = false;
};

std::vector<PumpEvent> load_events(storage::Transaction& tx, std::int64_t session_id) {
  std::vector<PumpEvent> out;
  for (const storage::Row& r :
       tx.query("SELECT kind, rate_ml_per_h, at_ms FROM session_events WHERE session_id = $1 "
                "ORDER BY at_ms, id",
                {session_id})) {
    out.push_back({r.text("kind"), r.opt_f64("rate_ml_per_h"), r.i64("at_ms")});
  }
  return out;
}

// The pump ran at each programmed rate from its event to the next event; an infusion still
// running is counted up to `now_ms`. mg = mL/h x h x mg/mL, summed over the intervals.
Delivery deliver(const std::vector<PumpEvent>& events, double concentration, std::int64_t now_ms) {
  Delivery d;
  bool running = false;
  double rate = 0;
  std::int64_t since = 0;
  auto close = [&](std::int64_t until, bool open) {
    if (!running || until <= since) return;
    d.intervals.push_back({since, until, rate, open});
  };
  for (const PumpEvent& e : events) {
    close(e.at_ms, false);
    if (e.kind == "start" || e.kind == "resume" || e.kind == "rate_change") {
      running = true;
      rate = e.rate_ml_per_h.value_or(0);
      since = e.at_ms;
    } else {
      running = false;
    }
  }
  close(std::max(now_ms, since), true);
  d.running = running;
  for (const Interval& i : d.intervals) {
    // Multiply before dividing: 52.5 mL/h for 2,400,000 ms is exactly 35 mL.
    const double ml = i.rate_ml_per_h * static_cast<double>(i.end_ms - i.start_ms) / 3'600'000.0;
    d.ml += ml;
    d.mg += ml * concentration;
  }
  d.mg = round6(d.mg);
  d.ml = round6(d.ml);
  return d;
}

json delivery_json(const Delivery& d, double concentration) {
  json intervals = json::array();
  for (const Interval& i : d.intervals) {
    const double ml = i.rate_ml_per_h * static_cast<double>(i.end_ms - i.start_ms) / 3'600'000.0;
    intervals.push_back({{"from", iso8601_ms(i.start_ms)},
                         {"to", iso8601_ms(i.end_ms)},
                         {"minutes", round6(static_cast<double>(i.end_ms - i.start_ms) / 60'000.0)},
                         {"rate_ml_per_h", i.rate_ml_per_h},
                         {"ml", round6(ml)},
                         {"mg", round6(ml * concentration)},
                         {"still_running", i.open}});
  }
  return intervals;
}

// ---------------------------------------------------------------------------------------------
// Rate checks by the core calculator

const dosing::Protocol& protocol_of(const std::string& id) {
  const dosing::Protocol* p = dosing::builtin_library().find(id);
  if (p == nullptr) throw std::runtime_error("stored protocol '" + id + "' is not in the library");
  return *p;
}

std::string failed_checks(const json& plan, const std::string& level) {
  std::string out;
  for (const json& c : plan.at("checks")) {
    if (c.at("passed").get<bool>() || c.at("limit").get<std::string>() != level) continue;
    std::string bound = c.at("bound").dump();
    out += (out.empty() ? "" : "; ") + c.at("quantity").get<std::string>() + " " +
           c.at("value").dump() + " " +
           (c.at("bound_type").get<std::string>() == "max" ? "above" : "below") + " the " + level +
           " " + c.at("bound_type").get<std::string>() + " " + bound;
  }
  return out;
}

// Asks the core calculator about a pump rate for this session's protocol, patient and
// preparation: the dose that rate would give over the protocol's duration is planned again and
// every limit is checked (the plan's own checks, so the same limits as at planning).
json check_rate(const storage::Row& session, double rate_ml_per_h) {
  const dosing::Protocol& p = protocol_of(session.text("protocol_id"));
  json req = chair::stored_json(session.text("plan_request_json"));
  for (const char* k :
       {"dose_mg_per_kg", "rate_mg_per_kg_per_h", "rate_mg_per_h", "override_reason"}) {
    req.erase(k);
  }
  const double mg_per_h = rate_ml_per_h * session.f64("concentration_mg_per_ml");
  const double weight = session.f64("dosing_weight_kg");
  switch (p.dose.kind) {
    case dosing::DoseKind::kPerKg:
      req["dose_mg_per_kg"] = mg_per_h * session.f64("planned_duration_min") / 60.0 / weight;
      break;
    case dosing::DoseKind::kPerKgPerHour:
      req["rate_mg_per_kg_per_h"] = mg_per_h / weight;
      break;
    case dosing::DoseKind::kFixedRatePerH:
      req["rate_mg_per_h"] = mg_per_h;
      break;
  }
  json plan = app::handle_dose(req).body;
  const json& programmed = plan.at("rate_ml_per_h");
  if (!programmed.is_number() || std::fabs(programmed.get<double>() - rate_ml_per_h) > 1e-6) {
    throw kit::InputError("rate_ml_per_h",
                          "must be a positive multiple of the pump's " +
                              json(dosing::builtin_library().pump().resolution.value()).dump() +
                              " mL/h step");
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------
// JSON views

json session_json(storage::Transaction& tx, const storage::Row& r, std::int64_t now_ms) {
  const std::int64_t id = r.i64("id");
  const double conc = r.f64("concentration_mg_per_ml");
  json events = json::array();
  for (const storage::Row& e : tx.query(
           "SELECT id, kind, rate_ml_per_h, checks_json, override_reason, override_physician_id, "
           "note, recorded_by, at_ms FROM session_events WHERE session_id = $1 ORDER BY at_ms, id",
           {id})) {
    events.push_back({{"id", e.i64("id")},
                      {"kind", e.text("kind")},
                      {"rate_ml_per_h", opt_json(e.opt_f64("rate_ml_per_h"))},
                      {"override_reason", opt_json(e.opt_text("override_reason"))},
                      {"override_physician_id", opt_json(e.opt_i64("override_physician_id"))},
                      {"note", e.text("note")},
                      {"recorded_by", e.i64("recorded_by")},
                      {"at", iso8601_ms(e.i64("at_ms"))}});
  }
  json vitals = json::array();
  for (const storage::Row& v : tx.query(
           "SELECT id, point, sbp_mmhg, dbp_mmhg, hr_bpm, spo2_percent, rr_per_min, consciousness, "
           "action, reasons_json, recorded_by, at_ms FROM session_vitals WHERE session_id = $1 "
           "ORDER BY at_ms, id",
           {id})) {
    vitals.push_back({{"id", v.i64("id")},
                      {"point", v.text("point")},
                      {"sbp_mmhg", opt_json(v.opt_f64("sbp_mmhg"))},
                      {"dbp_mmhg", opt_json(v.opt_f64("dbp_mmhg"))},
                      {"hr_bpm", opt_json(v.opt_f64("hr_bpm"))},
                      {"spo2_percent", opt_json(v.opt_f64("spo2_percent"))},
                      {"rr_per_min", opt_json(v.opt_f64("rr_per_min"))},
                      {"consciousness", opt_json(v.opt_text("consciousness"))},
                      {"action", v.text("action")},
                      {"reasons", chair::stored_json(v.text("reasons_json"))},
                      {"recorded_by", v.i64("recorded_by")},
                      {"at", iso8601_ms(v.i64("at_ms"))}});
  }
  json adverse = json::array();
  for (const storage::Row& a :
       tx.query("SELECT id, kind, severity, description, action_taken, recorded_by, at_ms "
                "FROM adverse_events WHERE session_id = $1 ORDER BY at_ms, id",
                {id})) {
    adverse.push_back({{"id", a.i64("id")},
                       {"kind", a.text("kind")},
                       {"severity", a.text("severity")},
                       {"description", a.text("description")},
                       {"action_taken", a.text("action_taken")},
                       {"recorded_by", a.i64("recorded_by")},
                       {"at", iso8601_ms(a.i64("at_ms"))}});
  }
  json dissociation = json::array();
  for (const storage::Row& a :
       tx.query("SELECT id, total, band, at_ms FROM assessments WHERE session_id = $1 AND "
                "instrument = 'cadss' ORDER BY at_ms, id",
                {id})) {
    dissociation.push_back({{"assessment_id", a.i64("id")},
                            {"instrument", "cadss"},
                            {"total", a.f64("total")},
                            {"at", iso8601_ms(a.i64("at_ms"))}});
  }
  json discharge = nullptr;
  for (const storage::Row& d :
       tx.query("SELECT result_json, aldrete_score, ready, override_reason, override_physician_id, "
                "recorded_by, at_ms FROM session_discharges WHERE session_id = $1",
                {id})) {
    discharge = {{"result", chair::stored_json(d.text("result_json"))},
                 {"aldrete_score", d.i64("aldrete_score")},
                 {"ready", d.i64("ready") == 1},
                 {"override_reason", opt_json(d.opt_text("override_reason"))},
                 {"override_physician_id", opt_json(d.opt_i64("override_physician_id"))},
                 {"recorded_by", d.i64("recorded_by")},
                 {"at", iso8601_ms(d.i64("at_ms"))}};
  }
  const Delivery delivery = deliver(load_events(tx, id), conc, now_ms);
  // Vitals schedule (minutes from the start): baseline before, every interval, the end.
  const double duration = r.f64("planned_duration_min");
  json due = json::array({"baseline"});
  for (double t = kVitalsIntervalMin; t < duration - 1e-9; t += kVitalsIntervalMin)
    due.push_back(t);
  due.push_back(duration);
  due.push_back("discharge");
  const std::string state = r.text("state");
  return {{"id", id},
          {"patient_id", r.i64("patient_id")},
          {"course_id", opt_json(r.opt_i64("course_id"))},
          {"appointment_id", opt_json(r.opt_i64("appointment_id"))},
          {"protocol", r.text("protocol_id")},
          {"lot_id", opt_json(r.opt_i64("lot_id"))},
          {"plan", chair::stored_json(r.text("plan_json"))},
          {"plan_status", r.text("plan_status")},
          {"concentration_mg_per_ml", conc},
          {"dosing_weight_kg", r.f64("dosing_weight_kg")},
          {"planned_dose_mg", r.f64("planned_dose_mg")},
          {"planned_rate_ml_per_h", r.f64("planned_rate_ml_per_h")},
          {"planned_duration_min", duration},
          {"override", r.opt_text("override_reason")
                           ? json{{"reason", r.text("override_reason")},
                                  {"physician_user_id", r.i64("override_physician_id")}}
                           : json(nullptr)},
          {"state", state},
          {"delivered_mg",
           state == "running" || state == "paused" ? delivery.mg : r.f64("delivered_mg")},
          {"started_at", opt_iso_json(r.opt_i64("started_at_ms"))},
          {"stopped_at", opt_iso_json(r.opt_i64("stopped_at_ms"))},
          {"events", events},
          {"vitals", vitals},
          {"vitals_schedule",
           {{"due_minutes_from_start", due},
            {"interval_min", kVitalsIntervalMin},
            {"basis",
             "policy: baseline, end of infusion and discharge are fixed points (issue 4); the "
             "interval between is a clinic default"}}},
          {"adverse_events", adverse},
          {"dissociation", dissociation},
          {"discharge", discharge},
          {"created_by", r.i64("created_by")},
          {"created_at", iso8601_ms(r.i64("created_at_ms"))},
          {"updated_at", iso8601_ms(r.i64("updated_at_ms"))},
          {"version", r.i64("version")}};
}

Response session_response(RouteContext& ctx, std::int64_t id, int status = 200) {
  storage::Row row = load_session(ctx.tx(), id);
  return json_response_with_etag(session_json(ctx.tx(), row, ctx.services().now_ms()),
                                 row.i64("version"), status);
}

// ---------------------------------------------------------------------------------------------
// Handlers

bool is_physician(const RouteContext& ctx) { return ctx.user().role == Role::physician; }

std::optional<std::string> override_reason_of(app::ObjectReader& r) {
  auto text = r.optional_string("override_reason");
  if (text && !chair::optional_text(text, "override_reason")) {
    throw kit::InputError("override_reason", "must document the reason (empty text given)");
  }
  return chair::optional_text(text, "override_reason");
}

Response create_session(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  const json body = parse_body(ctx.request());
  app::ObjectReader r(body, "");
  std::optional<std::string> protocol = r.optional_string("protocol");
  const auto course_id = r.optional_integer("course_id");
  const auto appointment_id = r.optional_integer("appointment_id");
  const auto lot_id = r.optional_integer("lot_id");
  const json& preparation = r.value("preparation");
  json dose_request = {{"preparation", preparation}};
  for (const char* k : {"dose_mg_per_kg", "rate_mg_per_kg_per_h", "rate_mg_per_h"}) {
    if (const json* v = r.optional_value(k)) dose_request[k] = *v;
  }
  const auto override_reason = override_reason_of(r);
  r.finish();

  storage::Transaction& tx = ctx.tx();
  const std::int64_t now = ctx.services().now_ms();
  const json patient = chair::dosing_patient(tx, patient_id, now);
  if (course_id) {
    storage::Rows c =
        tx.query("SELECT protocol_id, state FROM courses WHERE id = $1 AND patient_id = $2",
                 {static_cast<std::int64_t>(*course_id), patient_id});
    if (c.empty()) throw ApiError::bad_request("course_id", "no such course for this patient");
    const std::string st = c.front().text("state");
    if (st == "completed" || st == "stopped") {
      throw ApiError::rule_refused("the course is " + st + "; no further sessions", "course_id");
    }
    if (!protocol) protocol = c.front().text("protocol_id");
  }
  if (!protocol) throw kit::InputError("protocol", "is required (or give course_id)");
  if (appointment_id && tx.query("SELECT id FROM appointments WHERE id = $1 AND patient_id = $2",
                                 {static_cast<std::int64_t>(*appointment_id), patient_id})
                            .empty()) {
    throw ApiError::bad_request("appointment_id", "no such appointment for this patient");
  }
  if (lot_id) {
    storage::Rows l = tx.query("SELECT expiry_date, active FROM stock_lots WHERE id = $1",
                               {static_cast<std::int64_t>(*lot_id)});
    if (l.empty()) throw ApiError::bad_request("lot_id", "no such lot");
    if (l.front().i64("active") != 1) throw ApiError::rule_refused("the lot is retired", "lot_id");
    if (l.front().text("expiry_date") < chair::iso_date(now)) {
      throw ApiError::rule_refused("the lot expired on " + l.front().text("expiry_date"), "lot_id");
    }
  }
  if (const dosing::Protocol* p = dosing::builtin_library().find(*protocol);
      p != nullptr && p->route != dosing::Route::kIvInfusion) {
    throw ApiError::rule_refused("protocol '" + *protocol + "' is " +
                                     std::string(dosing::to_string(p->route)) +
                                     "; infusion sessions are for pumped IV infusions",
                                 "protocol");
  }
  dose_request["protocol"] = *protocol;
  dose_request["patient"] = patient;
  if (override_reason) dose_request["override_reason"] = *override_reason;
  const app::DoseResponse dose = app::handle_dose(dose_request);
  const json& plan = dose.body;
  const std::string status = plan.at("status").get<std::string>();
  if (status == "refused") {
    throw ApiError::rule_refused(
        "the dose breaks a hard limit and cannot be given: " + failed_checks(plan, "hard"), "dose");
  }
  if (status == "needs_override") {
    throw ApiError::rule_refused("the dose is outside a soft limit (" +
                                     failed_checks(plan, "soft") +
                                     "): a physician must give override_reason",
                                 "override_reason");
  }
  const bool overridden = plan.at("override_applied").get<bool>();
  if (overridden && !is_physician(ctx)) {
    throw ApiError::rule_refused(
        "only a physician may approve a soft-limit override (" + failed_checks(plan, "soft") + ")",
        "override_reason");
  }
  json stored_request = dose_request;
  stored_request.erase("override_reason");
  storage::Rows rows = tx.query(
      "INSERT INTO infusion_sessions (patient_id, course_id, appointment_id, protocol_id, lot_id, "
      "plan_request_json, plan_json, plan_status, concentration_mg_per_ml, dosing_weight_kg, "
      "planned_dose_mg, planned_rate_ml_per_h, planned_duration_min, override_reason, "
      "override_physician_id, state, delivered_mg, created_by, created_at_ms, updated_at_ms, "
      "version) VALUES ($1, $2, $3, $4, $5, $6, $7, 'accepted', $8, $9, $10, $11, $12, $13, $14, "
      "'planned', 0, $15, $16, $16, 1) RETURNING id",
      {patient_id,
       chair::opt_value(course_id ? std::optional<std::int64_t>(*course_id) : std::nullopt),
       chair::opt_value(appointment_id ? std::optional<std::int64_t>(*appointment_id)
                                       : std::nullopt),
       *protocol, chair::opt_value(lot_id ? std::optional<std::int64_t>(*lot_id) : std::nullopt),
       stored_request.dump(), plan.dump(), plan.at("concentration_mg_per_ml").get<double>(),
       plan.at("dosing_weight_kg").get<double>(), plan.at("dose_mg").get<double>(),
       plan.at("rate_ml_per_h").get<double>(), plan.at("duration_min").get<double>(),
       overridden ? storage::Value(*override_reason) : storage::null(),
       overridden ? storage::Value(ctx.user().user_id) : storage::null(), ctx.user().user_id, now});
  return session_response(ctx, rows.front().i64("id"), 201);
}

Response list_sessions(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  chair::require_patient(ctx.tx(), patient_id);
  json out = json::array();
  for (const storage::Row& r :
       ctx.tx().query("SELECT id, course_id, protocol_id, state, planned_dose_mg, delivered_mg, "
                      "started_at_ms, stopped_at_ms, created_at_ms, version FROM infusion_sessions "
                      "WHERE patient_id = $1 ORDER BY id",
                      {patient_id})) {
    out.push_back({{"id", r.i64("id")},
                   {"course_id", opt_json(r.opt_i64("course_id"))},
                   {"protocol", r.text("protocol_id")},
                   {"state", r.text("state")},
                   {"planned_dose_mg", r.f64("planned_dose_mg")},
                   {"delivered_mg", r.f64("delivered_mg")},
                   {"started_at", opt_iso_json(r.opt_i64("started_at_ms"))},
                   {"stopped_at", opt_iso_json(r.opt_i64("stopped_at_ms"))},
                   {"created_at", iso8601_ms(r.i64("created_at_ms"))},
                   {"version", r.i64("version")}});
  }
  return json_response(out);
}

Response get_session(RouteContext& ctx) {
  storage::Row row = session_for(ctx);
  return json_response_with_etag(session_json(ctx.tx(), row, ctx.services().now_ms()),
                                 row.i64("version"));
}

Response post_event(RouteContext& ctx) {
  storage::Row s = session_for(ctx);
  const std::int64_t id = s.i64("id");
  ctx.require_if_match(s.i64("version"));
  const json body = parse_body(ctx.request());
  app::ObjectReader r(body, "");
  const std::string kind = r.string("kind");
  auto rate = r.optional_number("rate_ml_per_h");
  const auto at_ms = r.optional_integer("at_ms");
  const auto override_reason = override_reason_of(r);
  const std::string note = chair::optional_text(r.optional_string("note"), "note").value_or("");
  r.finish();

  const std::string state = s.text("state");
  const bool takes_rate = kind == "start" || kind == "resume" || kind == "rate_change";
  if (!takes_rate && kind != "pause" && kind != "stop") {
    throw kit::InputError("kind", "must be start, pause, resume, rate_change or stop");
  }
  if (!takes_rate && rate)
    throw kit::InputError("rate_ml_per_h", "is only for start, resume, rate_change");
  const std::string want = kind == "start"                            ? "planned"
                           : kind == "resume"                         ? "paused"
                           : kind == "pause" || kind == "rate_change" ? "running"
                                                                      : "running|paused";
  if (want.find(state) == std::string::npos || state.empty()) {
    throw ApiError::conflict("cannot " + kind + " a session that is " + state, "kind");
  }

  storage::Transaction& tx = ctx.tx();
  const std::int64_t now = ctx.services().now_ms();
  const std::int64_t at = chair::event_time(at_ms, "at_ms", now);
  const std::vector<PumpEvent> events = load_events(tx, id);
  if (!events.empty() && at < events.back().at_ms) {
    throw kit::InputError(
        "at_ms", "must not be before the previous event (" + iso8601_ms(events.back().at_ms) + ")");
  }

  json checks = nullptr;
  bool overridden = false;
  if (takes_rate) {
    if (!rate) {
      if (kind == "rate_change") throw kit::InputError("rate_ml_per_h", "is required");
      double last = s.f64("planned_rate_ml_per_h");
      for (const PumpEvent& e : events) {
        if (e.rate_ml_per_h) last = *e.rate_ml_per_h;
      }
      rate = kind == "start" ? s.f64("planned_rate_ml_per_h") : last;
    }
    if (!(*rate > 0) || !std::isfinite(*rate))
      throw kit::InputError("rate_ml_per_h", "must be > 0");
    const json plan = check_rate(s, *rate);
    checks = plan.at("checks");
    const std::string status = plan.at("status").get<std::string>();
    if (status == "refused") {
      throw ApiError::rule_refused("rate " + json(*rate).dump() +
                                       " mL/h breaks a hard limit: " + failed_checks(plan, "hard"),
                                   "rate_ml_per_h");
    }
    // A soft breach is fine at or below the rate the plan was approved at (slowing is a safety
    // action); above it, a physician must document the reason.
    if (status == "needs_override" && *rate > s.f64("planned_rate_ml_per_h") + 1e-9) {
      if (!override_reason) {
        throw ApiError::rule_refused(
            "rate " + json(*rate).dump() + " mL/h is outside a soft limit (" +
                failed_checks(plan, "soft") + "): a physician must give override_reason",
            "override_reason");
      }
      if (!is_physician(ctx)) {
        throw ApiError::rule_refused("only a physician may approve a soft-limit override",
                                     "override_reason");
      }
      overridden = true;
    }
  }

  tx.exec(
      "INSERT INTO session_events (session_id, kind, rate_ml_per_h, checks_json, override_reason, "
      "override_physician_id, note, recorded_by, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
      "$9)",
      {id, kind, chair::opt_value(rate),
       checks.is_null() ? storage::null() : storage::Value(checks.dump()),
       overridden ? storage::Value(*override_reason) : storage::null(),
       overridden ? storage::Value(ctx.user().user_id) : storage::null(), note, ctx.user().user_id,
       at});
  const std::string next = kind == "pause" ? "paused" : kind == "stop" ? "stopped" : "running";
  const Delivery d = deliver(load_events(tx, id), s.f64("concentration_mg_per_ml"), at);
  const std::int64_t changed = tx.exec(
      "UPDATE infusion_sessions SET state = $2, delivered_mg = $3, "
      "started_at_ms = COALESCE(started_at_ms, $4), stopped_at_ms = $5, updated_at_ms = $6, "
      "version = version + 1 WHERE id = $1 AND version = $7",
      {id, next, d.mg, kind == "start" ? storage::Value(at) : storage::null(),
       kind == "stop" ? storage::Value(at) : storage::null(), now, s.i64("version")});
  if (changed != 1) throw ApiError::precondition_failed();
  return session_response(ctx, id, 201);
}

Response get_delivered(RouteContext& ctx) {
  storage::Row s = session_for(ctx);
  const double conc = s.f64("concentration_mg_per_ml");
  const std::int64_t now = ctx.services().now_ms();
  const Delivery d = deliver(load_events(ctx.tx(), s.i64("id")), conc, now);
  const double planned = s.f64("planned_dose_mg");
  return json_response({{"session_id", s.i64("id")},
                        {"state", s.text("state")},
                        {"delivered_mg", d.mg},
                        {"delivered_ml", d.ml},
                        {"delivered_mg_per_kg", round6(d.mg / s.f64("dosing_weight_kg"))},
                        {"planned_dose_mg", planned},
                        {"remaining_mg", round6(std::max(0.0, planned - d.mg))},
                        {"above_plan", d.mg > planned + 1e-6},
                        {"concentration_mg_per_ml", conc},
                        {"running", d.running},
                        {"as_of", iso8601_ms(now)},
                        {"intervals", delivery_json(d, conc)},
                        {"method",
                         "sum over pump intervals of rate_ml_per_h x hours x "
                         "concentration_mg_per_ml (a running pump counts up to as_of)"}});
}

Response get_pk(RouteContext& ctx) {
  storage::Row s = session_for(ctx);
  const double conc = s.f64("concentration_mg_per_ml");
  const std::int64_t now = ctx.services().now_ms();
  const Delivery d = deliver(load_events(ctx.tx(), s.i64("id")), conc, now);
  if (d.intervals.empty()) {
    throw ApiError::rule_refused("the infusion has not run yet: no drug was given", "events");
  }
  const std::int64_t t0 = d.intervals.front().start_ms;
  json doses = json::array();
  for (const Interval& i : d.intervals) {
    const double mg =
        i.rate_ml_per_h * static_cast<double>(i.end_ms - i.start_ms) / 3'600'000.0 * conc;
    doses.push_back({{"start_min", static_cast<double>(i.start_ms - t0) / 60'000.0},
                     {"duration_min", static_cast<double>(i.end_ms - i.start_ms) / 60'000.0},
                     {"amount_mg", mg}});
  }
  const double last_end = static_cast<double>(d.intervals.back().end_ms - t0) / 60'000.0;
  std::string model = kDefaultPkModel;
  if (auto it = ctx.request().query.find("model"); it != ctx.request().query.end()) {
    model = it->second;
  }
  const double end_min =
      static_cast<double>(query_int(ctx.request(), "end_min", 1, 60 * 24 * 7)
                              .value_or(static_cast<std::int64_t>(std::ceil(last_end)) + 120));
  const double step_min =
      static_cast<double>(query_int(ctx.request(), "step_min", 1, 60).value_or(1));
  json patient = chair::dosing_patient(ctx.tx(), s.i64("patient_id"), now);
  json request = {{"model", model},
                  {"patient", patient},
                  {"doses", doses},
                  {"end_min", end_min},
                  {"step_min", step_min}};
  json out;
  try {
    out = app::handle_pk_simulate(request);
  } catch (const kit::InputError& e) {
    if (e.field().rfind("patient", 0) == 0) {
      throw ApiError::rule_refused("model " + model + " does not fit this patient (" + e.field() +
                                       ": " + e.reason() + "); choose another with ?model=",
                                   "model");
    }
    throw;
  }
  out["session_id"] = s.i64("id");
  out["time_zero"] = iso8601_ms(t0);
  out["doses"] = doses;
  out["delivered_mg"] = d.mg;
  return json_response(out);
}

std::string vitals_message(const std::string& point, const json& assessed) {
  std::string why;
  for (const json& reason : assessed.at("reasons")) {
    why += (why.empty() ? "" : "; ") + reason.at("vital").get<std::string>() + " " +
           reason.at("value").dump() + " " + reason.at("comparison").get<std::string>() + " " +
           reason.at("limit").dump() + " -> " + reason.at("action").get<std::string>();
  }
  return "vital signs (" + point + "): action " + assessed.at("action").get<std::string>() + " (" +
         why + ")";
}

Response post_vitals(RouteContext& ctx) {
  storage::Row s = session_for(ctx);
  const std::int64_t id = s.i64("id");
  if (s.text("state") == "completed") {
    throw ApiError::conflict("the session is completed (discharged)", "state");
  }
  const json body = parse_body(ctx.request());
  app::ObjectReader r(body, "");
  const std::string point = r.string("point");
  if (point != "baseline" && point != "interval" && point != "end_of_infusion" &&
      point != "recovery" && point != "discharge") {
    throw kit::InputError("point",
                          "must be baseline, interval, end_of_infusion, recovery or discharge");
  }
  json reading = json::object();
  for (const char* k : {"sbp_mmhg", "dbp_mmhg", "hr_bpm", "spo2_percent", "rr_per_min"}) {
    if (auto v = r.optional_number(k)) reading[k] = *v;
  }
  auto consciousness = r.optional_string("consciousness");
  if (consciousness) reading["consciousness"] = *consciousness;
  const auto at_ms = r.optional_integer("at_ms");
  r.finish();
  storage::Transaction& tx = ctx.tx();
  const std::int64_t now = ctx.services().now_ms();
  const std::int64_t at = chair::event_time(at_ms, "at_ms", now);
  json request = reading;
  if (point != "baseline") {
    storage::Rows base = tx.query(
        "SELECT sbp_mmhg, dbp_mmhg FROM session_vitals WHERE session_id = $1 AND point = "
        "'baseline' ORDER BY at_ms DESC, id DESC LIMIT 1",
        {id});
    if (!base.empty()) {
      json b = json::object();
      if (auto v = base.front().opt_f64("sbp_mmhg")) b["sbp_mmhg"] = *v;
      if (auto v = base.front().opt_f64("dbp_mmhg")) b["dbp_mmhg"] = *v;
      if (!b.empty()) request["baseline"] = b;
    }
  }
  const json assessed = app::handle_vitals(request);  // the core's thresholds (default policy)
  const std::string action = assessed.at("action").get<std::string>();
  storage::Rows rows = tx.query(
      "INSERT INTO session_vitals (session_id, point, sbp_mmhg, dbp_mmhg, hr_bpm, spo2_percent, "
      "rr_per_min, consciousness, action, reasons_json, recorded_by, at_ms) VALUES ($1, $2, $3, "
      "$4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
      {id, point,
       chair::opt_value(reading.contains("sbp_mmhg")
                            ? std::optional<double>(reading["sbp_mmhg"].get<double>())
                            : std::nullopt),
       chair::opt_value(reading.contains("dbp_mmhg")
                            ? std::optional<double>(reading["dbp_mmhg"].get<double>())
                            : std::nullopt),
       chair::opt_value(reading.contains("hr_bpm")
                            ? std::optional<double>(reading["hr_bpm"].get<double>())
                            : std::nullopt),
       chair::opt_value(reading.contains("spo2_percent")
                            ? std::optional<double>(reading["spo2_percent"].get<double>())
                            : std::nullopt),
       chair::opt_value(reading.contains("rr_per_min")
                            ? std::optional<double>(reading["rr_per_min"].get<double>())
                            : std::nullopt),
       chair::opt_value(consciousness), action, assessed.at("reasons").dump(), ctx.user().user_id,
       at});
  const std::int64_t vitals_id = rows.front().i64("id");
  json alert = nullptr;
  if (action != "continue") {
    const std::string severity = action == "slow"             ? "moderate"
                                 : action == "call_physician" ? "critical"
                                                              : "high";
    const std::int64_t alert_id =
        chair::raise_alert(tx, s.i64("patient_id"), id, std::nullopt, "vitals",
                           vitals_message(point, assessed), severity, now);
    alert = {{"id", alert_id}, {"severity", severity}};
  }
  return json_response({{"id", vitals_id},
                        {"session_id", id},
                        {"point", point},
                        {"at", iso8601_ms(at)},
                        {"reading", reading},
                        {"action", action},
                        {"reasons", assessed.at("reasons")},
                        {"policy", assessed.at("policy")},
                        {"alert", alert}},
                       201);
}

Response post_adverse_event(RouteContext& ctx) {
  storage::Row s = session_for(ctx);
  const json body = parse_body(ctx.request());
  app::ObjectReader r(body, "");
  const std::string kind = r.string("kind");
  const std::string severity = r.string("severity");
  const std::string description =
      chair::optional_text(r.optional_string("description"), "description").value_or("");
  const std::string action_taken =
      chair::optional_text(r.optional_string("action_taken"), "action_taken").value_or("");
  const auto at_ms = r.optional_integer("at_ms");
  r.finish();
  static const std::vector<std::string> kinds = {"hypertension",
                                                 "hypotension",
                                                 "tachycardia",
                                                 "bradycardia",
                                                 "desaturation",
                                                 "respiratory_depression",
                                                 "nausea",
                                                 "vomiting",
                                                 "emergence_reaction",
                                                 "excessive_dissociation",
                                                 "headache",
                                                 "dizziness",
                                                 "anxiety",
                                                 "allergic_reaction",
                                                 "other"};
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
    std::string list;
    for (const auto& k : kinds) list += (list.empty() ? "" : ", ") + k;
    throw kit::InputError("kind", "must be one of " + list);
  }
  if (severity != "mild" && severity != "moderate" && severity != "severe" &&
      severity != "life_threatening") {
    throw kit::InputError("severity", "must be mild, moderate, severe or life_threatening");
  }
  if (kind == "other" && description.empty()) {
    throw kit::InputError("description", "is required when kind is other");
  }
  const std::int64_t now = ctx.services().now_ms();
  const std::int64_t at = chair::event_time(at_ms, "at_ms", now);
  storage::Transaction& tx = ctx.tx();
  storage::Rows rows = tx.query(
      "INSERT INTO adverse_events (session_id, patient_id, kind, severity, description, "
      "action_taken, recorded_by, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
      {s.i64("id"), s.i64("patient_id"), kind, severity, description, action_taken,
       ctx.user().user_id, at});
  json alert = nullptr;
  if (severity != "mild") {
    const std::string alert_severity = severity == "moderate" ? "moderate"
                                       : severity == "severe" ? "high"
                                                              : "critical";
    const std::int64_t alert_id =
        chair::raise_alert(tx, s.i64("patient_id"), s.i64("id"), std::nullopt, "adverse_event",
                           "adverse event: " + kind + " (" + severity + ")" +
                               (description.empty() ? "" : ": " + description),
                           alert_severity, now);
    alert = {{"id", alert_id}, {"severity", alert_severity}};
  }
  return json_response({{"id", rows.front().i64("id")},
                        {"session_id", s.i64("id")},
                        {"kind", kind},
                        {"severity", severity},
                        {"description", description},
                        {"action_taken", action_taken},
                        {"at", iso8601_ms(at)},
                        {"alert", alert}},
                       201);
}

Response post_dissociation(RouteContext& ctx) {
  storage::Row s = session_for(ctx);
  const json body = parse_body(ctx.request());
  app::ObjectReader r(body, "");
  const json& answers = r.array("answers");
  const auto at_ms = r.optional_integer("at_ms");
  r.finish();
  const json scored = app::handle_score({{"instrument", "cadss"}, {"answers", answers}});
  const std::int64_t now = ctx.services().now_ms();
  const std::int64_t at = chair::event_time(at_ms, "at_ms", now);
  storage::Rows rows = ctx.tx().query(
      "INSERT INTO assessments (patient_id, course_id, session_id, instrument, answers_json, "
      "result_json, total, band, flags_json, self_report, taken_on, recorded_by, at_ms) VALUES "
      "($1, $2, $3, 'cadss', $4, $5, $6, NULL, $7, 0, $8, $9, $10) RETURNING id",
      {s.i64("patient_id"), chair::opt_value(s.opt_i64("course_id")), s.i64("id"), answers.dump(),
       scored.dump(), scored.at("total").get<double>(), scored.at("flags").dump(),
       chair::iso_date(at), ctx.user().user_id, at});
  json out = scored;
  out["id"] = rows.front().i64("id");
  out["session_id"] = s.i64("id");
  out["at"] = iso8601_ms(at);
  return json_response(out, 201);
}

Response post_discharge(RouteContext& ctx) {
  storage::Row s = session_for(ctx);
  const std::int64_t id = s.i64("id");
  ctx.require_if_match(s.i64("version"));
  json body = parse_body(ctx.request());
  if (!body.is_object()) throw ApiError::bad_request("body", "must be a JSON object");
  std::optional<std::string> override_reason;
  if (body.contains("override_reason")) {
    app::ObjectReader r(json{{"override_reason", body["override_reason"]}}, "");
    override_reason = override_reason_of(r);
    body.erase("override_reason");
  }
  const json result = app::handle_discharge(body);  // Aldrete (and RCEM) by the core
  if (s.text("state") != "stopped") {
    throw ApiError::conflict(
        "discharge follows the end of the infusion; the session is " + s.text("state"), "state");
  }
  const bool ready = result.at("ready_for_discharge").get<bool>();
  bool overridden = false;
  if (!ready) {
    if (!override_reason || !is_physician(ctx)) {
      throw ApiError::rule_refused("not ready for discharge (Aldrete " +
                                       result.at("aldrete").at("score").dump() +
                                       ", unmet: " + result.at("aldrete").at("unmet").dump() +
                                       "); only a physician may discharge with override_reason",
                                   "aldrete");
    }
    overridden = true;
  }
  storage::Transaction& tx = ctx.tx();
  const std::int64_t now = ctx.services().now_ms();
  tx.exec(
      "INSERT INTO session_discharges (session_id, request_json, result_json, aldrete_score, "
      "ready, override_reason, override_physician_id, recorded_by, at_ms) VALUES ($1, $2, $3, $4, "
      "$5, $6, $7, $8, $9)",
      {id, body.dump(), result.dump(), result.at("aldrete").at("score").get<std::int64_t>(),
       std::int64_t{ready ? 1 : 0}, overridden ? storage::Value(*override_reason) : storage::null(),
       overridden ? storage::Value(ctx.user().user_id) : storage::null(), ctx.user().user_id, now});
  const std::int64_t changed = tx.exec(
      "UPDATE infusion_sessions SET state = 'completed', updated_at_ms = $2, version = version + 1 "
      "WHERE id = $1 AND version = $3",
      {id, now, s.i64("version")});
  if (changed != 1) throw ApiError::precondition_failed();
  return session_response(ctx, id, 201);
}

}  // namespace

void register_session_routes(Router& router) {
  const Access clinical = access_roles({Role::physician, Role::nurse});
  router.add({"POST", "/api/v1/patients/{id}/sessions",
              "Plan an infusion session: the core dose calculator with the patient's record "
              "(hard limit: 422, nothing stored; soft limit: physician + override_reason)",
              "sessions", clinical, true, create_session, 201});
  router.add({"GET", "/api/v1/patients/{id}/sessions", "The patient's infusion sessions",
              "sessions", clinical, true, list_sessions, 200});
  router.add({"GET", "/api/v1/sessions/{id}",
              "One session: plan, events, vitals, adverse events, dissociation, discharge (ETag)",
              "sessions", clinical, true, get_session, 200});
  router.add({"POST", "/api/v1/sessions/{id}/events",
              "Pump event start|pause|resume|rate_change|stop (If-Match; rates re-checked by the "
              "core: hard limit 422)",
              "sessions", clinical, true, post_event, 201});
  router.add({"GET", "/api/v1/sessions/{id}/delivered",
              "Delivered dose from the pump events (rate x time x concentration)", "sessions",
              clinical, true, get_delivered, 200});
  router.add({"GET", "/api/v1/sessions/{id}/pk",
              "Predicted plasma and effect-site curve of the delivered events (?model=, "
              "default domino1982; ?end_min=, ?step_min=)",
              "sessions", clinical, true, get_pk, 200});
  router.add({"POST", "/api/v1/sessions/{id}/vitals",
              "Vital signs assessed by the core thresholds; an action other than continue "
              "raises an alert",
              "sessions", clinical, true, post_vitals, 201});
  router.add({"POST", "/api/v1/sessions/{id}/adverse-events",
              "Record an adverse event (moderate or worse raises an alert)", "sessions", clinical,
              true, post_adverse_event, 201});
  router.add({"POST", "/api/v1/sessions/{id}/dissociation", "CADSS dissociation score (core)",
              "sessions", clinical, true, post_dissociation, 201});
  router.add({"POST", "/api/v1/sessions/{id}/discharge",
              "Discharge on the Aldrete score (core); not ready: 422 unless a physician "
              "overrides with a reason (If-Match)",
              "sessions", clinical, true, post_discharge, 201});
}

}  // namespace kit::server
