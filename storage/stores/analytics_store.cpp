// The analytics store (storage/stores/analytics_store.h): the SQL of the outcome analytics' bulk
// reads. Every statement reads entries in force only (status 'active', sessions not voided).
#include "storage/stores/analytics_store.h"

namespace kit::storage {
namespace {

// The scope as SQL over `p` (patients): " AND p.indication = $1" and its parameter, or nothing.
struct ScopeSql {
  std::string where;
  std::vector<Value> params;
};
ScopeSql scope_sql(const AnalyticsScope& scope) {
  ScopeSql out;
  if (scope.indication) {
    out.where = " AND p.indication = $1";
    out.params.push_back(*scope.indication);
  }
  return out;
}

AnalyticsCourse course_from_row(const Row& r) {
  AnalyticsCourse c;
  c.id = r.i64("id");
  c.patient_id = r.i64("patient_id");
  c.indication = r.text("indication");
  c.protocol_id = r.text("protocol_id");
  c.state = r.text("state");
  c.planned_infusions = r.i64("planned_infusions");
  c.extension_infusions = r.i64("extension_infusions");
  c.created_at_ms = r.i64("created_at_ms");
  c.ended_at_ms = r.opt_i64("ended_at_ms");
  c.maintenance_at_ms = r.opt_i64("maintenance_at_ms");
  c.clinic_id = r.opt_i64("clinic_id");
  return c;
}

AnalyticsSession session_from_row(const Row& r) {
  AnalyticsSession s;
  s.id = r.i64("id");
  s.patient_id = r.i64("patient_id");
  s.course_id = r.i64("course_id");
  s.appointment_kind = r.opt_text("appointment_kind");
  s.clinic_id = r.opt_i64("clinic_id");
  s.started_at_ms = r.i64("started_at_ms");
  s.concentration_mg_per_ml = r.f64("concentration_mg_per_ml");
  s.pump_step_ul_per_h = r.i64("pump_step_ul_per_h");
  s.planned_rate_steps = r.i64("planned_rate_steps");
  s.planned_duration_min = r.f64("planned_duration_min");
  s.planned_dose_mg = r.f64("planned_dose_mg");
  s.delivered_mg = r.f64("delivered_mg");
  return s;
}

AnalyticsAssessment assessment_from_row(const Row& r) {
  AnalyticsAssessment a;
  a.id = r.i64("id");
  a.patient_id = r.i64("patient_id");
  a.course_id = r.opt_i64("course_id");
  a.instrument = r.text("instrument");
  a.taken_on = r.text("taken_on");
  a.total = r.f64("total");
  a.at_ms = r.i64("at_ms");
  return a;
}

}  // namespace

std::vector<AnalyticsCourse> AnalyticsStore::courses(const AnalyticsScope& scope) {
  const ScopeSql s = scope_sql(scope);
  const std::string sql =
      "SELECT c.id, c.patient_id, p.indication, c.protocol_id, c.state, c.planned_infusions, "
      "c.extension_infusions, c.created_at_ms, "
      "(SELECT MIN(e.at_ms) FROM course_events e WHERE e.course_id = c.id AND e.to_state IN "
      "('completed', 'stopped')) AS ended_at_ms, "
      "(SELECT MIN(e.at_ms) FROM course_events e WHERE e.course_id = c.id AND e.to_state = "
      "'maintenance') AS maintenance_at_ms, "
      "COALESCE((SELECT ch.clinic_id FROM infusion_sessions x LEFT JOIN appointments xa ON xa.id "
      "= x.appointment_id JOIN chairs ch ON ch.id = COALESCE(x.chair_id, xa.chair_id) WHERE "
      "x.course_id = c.id AND x.state <> 'voided' ORDER BY x.id LIMIT 1), "
      "(SELECT ch.clinic_id FROM appointments y JOIN chairs ch ON ch.id = y.chair_id WHERE "
      "y.course_id = c.id ORDER BY y.starts_ms, y.id LIMIT 1)) AS clinic_id "
      "FROM courses c JOIN patients p ON p.id = c.patient_id WHERE 1 = 1" +
      s.where + " ORDER BY c.patient_id, c.id";
  std::vector<AnalyticsCourse> out;
  for (const Row& r : tx_.query(sql, s.params)) out.push_back(course_from_row(r));
  return out;
}

std::vector<AnalyticsSession> AnalyticsStore::sessions(const AnalyticsScope& scope) {
  const ScopeSql s = scope_sql(scope);
  const std::string sql =
      "SELECT s.id, s.patient_id, s.course_id, a.kind AS appointment_kind, ch.clinic_id, "
      "s.started_at_ms, s.concentration_mg_per_ml, s.pump_step_ul_per_h, s.planned_rate_steps, "
      "s.planned_duration_min, s.planned_dose_mg, s.delivered_mg FROM infusion_sessions s JOIN "
      "courses c ON c.id = s.course_id JOIN patients p ON p.id = c.patient_id LEFT JOIN "
      "appointments a ON a.id = s.appointment_id LEFT JOIN chairs ch ON ch.id = "
      "COALESCE(s.chair_id, a.chair_id) WHERE s.state IN ('stopped', 'discharged') AND "
      "s.started_at_ms IS NOT NULL" +
      s.where + " ORDER BY s.course_id, s.started_at_ms, s.id";
  std::vector<AnalyticsSession> out;
  for (const Row& r : tx_.query(sql, s.params)) out.push_back(session_from_row(r));
  return out;
}

std::vector<AnalyticsVitalAlert> AnalyticsStore::vital_alerts(const AnalyticsScope& scope) {
  const ScopeSql s = scope_sql(scope);
  const std::string sql =
      "SELECT v.session_id, v.reasons_json FROM session_vitals v JOIN infusion_sessions s ON "
      "s.id = v.session_id JOIN courses c ON c.id = s.course_id JOIN patients p ON p.id = "
      "c.patient_id WHERE s.state IN ('stopped', 'discharged') AND s.started_at_ms IS NOT NULL "
      "AND v.status = 'active' AND v.alert_id IS NOT NULL" +
      s.where + " ORDER BY v.session_id, v.at_ms, v.id";
  std::vector<AnalyticsVitalAlert> out;
  for (const Row& r : tx_.query(sql, s.params)) {
    out.push_back({r.i64("session_id"), r.text("reasons_json")});
  }
  return out;
}

std::vector<AnalyticsAdverseEvent> AnalyticsStore::adverse_events(const AnalyticsScope& scope) {
  const ScopeSql s = scope_sql(scope);
  const std::string sql = std::string("SELECT ae.session_id, ae.kind, ae.severity, ae.at_ms") +
                          " FROM adverse_events ae JOIN infusion_sessions s ON s.id = "
                          "ae.session_id JOIN courses c ON c.id = s.course_id JOIN patients p ON "
                          "p.id = c.patient_id WHERE s.state IN ('stopped', 'discharged') AND "
                          "s.started_at_ms IS NOT NULL AND ae.status = 'active'" +
                          s.where + " ORDER BY ae.session_id, ae.at_ms, ae.id";
  std::vector<AnalyticsAdverseEvent> out;
  for (const Row& r : tx_.query(sql, s.params)) {
    out.push_back({r.i64("session_id"), r.text("kind"), r.text("severity"), r.i64("at_ms")});
  }
  return out;
}

std::vector<std::pair<std::int64_t, double>> AnalyticsStore::cadss_maxima(
    const AnalyticsScope& scope) {
  const ScopeSql s = scope_sql(scope);
  const std::string sql = std::string("SELECT a.session_id, MAX(a.total) AS total") +
                          " FROM assessments a JOIN infusion_sessions s ON s.id = a.session_id "
                          "JOIN courses c ON c.id = s.course_id JOIN patients p ON p.id = "
                          "c.patient_id WHERE s.state IN ('stopped', 'discharged') AND "
                          "s.started_at_ms IS NOT NULL AND a.instrument = 'cadss' AND a.status = "
                          "'active'" +
                          s.where + " GROUP BY a.session_id ORDER BY a.session_id";
  std::vector<std::pair<std::int64_t, double>> out;
  for (const Row& r : tx_.query(sql, s.params))
    out.emplace_back(r.i64("session_id"), r.f64("total"));
  return out;
}

std::vector<AnalyticsAssessment> AnalyticsStore::assessments(const AnalyticsScope& scope) {
  const ScopeSql s = scope_sql(scope);
  const std::string sql =
      "SELECT a.id, a.patient_id, a.course_id, a.instrument, a.taken_on, a.total, a.at_ms FROM "
      "assessments a JOIN patients p ON p.id = a.patient_id WHERE a.session_id IS NULL AND "
      "a.status = 'active'" +
      s.where + " ORDER BY a.patient_id, a.instrument, a.taken_on, a.at_ms, a.id";
  std::vector<AnalyticsAssessment> out;
  for (const Row& r : tx_.query(sql, s.params)) out.push_back(assessment_from_row(r));
  return out;
}

std::vector<AnalyticsMedicationList> AnalyticsStore::medication_lists(const AnalyticsScope& scope) {
  const ScopeSql s = scope_sql(scope);
  const std::string sql =
      "SELECT m.patient_id, m.as_of, m.total_mme_per_day FROM medication_lists m JOIN patients p "
      "ON p.id = m.patient_id WHERE m.status = 'active'" +
      s.where + " ORDER BY m.patient_id, m.as_of, m.recorded_at_ms, m.id";
  std::vector<AnalyticsMedicationList> out;
  for (const Row& r : tx_.query(sql, s.params)) {
    out.push_back({r.i64("patient_id"), r.text("as_of"), r.f64("total_mme_per_day")});
  }
  return out;
}

std::vector<AnalyticsClinic> AnalyticsStore::clinics() {
  std::vector<AnalyticsClinic> out;
  for (const Row& r : tx_.query("SELECT id, name, timezone FROM clinics ORDER BY id")) {
    out.push_back({r.i64("id"), r.text("name"), r.text("timezone")});
  }
  return out;
}

}  // namespace kit::storage
