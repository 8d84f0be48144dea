// Clinical entries on an infusion session: vital signs (assessed by the core's thresholds),
// adverse events, dissociation (CADSS), discharge (the core's discharge gates) and corrections of
// any entry (entered in error, or amended), which keep the original. After discharge only
// corrections are accepted. Rules and sources: docs/api-chair.md.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "contract/instruments_api.h"
#include "contract/json_reader.h"
#include "contract/safety_api.h"
#include "core/common/error.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/resources/chair_common.h"
#include "server/resources/infusion_common.h"
#include "server/resources/modules.h"
#include "server/resources/record_corrections.h"

namespace kit::server {

namespace {

using nlohmann::json;
using namespace infusion_routes;

const std::vector<std::string>& adverse_kinds() {
  // laryngospasm, emesis (vomiting), emergence reaction and hypoxia are the adverse events ACEP
  // names for ketamine sedation (docs/reference/pharmacology.md §3.6).
  static const std::vector<std::string> kinds = {
      "hypertension", "hypotension",  "tachycardia",       "bradycardia",
      "desaturation", "respiratory_depression",            "nausea",
      "vomiting",     "emergence_reaction",                "excessive_dissociation",
      "headache",     "dizziness",    "anxiety",           "allergic_reaction",
      "laryngospasm", "hypoxia",      "other"};
  return kinds;
}

void require_open_for_entries(const storage::InfusionSession& s) {
  if (!infusion::accepts_clinical_entries(*infusion::parse_state(s.state))) {
    throw ApiError::conflict("the session is " + s.state +
                                 ": new entries are refused (corrections are still accepted)",
                             "state");
  }
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

// ---- Vital signs ------------------------------------------------------------------------------

struct VitalInput {
  std::string point;
  json reading = json::object();
  std::optional<std::string> consciousness;
  std::optional<long long> at_ms;
};

VitalInput read_vital(const json& body) {
  contract::ObjectReader r(body, "");
  VitalInput v;
  v.point = r.string("point");
  if (v.point != "baseline" && v.point != "interval" && v.point != "end_of_infusion" &&
      v.point != "recovery" && v.point != "discharge") {
    throw InputError("point", "must be baseline, interval, end_of_infusion, recovery or discharge");
  }
  for (const char* k : {"sbp_mmhg", "dbp_mmhg", "hr_bpm", "spo2_percent", "rr_per_min"}) {
    if (auto x = r.optional_number(k)) v.reading[k] = *x;
  }
  v.consciousness = r.optional_string("consciousness");
  if (v.consciousness) v.reading["consciousness"] = *v.consciousness;
  v.at_ms = r.optional_integer("at_ms");
  r.finish();
  return v;
}

std::optional<double> num(const json& j, const char* k) {
  return j.contains(k) ? std::optional<double>(j.at(k).get<double>()) : std::nullopt;
}

// Assesses and stores one reading; raises an alert when the action is not `continue`.
json record_vital(RouteContext& ctx, storage::InfusionStore& store,
                  const storage::InfusionSession& s, const VitalInput& v,
                  std::optional<std::int64_t> amends_id) {
  const std::int64_t now = ctx.services().now_ms();
  const std::int64_t at = chair::event_time(v.at_ms, "at_ms", now);
  json request = v.reading;
  if (v.point != "baseline") {
    if (auto base = store.latest_baseline(s.id)) {
      json b = json::object();
      if (base->sbp_mmhg) b["sbp_mmhg"] = *base->sbp_mmhg;
      if (base->dbp_mmhg) b["dbp_mmhg"] = *base->dbp_mmhg;
      if (!b.empty()) request["baseline"] = b;
    }
  }
  const json assessed = contract::handle_vitals(request);  // the core's thresholds
  const std::string action = assessed.at("action").get<std::string>();
  json alert = nullptr;
  std::optional<std::int64_t> alert_id;
  if (action != "continue") {
    const std::string severity = action == "slow"             ? "moderate"
                                 : action == "call_physician" ? "critical"
                                                              : "high";
    alert_id = chair::raise_alert(ctx.tx(), s.patient_id, s.id, std::nullopt, "vitals",
                                  vitals_message(v.point, assessed), severity, now);
    alert = {{"id", *alert_id}, {"severity", severity}};
  }
  storage::StoredVital row;
  row.session_id = s.id;
  row.point = v.point;
  row.sbp_mmhg = num(v.reading, "sbp_mmhg");
  row.dbp_mmhg = num(v.reading, "dbp_mmhg");
  row.hr_bpm = num(v.reading, "hr_bpm");
  row.spo2_percent = num(v.reading, "spo2_percent");
  row.rr_per_min = num(v.reading, "rr_per_min");
  row.consciousness = v.consciousness;
  row.action = action;
  row.reasons_json = assessed.at("reasons").dump();
  row.alert_id = alert_id;
  row.amends_id = amends_id;
  row.recorded_by = ctx.user().user_id;
  row.at_ms = at;
  const std::int64_t id = store.insert_vital(row);
  return {{"id", id},
          {"session_id", s.id},
          {"point", v.point},
          {"at", iso8601_ms(at)},
          {"reading", v.reading},
          {"action", action},
          {"reasons", assessed.at("reasons")},
          {"policy", assessed.at("policy")},
          {"alert", alert},
          {"amends_id", amends_id ? json(*amends_id) : json(nullptr)}};
}

Response post_vitals(RouteContext& ctx) {
  const storage::InfusionSession s = session_for(ctx);
  require_open_for_entries(s);
  const VitalInput v = read_vital(parse_body(ctx.request()));
  storage::InfusionStore store(ctx.tx());
  return json_response(record_vital(ctx, store, s, v, std::nullopt), 201);
}

// ---- Adverse events ---------------------------------------------------------------------------

struct AdverseInput {
  std::string kind, severity, description, action_taken;
  std::optional<long long> at_ms;
};

AdverseInput read_adverse(const json& body) {
  contract::ObjectReader r(body, "");
  AdverseInput a;
  a.kind = r.string("kind");
  a.severity = r.string("severity");
  a.description = chair::optional_text(r.optional_string("description"), "description").value_or("");
  a.action_taken =
      chair::optional_text(r.optional_string("action_taken"), "action_taken").value_or("");
  a.at_ms = r.optional_integer("at_ms");
  r.finish();
  const auto& kinds = adverse_kinds();
  if (std::find(kinds.begin(), kinds.end(), a.kind) == kinds.end()) {
    std::string list;
    for (const auto& k : kinds) list += (list.empty() ? "" : ", ") + k;
    throw InputError("kind", "must be one of " + list);
  }
  if (a.severity != "mild" && a.severity != "moderate" && a.severity != "severe" &&
      a.severity != "life_threatening") {
    throw InputError("severity", "must be mild, moderate, severe or life_threatening");
  }
  if (a.kind == "other" && a.description.empty()) {
    throw InputError("description", "is required when kind is other");
  }
  return a;
}

json record_adverse(RouteContext& ctx, storage::InfusionStore& store,
                    const storage::InfusionSession& s, const AdverseInput& a,
                    std::optional<std::int64_t> amends_id) {
  const std::int64_t now = ctx.services().now_ms();
  const std::int64_t at = chair::event_time(a.at_ms, "at_ms", now);
  json alert = nullptr;
  std::optional<std::int64_t> alert_id;
  if (a.severity != "mild") {
    const std::string sev = a.severity == "moderate" ? "moderate"
                            : a.severity == "severe" ? "high"
                                                     : "critical";
    alert_id = chair::raise_alert(ctx.tx(), s.patient_id, s.id, std::nullopt, "adverse_event",
                                  "adverse event: " + a.kind + " (" + a.severity + ")" +
                                      (a.description.empty() ? "" : ": " + a.description),
                                  sev, now);
    alert = {{"id", *alert_id}, {"severity", sev}};
  }
  storage::StoredAdverseEvent row;
  row.session_id = s.id;
  row.patient_id = s.patient_id;
  row.kind = a.kind;
  row.severity = a.severity;
  row.description = a.description;
  row.action_taken = a.action_taken;
  row.alert_id = alert_id;
  row.amends_id = amends_id;
  row.recorded_by = ctx.user().user_id;
  row.at_ms = at;
  const std::int64_t id = store.insert_adverse_event(row);
  return {{"id", id},
          {"session_id", s.id},
          {"kind", a.kind},
          {"severity", a.severity},
          {"description", a.description},
          {"action_taken", a.action_taken},
          {"at", iso8601_ms(at)},
          {"alert", alert},
          {"amends_id", amends_id ? json(*amends_id) : json(nullptr)}};
}

Response post_adverse_event(RouteContext& ctx) {
  const storage::InfusionSession s = session_for(ctx);
  require_open_for_entries(s);
  const AdverseInput a = read_adverse(parse_body(ctx.request()));
  storage::InfusionStore store(ctx.tx());
  return json_response(record_adverse(ctx, store, s, a, std::nullopt), 201);
}

// ---- Dissociation (CADSS) ---------------------------------------------------------------------

json record_dissociation(RouteContext& ctx, const storage::InfusionSession& s, const json& body,
                         std::optional<std::int64_t> amends_id) {
  contract::ObjectReader r(body, "");
  const json& answers = r.array("answers");
  const auto at_ms = r.optional_integer("at_ms");
  r.finish();
  const json scored = contract::handle_score({{"instrument", "cadss"}, {"answers", answers}});
  const std::int64_t now = ctx.services().now_ms();
  const std::int64_t at = chair::event_time(at_ms, "at_ms", now);
  storage::Rows rows = ctx.tx().query(
      "INSERT INTO assessments (patient_id, course_id, session_id, instrument, answers_json, "
      "result_json, total, band, flags_json, self_report, taken_on, recorded_by, at_ms, status, "
      "amends_id) VALUES ($1, $2, $3, 'cadss', $4, $5, $6, NULL, $7, 0, $8, $9, $10, 'active', "
      "$11) RETURNING id",
      {s.patient_id, chair::opt_value(s.course_id), s.id, answers.dump(), scored.dump(),
       scored.at("total").get<double>(), scored.at("flags").dump(), chair::iso_date(at),
       ctx.user().user_id, at, chair::opt_value(amends_id)});
  json out = scored;
  out["id"] = rows.front().i64("id");
  out["session_id"] = s.id;
  out["at"] = iso8601_ms(at);
  out["amends_id"] = amends_id ? json(*amends_id) : json(nullptr);
  return out;
}

Response post_dissociation(RouteContext& ctx) {
  const storage::InfusionSession s = session_for(ctx);
  require_open_for_entries(s);
  return json_response(record_dissociation(ctx, s, parse_body(ctx.request()), std::nullopt), 201);
}

// ---- Discharge --------------------------------------------------------------------------------

Response post_discharge(RouteContext& ctx) {
  const storage::InfusionSession s = session_for(ctx);
  ctx.require_if_match(s.version);
  json body = parse_body(ctx.request());
  if (!body.is_object()) throw InputError("body", "must be a JSON object");
  std::optional<std::string> override_reason;
  if (body.contains("override_reason") && body["override_reason"].is_null()) {
    body.erase("override_reason");  // null: no override
  }
  if (body.contains("override_reason")) {
    const json holder = {{"override_reason", body["override_reason"]}};  // outlives the reader
    contract::ObjectReader r(holder, "");
    override_reason = optional_reason(r.optional_string("override_reason"), "override_reason");
    body.erase("override_reason");
  }
  if (s.state != "stopped") {
    throw ApiError::conflict("discharge follows the end of the infusion; the session is " + s.state,
                             "state");
  }
  const std::int64_t now = ctx.services().now_ms();
  // The time since the last dose is the session's own fact: the pump's stop, not a typed number.
  if (s.stopped_at_ms) {
    if (body.contains("minutes_since_last_dose")) {
      throw InputError("minutes_since_last_dose",
                       "is the session's own: the time since its recorded stop");
    }
    body["minutes_since_last_dose"] =
        static_cast<double>(std::max<std::int64_t>(0, now - *s.stopped_at_ms) / 60'000);
  }
  // The clinic's own observation time is the one the core checks (the observation_time gate
  // below says the same), unless the request states a policy of its own.
  const infusion::GatePolicy policy = gate_policy_for(ctx, s.appointment_id);
  if (!body.contains("policy") || !body["policy"].contains("minimum_observation_minutes")) {
    body["policy"]["minimum_observation_minutes"] = policy.observation_min_after_stop;
  }
  const json result = contract::handle_discharge(body);  // the discharge score, by the core
  storage::InfusionStore store(ctx.tx());
  infusion::DischargeFacts f;
  f.state = infusion::State::stopped;
  f.stopped_at_ms = s.stopped_at_ms;
  f.now_ms = now;
  f.unacknowledged_critical_alerts = store.open_critical_alerts(s.id);
  f.score_ready = result.at("ready_for_discharge").get<bool>();
  f.score_summary = "Aldrete " + result.at("aldrete").at("score").dump();
  if (!f.score_ready) {
    f.score_summary += ", unmet: " + result.at("aldrete").at("unmet").dump();
    if (result.contains("disagreements") && !result["disagreements"].empty()) {
      f.score_summary += ", disagreements: " + result["disagreements"].dump();
    }
    if (result.contains("observation") && !result["observation"].value("met", true)) {
      f.score_summary += ", observation: " + result["observation"].dump();
    }
  }
  f.override_reason = override_reason;
  f.caller_is_physician = ctx.user().role == Role::physician;
  const auto gates = infusion::discharge_gates(f, policy);
  infusion::require_all(gates);
  const bool overridden = !f.score_ready;
  storage::StoredDischarge d;
  d.result_json = result.dump();
  d.gates_json = gates_json(gates).dump();
  d.aldrete_score = result.at("aldrete").at("score").get<std::int64_t>();
  d.ready = f.score_ready;
  if (overridden) {
    d.override_reason = override_reason;
    d.override_physician_id = ctx.user().user_id;
  }
  d.recorded_by = ctx.user().user_id;
  d.at_ms = now;
  store.insert_discharge(s.id, body.dump(), d);
  storage::InfusionStateChange c;
  c.state = "discharged";
  c.delivered_mg = s.delivered_mg;
  c.started_at_ms = s.started_at_ms;
  c.stopped_at_ms = s.stopped_at_ms;
  if (!store.change_state(s.id, s.version, c, now)) throw ApiError::precondition_failed();
  return session_response(ctx, s.id, 201);
}

// ---- Corrections ------------------------------------------------------------------------------

// Recomputes what a session derives from its pump events after a correction.
void recompute_delivery(RouteContext& ctx, storage::InfusionStore& store,
                        const storage::InfusionSession& s) {
  const auto stored = store.pump_events(s.id);
  const infusion::InfusionRecord rec = record_of(s, stored);
  const infusion::State replayed = infusion::replay(rec.events, s.created_at_ms);
  const infusion::State current = *infusion::parse_state(s.state);
  // A discharged session keeps its discharge: its pump history must still end stopped.
  const infusion::State next = current == infusion::State::discharged ? current : replayed;
  if (current == infusion::State::discharged && replayed != infusion::State::stopped) {
    throw ApiError::conflict(
        "after this correction the pump would not have stopped, but the patient was discharged",
        "events");
  }
  std::optional<std::int64_t> started, stopped;
  for (const auto& e : rec.events) {
    if (e.kind == infusion::PumpEventKind::start) started = e.at_ms;
    if (e.kind == infusion::PumpEventKind::stop) stopped = e.at_ms;
  }
  const std::int64_t now = ctx.services().now_ms();
  const infusion::Delivery d = infusion::deliver(
      rec.events, rec.concentration, rec.dosing_weight,
      infusion::pump_active(next) ? now : stopped.value_or(now));
  storage::InfusionStateChange c;
  c.state = std::string(infusion::to_string(next));
  c.delivered_mg = d.mg.value();
  c.started_at_ms = started;
  c.stopped_at_ms = infusion::pump_active(next) ? std::nullopt : stopped;
  if (!store.change_state(s.id, s.version, c, now)) throw ApiError::precondition_failed();
}

Response correct_entry(RouteContext& ctx, const std::string& entity) {
  const storage::InfusionSession s = session_for(ctx);
  const std::int64_t entry_id = ctx.id_param("entry_id");
  const corrections::CorrectionRequest in =
      corrections::read_correction_request(parse_body(ctx.request()));
  storage::InfusionStore store(ctx.tx());
  const std::int64_t now = ctx.services().now_ms();
  const std::string new_status = in.corrected_status();
  // The entry to correct: it must exist on this session and still be in force. Vitals and
  // adverse events may have raised an alert, which the correction retracts.
  struct Entry {
    std::string status;
    std::optional<std::int64_t> alert_id;
  };
  std::optional<Entry> entry;
  auto find_in = [&](const auto& list) {
    for (const auto& x : list) {
      if (x.id != entry_id) continue;
      if constexpr (requires { x.alert_id; }) {
        entry = Entry{x.status, x.alert_id};
      } else {
        entry = Entry{x.status, std::nullopt};
      }
    }
  };
  if (entity == "vital") {
    find_in(store.vitals(s.id));
  } else if (entity == "adverse_event") {
    find_in(store.adverse_events(s.id));
  } else if (entity == "dissociation") {
    find_in(store.dissociation(s.id));
  } else {
    find_in(store.pump_events(s.id));
    if (in.amend()) {
      throw InputError("action",
                       "a pump event is corrected by marking it entered_in_error and charting "
                       "the right event (with at_ms)");
    }
  }
  if (!entry) throw ApiError::not_found("entry");
  if (entry->status != "active") {
    throw ApiError::conflict("the entry is already " + entry->status, "entry_id");
  }
  const std::optional<std::int64_t> alert_to_retract = entry->alert_id;
  store.set_entry_status(entity, entry_id, s.id, new_status);
  std::optional<std::int64_t> replacement;
  json replacement_json = nullptr;
  if (in.amend()) {
    if (entity == "vital") {
      replacement_json = record_vital(ctx, store, s, read_vital(in.values), entry_id);
    } else if (entity == "adverse_event") {
      replacement_json = record_adverse(ctx, store, s, read_adverse(in.values), entry_id);
    } else {
      replacement_json = record_dissociation(ctx, s, in.values, entry_id);
    }
    replacement = replacement_json.at("id").get<std::int64_t>();
  }
  if (alert_to_retract) {
    store.retract_alert(*alert_to_retract, ctx.user().user_id,
                        "the " + entity + " that raised it was " + new_status + ": " + in.reason,
                        now);
  }
  storage::StoredCorrection c;
  c.entity = entity;
  c.entity_id = entry_id;
  c.action = in.action;
  c.reason = in.reason;
  c.replacement_id = replacement;
  c.by_user_id = ctx.user().user_id;
  c.at_ms = now;
  const std::int64_t correction_id = store.insert_correction(c, s.id, s.patient_id);
  if (entity == "pump_event") {
    recompute_delivery(ctx, store, s);
  } else {
    store.bump_version(s.id, now);
  }
  return json_response({{"id", correction_id},
                        {"session_id", s.id},
                        {"entity", entity},
                        {"entry_id", entry_id},
                        {"action", in.action},
                        {"reason", in.reason},
                        {"status", new_status},
                        {"replacement", replacement_json},
                        {"retracted_alert_id",
                         alert_to_retract ? json(*alert_to_retract) : json(nullptr)},
                        {"by", ctx.user().user_id},
                        {"at", iso8601_ms(now)}},
                       201);
}

}  // namespace

void register_session_entry_routes(Router& router) {
  const Access clinical = access_roles({Role::physician, Role::nurse});
  router.add({"POST", "/api/v1/sessions/{id}/vitals",
              "Vital signs assessed by the core thresholds; an action other than continue "
              "raises an alert (409 after discharge)",
              "sessions", clinical, true, post_vitals, 201});
  router.add({"POST", "/api/v1/sessions/{id}/adverse-events",
              "Record an adverse event (moderate or worse raises an alert; 409 after discharge)",
              "sessions", clinical, true, post_adverse_event, 201});
  router.add({"POST", "/api/v1/sessions/{id}/dissociation",
              "CADSS dissociation score (core; 409 after discharge)", "sessions", clinical, true,
              post_dissociation, 201});
  router.add({"POST", "/api/v1/sessions/{id}/discharge",
              "Discharge: observation time and acknowledged critical alerts (never overridden), "
              "then the discharge score (a physician may override with a reason) (If-Match)",
              "sessions", clinical, true, post_discharge, 201});
  const struct {
    const char* collection;
    const char* entity;
  } correctable[] = {{"vitals", "vital"},
                     {"adverse-events", "adverse_event"},
                     {"dissociation", "dissociation"},
                     {"events", "pump_event"}};
  for (const auto& c : correctable) {
    const std::string entity = c.entity;
    router.add({"POST",
                std::string("/api/v1/sessions/{id}/") + c.collection + "/{entry_id}/corrections",
                std::string("Correct a ") + c.entity +
                    ": entered_in_error or amend, with a reason; the original stays",
                "sessions", clinical, true,
                [entity](RouteContext& ctx) { return correct_entry(ctx, entity); }, 201});
  }
}

}  // namespace kit::server
