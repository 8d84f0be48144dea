#include "storage/stores/infusion_store.h"

#include <stdexcept>

namespace kit::storage {

namespace {

Value opt(const std::optional<std::int64_t>& v) { return v ? Value(*v) : null(); }
Value opt(const std::optional<double>& v) { return v ? Value(*v) : null(); }
Value opt(const std::optional<std::string>& v) { return v ? Value(*v) : null(); }

constexpr const char* kSessionColumns =
    "id, patient_id, course_id, appointment_id, chair_id, unscheduled_reason, protocol_id, lot_id, "
    "plan_request_json, plan_json, concentration_mg_per_ml, dosing_weight_kg, planned_dose_mg, "
    "pump_step_ul_per_h, planned_rate_steps, planned_duration_min, override_reason, "
    "override_physician_id, state, delivered_mg, started_at_ms, stopped_at_ms, "
    "soft_limit_alert_id, hard_limit_alert_id, void_reason, voided_by, created_by, created_at_ms, "
    "updated_at_ms, version";

InfusionSession session_from(const Row& r) {
  InfusionSession s;
  s.id = r.i64("id");
  s.patient_id = r.i64("patient_id");
  s.course_id = r.opt_i64("course_id");
  s.appointment_id = r.opt_i64("appointment_id");
  s.chair_id = r.opt_i64("chair_id");
  s.unscheduled_reason = r.opt_text("unscheduled_reason");
  s.protocol_id = r.text("protocol_id");
  s.lot_id = r.opt_i64("lot_id");
  s.plan_request_json = r.text("plan_request_json");
  s.plan_json = r.text("plan_json");
  s.concentration_mg_per_ml = r.f64("concentration_mg_per_ml");
  s.dosing_weight_kg = r.f64("dosing_weight_kg");
  s.planned_dose_mg = r.f64("planned_dose_mg");
  s.pump_step_ul_per_h = r.i64("pump_step_ul_per_h");
  s.planned_rate_steps = r.i64("planned_rate_steps");
  s.planned_duration_min = r.f64("planned_duration_min");
  s.override_reason = r.opt_text("override_reason");
  s.override_physician_id = r.opt_i64("override_physician_id");
  s.state = r.text("state");
  s.delivered_mg = r.f64("delivered_mg");
  s.started_at_ms = r.opt_i64("started_at_ms");
  s.stopped_at_ms = r.opt_i64("stopped_at_ms");
  s.soft_limit_alert_id = r.opt_i64("soft_limit_alert_id");
  s.hard_limit_alert_id = r.opt_i64("hard_limit_alert_id");
  s.void_reason = r.opt_text("void_reason");
  s.voided_by = r.opt_i64("voided_by");
  s.created_by = r.i64("created_by");
  s.created_at_ms = r.i64("created_at_ms");
  s.updated_at_ms = r.i64("updated_at_ms");
  s.version = r.i64("version");
  return s;
}

StoredPumpEvent pump_event_from(const Row& r) {
  StoredPumpEvent e;
  e.id = r.i64("id");
  e.session_id = r.i64("session_id");
  e.kind = r.text("kind");
  e.rate_steps = r.opt_i64("rate_steps");
  e.checks_json = r.opt_text("checks_json");
  e.override_reason = r.opt_text("override_reason");
  e.override_physician_id = r.opt_i64("override_physician_id");
  e.gate_override_reason = r.opt_text("gate_override_reason");
  e.note = r.text("note");
  e.status = r.text("status");
  e.amends_id = r.opt_i64("amends_id");
  e.recorded_by = r.i64("recorded_by");
  e.at_ms = r.i64("at_ms");
  e.recorded_at_ms = r.i64("recorded_at_ms");
  return e;
}

StoredVital vital_from(const Row& r) {
  StoredVital v;
  v.id = r.i64("id");
  v.session_id = r.i64("session_id");
  v.point = r.text("point");
  v.sbp_mmhg = r.opt_f64("sbp_mmhg");
  v.dbp_mmhg = r.opt_f64("dbp_mmhg");
  v.hr_bpm = r.opt_f64("hr_bpm");
  v.spo2_percent = r.opt_f64("spo2_percent");
  v.rr_per_min = r.opt_f64("rr_per_min");
  v.consciousness = r.opt_text("consciousness");
  v.action = r.text("action");
  v.reasons_json = r.text("reasons_json");
  v.alert_id = r.opt_i64("alert_id");
  v.status = r.text("status");
  v.amends_id = r.opt_i64("amends_id");
  v.recorded_by = r.i64("recorded_by");
  v.at_ms = r.i64("at_ms");
  return v;
}

StoredAdverseEvent adverse_event_from(const Row& r) {
  StoredAdverseEvent a;
  a.id = r.i64("id");
  a.session_id = r.i64("session_id");
  a.patient_id = r.i64("patient_id");
  a.kind = r.text("kind");
  a.severity = r.text("severity");
  a.description = r.text("description");
  a.action_taken = r.text("action_taken");
  a.alert_id = r.opt_i64("alert_id");
  a.status = r.text("status");
  a.amends_id = r.opt_i64("amends_id");
  a.recorded_by = r.i64("recorded_by");
  a.at_ms = r.i64("at_ms");
  return a;
}

StoredDissociation dissociation_from(const Row& r) {
  return {r.i64("id"),      r.f64("total"),         r.text("answers_json"),
          r.text("status"), r.opt_i64("amends_id"), r.i64("recorded_by"),
          r.i64("at_ms")};
}

StoredCorrection correction_from(const Row& r) {
  return {r.i64("id"),         r.text("entity"), r.i64("entity_id"),
          r.text("action"),    r.text("reason"), r.opt_i64("replacement_id"),
          r.i64("by_user_id"), r.i64("at_ms")};
}

// The table holding each correctable entry of a session, and how it names the session.
struct EntryTable {
  const char* table;
  const char* extra_where;
};
EntryTable entry_table(const std::string& entity) {
  if (entity == "pump_event") return {"session_events", ""};
  if (entity == "vital") return {"session_vitals", ""};
  if (entity == "adverse_event") return {"adverse_events", ""};
  if (entity == "dissociation") return {"assessments", " AND instrument = 'cadss'"};
  throw std::invalid_argument("unknown correctable entity '" + entity + "'");
}

}  // namespace

std::optional<InfusionSession> InfusionStore::find(std::int64_t id) {
  Rows rows = tx_.query(
      std::string("SELECT ") + kSessionColumns + " FROM infusion_sessions WHERE id = $1", {id});
  if (rows.empty()) return std::nullopt;
  return session_from(rows.front());
}

std::vector<InfusionSession> InfusionStore::of_patient(std::int64_t patient_id) {
  std::vector<InfusionSession> out;
  for (const Row& r : tx_.query(std::string("SELECT ") + kSessionColumns +
                                    " FROM infusion_sessions WHERE patient_id = $1 ORDER BY id",
                                {patient_id})) {
    out.push_back(session_from(r));
  }
  return out;
}

namespace {
// "$1, $2, ..." for an IN list, and its parameters.
std::string in_list(const std::vector<std::int64_t>& ids, std::vector<Value>& params) {
  std::string out;
  for (std::int64_t id : ids) {
    params.emplace_back(id);
    out += (out.empty() ? "$" : ", $") + std::to_string(params.size());
  }
  return out;
}
}  // namespace

std::vector<BoardSession> InfusionStore::board_sessions_of_appointments(
    const std::vector<std::int64_t>& appointment_ids) {
  std::vector<BoardSession> out;
  if (appointment_ids.empty()) return out;
  std::vector<Value> params;
  const std::string in = in_list(appointment_ids, params);
  for (const Row& r :
       tx_.query("SELECT id, patient_id, appointment_id, chair_id, state, started_at_ms, "
                 "stopped_at_ms, planned_duration_min FROM infusion_sessions WHERE appointment_id "
                 "IN (" +
                     in + ") ORDER BY patient_id, id",
                 params)) {
    BoardSession s;
    s.id = r.i64("id");
    s.patient_id = r.i64("patient_id");
    s.appointment_id = r.opt_i64("appointment_id");
    s.chair_id = r.opt_i64("chair_id");
    s.state = r.text("state");
    s.started_at_ms = r.opt_i64("started_at_ms");
    s.stopped_at_ms = r.opt_i64("stopped_at_ms");
    s.planned_duration_min = r.f64("planned_duration_min");
    out.push_back(std::move(s));
  }
  return out;
}

std::int64_t InfusionStore::insert(const NewInfusionSession& s) {
  Rows rows = tx_.query(
      "INSERT INTO infusion_sessions (patient_id, course_id, appointment_id, chair_id, "
      "unscheduled_reason, protocol_id, lot_id, plan_request_json, plan_json, plan_status, "
      "concentration_mg_per_ml, dosing_weight_kg, planned_dose_mg, pump_step_ul_per_h, "
      "planned_rate_steps, planned_duration_min, override_reason, override_physician_id, state, "
      "delivered_mg, created_by, created_at_ms, updated_at_ms, version) VALUES ($1, $2, $3, $4, "
      "$5, $6, $7, $8, $9, 'accepted', $10, $11, $12, $13, $14, $15, $16, $17, 'planned', 0, $18, "
      "$19, $19, 1) RETURNING id",
      {s.patient_id, opt(s.course_id), opt(s.appointment_id), opt(s.chair_id),
       opt(s.unscheduled_reason), s.protocol_id, opt(s.lot_id), s.plan_request_json, s.plan_json,
       s.concentration_mg_per_ml, s.dosing_weight_kg, s.planned_dose_mg, s.pump_step_ul_per_h,
       s.planned_rate_steps, s.planned_duration_min, opt(s.override_reason),
       opt(s.override_physician_id), s.created_by, s.at_ms});
  return rows.front().i64("id");
}

bool InfusionStore::change_state(std::int64_t id, std::int64_t expected_version,
                                 const InfusionStateChange& c, std::int64_t now_ms) {
  return tx_.exec(
             "UPDATE infusion_sessions SET state = $3, delivered_mg = $4, started_at_ms = $5, "
             "stopped_at_ms = $6, void_reason = $7, voided_by = $8, updated_at_ms = $9, "
             "version = version + 1 WHERE id = $1 AND version = $2",
             {id, expected_version, c.state, c.delivered_mg, opt(c.started_at_ms),
              opt(c.stopped_at_ms), opt(c.void_reason), opt(c.voided_by), now_ms}) == 1;
}

void InfusionStore::bump_version(std::int64_t id, std::int64_t now_ms) {
  tx_.exec("UPDATE infusion_sessions SET version = version + 1, updated_at_ms = $2 WHERE id = $1",
           {id, now_ms});
}

void InfusionStore::set_limit_alert(std::int64_t id, bool hard, std::int64_t alert_id) {
  tx_.exec(hard ? "UPDATE infusion_sessions SET hard_limit_alert_id = $2 WHERE id = $1"
                : "UPDATE infusion_sessions SET soft_limit_alert_id = $2 WHERE id = $1",
           {id, alert_id});
}

std::vector<StoredPumpEvent> InfusionStore::pump_events(std::int64_t session_id) {
  std::vector<StoredPumpEvent> out;
  for (const Row& r : tx_.query("SELECT * FROM session_events WHERE session_id = $1 "
                                "ORDER BY at_ms, id",
                                {session_id})) {
    out.push_back(pump_event_from(r));
  }
  return out;
}

std::map<std::int64_t, std::vector<PumpClockEvent>> InfusionStore::pump_clock_of(
    const std::vector<std::int64_t>& session_ids) {
  std::map<std::int64_t, std::vector<PumpClockEvent>> out;
  if (session_ids.empty()) return out;
  std::vector<Value> params;
  const std::string in = in_list(session_ids, params);
  for (const Row& r : tx_.query("SELECT session_id, kind, status, at_ms FROM session_events WHERE "
                                "session_id IN (" +
                                    in + ") ORDER BY session_id, at_ms, id",
                                params)) {
    PumpClockEvent e;
    e.session_id = r.i64("session_id");
    e.kind = r.text("kind");
    e.status = r.text("status");
    e.at_ms = r.i64("at_ms");
    out[e.session_id].push_back(std::move(e));
  }
  return out;
}

std::int64_t InfusionStore::insert_pump_event(const StoredPumpEvent& e) {
  return tx_
      .query(
          "INSERT INTO session_events (session_id, kind, rate_steps, checks_json, "
          "override_reason, override_physician_id, gate_override_reason, note, status, amends_id, "
          "recorded_by, at_ms, recorded_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', "
          "$9, $10, $11, $12) RETURNING id",
          {e.session_id, e.kind, opt(e.rate_steps), opt(e.checks_json), opt(e.override_reason),
           opt(e.override_physician_id), opt(e.gate_override_reason), e.note, opt(e.amends_id),
           e.recorded_by, e.at_ms, e.recorded_at_ms})
      .front()
      .i64("id");
}

std::vector<StoredVital> InfusionStore::vitals(std::int64_t session_id) {
  std::vector<StoredVital> out;
  for (const Row& r : tx_.query("SELECT * FROM session_vitals WHERE session_id = $1 "
                                "ORDER BY at_ms, id",
                                {session_id})) {
    out.push_back(vital_from(r));
  }
  return out;
}

std::optional<StoredVital> InfusionStore::latest_baseline(std::int64_t session_id) {
  Rows rows = tx_.query(
      "SELECT * FROM session_vitals WHERE session_id = $1 AND point = 'baseline' AND status = "
      "'active' ORDER BY at_ms DESC, id DESC LIMIT 1",
      {session_id});
  if (rows.empty()) return std::nullopt;
  return vital_from(rows.front());
}

std::int64_t InfusionStore::insert_vital(const StoredVital& v) {
  return tx_
      .query(
          "INSERT INTO session_vitals (session_id, point, sbp_mmhg, dbp_mmhg, hr_bpm, "
          "spo2_percent, rr_per_min, consciousness, action, reasons_json, alert_id, status, "
          "amends_id, recorded_by, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
          "'active', $12, $13, $14) RETURNING id",
          {v.session_id, v.point, opt(v.sbp_mmhg), opt(v.dbp_mmhg), opt(v.hr_bpm),
           opt(v.spo2_percent), opt(v.rr_per_min), opt(v.consciousness), v.action, v.reasons_json,
           opt(v.alert_id), opt(v.amends_id), v.recorded_by, v.at_ms})
      .front()
      .i64("id");
}

std::vector<StoredAdverseEvent> InfusionStore::adverse_events(std::int64_t session_id) {
  std::vector<StoredAdverseEvent> out;
  for (const Row& r : tx_.query("SELECT * FROM adverse_events WHERE session_id = $1 "
                                "ORDER BY at_ms, id",
                                {session_id})) {
    out.push_back(adverse_event_from(r));
  }
  return out;
}

std::int64_t InfusionStore::insert_adverse_event(const StoredAdverseEvent& a) {
  return tx_
      .query(
          "INSERT INTO adverse_events (session_id, patient_id, kind, severity, description, "
          "action_taken, alert_id, status, amends_id, recorded_by, at_ms) VALUES ($1, $2, $3, "
          "$4, $5, $6, $7, 'active', $8, $9, $10) RETURNING id",
          {a.session_id, a.patient_id, a.kind, a.severity, a.description, a.action_taken,
           opt(a.alert_id), opt(a.amends_id), a.recorded_by, a.at_ms})
      .front()
      .i64("id");
}

std::vector<StoredDissociation> InfusionStore::dissociation(std::int64_t session_id) {
  std::vector<StoredDissociation> out;
  for (const Row& r : tx_.query("SELECT id, total, answers_json, status, amends_id, recorded_by, "
                                "at_ms FROM assessments WHERE session_id = $1 AND instrument = "
                                "'cadss' ORDER BY at_ms, id",
                                {session_id})) {
    out.push_back(dissociation_from(r));
  }
  return out;
}

std::optional<StoredDischarge> InfusionStore::discharge(std::int64_t session_id) {
  Rows rows = tx_.query("SELECT * FROM session_discharges WHERE session_id = $1", {session_id});
  if (rows.empty()) return std::nullopt;
  const Row& r = rows.front();
  return StoredDischarge{r.text("result_json"),         r.text("gates_json"),
                         r.i64("aldrete_score"),        r.i64("ready") == 1,
                         r.opt_text("override_reason"), r.opt_i64("override_physician_id"),
                         r.i64("recorded_by"),          r.i64("at_ms")};
}

void InfusionStore::insert_discharge(std::int64_t session_id, const std::string& request_json,
                                     const StoredDischarge& d) {
  tx_.exec(
      "INSERT INTO session_discharges (session_id, request_json, result_json, gates_json, "
      "aldrete_score, ready, override_reason, override_physician_id, recorded_by, at_ms) VALUES "
      "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
      {session_id, request_json, d.result_json, d.gates_json, d.aldrete_score,
       std::int64_t{d.ready ? 1 : 0}, opt(d.override_reason), opt(d.override_physician_id),
       d.recorded_by, d.at_ms});
}

bool InfusionStore::set_entry_status(const std::string& entity, std::int64_t entry_id,
                                     std::int64_t session_id, const std::string& status) {
  const EntryTable t = entry_table(entity);
  return tx_.exec(std::string("UPDATE ") + t.table +
                      " SET status = $3 WHERE id = $1 AND session_id = $2 AND status = 'active'" +
                      t.extra_where,
                  {entry_id, session_id, status}) == 1;
}

std::int64_t InfusionStore::insert_correction(const StoredCorrection& c,
                                              std::optional<std::int64_t> session_id,
                                              std::int64_t patient_id) {
  return tx_
      .query(
          "INSERT INTO corrections (entity, entity_id, session_id, patient_id, action, reason, "
          "replacement_id, by_user_id, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
          "RETURNING id",
          {c.entity, c.entity_id, opt(session_id), patient_id, c.action, c.reason,
           opt(c.replacement_id), c.by_user_id, c.at_ms})
      .front()
      .i64("id");
}

std::vector<StoredCorrection> InfusionStore::corrections(std::int64_t session_id) {
  std::vector<StoredCorrection> out;
  for (const Row& r :
       tx_.query("SELECT * FROM corrections WHERE session_id = $1 ORDER BY id", {session_id})) {
    out.push_back(correction_from(r));
  }
  return out;
}

void InfusionStore::retract_alert(std::int64_t alert_id, std::int64_t by_user_id,
                                  const std::string& reason, std::int64_t now_ms) {
  // A retracted alert is closed (no longer open to anyone) and keeps why.
  tx_.exec(
      "UPDATE alerts SET retracted_at_ms = $3, retraction_reason = $4, "
      "acknowledged_by = COALESCE(acknowledged_by, $2), "
      "acknowledged_at_ms = COALESCE(acknowledged_at_ms, $3), version = version + 1 "
      "WHERE id = $1 AND retracted_at_ms IS NULL",
      {alert_id, by_user_id, now_ms, reason});
}

int InfusionStore::open_critical_alerts(std::int64_t session_id) {
  return static_cast<int>(
      tx_.query("SELECT COUNT(*) AS n FROM alerts WHERE session_id = $1 AND severity = 'critical' "
                "AND acknowledged_at_ms IS NULL",
                {session_id})
          .front()
          .i64("n"));
}

std::optional<PatientGateRow> InfusionStore::patient_gate_facts(std::int64_t patient_id) {
  Rows p = tx_.query("SELECT id, status FROM patients WHERE id = $1", {patient_id});
  if (p.empty()) return std::nullopt;
  PatientGateRow g;
  g.id = patient_id;
  g.status = p.front().text("status");
  Rows a = tx_.query(
      "SELECT decision, reason, physician_user_id, decided_at_ms FROM approvals WHERE "
      "patient_id = $1 ORDER BY decided_at_ms DESC, id DESC LIMIT 1",
      {patient_id});
  if (!a.empty()) {
    g.approval_decision = a.front().text("decision");
    g.approval_at_ms = a.front().i64("decided_at_ms");
    g.approval_physician_id = a.front().i64("physician_user_id");
    g.approval_reason = a.front().text("reason");
  }
  g.treatment_consent_active =
      tx_.query(
             "SELECT COUNT(*) AS n FROM consents WHERE patient_id = $1 AND consent_type = "
             "'treatment' AND withdrawn_at_ms IS NULL",
             {patient_id})
          .front()
          .i64("n") > 0;
  Rows w = tx_.query(
      "SELECT withdrawn_at_ms FROM consents WHERE patient_id = $1 AND consent_type = 'treatment' "
      "AND withdrawn_at_ms IS NOT NULL ORDER BY withdrawn_at_ms DESC LIMIT 1",
      {patient_id});
  if (!w.empty()) g.consent_withdrawn_at_ms = w.front().i64("withdrawn_at_ms");
  Rows s = tx_.query(
      "SELECT id, eligible, screened_at_ms FROM screenings WHERE patient_id = $1 AND "
      "result_json NOT LIKE '%\"cleared_to_start\"%' ORDER BY screened_at_ms DESC, id DESC "
      "LIMIT 1",
      {patient_id});
  if (!s.empty()) {
    g.screening_id = s.front().i64("id");
    g.screening_eligible = s.front().i64("eligible") == 1;
    g.screening_at_ms = s.front().i64("screened_at_ms");
  }
  Rows d = tx_.query(
      "SELECT id, result_json, screened_at_ms FROM screenings WHERE patient_id = $1 AND "
      "result_json LIKE '%\"cleared_to_start\"%' ORDER BY screened_at_ms DESC, id DESC LIMIT 1",
      {patient_id});
  if (!d.empty()) {
    g.day_check_id = d.front().i64("id");
    g.day_check_result_json = d.front().text("result_json");
    g.day_check_at_ms = d.front().i64("screened_at_ms");
  }
  return g;
}

std::optional<CourseGateRow> InfusionStore::course(std::int64_t course_id) {
  Rows r = tx_.query("SELECT id, patient_id, state, protocol_id FROM courses WHERE id = $1",
                     {course_id});
  if (r.empty()) return std::nullopt;
  return CourseGateRow{r.front().i64("id"), r.front().i64("patient_id"), r.front().text("state"),
                       r.front().text("protocol_id")};
}

std::optional<AppointmentGateRow> InfusionStore::appointment(std::int64_t appointment_id) {
  Rows r = tx_.query(
      "SELECT a.id, a.patient_id, a.course_id, a.chair_id, c.clinic_id, a.status, a.on_date, "
      "a.kind FROM appointments a JOIN chairs c ON c.id = a.chair_id WHERE a.id = $1",
      {appointment_id});
  if (r.empty()) return std::nullopt;
  const Row& x = r.front();
  return AppointmentGateRow{x.i64("id"),       x.i64("patient_id"), x.opt_i64("course_id"),
                            x.i64("chair_id"), x.i64("clinic_id"),  x.text("status"),
                            x.text("on_date"), x.text("kind")};
}

int InfusionStore::live_sessions_on_appointment(std::int64_t appointment_id,
                                                std::int64_t except_session_id) {
  return static_cast<int>(
      tx_.query("SELECT COUNT(*) AS n FROM infusion_sessions WHERE appointment_id = $1 AND "
                "state <> 'voided' AND id <> $2",
                {appointment_id, except_session_id})
          .front()
          .i64("n"));
}

int InfusionStore::active_sessions_of_patient(std::int64_t patient_id,
                                              std::int64_t except_session_id) {
  return static_cast<int>(
      tx_.query("SELECT COUNT(*) AS n FROM infusion_sessions WHERE patient_id = $1 AND state IN "
                "('running', 'paused') AND id <> $2",
                {patient_id, except_session_id})
          .front()
          .i64("n"));
}

}  // namespace kit::storage
