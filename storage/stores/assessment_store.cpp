// The assessment store (storage/stores/assessment_store.h): the SQL of assessments and alerts, and
// this store's one read of the `corrections` table.
#include "storage/stores/assessment_store.h"

#include "storage/stores/infusion_store.h"

namespace kit::storage {
namespace {

Value opt_value(const std::optional<std::int64_t>& v) { return v ? Value(*v) : null(); }
Value opt_value(const std::optional<std::string>& v) { return v ? Value(*v) : null(); }

// Every assessment is read with its correction, if any: the latest row of `corrections` naming it
// (a CADSS assessment is corrected on its session as a `dissociation`). There is at most one, as
// only an active entry may be corrected; the MAX keeps the join one row per assessment regardless.
constexpr const char* kAssessmentSelect =
    "SELECT a.id, a.patient_id, a.course_id, a.session_id, a.instrument, a.answers_json, "
    "a.result_json, a.total, a.band, a.flags_json, a.self_report, a.taken_on, a.recorded_by, "
    "a.at_ms, a.status, a.amends_id, c.id AS correction_id, c.action AS correction_action, "
    "c.reason AS correction_reason, c.replacement_id AS correction_replacement_id, "
    "c.by_user_id AS correction_by_user_id, c.at_ms AS correction_at_ms "
    "FROM assessments a LEFT JOIN corrections c ON c.id = (SELECT MAX(k.id) FROM corrections k "
    "WHERE k.entity IN ('assessment', 'dissociation') AND k.entity_id = a.id)";

// Series order: the date the sheet describes, then when it was recorded.
constexpr const char* kSeriesOrder = " ORDER BY a.taken_on, a.at_ms, a.id";

constexpr const char* kAlertColumns =
    "id, patient_id, session_id, assessment_id, kind, message, severity, created_at_ms, "
    "acknowledged_by, acknowledged_at_ms, acknowledge_note, retracted_at_ms, retraction_reason, "
    "version";

Assessment assessment_from_row(const Row& r) {
  Assessment a;
  a.id = r.i64("id");
  a.patient_id = r.i64("patient_id");
  a.course_id = r.opt_i64("course_id");
  a.session_id = r.opt_i64("session_id");
  a.instrument = r.text("instrument");
  a.answers_json = r.text("answers_json");
  a.result_json = r.text("result_json");
  a.total = r.f64("total");
  a.band = r.opt_text("band");
  a.flags_json = r.text("flags_json");
  a.self_report = r.i64("self_report") == 1;
  a.taken_on = r.text("taken_on");
  a.recorded_by = r.i64("recorded_by");
  a.at_ms = r.i64("at_ms");
  a.status = r.text("status");
  a.amends_id = r.opt_i64("amends_id");
  if (auto id = r.opt_i64("correction_id")) {
    a.correction = AssessmentCorrection{*id,
                                        r.text("correction_action"),
                                        r.text("correction_reason"),
                                        r.opt_i64("correction_replacement_id"),
                                        r.i64("correction_by_user_id"),
                                        r.i64("correction_at_ms")};
  }
  return a;
}

Alert alert_from_row(const Row& r) {
  Alert a;
  a.id = r.i64("id");
  a.patient_id = r.i64("patient_id");
  a.session_id = r.opt_i64("session_id");
  a.assessment_id = r.opt_i64("assessment_id");
  a.kind = r.text("kind");
  a.message = r.text("message");
  a.severity = r.text("severity");
  a.created_at_ms = r.i64("created_at_ms");
  a.acknowledged_by = r.opt_i64("acknowledged_by");
  a.acknowledged_at_ms = r.opt_i64("acknowledged_at_ms");
  a.acknowledge_note = r.text("acknowledge_note");
  a.retracted_at_ms = r.opt_i64("retracted_at_ms");
  a.retraction_reason = r.opt_text("retraction_reason");
  a.version = r.i64("version");
  return a;
}

}  // namespace

std::string Alert::status() const {
  if (retracted_at_ms) return "retracted";
  if (acknowledged_at_ms) return "acknowledged";
  return "open";
}

// ---- Assessments --------------------------------------------------------------------------------

std::int64_t AssessmentStore::insert(const NewAssessment& a) {
  return tx_
      .query(
          "INSERT INTO assessments (patient_id, course_id, session_id, instrument, answers_json, "
          "result_json, total, band, flags_json, self_report, taken_on, recorded_by, at_ms, "
          "status, amends_id) VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
          "'active', $13) RETURNING id",
          {a.patient_id, opt_value(a.course_id), a.instrument, a.answers_json, a.result_json,
           a.total, opt_value(a.band), a.flags_json, std::int64_t{a.self_report ? 1 : 0},
           a.taken_on, a.recorded_by, a.at_ms, opt_value(a.amends_id)})
      .front()
      .i64("id");
}

std::optional<Assessment> AssessmentStore::find(std::int64_t id) {
  Rows rows = tx_.query(std::string(kAssessmentSelect) + " WHERE a.id = $1", {id});
  if (rows.empty()) return std::nullopt;
  return assessment_from_row(rows.front());
}

std::vector<Assessment> AssessmentStore::of_patient(std::int64_t patient_id,
                                                    const std::optional<std::string>& instrument) {
  std::string sql = std::string(kAssessmentSelect) + " WHERE a.patient_id = $1";
  std::vector<Value> params = {patient_id};
  if (instrument) {
    sql += " AND a.instrument = $2";
    params.push_back(*instrument);
  }
  std::vector<Assessment> out;
  for (const Row& r : tx_.query(sql + kSeriesOrder, params)) out.push_back(assessment_from_row(r));
  return out;
}

std::vector<Assessment> AssessmentStore::outcome_series(std::int64_t patient_id,
                                                        const std::string& instrument,
                                                        std::optional<std::int64_t> course_id) {
  // A sheet marked in error, or replaced by its amendment, is not a point of the series.
  std::string sql = std::string(kAssessmentSelect) +
                    " WHERE a.patient_id = $1 AND a.instrument = $2 AND a.session_id IS NULL AND "
                    "a.status = 'active'";
  std::vector<Value> params = {patient_id, instrument};
  if (course_id) {
    sql += " AND a.course_id = $3";
    params.push_back(*course_id);
  }
  std::vector<Assessment> out;
  for (const Row& r : tx_.query(sql + kSeriesOrder, params)) out.push_back(assessment_from_row(r));
  return out;
}

bool AssessmentStore::course_of_patient(std::int64_t course_id, std::int64_t patient_id) {
  return !tx_.query("SELECT id FROM courses WHERE id = $1 AND patient_id = $2",
                    {course_id, patient_id})
              .empty();
}

// ---- Corrections --------------------------------------------------------------------------------

bool AssessmentStore::mark_corrected(std::int64_t assessment_id, const std::string& status) {
  return tx_.exec("UPDATE assessments SET status = $2 WHERE id = $1 AND status = 'active'",
                  {assessment_id, status}) == 1;
}

std::int64_t AssessmentStore::record_correction(const NewAssessmentCorrection& c) {
  StoredCorrection row;
  row.entity = "assessment";
  row.entity_id = c.assessment_id;
  row.action = c.action;
  row.reason = c.reason;
  row.replacement_id = c.replacement_id;
  row.by_user_id = c.by_user_id;
  row.at_ms = c.at_ms;
  // Not a session's entry: no session_id.
  return InfusionStore(tx_).insert_correction(row, std::nullopt, c.patient_id);
}

// ---- Alerts -------------------------------------------------------------------------------------

std::int64_t AssessmentStore::raise_alert(const NewAlert& a) {
  return tx_
      .query(
          "INSERT INTO alerts (patient_id, session_id, assessment_id, kind, message, severity, "
          "created_at_ms, version) VALUES ($1, $2, $3, $4, $5, $6, $7, 1) RETURNING id",
          {a.patient_id, opt_value(a.session_id), opt_value(a.assessment_id), a.kind, a.message,
           a.severity, a.at_ms})
      .front()
      .i64("id");
}

std::optional<Alert> AssessmentStore::find_alert(std::int64_t alert_id) {
  Rows rows =
      tx_.query(std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE id = $1", {alert_id});
  if (rows.empty()) return std::nullopt;
  return alert_from_row(rows.front());
}

std::vector<Alert> AssessmentStore::alerts(const AlertFilter& filter) {
  std::string sql = std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE 1 = 1";
  std::vector<Value> params;
  // A retracted alert is closed too: retraction also sets acknowledged_at_ms.
  if (!filter.include_closed) sql += " AND acknowledged_at_ms IS NULL";
  if (filter.patient_id) {
    params.push_back(*filter.patient_id);
    sql += " AND patient_id = $" + std::to_string(params.size());
  }
  params.push_back(filter.limit);
  sql +=
      " ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 ELSE 2 END, "
      "created_at_ms, id LIMIT $" +
      std::to_string(params.size());
  std::vector<Alert> out;
  for (const Row& r : tx_.query(sql, params)) out.push_back(alert_from_row(r));
  return out;
}

std::vector<std::pair<std::int64_t, std::string>> AssessmentStore::open_alert_severities(
    const std::vector<std::int64_t>& patient_ids) {
  std::vector<std::pair<std::int64_t, std::string>> out;
  if (patient_ids.empty()) return out;
  std::vector<Value> params;
  std::string in;
  for (std::int64_t id : patient_ids) {
    params.emplace_back(id);
    in += (in.empty() ? "$" : ", $") + std::to_string(params.size());
  }
  for (const Row& r : tx_.query("SELECT patient_id, severity FROM alerts WHERE acknowledged_at_ms "
                                "IS NULL AND patient_id IN (" +
                                    in + ") ORDER BY patient_id, id",
                                params)) {
    out.emplace_back(r.i64("patient_id"), r.text("severity"));
  }
  return out;
}

bool AssessmentStore::acknowledge_alert(std::int64_t alert_id, std::int64_t expected_version,
                                        std::int64_t by_user_id, const std::string& note,
                                        std::int64_t now_ms) {
  return tx_.exec(
             "UPDATE alerts SET acknowledged_by = $2, acknowledged_at_ms = $3, "
             "acknowledge_note = $4, version = version + 1 WHERE id = $1 AND version = $5",
             {alert_id, by_user_id, now_ms, note, expected_version}) == 1;
}

std::vector<std::int64_t> AssessmentStore::retract_alerts_of(std::int64_t assessment_id,
                                                             std::int64_t by_user_id,
                                                             const std::string& reason,
                                                             std::int64_t now_ms) {
  std::vector<std::int64_t> ids;
  for (const Row& r : tx_.query("SELECT id FROM alerts WHERE assessment_id = $1 AND "
                                "retracted_at_ms IS NULL ORDER BY id",
                                {assessment_id})) {
    ids.push_back(r.i64("id"));
  }
  InfusionStore infusion(tx_);
  for (std::int64_t id : ids) infusion.retract_alert(id, by_user_id, reason, now_ms);
  return ids;
}

std::optional<std::string> AssessmentStore::first_clinic_date(std::int64_t patient_id,
                                                              const std::string& instrument) {
  Rows r = tx_.query(
      "SELECT MIN(taken_on) AS d FROM assessments WHERE patient_id = $1 AND instrument = $2 AND "
      "self_report = 0 AND status = 'active'",
      {patient_id, instrument});
  if (r.empty() || r.front().is_null("d")) return std::nullopt;
  return r.front().text("d");
}

std::optional<std::int64_t> AssessmentStore::open_safety_alert(std::int64_t patient_id,
                                                               const std::string& prefix,
                                                               const std::string& severity) {
  Rows r = tx_.query(
      "SELECT id FROM alerts WHERE patient_id = $1 AND kind = 'safety_flag' AND severity = $2 AND "
      "acknowledged_at_ms IS NULL AND substr(message, 1, length($3)) = $3 ORDER BY id LIMIT 1",
      {patient_id, severity, prefix});
  if (r.empty()) return std::nullopt;
  return r.front().i64("id");
}

}  // namespace kit::storage
