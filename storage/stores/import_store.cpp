// The import store (storage/stores/import_store.h): one INSERT per record kind, as the Bundle had
// it.
#include "storage/stores/import_store.h"

#include <optional>
#include <string>

namespace kit::storage {
namespace {

constexpr std::int64_t kSlotMs = 15 * 60 * 1000;  // the booking grid (scheduling_routes.cpp)

template <class T>
Value opt(const std::optional<T>& v) {
  return v ? Value(*v) : null();
}

std::int64_t returning_id(Transaction& tx, std::string_view sql, const std::vector<Value>& params) {
  return tx.query(sql, params).front().i64("id");
}

}  // namespace

std::int64_t ImportStore::patient_count() {
  return tx_.query("SELECT COUNT(*) AS n FROM patients").front().i64("n");
}

std::int64_t ImportStore::insert_patient(const Patient& p) {
  return returning_id(
      tx_,
      "INSERT INTO patients (mrn, given_name, family_name, date_of_birth, sex, weight_kg, "
      "height_cm, email, phone, indication, status, created_at_ms, updated_at_ms) VALUES ($1, $2, "
      "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
      {p.mrn, p.given_name, p.family_name, p.date_of_birth, p.sex, opt(p.weight_kg),
       opt(p.height_cm), opt(p.email), opt(p.phone), p.indication, p.status, p.created_at_ms,
       p.updated_at_ms});
}

std::int64_t ImportStore::insert_consent(const Consent& c) {
  return returning_id(
      tx_,
      "INSERT INTO consents (patient_id, consent_type, form_version, signed_at_ms, recorded_by, "
      "recorded_at_ms, note, withdrawn_at_ms, withdrawn_by, withdrawal_reason) VALUES ($1, $2, $3, "
      "$4, $5, $6, $7, $8, $9, $10) RETURNING id",
      {c.patient_id, c.consent_type, c.form_version, c.signed_at_ms, c.recorded_by,
       c.recorded_at_ms, c.note, opt(c.withdrawn_at_ms), opt(c.withdrawn_by),
       opt(c.withdrawal_reason)});
}

std::int64_t ImportStore::insert_course(const Course& c) {
  return returning_id(
      tx_,
      "INSERT INTO courses (patient_id, protocol_id, state, planned_infusions, "
      "extension_infusions, notes, created_by, created_at_ms, updated_at_ms) VALUES ($1, $2, $3, "
      "$4, $5, $6, $7, $8, $9) RETURNING id",
      {c.patient_id, c.protocol_id, c.state, c.planned_infusions, c.extension_infusions, c.notes,
       c.created_by, c.created_at_ms, c.updated_at_ms});
}

std::int64_t ImportStore::insert_appointment(const Appointment& a) {
  const std::int64_t id = returning_id(
      tx_,
      "INSERT INTO appointments (patient_id, course_id, chair_id, staff_user_id, kind, starts_ms, "
      "ends_ms, on_date, status, status_reason, notes, booking_reason, created_by, created_at_ms, "
      "updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
      "RETURNING id",
      {a.patient_id, opt(a.course_id), a.chair_id, opt(a.staff_user_id), a.kind, a.starts_ms,
       a.ends_ms, a.on_date, a.status, a.status_reason, a.notes, a.booking_reason, a.created_by,
       a.created_at_ms, a.updated_at_ms});
  if (a.status != "cancelled") {
    for (std::int64_t s = a.starts_ms - a.starts_ms % kSlotMs; s < a.ends_ms; s += kSlotMs) {
      tx_.exec(
          "INSERT INTO appointment_slots (chair_id, slot_start, appointment_id) VALUES ($1, $2, "
          "$3)",
          {a.chair_id, s, id});
    }
  }
  return id;
}

std::int64_t ImportStore::insert_session(const InfusionSession& s) {
  return returning_id(
      tx_,
      "INSERT INTO infusion_sessions (patient_id, course_id, appointment_id, chair_id, "
      "unscheduled_reason, protocol_id, plan_request_json, plan_json, plan_status, "
      "concentration_mg_per_ml, dosing_weight_kg, planned_dose_mg, pump_step_ul_per_h, "
      "planned_rate_steps, planned_duration_min, override_reason, override_physician_id, state, "
      "delivered_mg, started_at_ms, stopped_at_ms, void_reason, voided_by, created_by, "
      "created_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'accepted', $9, $10, "
      "$11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25) RETURNING id",
      {s.patient_id,
       opt(s.course_id),
       opt(s.appointment_id),
       opt(s.chair_id),
       opt(s.unscheduled_reason),
       s.protocol_id,
       s.plan_request_json,
       s.plan_json,
       s.concentration_mg_per_ml,
       s.dosing_weight_kg,
       s.planned_dose_mg,
       s.pump_step_ul_per_h,
       s.planned_rate_steps,
       s.planned_duration_min,
       opt(s.override_reason),
       opt(s.override_physician_id),
       s.state,
       s.delivered_mg,
       opt(s.started_at_ms),
       opt(s.stopped_at_ms),
       opt(s.void_reason),
       opt(s.voided_by),
       s.created_by,
       s.created_at_ms,
       s.updated_at_ms});
}

std::int64_t ImportStore::insert_pump_event(const StoredPumpEvent& e) {
  return returning_id(
      tx_,
      "INSERT INTO session_events (session_id, kind, rate_steps, checks_json, override_reason, "
      "override_physician_id, gate_override_reason, note, status, amends_id, recorded_by, at_ms, "
      "recorded_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING "
      "id",
      {e.session_id, e.kind, opt(e.rate_steps), opt(e.checks_json), opt(e.override_reason),
       opt(e.override_physician_id), opt(e.gate_override_reason), e.note, e.status,
       opt(e.amends_id), e.recorded_by, e.at_ms, e.recorded_at_ms});
}

std::int64_t ImportStore::insert_vital(const StoredVital& v) {
  return returning_id(
      tx_,
      "INSERT INTO session_vitals (session_id, point, sbp_mmhg, dbp_mmhg, hr_bpm, spo2_percent, "
      "rr_per_min, consciousness, action, reasons_json, status, amends_id, recorded_by, at_ms) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
      {v.session_id, v.point, opt(v.sbp_mmhg), opt(v.dbp_mmhg), opt(v.hr_bpm), opt(v.spo2_percent),
       opt(v.rr_per_min), opt(v.consciousness), v.action, v.reasons_json, v.status,
       opt(v.amends_id), v.recorded_by, v.at_ms});
}

std::int64_t ImportStore::insert_adverse_event(const StoredAdverseEvent& a) {
  return returning_id(
      tx_,
      "INSERT INTO adverse_events (session_id, patient_id, kind, severity, description, "
      "action_taken, status, amends_id, recorded_by, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, "
      "$8, $9, $10) RETURNING id",
      {a.session_id, a.patient_id, a.kind, a.severity, a.description, a.action_taken, a.status,
       opt(a.amends_id), a.recorded_by, a.at_ms});
}

std::int64_t ImportStore::insert_assessment(const Assessment& a) {
  return returning_id(
      tx_,
      "INSERT INTO assessments (patient_id, course_id, session_id, instrument, answers_json, "
      "result_json, total, band, flags_json, self_report, taken_on, status, amends_id, "
      "recorded_by, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
      "$15) RETURNING id",
      {a.patient_id, opt(a.course_id), opt(a.session_id), a.instrument, a.answers_json,
       a.result_json, a.total, opt(a.band), a.flags_json,
       static_cast<std::int64_t>(a.self_report ? 1 : 0), a.taken_on, a.status, opt(a.amends_id),
       a.recorded_by, a.at_ms});
}

}  // namespace kit::storage
