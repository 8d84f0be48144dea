#include "storage/stores/sedation_store.h"

#include <stdexcept>

namespace kit::storage {

namespace {

Value opt(const std::optional<std::int64_t>& v) { return v ? Value(*v) : null(); }
Value opt(const std::optional<double>& v) { return v ? Value(*v) : null(); }
Value opt(const std::optional<std::string>& v) { return v ? Value(*v) : null(); }
Value opt(const std::optional<bool>& v) { return v ? Value(std::int64_t{*v ? 1 : 0}) : null(); }

constexpr const char* kEpisodeColumns =
    "id, patient_id, procedure_name, weight_kg, age_y, screening_json, findings_json, gates_json, "
    "relative_review_reason, relative_review_physician_id, state, procedure_ended_at_ms, "
    "procedure_ended_by, discharge_json, discharged_at_ms, discharged_by, void_reason, voided_by, "
    "opened_at_ms, created_by, created_at_ms, updated_at_ms, version";

SedationEpisode episode_from(const Row& r) {
  SedationEpisode e;
  e.id = r.i64("id");
  e.patient_id = r.i64("patient_id");
  e.procedure_name = r.text("procedure_name");
  e.weight_kg = r.f64("weight_kg");
  e.age_y = r.f64("age_y");
  e.screening_json = r.text("screening_json");
  e.findings_json = r.text("findings_json");
  e.gates_json = r.text("gates_json");
  e.relative_review_reason = r.opt_text("relative_review_reason");
  e.relative_review_physician_id = r.opt_i64("relative_review_physician_id");
  e.state = r.text("state");
  e.procedure_ended_at_ms = r.opt_i64("procedure_ended_at_ms");
  e.procedure_ended_by = r.opt_i64("procedure_ended_by");
  e.discharge_json = r.opt_text("discharge_json");
  e.discharged_at_ms = r.opt_i64("discharged_at_ms");
  e.discharged_by = r.opt_i64("discharged_by");
  e.void_reason = r.opt_text("void_reason");
  e.voided_by = r.opt_i64("voided_by");
  e.opened_at_ms = r.i64("opened_at_ms");
  e.created_by = r.i64("created_by");
  e.created_at_ms = r.i64("created_at_ms");
  e.updated_at_ms = r.i64("updated_at_ms");
  e.version = r.i64("version");
  return e;
}

constexpr const char* kDoseColumns =
    "id, episode_id, route, protocol_id, is_repeat, dose_mg, dose_mg_per_kg, "
    "concentration_mg_per_ml, volume_ml, running_total_mg, running_total_mg_per_kg, "
    "cumulative_hard_limit_mg_per_kg, limit_status, plan_json, gates_json, override_reason, "
    "override_physician_id, ordered_by, status, given_by, at_ms, recorded_at_ms";

SedationDose dose_from(const Row& r) {
  SedationDose d;
  d.id = r.i64("id");
  d.episode_id = r.i64("episode_id");
  d.route = r.text("route");
  d.protocol_id = r.text("protocol_id");
  d.is_repeat = r.i64("is_repeat") != 0;
  d.dose_mg = r.f64("dose_mg");
  d.dose_mg_per_kg = r.f64("dose_mg_per_kg");
  d.concentration_mg_per_ml = r.f64("concentration_mg_per_ml");
  d.volume_ml = r.f64("volume_ml");
  d.running_total_mg = r.f64("running_total_mg");
  d.running_total_mg_per_kg = r.f64("running_total_mg_per_kg");
  d.cumulative_hard_limit_mg_per_kg = r.f64("cumulative_hard_limit_mg_per_kg");
  d.limit_status = r.text("limit_status");
  d.plan_json = r.text("plan_json");
  d.gates_json = r.text("gates_json");
  d.override_reason = r.opt_text("override_reason");
  d.override_physician_id = r.opt_i64("override_physician_id");
  d.ordered_by = r.opt_text("ordered_by");
  d.status = r.text("status");
  d.given_by = r.i64("given_by");
  d.at_ms = r.i64("at_ms");
  d.recorded_at_ms = r.i64("recorded_at_ms");
  return d;
}

constexpr const char* kMonitoringColumns =
    "id, episode_id, spo2_percent, hr_bpm, sbp_mmhg, dbp_mmhg, rr_per_min, on_oxygen, "
    "sedation_observation, status, amends_id, recorded_by, at_ms, recorded_at_ms";

SedationMonitoring monitoring_from(const Row& r) {
  SedationMonitoring m;
  m.id = r.i64("id");
  m.episode_id = r.i64("episode_id");
  m.spo2_percent = r.opt_f64("spo2_percent");
  m.hr_bpm = r.opt_f64("hr_bpm");
  m.sbp_mmhg = r.opt_f64("sbp_mmhg");
  m.dbp_mmhg = r.opt_f64("dbp_mmhg");
  m.rr_per_min = r.opt_f64("rr_per_min");
  if (auto o = r.opt_i64("on_oxygen")) m.on_oxygen = *o != 0;
  m.sedation_observation = r.text("sedation_observation");
  m.status = r.text("status");
  m.amends_id = r.opt_i64("amends_id");
  m.recorded_by = r.i64("recorded_by");
  m.at_ms = r.i64("at_ms");
  m.recorded_at_ms = r.i64("recorded_at_ms");
  return m;
}

constexpr const char* kAdverseColumns =
    "id, episode_id, kind, severity, interventions_json, description, status, amends_id, "
    "recorded_by, at_ms, recorded_at_ms";

SedationAdverseEvent adverse_from(const Row& r) {
  SedationAdverseEvent a;
  a.id = r.i64("id");
  a.episode_id = r.i64("episode_id");
  a.kind = r.text("kind");
  a.severity = r.text("severity");
  a.interventions_json = r.text("interventions_json");
  a.description = r.text("description");
  a.status = r.text("status");
  a.amends_id = r.opt_i64("amends_id");
  a.recorded_by = r.i64("recorded_by");
  a.at_ms = r.i64("at_ms");
  a.recorded_at_ms = r.i64("recorded_at_ms");
  return a;
}

SedationCorrection correction_from(const Row& r) {
  SedationCorrection c;
  c.id = r.i64("id");
  c.episode_id = r.i64("episode_id");
  c.patient_id = r.i64("patient_id");
  c.entity = r.text("entity");
  c.entity_id = r.i64("entity_id");
  c.action = r.text("action");
  c.reason = r.text("reason");
  c.replacement_id = r.opt_i64("replacement_id");
  c.by_user_id = r.i64("by_user_id");
  c.at_ms = r.i64("at_ms");
  return c;
}

std::string select(const char* columns, const char* table) {
  return std::string("SELECT ") + columns + " FROM " + table;
}

}  // namespace

std::int64_t SedationStore::create_episode(const SedationEpisode& e) {
  Rows rows = tx_.query(
      "INSERT INTO sedation_episodes (patient_id, procedure_name, weight_kg, age_y, "
      "screening_json, findings_json, gates_json, relative_review_reason, "
      "relative_review_physician_id, state, opened_at_ms, created_by, created_at_ms, "
      "updated_at_ms, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11, "
      "$12, $12, 1) RETURNING id",
      {e.patient_id, e.procedure_name, e.weight_kg, e.age_y, e.screening_json, e.findings_json,
       e.gates_json, opt(e.relative_review_reason), opt(e.relative_review_physician_id),
       e.opened_at_ms, e.created_by, e.created_at_ms});
  return rows.front().i64("id");
}

std::optional<SedationEpisode> SedationStore::find_episode(std::int64_t id) {
  Rows rows =
      tx_.query(select(kEpisodeColumns, "sedation_episodes") + " WHERE id = $1", {Value{id}});
  if (rows.empty()) return std::nullopt;
  return episode_from(rows.front());
}

std::vector<SedationEpisode> SedationStore::search(const SedationEpisodeSearch& s) {
  std::string sql = select(kEpisodeColumns, "sedation_episodes") + " WHERE 1 = 1";
  std::vector<Value> params;
  if (s.patient_id) {
    params.emplace_back(*s.patient_id);
    sql += " AND patient_id = $" + std::to_string(params.size());
  }
  if (s.state) {
    params.emplace_back(*s.state);
    sql += " AND state = $" + std::to_string(params.size());
  }
  params.emplace_back(s.limit);
  sql += " ORDER BY id DESC LIMIT $" + std::to_string(params.size());
  std::vector<SedationEpisode> out;
  for (const Row& r : tx_.query(sql, params)) out.push_back(episode_from(r));
  return out;
}

bool SedationStore::set_state(std::int64_t id, std::int64_t expected_version,
                              const std::string& state, std::int64_t now_ms) {
  return tx_.exec(
             "UPDATE sedation_episodes SET state = $1, updated_at_ms = $2, version = version + 1 "
             "WHERE id = $3 AND version = $4",
             {state, now_ms, id, expected_version}) == 1;
}

bool SedationStore::end_procedure(std::int64_t id, std::int64_t expected_version,
                                  std::int64_t by_user, std::int64_t at_ms, std::int64_t now_ms) {
  return tx_.exec(
             "UPDATE sedation_episodes SET state = 'recovering', procedure_ended_at_ms = $1, "
             "procedure_ended_by = $2, updated_at_ms = $3, version = version + 1 "
             "WHERE id = $4 AND version = $5",
             {at_ms, by_user, now_ms, id, expected_version}) == 1;
}

bool SedationStore::discharge(std::int64_t id, std::int64_t expected_version,
                              const std::string& discharge_json, std::int64_t by_user,
                              std::int64_t now_ms) {
  return tx_.exec(
             "UPDATE sedation_episodes SET state = 'discharged', discharge_json = $1, "
             "discharged_at_ms = $2, discharged_by = $3, updated_at_ms = $2, "
             "version = version + 1 WHERE id = $4 AND version = $5",
             {discharge_json, now_ms, by_user, id, expected_version}) == 1;
}

bool SedationStore::void_episode(std::int64_t id, std::int64_t expected_version,
                                 const std::string& reason, std::int64_t by_user,
                                 std::int64_t now_ms) {
  return tx_.exec(
             "UPDATE sedation_episodes SET state = 'voided', void_reason = $1, voided_by = $2, "
             "updated_at_ms = $3, version = version + 1 WHERE id = $4 AND version = $5",
             {reason, by_user, now_ms, id, expected_version}) == 1;
}

std::int64_t SedationStore::insert_dose(const SedationDose& d) {
  Rows rows = tx_.query(
      "INSERT INTO sedation_doses (episode_id, route, protocol_id, is_repeat, dose_mg, "
      "dose_mg_per_kg, concentration_mg_per_ml, volume_ml, running_total_mg, "
      "running_total_mg_per_kg, cumulative_hard_limit_mg_per_kg, limit_status, plan_json, "
      "gates_json, override_reason, override_physician_id, ordered_by, status, given_by, at_ms, "
      "recorded_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, "
      "$16, $17, 'active', $18, $19, $20) RETURNING id",
      {d.episode_id,
       d.route,
       d.protocol_id,
       std::int64_t{d.is_repeat ? 1 : 0},
       d.dose_mg,
       d.dose_mg_per_kg,
       d.concentration_mg_per_ml,
       d.volume_ml,
       d.running_total_mg,
       d.running_total_mg_per_kg,
       d.cumulative_hard_limit_mg_per_kg,
       d.limit_status,
       d.plan_json,
       d.gates_json,
       opt(d.override_reason),
       opt(d.override_physician_id),
       opt(d.ordered_by),
       d.given_by,
       d.at_ms,
       d.recorded_at_ms});
  return rows.front().i64("id");
}

std::vector<SedationDose> SedationStore::doses(std::int64_t episode_id) {
  std::vector<SedationDose> out;
  for (const Row& r : tx_.query(
           select(kDoseColumns, "sedation_doses") + " WHERE episode_id = $1 ORDER BY at_ms, id",
           {Value{episode_id}})) {
    out.push_back(dose_from(r));
  }
  return out;
}

std::int64_t SedationStore::insert_monitoring(const SedationMonitoring& m) {
  Rows rows = tx_.query(
      "INSERT INTO sedation_monitoring (episode_id, spo2_percent, hr_bpm, sbp_mmhg, dbp_mmhg, "
      "rr_per_min, on_oxygen, sedation_observation, status, amends_id, recorded_by, at_ms, "
      "recorded_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9, $10, $11, $12) "
      "RETURNING id",
      {m.episode_id, opt(m.spo2_percent), opt(m.hr_bpm), opt(m.sbp_mmhg), opt(m.dbp_mmhg),
       opt(m.rr_per_min), opt(m.on_oxygen), m.sedation_observation, opt(m.amends_id), m.recorded_by,
       m.at_ms, m.recorded_at_ms});
  return rows.front().i64("id");
}

std::vector<SedationMonitoring> SedationStore::monitoring(std::int64_t episode_id) {
  std::vector<SedationMonitoring> out;
  for (const Row& r : tx_.query(select(kMonitoringColumns, "sedation_monitoring") +
                                    " WHERE episode_id = $1 ORDER BY at_ms, id",
                                {Value{episode_id}})) {
    out.push_back(monitoring_from(r));
  }
  return out;
}

std::int64_t SedationStore::insert_adverse_event(const SedationAdverseEvent& a) {
  Rows rows = tx_.query(
      "INSERT INTO sedation_adverse_events (episode_id, kind, severity, interventions_json, "
      "description, status, amends_id, recorded_by, at_ms, recorded_at_ms) VALUES ($1, $2, $3, "
      "$4, $5, 'active', $6, $7, $8, $9) RETURNING id",
      {a.episode_id, a.kind, a.severity, a.interventions_json, a.description, opt(a.amends_id),
       a.recorded_by, a.at_ms, a.recorded_at_ms});
  return rows.front().i64("id");
}

std::vector<SedationAdverseEvent> SedationStore::adverse_events(std::int64_t episode_id) {
  std::vector<SedationAdverseEvent> out;
  for (const Row& r : tx_.query(select(kAdverseColumns, "sedation_adverse_events") +
                                    " WHERE episode_id = $1 ORDER BY at_ms, id",
                                {Value{episode_id}})) {
    out.push_back(adverse_from(r));
  }
  return out;
}

bool SedationStore::set_entry_status(const std::string& entity, std::int64_t entry_id,
                                     std::int64_t episode_id, const std::string& status) {
  const char* table = entity == "dose"            ? "sedation_doses"
                      : entity == "monitoring"    ? "sedation_monitoring"
                      : entity == "adverse_event" ? "sedation_adverse_events"
                                                  : nullptr;
  if (table == nullptr) throw std::invalid_argument("unknown sedation entity " + entity);
  return tx_.exec(std::string("UPDATE ") + table +
                      " SET status = $1 WHERE id = $2 AND episode_id = $3 AND status = 'active'",
                  {status, entry_id, episode_id}) == 1;
}

std::int64_t SedationStore::insert_correction(const SedationCorrection& c) {
  Rows rows = tx_.query(
      "INSERT INTO sedation_corrections (episode_id, patient_id, entity, entity_id, action, "
      "reason, replacement_id, by_user_id, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
      "RETURNING id",
      {c.episode_id, c.patient_id, c.entity, c.entity_id, c.action, c.reason, opt(c.replacement_id),
       c.by_user_id, c.at_ms});
  return rows.front().i64("id");
}

std::vector<SedationCorrection> SedationStore::corrections(std::int64_t episode_id) {
  std::vector<SedationCorrection> out;
  for (const Row& r : tx_.query("SELECT id, episode_id, patient_id, entity, entity_id, action, "
                                "reason, replacement_id, by_user_id, at_ms FROM "
                                "sedation_corrections WHERE episode_id = $1 ORDER BY id",
                                {Value{episode_id}})) {
    out.push_back(correction_from(r));
  }
  return out;
}

}  // namespace kit::storage
