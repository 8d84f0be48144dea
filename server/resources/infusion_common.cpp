#include "server/resources/infusion_common.h"

#include <cmath>

#include "contract/dosing_api.h"
#include "core/common/error.h"
#include "core/dosing/drug_library.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/resources/chair_common.h"
#include "server/resources/clinic_time.h"

namespace kit::server::infusion_routes {

using nlohmann::json;

namespace {

// Vital signs are due at baseline, every kVitalsIntervalMin during the infusion, at its end and
// before discharge. Policy: baseline, end of infusion and discharge are fixed points; the
// 15-minute interval in between is a clinic default (no published interval in the reference;
// Riva-Posse 2018 measured every 10 min, docs/reference/pharmacology.md §4.1).
constexpr double kVitalsIntervalMin = 15.0;

json opt(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }
json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
json opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
json opt_time(const std::optional<std::int64_t>& ms) {
  return ms ? json(iso8601_ms(*ms)) : json(nullptr);
}

json correction_of(const std::vector<storage::StoredCorrection>& all, const std::string& entity,
                   std::int64_t id) {
  for (const auto& c : all) {
    if (c.entity == entity && c.entity_id == id) {
      return {{"id", c.id},
              {"action", c.action},
              {"reason", c.reason},
              {"replacement_id", opt(c.replacement_id)},
              {"by", c.by_user_id},
              {"at", iso8601_ms(c.at_ms)}};
    }
  }
  return nullptr;
}

std::int64_t days_between(std::int64_t from_ms, std::int64_t to_ms) {
  return (to_ms - from_ms) / 86'400'000;
}

}  // namespace

storage::InfusionSession session_for(RouteContext& ctx) {
  storage::InfusionStore store(ctx.tx());
  auto s = store.find(ctx.id_param("id"));
  if (!s) throw ApiError::not_found("session");
  ctx.require_patient_access(s->patient_id);
  return *s;
}

units::MlPerH rate_of(std::int64_t steps, std::int64_t step_ul_per_h) {
  return units::MlPerH(static_cast<double>(steps * step_ul_per_h) / 1000.0);
}

std::int64_t steps_of(units::MlPerH rate, std::int64_t step_ul_per_h) {
  const double steps = rate.value() * 1000.0 / static_cast<double>(step_ul_per_h);
  const auto whole = static_cast<std::int64_t>(std::llround(steps));
  if (std::fabs(steps - static_cast<double>(whole)) > 1e-6 || whole <= 0) {
    throw InputError("rate_ml_per_h", "must be a positive multiple of the pump's step");
  }
  return whole;
}

std::vector<infusion::PumpEvent> active_events(
    const storage::InfusionSession& s, const std::vector<storage::StoredPumpEvent>& events) {
  std::vector<infusion::PumpEvent> out;
  for (const auto& e : events) {
    if (e.status != "active") continue;
    infusion::PumpEvent p;
    p.id = e.id;
    p.kind = *infusion::parse_pump_event(e.kind);
    if (e.rate_steps) p.rate = rate_of(*e.rate_steps, s.pump_step_ul_per_h);
    p.at_ms = e.at_ms;
    out.push_back(p);
  }
  return out;
}

infusion::InfusionRecord record_of(const storage::InfusionSession& s,
                                   const std::vector<storage::StoredPumpEvent>& events) {
  infusion::InfusionRecord r;
  r.state = *infusion::parse_state(s.state);
  r.created_at_ms = s.created_at_ms;
  r.plan_request = contract::parse_dose_request(chair::stored_json(s.plan_request_json));
  r.planned_duration = units::Minutes(s.planned_duration_min);
  r.concentration = units::MgPerMl(s.concentration_mg_per_ml);
  r.dosing_weight = units::Kg(s.dosing_weight_kg);
  r.planned_rate = rate_of(s.planned_rate_steps, s.pump_step_ul_per_h);
  r.planned_dose = units::Mg(s.planned_dose_mg);
  const dosing::Protocol* p = dosing::builtin_library().find(s.protocol_id);
  if (p == nullptr) {
    throw Error(ErrorKind::internal, "stored protocol '" + s.protocol_id + "' is not in the library");
  }
  r.limits = infusion::session_dose_limits(*p, r.dosing_weight, r.planned_duration, r.planned_dose);
  r.events = active_events(s, events);
  return r;
}

std::string local_date(storage::Transaction& tx, std::optional<std::int64_t> appointment_id,
                       std::int64_t at_ms) {
  std::optional<std::int64_t> clinic;
  if (appointment_id) {
    storage::InfusionStore store(tx);
    if (auto a = store.appointment(*appointment_id)) clinic = a->clinic_id;
  }
  if (!clinic) {
    storage::Rows c = tx.query("SELECT MIN(id) AS id FROM clinics");
    if (!c.empty() && !c.front().is_null("id")) clinic = c.front().i64("id");
  }
  if (!clinic) return chair::iso_date(at_ms);  // no clinic configured yet: UTC
  return clinic_today(tx, *clinic, at_ms);
}

infusion::GatePolicy gate_policy_for(RouteContext& ctx, std::optional<std::int64_t> appointment_id) {
  storage::Transaction& tx = ctx.tx();
  infusion::GatePolicy policy;
  policy.screening_max_age_days = ctx.services().config().screening_max_age_days;
  std::optional<std::int64_t> clinic;
  if (appointment_id) {
    storage::InfusionStore store(tx);
    if (auto a = store.appointment(*appointment_id)) clinic = a->clinic_id;
  }
  storage::Rows rows =
      clinic ? tx.query("SELECT observation_minutes FROM clinics WHERE id = $1", {*clinic})
             : tx.query("SELECT observation_minutes FROM clinics ORDER BY id LIMIT 1");
  if (!rows.empty()) {
    policy.observation_min_after_stop = static_cast<int>(rows.front().i64("observation_minutes"));
  }
  return policy;
}

infusion::PlanningFacts planning_facts(RouteContext& ctx, storage::InfusionStore& store,
                                       std::int64_t patient_id,
                                       std::optional<std::int64_t> course_id,
                                       std::optional<std::int64_t> appointment_id,
                                       const std::string& protocol_id,
                                       std::optional<std::string> unscheduled_reason,
                                       std::int64_t this_session_id) {
  storage::Transaction& tx = ctx.tx();
  const std::int64_t now = ctx.services().now_ms();
  auto p = store.patient_gate_facts(patient_id);
  if (!p) throw ApiError::not_found("patient");
  infusion::PlanningFacts f;
  f.protocol_id = protocol_id;
  f.today_local = local_date(tx, appointment_id, now);
  f.caller_is_physician = ctx.user().role == Role::physician;
  f.unscheduled_reason = std::move(unscheduled_reason);
  f.patient.id = patient_id;
  f.patient.status = p->status;
  if (p->approval_decision) {
    f.patient.latest_approval = infusion::ApprovalFacts{
        *p->approval_decision, local_date(tx, appointment_id, *p->approval_at_ms),
        *p->approval_physician_id, p->approval_reason};
  }
  f.patient.treatment_consent_on_file = p->treatment_consent_active;
  if (p->consent_withdrawn_at_ms && !p->treatment_consent_active) {
    f.patient.consent_withdrawn_on = local_date(tx, appointment_id, *p->consent_withdrawn_at_ms);
  }
  if (p->screening_id) {
    f.patient.latest_screening = infusion::ScreeningFacts{
        *p->screening_id, p->screening_eligible, days_between(*p->screening_at_ms, now)};
  }
  if (p->day_check_id) {
    const json result = chair::stored_json(*p->day_check_result_json);
    infusion::DayOfCheckFacts d;
    d.id = *p->day_check_id;
    d.cleared = result.value("cleared_to_start", false);
    d.local_date = local_date(tx, appointment_id, *p->day_check_at_ms);
    if (result.contains("pre_infusion")) {
      for (const json& c : result["pre_infusion"].value("checks", json::array())) {
        if (!c.value("passed", true)) {
          d.failed_checks += (d.failed_checks.empty() ? "" : "; ") +
                             c.value("check", std::string()) + ": " +
                             c.value("detail", std::string());
        }
      }
    }
    f.patient.latest_day_of_check = d;
  }
  f.patient.other_active_sessions = store.active_sessions_of_patient(patient_id, this_session_id);
  if (course_id) {
    auto c = store.course(*course_id);
    if (!c || c->patient_id != patient_id) {
      throw InputError("course_id", "no such course for this patient");
    }
    f.course = infusion::CourseFacts{c->id, c->state, c->protocol_id};
  }
  if (appointment_id) {
    auto a = store.appointment(*appointment_id);
    if (!a) throw InputError("appointment_id", "no such appointment");
    infusion::AppointmentFacts af;
    af.id = a->id;
    af.of_this_patient = a->patient_id == patient_id;
    af.course_id = a->course_id;
    af.status = a->status;
    af.local_date = a->on_date;
    af.kind = a->kind;
    af.other_live_sessions = store.live_sessions_on_appointment(a->id, this_session_id);
    f.appointment = af;
  }
  return f;
}

infusion::LimitStatus observe_limits(storage::Transaction& tx, storage::InfusionStore& store,
                                     const storage::InfusionSession& s,
                                     const infusion::Delivery& d, std::int64_t now_ms) {
  const infusion::InfusionRecord r = record_of(s, {});
  const infusion::LimitStatus status = infusion::limit_status(d.mg, r.limits);
  auto number = [](double v) { return json(std::round(v * 1000) / 1000).dump(); };
  if (status != infusion::LimitStatus::ok && !s.soft_limit_alert_id && r.limits.soft_max) {
    const std::int64_t id = chair::raise_alert(
        tx, s.patient_id, s.id, std::nullopt, "dose_limit",
        "session " + std::to_string(s.id) + " has delivered " + number(d.mg.value()) +
            " mg, reaching the soft limit of " + number(r.limits.soft_max->value()) + " mg (" +
            r.limits.soft_source + ")",
        "high", now_ms);
    store.set_limit_alert(s.id, false, id);
  }
  if (status == infusion::LimitStatus::hard_limit_reached && !s.hard_limit_alert_id) {
    const std::int64_t id = chair::raise_alert(
        tx, s.patient_id, s.id, std::nullopt, "dose_limit",
        "STOP THE PUMP: session " + std::to_string(s.id) + " has delivered " +
            number(d.mg.value()) + " mg, reaching the hard limit of " +
            number(r.limits.hard_max->value()) + " mg (" + r.limits.hard_source + ")",
        "critical", now_ms);
    store.set_limit_alert(s.id, true, id);
  }
  return status;
}

json gates_json(const std::vector<infusion::GateResult>& gates) {
  json out = json::array();
  for (const auto& g : gates) {
    out.push_back(
        {{"gate", g.gate}, {"passed", g.passed}, {"reason", g.reason}, {"source", g.source}});
  }
  return out;
}

json session_json(RouteContext& ctx, storage::InfusionStore& store,
                  const storage::InfusionSession& s) {
  const std::int64_t now = ctx.services().now_ms();
  const auto stored_events = store.pump_events(s.id);
  const infusion::InfusionRecord rec = record_of(s, stored_events);
  const infusion::State state = rec.state;
  const std::int64_t until = infusion::pump_active(state) ? now : s.stopped_at_ms.value_or(now);
  const infusion::Delivery d = infusion::deliver(rec.events, rec.concentration, rec.dosing_weight,
                                                 until);
  const infusion::LimitStatus status = infusion::pump_active(state)
                                           ? observe_limits(ctx.tx(), store, s, d, now)
                                           : infusion::limit_status(d.mg, rec.limits);
  const auto corrections = store.corrections(s.id);

  json events = json::array();
  for (const auto& e : stored_events) {
    events.push_back(
        {{"id", e.id},
         {"kind", e.kind},
         {"rate_ml_per_h",
          e.rate_steps ? json(rate_of(*e.rate_steps, s.pump_step_ul_per_h).value()) : json(nullptr)},
         {"override_reason", opt(e.override_reason)},
         {"override_physician_id", opt(e.override_physician_id)},
         {"gate_override_reason", opt(e.gate_override_reason)},
         {"note", e.note},
         {"status", e.status},
         {"amends_id", opt(e.amends_id)},
         {"correction", correction_of(corrections, "pump_event", e.id)},
         {"recorded_by", e.recorded_by},
         {"at", iso8601_ms(e.at_ms)},
         {"recorded_at", iso8601_ms(e.recorded_at_ms)}});
  }
  json vitals = json::array();
  for (const auto& v : store.vitals(s.id)) {
    vitals.push_back({{"id", v.id},
                      {"point", v.point},
                      {"sbp_mmhg", opt(v.sbp_mmhg)},
                      {"dbp_mmhg", opt(v.dbp_mmhg)},
                      {"hr_bpm", opt(v.hr_bpm)},
                      {"spo2_percent", opt(v.spo2_percent)},
                      {"rr_per_min", opt(v.rr_per_min)},
                      {"consciousness", opt(v.consciousness)},
                      {"action", v.action},
                      {"reasons", chair::stored_json(v.reasons_json)},
                      {"alert_id", opt(v.alert_id)},
                      {"status", v.status},
                      {"amends_id", opt(v.amends_id)},
                      {"correction", correction_of(corrections, "vital", v.id)},
                      {"recorded_by", v.recorded_by},
                      {"at", iso8601_ms(v.at_ms)}});
  }
  json adverse = json::array();
  for (const auto& a : store.adverse_events(s.id)) {
    adverse.push_back({{"id", a.id},
                       {"kind", a.kind},
                       {"severity", a.severity},
                       {"description", a.description},
                       {"action_taken", a.action_taken},
                       {"alert_id", opt(a.alert_id)},
                       {"status", a.status},
                       {"amends_id", opt(a.amends_id)},
                       {"correction", correction_of(corrections, "adverse_event", a.id)},
                       {"recorded_by", a.recorded_by},
                       {"at", iso8601_ms(a.at_ms)}});
  }
  json dissociation = json::array();
  for (const auto& c : store.dissociation(s.id)) {
    dissociation.push_back({{"id", c.id},
                            {"assessment_id", c.id},
                            {"instrument", "cadss"},
                            {"total", c.total},
                            {"status", c.status},
                            {"amends_id", opt(c.amends_id)},
                            {"correction", correction_of(corrections, "dissociation", c.id)},
                            {"recorded_by", c.recorded_by},
                            {"at", iso8601_ms(c.at_ms)}});
  }
  json discharge = nullptr;
  if (auto dis = store.discharge(s.id)) {
    discharge = {{"result", chair::stored_json(dis->result_json)},
                 {"gates", chair::stored_json(dis->gates_json)},
                 {"aldrete_score", dis->aldrete_score},
                 {"ready", dis->ready},
                 {"override_reason", opt(dis->override_reason)},
                 {"override_physician_id", opt(dis->override_physician_id)},
                 {"recorded_by", dis->recorded_by},
                 {"at", iso8601_ms(dis->at_ms)}};
  }
  json intervals = json::array();
  for (const auto& i : d.intervals) {
    intervals.push_back({{"from", iso8601_ms(i.from_ms)},
                         {"to", iso8601_ms(i.to_ms)},
                         {"minutes", static_cast<double>(i.to_ms - i.from_ms) / 60'000.0},
                         {"rate_ml_per_h", i.rate.value()},
                         {"ml", i.ml.value()},
                         {"mg", i.mg.value()},
                         {"still_running", i.still_running}});
  }
  // The gates of the next step, for the chair-side checklist.
  json next_gates = json::array();
  if (state == infusion::State::planned) {
    next_gates = gates_json(infusion::start_gates(
        planning_facts(ctx, store, s.patient_id, s.course_id, s.appointment_id, s.protocol_id,
                       s.unscheduled_reason, s.id),
        gate_policy_for(ctx, s.appointment_id), {}));
  } else if (state == infusion::State::stopped) {
    infusion::DischargeFacts df;
    df.state = state;
    df.stopped_at_ms = s.stopped_at_ms;
    df.now_ms = now;
    df.unacknowledged_critical_alerts = store.open_critical_alerts(s.id);
    df.score_ready = true;
    df.score_summary = "the discharge score is assessed when discharge is recorded";
    next_gates = gates_json(infusion::discharge_gates(df, gate_policy_for(ctx, s.appointment_id)));
  }
  json due = json::array({"baseline"});
  for (double t = kVitalsIntervalMin; t < s.planned_duration_min - 1e-9; t += kVitalsIntervalMin)
    due.push_back(t);
  due.push_back(s.planned_duration_min);
  due.push_back("discharge");
  const bool hard = status == infusion::LimitStatus::hard_limit_reached;
  return {
      {"id", s.id},
      {"patient_id", s.patient_id},
      {"course_id", opt(s.course_id)},
      {"appointment_id", opt(s.appointment_id)},
      {"chair_id", opt(s.chair_id)},
      {"unscheduled_reason", opt(s.unscheduled_reason)},
      {"protocol", s.protocol_id},
      {"lot_id", opt(s.lot_id)},
      {"plan", chair::stored_json(s.plan_json)},
      {"plan_status", "accepted"},
      {"concentration_mg_per_ml", s.concentration_mg_per_ml},
      {"dosing_weight_kg", s.dosing_weight_kg},
      {"planned_dose_mg", s.planned_dose_mg},
      {"planned_rate_ml_per_h", rec.planned_rate.value()},
      {"planned_duration_min", s.planned_duration_min},
      {"pump_step_ml_per_h", static_cast<double>(s.pump_step_ul_per_h) / 1000.0},
      {"override",
       s.override_reason ? json{{"reason", *s.override_reason},
                                {"physician_user_id", *s.override_physician_id}}
                         : json(nullptr)},
      {"state", s.state},
      {"stop_pump", hard && infusion::pump_active(state)},
      {"delivered_mg", d.mg.value()},
      {"delivered",
       {{"mg", d.mg.value()},
        {"ml", d.ml.value()},
        {"mg_per_kg", d.mg_per_kg.value()},
        {"hard_limit_mg", opt(rec.limits.hard_max ? std::optional<double>(rec.limits.hard_max->value())
                                                  : std::nullopt)},
        {"hard_limit_source", rec.limits.hard_source},
        {"soft_limit_mg", opt(rec.limits.soft_max ? std::optional<double>(rec.limits.soft_max->value())
                                                  : std::nullopt)},
        {"soft_limit_source", rec.limits.soft_source},
        {"status", std::string(infusion::to_string(status))},
        {"infused_min", static_cast<double>(d.infused_ms) / 60'000.0},
        {"current_rate_ml_per_h", d.current_rate ? json(d.current_rate->value()) : json(nullptr)},
        {"as_of", iso8601_ms(until)},
        {"intervals", intervals}}},
      {"gates", next_gates},
      {"started_at", opt_time(s.started_at_ms)},
      {"stopped_at", opt_time(s.stopped_at_ms)},
      {"void_reason", opt(s.void_reason)},
      {"events", events},
      {"vitals", vitals},
      {"vitals_schedule",
       {{"due_minutes_from_start", due},
        {"interval_min", kVitalsIntervalMin},
        {"basis",
         "policy: baseline, end of infusion and discharge are fixed points; the interval "
         "between is a clinic default"}}},
      {"adverse_events", adverse},
      {"dissociation", dissociation},
      {"discharge", discharge},
      {"created_by", s.created_by},
      {"created_at", iso8601_ms(s.created_at_ms)},
      {"updated_at", iso8601_ms(s.updated_at_ms)},
      {"version", s.version}};
}

Response session_response(RouteContext& ctx, std::int64_t id, int status) {
  storage::InfusionStore store(ctx.tx());
  auto s = store.find(id);
  if (!s) throw ApiError::not_found("session");
  json body = session_json(ctx, store, *s);
  // Reading may have raised a dose-limit alert: answer with the version as stored now.
  auto after = store.find(id);
  body["version"] = after->version;
  return json_response_with_etag(body, after->version, status);
}

std::optional<std::string> optional_reason(const std::optional<std::string>& text,
                                           const std::string& field) {
  auto trimmed = chair::optional_text(text, field);
  if (text && !trimmed) throw InputError(field, "must document the reason (empty text given)");
  return trimmed;
}

}  // namespace kit::server::infusion_routes
