// Assessments (questionnaires scored by the core), safety alerts to the physician, the outcome
// status with the booster recommendation over a patient's dated series, and corrections of an
// assessment that keep the original. Rules: docs/api-chair.md, docs/clinical-rules/instruments.md.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/common/calendar.h"
#include "contract/instruments_api.h"
#include "contract/json_reader.h"
#include "core/common/error.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/resources/chair_common.h"
#include "server/resources/measurement_facts.h"
#include "server/resources/modules.h"
#include "server/resources/record_corrections.h"
#include "storage/stores/assessment_store.h"

namespace kit::server {

namespace {

using nlohmann::json;

// Instruments a patient may fill in themself (self-report forms); clinician-rated ones (MADRS,
// Y-BOCS) and the in-session CADSS are staff only.
// Clinic policy: how far back a patient may date a self-report.
constexpr int kSelfReportMaxAgeDays = 7;

const std::set<std::string>& self_report_instruments() {
  static const std::set<std::string> ids = {"phq9", "gad7", "pcl5", "qids_sr16", "nrs", "bpi"};
  return ids;
}

json opt_json(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }

json correction_json(const std::optional<storage::AssessmentCorrection>& c) {
  if (!c) return nullptr;
  return {{"id", c->id},         {"action", c->action},
          {"reason", c->reason}, {"replacement_id", opt_json(c->replacement_id)},
          {"by", c->by_user_id}, {"at", iso8601_ms(c->at_ms)}};
}

json assessment_json(const storage::Assessment& a) {
  return {{"id", a.id},
          {"patient_id", a.patient_id},
          {"course_id", opt_json(a.course_id)},
          {"session_id", opt_json(a.session_id)},
          {"instrument", a.instrument},
          {"answers", chair::stored_json(a.answers_json)},
          {"total", a.total},
          {"band", a.band ? json(*a.band) : json(nullptr)},
          {"flags", chair::stored_json(a.flags_json)},
          {"self_report", a.self_report},
          {"taken_on", a.taken_on},
          {"recorded_by", a.recorded_by},
          {"at", iso8601_ms(a.at_ms)},
          {"result", chair::stored_json(a.result_json)},
          {"status", a.status},
          {"amends_id", opt_json(a.amends_id)},
          {"correction", correction_json(a.correction)}};
}

// A questionnaire read and scored by the core, not stored yet.
struct Sheet {
  std::string instrument;
  json answers;
  json scored;  // the core's answer: total, band, flags, ...
  std::optional<long long> course_given;
  std::string taken_on;
};

// Reads a sheet as POST /patients/{id}/assessments takes it. An amendment (`amends`) keeps the
// instrument of the sheet it replaces, and its date and course unless the body gives them: the
// amended sheet describes the same day.
Sheet read_sheet(RouteContext& ctx, const json& body, const storage::Assessment* amends) {
  contract::ObjectReader r(body, "");
  Sheet s;
  s.instrument = r.string("instrument");
  s.answers = r.array("answers");
  json score_request = {{"instrument", s.instrument}, {"answers", s.answers}};
  if (auto b = r.optional_string("band_set")) score_request["band_set"] = *b;
  s.course_given = r.optional_integer("course_id");
  const auto taken_on_text = r.optional_string("taken_on");
  r.finish();
  if (s.instrument == "cadss") {
    throw kit::InputError(
        "instrument",
        "cadss is recorded during a session (POST /api/v1/sessions/{id}/dissociation)");
  }
  if (ctx.user().role == Role::patient && self_report_instruments().count(s.instrument) == 0) {
    throw ApiError::forbidden(
        "patients may only submit self-report instruments (phq9, gad7, "
        "pcl5, qids_sr16, nrs, bpi)");
  }
  if (amends && s.instrument != amends->instrument) {
    throw kit::InputError("instrument", "an amendment keeps the instrument (" + amends->instrument +
                                            "); record another instrument as a new assessment");
  }
  // The date on a sheet is a date of the clinic's calendar (measurement_facts.h: it tells the
  // measurement schedule on which day a paper sheet typed in later was answered).
  const std::int64_t patient_id = amends ? amends->patient_id : ctx.id_param("id");
  const std::int64_t today_day =
      sheet_zone(ctx.tx(), patient_id,
                 s.course_given ? std::optional<std::int64_t>(*s.course_given)
                                : (amends ? amends->course_id : std::nullopt))
          .local_day(ctx.services().now_ms());
  const std::string today = calendar::format_day(today_day);
  s.taken_on = taken_on_text ? chair::require_date("taken_on", *taken_on_text)
                             : (amends ? amends->taken_on : today);
  if (s.taken_on > today) throw kit::InputError("taken_on", "must not be in the future");
  // A patient reports on the recent past: a self-report dated more than 7 days back is refused
  // (clinic policy; the instruments ask about the last one or two weeks), so an old date cannot
  // move the outcome's baseline.
  if (ctx.user().role == Role::patient && !amends) {
    const auto earliest = calendar::format_day(today_day - kSelfReportMaxAgeDays);
    if (s.taken_on < earliest) {
      throw kit::InputError("taken_on", "a self-report may be dated at most " +
                                            std::to_string(kSelfReportMaxAgeDays) +
                                            " days back (" + earliest + ")");
    }
  }
  s.scored = contract::handle_score(score_request);  // the core scores; flags come from it
  return s;
}

// The sheet's course: the one given (it must be the patient's), else the amended sheet's.
std::optional<std::int64_t> course_for(storage::AssessmentStore& store, std::int64_t patient_id,
                                       const Sheet& s, const storage::Assessment* amends) {
  if (!s.course_given) return amends ? amends->course_id : std::nullopt;
  const auto course_id = static_cast<std::int64_t>(*s.course_given);
  if (!store.course_of_patient(course_id, patient_id)) {
    throw ApiError::bad_request("course_id", "no such course for this patient");
  }
  return course_id;
}

// Stores the sheet and raises its safety alerts; returns the assessment with "alerts".
json record_sheet(RouteContext& ctx, storage::AssessmentStore& store, std::int64_t patient_id,
                  const Sheet& s, std::optional<std::int64_t> course_id, bool self_report,
                  std::optional<std::int64_t> amends_id) {
  const std::int64_t now = ctx.services().now_ms();
  const json& flags = s.scored.at("flags");
  storage::NewAssessment a;
  a.patient_id = patient_id;
  a.course_id = course_id;
  a.instrument = s.instrument;
  a.answers_json = s.answers.dump();
  a.result_json = s.scored.dump();
  a.total = s.scored.at("total").get<double>();
  if (s.scored.at("band").is_string()) a.band = s.scored.at("band").get<std::string>();
  a.flags_json = flags.dump();
  a.self_report = self_report;
  a.taken_on = s.taken_on;
  a.recorded_by = ctx.user().user_id;
  a.at_ms = now;
  a.amends_id = amends_id;
  const std::int64_t id = store.insert(a);
  // Safety flags (PHQ-9 item 9, QIDS item 12, MADRS item 10) reach the physician at once; the
  // core's urgency sets the severity: "urgent" -> critical, "review" -> high
  // (docs/clinical-rules/instruments.md, safety items).
  const std::string severity =
      s.scored.contains("flag_urgency") && s.scored.at("flag_urgency") == "urgent" ? "critical"
                                                                                   : "high";
  json alerts = json::array();
  for (const json& f : flags) {
    const std::string flag = f.get<std::string>();
    storage::NewAlert alert;
    alert.patient_id = patient_id;
    alert.assessment_id = id;
    alert.kind = "safety_flag";
    alert.message = s.instrument + " on " + s.taken_on + ": " + flag + " (total " +
                    s.scored.at("total").dump() + ")";
    alert.severity = severity;
    alert.at_ms = now;
    // A repeated flag while the first is still open joins it (one alert to act on, not many);
    // a more urgent flag raises its own.
    const std::string prefix = s.instrument + " on ";
    if (const auto open = store.open_safety_alert(patient_id, prefix, severity)) {
      alerts.push_back({{"id", *open}, {"flag", flag}, {"severity", severity}, {"grouped", true}});
      continue;
    }
    const std::int64_t alert_id = store.raise_alert(alert);
    alerts.push_back({{"id", alert_id}, {"flag", flag}, {"severity", severity}});
  }
  json out = assessment_json(*store.find(id));
  out["alerts"] = alerts;
  return out;
}

Response create_assessment(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  const Sheet sheet = read_sheet(ctx, parse_body(ctx.request()), nullptr);
  storage::AssessmentStore store(ctx.tx());
  chair::require_patient(ctx.tx(), patient_id);
  const auto course_id = course_for(store, patient_id, sheet, nullptr);
  const bool self = ctx.user().role == Role::patient;
  // The clinic's baseline is the clinic's: a patient's entry never predates it.
  if (self) {
    const auto first = store.first_clinic_date(patient_id, sheet.instrument);
    if (first && sheet.taken_on < *first) {
      throw kit::InputError("taken_on", "a self-report may not predate the clinic's first " +
                                            sheet.instrument + " (" + *first + ")");
    }
  }
  return json_response(record_sheet(ctx, store, patient_id, sheet, course_id, self, std::nullopt),
                       201);
}

Response list_assessments(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  chair::require_patient(ctx.tx(), patient_id);
  std::optional<std::string> instrument;
  if (auto it = ctx.request().query.find("instrument"); it != ctx.request().query.end()) {
    instrument = it->second;
  }
  json out = json::array();
  for (const auto& a : storage::AssessmentStore(ctx.tx()).of_patient(patient_id, instrument)) {
    out.push_back(assessment_json(a));
  }
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
  chair::require_patient(ctx.tx(), patient_id);
  const auto course_id = query_int(ctx.request(), "course_id", 1, INT64_MAX);
  // One point per date: the last sheet of the day counts. Sheets marked in error or amended are
  // not in the series; an amendment is, in its place.
  std::map<std::string, std::pair<double, std::int64_t>> by_date;
  for (const auto& a :
       storage::AssessmentStore(ctx.tx()).outcome_series(patient_id, instrument, course_id)) {
    by_date[a.taken_on] = {a.total, a.id};
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

// Marks an assessment entered in error, or amends it with a new sheet; the original stays listed
// with its status and correction. Its alerts are retracted: an alert raised by a sheet that was
// wrong is closed, kept, with the reason (an amended sheet raises its own).
Response correct_assessment(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  storage::AssessmentStore store(ctx.tx());
  const auto original = store.find(id);
  if (!original) throw ApiError::not_found("assessment");
  ctx.require_patient_access(original->patient_id);
  const corrections::CorrectionRequest in =
      corrections::read_correction_request(parse_body(ctx.request()));
  if (original->session_id) {
    // The session's delivered record and version move with its entries.
    throw ApiError::conflict(
        "a CADSS taken during a session is corrected on the session: POST "
        "/api/v1/sessions/" +
            std::to_string(*original->session_id) + "/dissociation/" + std::to_string(id) +
            "/corrections",
        "id");
  }
  if (original->status != "active") {
    throw ApiError::conflict("the assessment is already " + original->status, "id");
  }
  // An amendment's sheet is read and scored before anything is written.
  std::optional<Sheet> sheet;
  std::optional<std::int64_t> course_id;
  if (in.amend()) {
    sheet = corrections::within_values([&] { return read_sheet(ctx, in.values, &*original); });
    course_id = corrections::within_values(
        [&] { return course_for(store, original->patient_id, *sheet, &*original); });
  }
  const std::int64_t now = ctx.services().now_ms();
  const std::string status = in.corrected_status();
  if (!store.mark_corrected(id, status)) {
    throw ApiError::conflict("the assessment was corrected meanwhile", "id");
  }
  json replacement = nullptr;
  std::optional<std::int64_t> replacement_id;
  if (sheet) {
    replacement = record_sheet(ctx, store, original->patient_id, *sheet, course_id,
                               original->self_report, id);
    replacement_id = replacement.at("id").get<std::int64_t>();
  }
  const std::vector<std::int64_t> retracted = store.retract_alerts_of(
      id, ctx.user().user_id, "the assessment that raised it was " + status + ": " + in.reason,
      now);
  storage::NewAssessmentCorrection c;
  c.assessment_id = id;
  c.patient_id = original->patient_id;
  c.action = in.action;
  c.reason = in.reason;
  c.replacement_id = replacement_id;
  c.by_user_id = ctx.user().user_id;
  c.at_ms = now;
  const std::int64_t correction_id = store.record_correction(c);
  return json_response({{"id", correction_id},
                        {"entity", "assessment"},
                        {"entry_id", id},
                        {"action", in.action},
                        {"reason", in.reason},
                        {"status", status},
                        {"replacement", replacement},
                        {"retracted_alert_ids", retracted},
                        {"by", ctx.user().user_id},
                        {"at", iso8601_ms(now)}},
                       201);
}

json alert_json(const storage::Alert& a) {
  return {{"id", a.id},
          {"patient_id", a.patient_id},
          {"session_id", opt_json(a.session_id)},
          {"assessment_id", opt_json(a.assessment_id)},
          {"kind", a.kind},
          {"message", a.message},
          {"severity", a.severity},
          {"created_at", iso8601_ms(a.created_at_ms)},
          {"acknowledged_by", opt_json(a.acknowledged_by)},
          {"acknowledged_at",
           a.acknowledged_at_ms ? json(iso8601_ms(*a.acknowledged_at_ms)) : json(nullptr)},
          {"acknowledge_note", a.acknowledge_note},
          // A retracted alert was raised by an entry later corrected (kept, closed, with why).
          {"status", a.status()},
          {"retraction_reason", a.retraction_reason ? json(*a.retraction_reason) : json(nullptr)},
          {"version", a.version}};
}

Response list_alerts(RouteContext& ctx) {
  storage::AlertFilter filter;
  if (auto it = ctx.request().query.find("all"); it != ctx.request().query.end()) {
    if (it->second != "true" && it->second != "false")
      throw kit::InputError("all", "must be true or false");
    filter.include_closed = it->second == "true";
  }
  if (auto pid = query_int(ctx.request(), "patient_id", 1, INT64_MAX)) {
    filter.patient_id = *pid;
    ctx.set_patient(*pid);
  }
  json out = json::array();
  for (const auto& a : storage::AssessmentStore(ctx.tx()).alerts(filter)) {
    ctx.add_listed_patient(a.patient_id);  // in each listed patient's access log
    out.push_back(alert_json(a));
  }
  return json_response(out);
}

Response acknowledge_alert(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  storage::AssessmentStore store(ctx.tx());
  const auto a = store.find_alert(id);
  if (!a) throw ApiError::not_found("alert");
  ctx.set_patient(a->patient_id);
  ctx.require_if_match(a->version);
  std::string note;
  if (!ctx.request().body.empty()) {
    const json body = parse_body(ctx.request());
    contract::ObjectReader r(body, "");
    note = chair::optional_text(r.optional_string("note"), "note").value_or("");
    r.finish();
  }
  if (a->acknowledged_at_ms) {
    throw ApiError::conflict("the alert was already acknowledged", "id");
  }
  if (!store.acknowledge_alert(id, a->version, ctx.user().user_id, note, ctx.services().now_ms())) {
    throw ApiError::precondition_failed();
  }
  const storage::Alert after = *store.find_alert(id);
  return json_response_with_etag(alert_json(after), after.version);
}

// The questionnaires the server scores (the core's catalogue with sources): staff screens build the
// entry form of a paper sheet from it (items, answer range), never from a copy of their own.
Response list_instruments(RouteContext& ctx) {
  (void)ctx;
  return json_response(contract::handle_instrument_catalog(nullptr));
}

}  // namespace

void register_assessment_routes(Router& router) {
  const Access clinical_or_self = access_roles({Role::physician, Role::nurse}, true);
  router.add({"POST", "/api/v1/patients/{id}/assessments",
              "Record a questionnaire scored by the core; safety flags alert the physician at "
              "once (patients: self-report instruments only)",
              "assessments", clinical_or_self, true, create_assessment, 201});
  router.add({"GET", "/api/v1/instruments",
              "The questionnaires the server scores: items, answer range, totals, bands, safety "
              "item and outcome rules, with their sources",
              "assessments", access_roles({Role::physician, Role::nurse}), false,
              list_instruments, 200});
  router.add({"GET", "/api/v1/patients/{id}/assessments",
              "The patient's assessments, corrected ones with their status (?instrument=)",
              "assessments", clinical_or_self, true, list_assessments, 200});
  router.add({"GET", "/api/v1/patients/{id}/outcome",
              "Outcome status and booster recommendation over the dated series of active "
              "assessments (?instrument=phq9, ?course_id=)",
              "assessments", clinical_or_self, true, outcome, 200});
  router.add({"POST", "/api/v1/assessments/{id}/corrections",
              "Correct an assessment: entered_in_error or amend, with a reason; the original "
              "stays, its alerts are retracted",
              "assessments", access_roles({Role::physician, Role::nurse}), true, correct_assessment,
              201});
  router.add({"GET", "/api/v1/alerts", "Open alerts, most severe first (?all=true, ?patient_id=)",
              "alerts", access_roles({Role::physician, Role::nurse}), true, list_alerts, 200});
  router.add({"POST", "/api/v1/alerts/{id}/acknowledge",
              "A physician acknowledges an alert (If-Match; optional note)", "alerts",
              access_roles({Role::physician}), true, acknowledge_alert, 200});
}

}  // namespace kit::server
