// Assessments (questionnaires scored by the core), safety alerts to the physician, and the outcome
// status with the booster recommendation over a patient's dated series. Rules: docs/api-chair.md,
// docs/clinical-rules/instruments.md.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "contract/instruments_api.h"
#include "contract/json_reader.h"
#include "core/common/error.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/resources/chair_common.h"
#include "server/resources/modules.h"

namespace kit::server {

namespace {

using nlohmann::json;

// Instruments a patient may fill in themself (self-report forms); clinician-rated ones (MADRS,
// Y-BOCS) and the in-session CADSS are staff only.
const std::set<std::string>& self_report_instruments() {
  static const std::set<std::string> ids = {"phq9", "gad7", "pcl5", "qids_sr16", "nrs", "bpi"};
  return ids;
}

json opt_json(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }

json assessment_json(const storage::Row& r) {
  return {{"id", r.i64("id")},
          {"patient_id", r.i64("patient_id")},
          {"course_id", opt_json(r.opt_i64("course_id"))},
          {"session_id", opt_json(r.opt_i64("session_id"))},
          {"instrument", r.text("instrument")},
          {"answers", chair::stored_json(r.text("answers_json"))},
          {"total", r.f64("total")},
          {"band", r.opt_text("band") ? json(r.text("band")) : json(nullptr)},
          {"flags", chair::stored_json(r.text("flags_json"))},
          {"self_report", r.i64("self_report") == 1},
          {"taken_on", r.text("taken_on")},
          {"recorded_by", r.i64("recorded_by")},
          {"at", iso8601_ms(r.i64("at_ms"))},
          {"result", chair::stored_json(r.text("result_json"))}};
}

constexpr const char* kAssessmentColumns =
    "id, patient_id, course_id, session_id, instrument, answers_json, result_json, total, band, "
    "flags_json, self_report, taken_on, recorded_by, at_ms";

std::optional<std::int64_t> course_of(storage::Transaction& tx, std::int64_t patient_id,
                                      const std::optional<long long>& course_id) {
  if (!course_id) return std::nullopt;
  if (tx.query("SELECT id FROM courses WHERE id = $1 AND patient_id = $2",
               {static_cast<std::int64_t>(*course_id), patient_id})
          .empty()) {
    throw ApiError::bad_request("course_id", "no such course for this patient");
  }
  return static_cast<std::int64_t>(*course_id);
}

Response create_assessment(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  const json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string instrument = r.string("instrument");
  const json& answers = r.array("answers");
  json score_request = {{"instrument", instrument}, {"answers", answers}};
  if (auto b = r.optional_string("band_set")) score_request["band_set"] = *b;
  const auto course_given = r.optional_integer("course_id");
  const auto taken_on_text = r.optional_string("taken_on");
  r.finish();
  const bool self = ctx.user().role == Role::patient;
  if (instrument == "cadss") {
    throw kit::InputError(
        "instrument",
        "cadss is recorded during a session (POST /api/v1/sessions/{id}/dissociation)");
  }
  if (self && self_report_instruments().count(instrument) == 0) {
    throw ApiError::forbidden(
        "patients may only submit self-report instruments (phq9, gad7, "
        "pcl5, qids_sr16, nrs, bpi)");
  }
  const std::int64_t now = ctx.services().now_ms();
  const std::string today = chair::iso_date(now);
  const std::string taken_on =
      taken_on_text ? chair::require_date("taken_on", *taken_on_text) : today;
  if (taken_on > today) throw kit::InputError("taken_on", "must not be in the future");

  const json scored = contract::handle_score(score_request);  // the core scores; flags come from it
  storage::Transaction& tx = ctx.tx();
  chair::require_patient(tx, patient_id);
  const auto course_id = course_of(tx, patient_id, course_given);
  const json& flags = scored.at("flags");
  const std::int64_t id =
      tx.query(
            "INSERT INTO assessments (patient_id, course_id, session_id, instrument, "
            "answers_json, result_json, total, band, flags_json, self_report, taken_on, "
            "recorded_by, at_ms) VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
            "RETURNING id",
            {patient_id, chair::opt_value(course_id), instrument, answers.dump(), scored.dump(),
             scored.at("total").get<double>(),
             scored.at("band").is_string() ? storage::Value(scored.at("band").get<std::string>())
                                           : storage::null(),
             flags.dump(), std::int64_t{self ? 1 : 0}, taken_on, ctx.user().user_id, now})
          .front()
          .i64("id");
  // Safety flags (PHQ-9 item 9, QIDS item 12, MADRS item 10) reach the physician at once.
  json alerts = json::array();
  for (const json& f : flags) {
    const std::string flag = f.get<std::string>();
    const std::int64_t alert_id = chair::raise_alert(
        tx, patient_id, std::nullopt, id, "safety_flag",
        instrument + " on " + taken_on + ": " + flag + " (total " + scored.at("total").dump() + ")",
        "high", now);
    alerts.push_back({{"id", alert_id}, {"flag", flag}, {"severity", "high"}});
  }
  storage::Rows rows = tx.query(
      std::string("SELECT ") + kAssessmentColumns + " FROM assessments WHERE id = $1", {id});
  json out = assessment_json(rows.front());
  out["alerts"] = alerts;
  return json_response(out, 201);
}

Response list_assessments(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  storage::Transaction& tx = ctx.tx();
  chair::require_patient(tx, patient_id);
  std::vector<storage::Value> params = {patient_id};
  std::string sql =
      std::string("SELECT ") + kAssessmentColumns + " FROM assessments WHERE patient_id = $1";
  if (auto it = ctx.request().query.find("instrument"); it != ctx.request().query.end()) {
    params.push_back(it->second);
    sql += " AND instrument = $2";
  }
  sql += " ORDER BY taken_on, at_ms, id";
  json out = json::array();
  for (const storage::Row& r : tx.query(sql, params)) out.push_back(assessment_json(r));
  return json_response(out);
}

Response outcome(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  auto it = ctx.request().query.find("instrument");
  if (it == ctx.request().query.end() || it->second.empty()) {
    throw kit::InputError("instrument", "is required (e.g. ?instrument=phq9)");
  }
  const std::string instrument = it->second;
  storage::Transaction& tx = ctx.tx();
  chair::require_patient(tx, patient_id);
  std::vector<storage::Value> params = {patient_id, instrument};
  std::string sql =
      "SELECT id, total, taken_on, course_id FROM assessments WHERE patient_id = $1 AND "
      "instrument = $2 AND session_id IS NULL";
  const auto course_id = query_int(ctx.request(), "course_id", 1, INT64_MAX);
  if (course_id) {
    params.push_back(*course_id);
    sql += " AND course_id = $3";
  }
  sql += " ORDER BY taken_on, at_ms, id";
  // One point per date: the last sheet of the day counts.
  std::map<std::string, std::pair<double, std::int64_t>> by_date;
  for (const storage::Row& r : tx.query(sql, params)) {
    by_date[r.text("taken_on")] = {r.f64("total"), r.i64("id")};
  }
  if (by_date.empty()) {
    throw ApiError::rule_refused("no " + instrument + " assessments recorded" +
                                     (course_id ? " in this course" : std::string()),
                                 "instrument");
  }
  json series = json::array();
  json ids = json::array();
  for (const auto& [date, v] : by_date) {
    series.push_back({{"date", date}, {"total", v.first}});
    ids.push_back(v.second);
  }
  json out = contract::handle_outcome({{"instrument", instrument}, {"series", series}});
  out["patient_id"] = patient_id;
  out["course_id"] = course_id ? json(*course_id) : json(nullptr);
  out["assessment_ids"] = ids;
  return json_response(out);
}

json alert_json(const storage::Row& r) {
  return {{"id", r.i64("id")},
          {"patient_id", r.i64("patient_id")},
          {"session_id", opt_json(r.opt_i64("session_id"))},
          {"assessment_id", opt_json(r.opt_i64("assessment_id"))},
          {"kind", r.text("kind")},
          {"message", r.text("message")},
          {"severity", r.text("severity")},
          {"created_at", iso8601_ms(r.i64("created_at_ms"))},
          {"acknowledged_by", opt_json(r.opt_i64("acknowledged_by"))},
          {"acknowledged_at", r.opt_i64("acknowledged_at_ms")
                                  ? json(iso8601_ms(r.i64("acknowledged_at_ms")))
                                  : json(nullptr)},
          {"acknowledge_note", r.text("acknowledge_note")},
          // A retracted alert was raised by an entry later corrected (kept, closed, with why).
          {"status", std::string(r.opt_i64("retracted_at_ms")      ? "retracted"
                                 : r.opt_i64("acknowledged_at_ms") ? "acknowledged"
                                                                   : "open")},
          {"retraction_reason", r.opt_text("retraction_reason")
                                    ? json(*r.opt_text("retraction_reason"))
                                    : json(nullptr)},
          {"version", r.i64("version")}};
}

constexpr const char* kAlertColumns =
    "id, patient_id, session_id, assessment_id, kind, message, severity, created_at_ms, "
    "acknowledged_by, acknowledged_at_ms, acknowledge_note, retracted_at_ms, retraction_reason, "
    "version";

Response list_alerts(RouteContext& ctx) {
  std::vector<storage::Value> params;
  std::string sql = std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE 1 = 1";
  bool all = false;
  if (auto it = ctx.request().query.find("all"); it != ctx.request().query.end()) {
    if (it->second != "true" && it->second != "false")
      throw kit::InputError("all", "must be true or false");
    all = it->second == "true";
  }
  if (!all) sql += " AND acknowledged_at_ms IS NULL";
  if (auto pid = query_int(ctx.request(), "patient_id", 1, INT64_MAX)) {
    params.push_back(*pid);
    sql += " AND patient_id = $1";
    ctx.set_patient(*pid);
  }
  // Most severe first, then oldest first (the longest waiting).
  sql +=
      " ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 ELSE 2 END, "
      "created_at_ms, id LIMIT 1000";
  json out = json::array();
  for (const storage::Row& r : ctx.tx().query(sql, params)) out.push_back(alert_json(r));
  return json_response(out);
}

Response acknowledge_alert(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  storage::Transaction& tx = ctx.tx();
  storage::Rows rows =
      tx.query(std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE id = $1", {id});
  if (rows.empty()) throw ApiError::not_found("alert");
  const storage::Row& a = rows.front();
  ctx.set_patient(a.i64("patient_id"));
  ctx.require_if_match(a.i64("version"));
  std::string note;
  if (!ctx.request().body.empty()) {
    const json body = parse_body(ctx.request());
    contract::ObjectReader r(body, "");
    note = chair::optional_text(r.optional_string("note"), "note").value_or("");
    r.finish();
  }
  if (a.opt_i64("acknowledged_at_ms")) {
    throw ApiError::conflict("the alert was already acknowledged", "id");
  }
  const std::int64_t now = ctx.services().now_ms();
  const std::int64_t changed = tx.exec(
      "UPDATE alerts SET acknowledged_by = $2, acknowledged_at_ms = $3, acknowledge_note = $4, "
      "version = version + 1 WHERE id = $1 AND version = $5",
      {id, ctx.user().user_id, now, note, a.i64("version")});
  if (changed != 1) throw ApiError::precondition_failed();
  storage::Row after =
      tx.query(std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE id = $1", {id}).front();
  return json_response_with_etag(alert_json(after), after.i64("version"));
}

}  // namespace

void register_assessment_routes(Router& router) {
  const Access clinical_or_self = access_roles({Role::physician, Role::nurse}, true);
  router.add({"POST", "/api/v1/patients/{id}/assessments",
              "Record a questionnaire scored by the core; safety flags alert the physician at "
              "once (patients: self-report instruments only)",
              "assessments", clinical_or_self, true, create_assessment, 201});
  router.add({"GET", "/api/v1/patients/{id}/assessments",
              "The patient's assessments (?instrument=)", "assessments", clinical_or_self, true,
              list_assessments, 200});
  router.add({"GET", "/api/v1/patients/{id}/outcome",
              "Outcome status and booster recommendation over the dated series "
              "(?instrument=phq9, ?course_id=)",
              "assessments", clinical_or_self, true, outcome, 200});
  router.add({"GET", "/api/v1/alerts", "Open alerts, most severe first (?all=true, ?patient_id=)",
              "alerts", access_roles({Role::physician, Role::nurse}), true, list_alerts, 200});
  router.add({"POST", "/api/v1/alerts/{id}/acknowledge",
              "A physician acknowledges an alert (If-Match; optional note)", "alerts",
              access_roles({Role::physician}), true, acknowledge_alert, 200});
}

}  // namespace kit::server
