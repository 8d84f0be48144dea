// Infusion sessions at the chair: planning (the core's gates, then the core dose calculator), pump
// events (the core's state machine, event times, rate checks and the running total against the
// hard limit), voiding a plan, the delivered dose and the PK curve of what was actually given.
// Every rule is the core's (core/infusion/); this file parses, gathers facts, asks, responds.
// Rules and sources: docs/api-chair.md.
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "contract/dosing_api.h"
#include "contract/json_reader.h"
#include "contract/pk_api.h"
#include "core/common/error.h"
#include "core/dosing/drug_library.h"
#include "core/dosing/names.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/resources/chair_common.h"
#include "server/resources/infusion_common.h"
#include "server/resources/modules.h"
#include "storage/stores/stock_store.h"

namespace kit::server {

namespace {

using nlohmann::json;
using namespace infusion_routes;

constexpr const char* kDefaultPkModel = "domino1982";

std::string failed_checks(const dosing::Plan& plan, dosing::LimitLevel level) {
  std::string out;
  for (const dosing::CheckResult& c : plan.checks) {
    if (c.passed || c.limit.level != level) continue;
    out += (out.empty() ? "" : "; ") + std::string(dosing::to_string(c.limit.quantity)) + " " +
           json(c.value).dump() + (c.limit.type == dosing::BoundType::kMax ? " above" : " below") +
           " the " + (level == dosing::LimitLevel::kHard ? "hard" : "soft") + " limit " +
           json(c.limit.bound).dump();
  }
  return out;
}

bool is_physician(const RouteContext& ctx) { return ctx.user().role == Role::physician; }

std::optional<std::int64_t> opt_id(const std::optional<long long>& v) {
  return v ? std::optional<std::int64_t>(*v) : std::nullopt;
}

Response create_session(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  const json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  std::optional<std::string> protocol = r.optional_string("protocol");
  const auto course_id = opt_id(r.optional_integer("course_id"));
  const auto appointment_id = opt_id(r.optional_integer("appointment_id"));
  const auto lot_id = opt_id(r.optional_integer("lot_id"));
  const json& preparation = r.value("preparation");
  json dose_request = {{"preparation", preparation}};
  for (const char* k : {"dose_mg_per_kg", "rate_mg_per_kg_per_h", "rate_mg_per_h"}) {
    if (const json* v = r.optional_value(k)) dose_request[k] = *v;
  }
  const auto override_reason = optional_reason(r.optional_string("override_reason"),
                                               "override_reason");
  const auto unscheduled = optional_reason(r.optional_string("unscheduled_reason"),
                                           "unscheduled_reason");
  r.finish();
  if (course_id && !appointment_id) {
    throw InputError("appointment_id",
                     "is required for a session of a course (the appointment booked for today)");
  }

  storage::Transaction& tx = ctx.tx();
  storage::InfusionStore store(tx);
  const std::int64_t now = ctx.services().now_ms();
  if (course_id && !protocol) {
    if (auto c = store.course(*course_id); c && c->patient_id == patient_id) protocol = c->protocol_id;
  }
  if (!protocol) throw InputError("protocol", "is required (or give course_id)");
  if (dosing::builtin_library().find(*protocol) == nullptr) {
    throw InputError("protocol", "unknown protocol '" + *protocol + "' (kit protocols lists them)");
  }

  // The core's gates: approval, consent, screening, course, appointment (422 naming the gate).
  infusion::require_all(infusion::planning_gates(
      planning_facts(ctx, store, patient_id, course_id, appointment_id, *protocol,
                     course_id ? std::nullopt : unscheduled, 0),
      gate_policy_for(ctx, appointment_id)));

  if (lot_id) {
    const auto lot = storage::StockStore(tx).find_lot(*lot_id);
    if (!lot) throw InputError("lot_id", "no such lot");
    if (!lot->active) throw RuleRefused("lot_id", "the lot is retired");
    if (lot->expiry_date < local_date(tx, appointment_id, now)) {
      throw RuleRefused("lot_id", "the lot expired on " + lot->expiry_date);
    }
  }
  const dosing::Protocol* p = dosing::builtin_library().find(*protocol);
  if (p != nullptr && p->route != dosing::AdministrationRoute::kIvInfusion) {
    throw RuleRefused("protocol", "protocol '" + *protocol + "' is " +
                                      std::string(dosing::to_string(p->route)) +
                                      "; infusion sessions are for pumped IV infusions");
  }
  dose_request["protocol"] = *protocol;
  dose_request["patient"] = chair::dosing_patient(tx, patient_id, now);
  if (override_reason) dose_request["override_reason"] = *override_reason;
  // The core calculator, with types: the contract reads the request, the core plans.
  const dosing::Plan plan =
      dosing::compute_plan(dosing::builtin_library(), contract::parse_dose_request(dose_request));
  if (plan.status == dosing::PlanStatus::kRefused) {
    throw RuleRefused("dose", "the dose breaks a hard limit and cannot be given: " +
                                  failed_checks(plan, dosing::LimitLevel::kHard));
  }
  if (plan.status == dosing::PlanStatus::kNeedsOverride) {
    throw RuleRefused("override_reason", "the dose is outside a soft limit (" +
                                             failed_checks(plan, dosing::LimitLevel::kSoft) +
                                             "): a physician must give override_reason");
  }
  if (plan.override_applied && !is_physician(ctx)) {
    throw RuleRefused("override_reason", "only a physician may approve a soft-limit override (" +
                                             failed_checks(plan, dosing::LimitLevel::kSoft) + ")");
  }
  const auto step_ul = static_cast<std::int64_t>(
      std::llround(dosing::builtin_library().pump().resolution.value() * 1000.0));
  json stored_request = dose_request;
  stored_request.erase("override_reason");
  storage::NewInfusionSession n;
  n.patient_id = patient_id;
  n.course_id = course_id;
  n.appointment_id = appointment_id;
  if (appointment_id) {
    if (auto a = store.appointment(*appointment_id)) n.chair_id = a->chair_id;
  }
  n.unscheduled_reason = course_id ? std::nullopt : unscheduled;
  n.protocol_id = *protocol;
  n.lot_id = lot_id;
  n.plan_request_json = stored_request.dump();
  n.plan_json = contract::plan_to_json(plan).dump();
  n.concentration_mg_per_ml = plan.concentration.value();
  n.dosing_weight_kg = plan.dosing_weight.weight.value();
  n.planned_dose_mg = plan.dose.value();
  n.pump_step_ul_per_h = step_ul;
  n.planned_rate_steps = steps_of(*plan.pump_rate, step_ul);
  n.planned_duration_min = plan.duration->value();
  if (plan.override_applied) {
    n.override_reason = override_reason;
    n.override_physician_id = ctx.user().user_id;
  }
  n.created_by = ctx.user().user_id;
  n.at_ms = now;
  std::int64_t id = 0;
  try {
    id = store.insert(n);
  } catch (const storage::ConstraintViolation& e) {
    // Two requests raced past the gate; the schema's unique index let one win.
    if (std::string(e.what()).find("appointment") != std::string::npos) {
      throw RuleRefused("one_session_per_appointment",
                        "appointment " + std::to_string(*appointment_id) +
                            " already has a session (planned at the same moment)");
    }
    throw;
  }
  return session_response(ctx, id, 201);
}

Response list_sessions(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  chair::require_patient(ctx.tx(), patient_id);
  storage::InfusionStore store(ctx.tx());
  json out = json::array();
  for (const auto& s : store.of_patient(patient_id)) {
    out.push_back({{"id", s.id},
                   {"course_id", s.course_id ? json(*s.course_id) : json(nullptr)},
                   {"appointment_id", s.appointment_id ? json(*s.appointment_id) : json(nullptr)},
                   {"protocol", s.protocol_id},
                   {"state", s.state},
                   {"planned_dose_mg", s.planned_dose_mg},
                   {"delivered_mg", s.delivered_mg},
                   {"started_at", s.started_at_ms ? json(iso8601_ms(*s.started_at_ms)) : json(nullptr)},
                   {"stopped_at", s.stopped_at_ms ? json(iso8601_ms(*s.stopped_at_ms)) : json(nullptr)},
                   {"created_at", iso8601_ms(s.created_at_ms)},
                   {"version", s.version}});
  }
  return json_response(out);
}

Response get_session(RouteContext& ctx) {
  const storage::InfusionSession s = session_for(ctx);
  return session_response(ctx, s.id);
}

Response post_event(RouteContext& ctx) {
  const storage::InfusionSession s = session_for(ctx);
  ctx.require_if_match(s.version);
  const json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string kind_text = r.string("kind");
  const auto rate = r.optional_number("rate_ml_per_h");
  const auto at_ms = r.optional_integer("at_ms");
  const auto override_reason = optional_reason(r.optional_string("override_reason"),
                                               "override_reason");
  const auto gate_override = optional_reason(r.optional_string("gate_override_reason"),
                                             "gate_override_reason");
  const std::string note = chair::optional_text(r.optional_string("note"), "note").value_or("");
  r.finish();
  const auto kind = infusion::parse_pump_event(kind_text);
  if (!kind) throw InputError("kind", "must be start, pause, resume, rate_change or stop");

  storage::Transaction& tx = ctx.tx();
  storage::InfusionStore store(tx);
  const std::int64_t now = ctx.services().now_ms();
  const auto stored = store.pump_events(s.id);
  const infusion::InfusionRecord record = record_of(s, stored);
  // The state machine first: a conflict (409) says more than a gate about an impossible move.
  if (!infusion::accepts_clinical_entries(record.state)) {
    throw ApiError::conflict("the session is " + s.state +
                                 ": no pump event may be added (corrections are still accepted)",
                             "state");
  }
  if (!infusion::next_state(record.state, infusion::action_of(*kind))) {
    throw ApiError::conflict("cannot " + kind_text + " a session that is " + s.state, "kind");
  }
  if (*kind == infusion::PumpEventKind::start || *kind == infusion::PumpEventKind::resume) {
    const infusion::PlanningFacts facts =
        planning_facts(ctx, store, s.patient_id, s.course_id, s.appointment_id, s.protocol_id,
                       s.unscheduled_reason, s.id);
    if (*kind == infusion::PumpEventKind::start) {
      infusion::require_all(
          infusion::start_gates(facts, gate_policy_for(ctx, s.appointment_id),
                              {gate_override, is_physician(ctx)}));
    } else {
      infusion::require_all(infusion::planning_gates(facts, gate_policy_for(ctx, s.appointment_id)));
    }
  }
  infusion::PumpEventRequest q;
  q.kind = *kind;
  if (rate) q.rate = units::MlPerH(*rate);
  if (at_ms) q.at_ms = *at_ms;
  q.override_reason = override_reason;
  q.by_physician = is_physician(ctx);
  const infusion::PumpEventOutcome o =
      infusion::check_pump_event(record, q, now, gate_policy_for(ctx, s.appointment_id),
                                 dosing::builtin_library());

  storage::StoredPumpEvent e;
  e.session_id = s.id;
  e.kind = kind_text;
  if (o.event.rate) e.rate_steps = steps_of(*o.event.rate, s.pump_step_ul_per_h);
  if (o.rate_plan) e.checks_json = contract::plan_to_json(*o.rate_plan).at("checks").dump();
  if (o.override_applied) {
    e.override_reason = override_reason;
    e.override_physician_id = ctx.user().user_id;
  }
  if (*kind == infusion::PumpEventKind::start && gate_override) {
    e.gate_override_reason = gate_override;
  }
  e.note = note;
  e.recorded_by = ctx.user().user_id;
  e.at_ms = o.event.at_ms;
  e.recorded_at_ms = now;
  store.insert_pump_event(e);

  std::vector<infusion::PumpEvent> events = record.events;
  events.push_back(o.event);
  const infusion::Delivery d =
      infusion::deliver(events, record.concentration, record.dosing_weight,
                        infusion::pump_active(o.next) ? now : o.event.at_ms);
  storage::InfusionStateChange c;
  c.state = std::string(infusion::to_string(o.next));
  c.delivered_mg = d.mg.value();
  c.started_at_ms = *kind == infusion::PumpEventKind::start ? std::optional(o.event.at_ms)
                                                            : s.started_at_ms;
  c.stopped_at_ms = *kind == infusion::PumpEventKind::stop ? std::optional(o.event.at_ms)
                                                           : std::nullopt;
  bool changed = false;
  try {
    changed = store.change_state(s.id, s.version, c, now);
  } catch (const storage::ConstraintViolation& violation) {
    const std::string what = violation.what();
    if (what.find("active") != std::string::npos || what.find("patient_id") != std::string::npos) {
      // Two starts raced past the gate; the schema's unique index let one win.
      throw RuleRefused("one_active_session", "patient " + std::to_string(s.patient_id) +
                                                  " already has an infusion running or paused");
    }
    throw;
  }
  if (!changed) throw ApiError::precondition_failed();
  return session_response(ctx, s.id, 201);
}

Response void_session(RouteContext& ctx) {
  const storage::InfusionSession s = session_for(ctx);
  const json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const auto reason = optional_reason(r.optional_string("reason"), "reason");
  r.finish();
  if (!reason) throw InputError("reason", "is required: say why the plan is void");
  if (!infusion::next_state(*infusion::parse_state(s.state), infusion::Action::void_plan)) {
    throw ApiError::conflict("only a planned session can be voided; this one is " + s.state,
                             "state");
  }
  storage::InfusionStore store(ctx.tx());
  storage::InfusionStateChange c;
  c.state = "voided";
  c.void_reason = reason;
  c.voided_by = ctx.user().user_id;
  if (!store.change_state(s.id, s.version, c, ctx.services().now_ms())) {
    throw ApiError::precondition_failed();
  }
  return session_response(ctx, s.id, 200);
}

Response get_delivered(RouteContext& ctx) {
  const storage::InfusionSession s = session_for(ctx);
  storage::InfusionStore store(ctx.tx());
  const json view = session_json(ctx, store, s);
  const json& d = view.at("delivered");
  const double planned = s.planned_dose_mg;
  const double mg = d.at("mg").get<double>();
  return json_response({{"session_id", s.id},
                        {"state", s.state},
                        {"stop_pump", view.at("stop_pump")},
                        {"delivered_mg", mg},
                        {"delivered_ml", d.at("ml")},
                        {"delivered_mg_per_kg", d.at("mg_per_kg")},
                        {"planned_dose_mg", planned},
                        {"remaining_mg", std::max(0.0, std::round((planned - mg) * 1e6) / 1e6)},
                        {"above_plan", mg > planned + 1e-6},
                        {"hard_limit_mg", d.at("hard_limit_mg")},
                        {"soft_limit_mg", d.at("soft_limit_mg")},
                        {"status", d.at("status")},
                        {"concentration_mg_per_ml", s.concentration_mg_per_ml},
                        {"running", s.state == "running"},
                        {"as_of", d.at("as_of")},
                        {"intervals", d.at("intervals")},
                        {"method",
                         "sum over pump intervals of rate_ml_per_h x hours x "
                         "concentration_mg_per_ml (a running pump counts up to as_of); events "
                         "marked entered in error do not count"}});
}

Response get_pk(RouteContext& ctx) {
  const storage::InfusionSession s = session_for(ctx);
  storage::InfusionStore store(ctx.tx());
  const infusion::InfusionRecord rec = record_of(s, store.pump_events(s.id));
  const std::int64_t now = ctx.services().now_ms();
  const infusion::Delivery d = infusion::deliver(
      rec.events, rec.concentration, rec.dosing_weight,
      infusion::pump_active(rec.state) ? now : s.stopped_at_ms.value_or(now));
  if (d.intervals.empty()) {
    throw RuleRefused("events", "the infusion has not run yet: no drug was given");
  }
  const std::int64_t t0 = d.intervals.front().from_ms;
  json doses = json::array();
  for (const auto& i : d.intervals) {
    doses.push_back({{"start_min", static_cast<double>(i.from_ms - t0) / 60'000.0},
                     {"duration_min", static_cast<double>(i.to_ms - i.from_ms) / 60'000.0},
                     {"amount_mg", i.mg.value()}});
  }
  const double last_end = static_cast<double>(d.intervals.back().to_ms - t0) / 60'000.0;
  std::string model = kDefaultPkModel;
  if (auto it = ctx.request().query.find("model"); it != ctx.request().query.end()) {
    model = it->second;
  }
  const double end_min =
      static_cast<double>(query_int(ctx.request(), "end_min", 1, 60 * 24 * 7)
                              .value_or(static_cast<std::int64_t>(std::ceil(last_end)) + 120));
  const double step_min =
      static_cast<double>(query_int(ctx.request(), "step_min", 1, 60).value_or(1));
  json request = {{"model", model},
                  {"patient", chair::dosing_patient(ctx.tx(), s.patient_id, now)},
                  {"doses", doses},
                  {"end_min", end_min},
                  {"step_min", step_min}};
  json out;
  try {
    out = contract::handle_pk_simulate(request);
  } catch (const kit::InputError& e) {
    if (e.field().rfind("patient", 0) == 0) {
      throw RuleRefused("model", "model " + model + " does not fit this patient (" + e.field() +
                                     ": " + e.reason() + "); choose another with ?model=");
    }
    throw;
  }
  out["session_id"] = s.id;
  out["time_zero"] = iso8601_ms(t0);
  out["doses"] = doses;
  out["delivered_mg"] = d.mg.value();
  return json_response(out);
}

}  // namespace

void register_session_routes(Router& router) {
  const Access clinical = access_roles({Role::physician, Role::nurse});
  router.add({"POST", "/api/v1/patients/{id}/sessions",
              "Plan an infusion session: the core's gates (approval, consent, screening, course, "
              "today's appointment), then the dose calculator (hard limit: 422, nothing stored; "
              "soft limit: physician + override_reason)",
              "sessions", clinical, true, create_session, 201});
  router.add({"GET", "/api/v1/patients/{id}/sessions", "The patient's infusion sessions",
              "sessions", clinical, true, list_sessions, 200});
  router.add({"GET", "/api/v1/sessions/{id}",
              "One session: plan, gates of the next step, delivered dose against the limits "
              "(stop_pump), events, vitals, adverse events, dissociation, discharge (ETag)",
              "sessions", clinical, true, get_session, 200});
  router.add({"POST", "/api/v1/sessions/{id}/events",
              "Pump event start|pause|resume|rate_change|stop (If-Match): the core's state "
              "machine, event times, rate checks and running total against the hard limit",
              "sessions", clinical, true, post_event, 201});
  router.add({"POST", "/api/v1/sessions/{id}/void",
              "Void a planned session with a reason (it stays on file)", "sessions", clinical,
              true, void_session, 200});
  router.add({"GET", "/api/v1/sessions/{id}/delivered",
              "Delivered dose from the pump events (rate x time x concentration)", "sessions",
              clinical, true, get_delivered, 200});
  router.add({"GET", "/api/v1/sessions/{id}/pk",
              "Predicted plasma and effect-site curve of the delivered events (?model=, "
              "default domino1982; ?end_min=, ?step_min=)",
              "sessions", clinical, true, get_pk, 200});
  register_session_entry_routes(router);
  register_escort_routes(router);
}

}  // namespace kit::server
