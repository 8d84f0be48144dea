// Intake: screening answers scored by the core screening rules (app/screening_api.h, never
// re-implemented here), consents, and the physician's approval or decline. docs/api-journey.md.
#include <nlohmann/json.hpp>

#include "contract/json_reader.h"
#include "contract/screening_api.h"
#include "core/common/error.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/resources/journey_common.h"
#include "server/resources/modules.h"

namespace kit::server {

namespace {

using namespace journey;

constexpr std::size_t kMaxReason = 2000;

nlohmann::json screening_json(const storage::Row& r) {
  return {{"id", r.i64("id")},
          {"patient_id", r.i64("patient_id")},
          {"eligible", r.i64("eligible") != 0},
          {"request", nlohmann::json::parse(r.text("request_json"))},
          {"result", nlohmann::json::parse(r.text("result_json"))},
          {"screened_by", r.i64("screened_by")},
          {"screened_at", iso8601_ms(r.i64("screened_at_ms"))}};
}

nlohmann::json consent_json(const storage::Row& r) {
  return {{"id", r.i64("id")},
          {"patient_id", r.i64("patient_id")},
          {"type", r.text("consent_type")},
          {"version", r.text("form_version")},
          {"signed_at", iso8601_ms(r.i64("signed_at_ms"))},
          {"recorded_by", r.i64("recorded_by")},
          {"recorded_at", iso8601_ms(r.i64("recorded_at_ms"))},
          {"note", r.text("note")},
          {"withdrawn_at", r.opt_i64("withdrawn_at_ms")
                               ? nlohmann::json(iso8601_ms(r.i64("withdrawn_at_ms")))
                               : nlohmann::json(nullptr)},
          {"withdrawn_by", opt_json(r.opt_i64("withdrawn_by"))},
          {"withdrawal_reason", opt_json(r.opt_text("withdrawal_reason"))}};
}

nlohmann::json approval_json(const storage::Row& r) {
  return {{"id", r.i64("id")},
          {"patient_id", r.i64("patient_id")},
          {"decision", r.text("decision")},
          {"reason", r.text("reason")},
          {"override_reason", opt_json(r.opt_text("override_reason"))},
          {"screening_id", opt_json(r.opt_i64("screening_id"))},
          {"physician_user_id", r.i64("physician_user_id")},
          {"decided_at", iso8601_ms(r.i64("decided_at_ms"))}};
}

Response post_screening(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  const nlohmann::json body = parse_body(ctx.request());
  // The core rules score the answers; bad input comes back as InputError naming the field.
  const nlohmann::json result = contract::handle_screen(body);
  storage::Transaction& tx = ctx.tx();
  load_patient(tx, patient_id);
  const bool eligible = result.at("eligible").get<bool>();
  const std::int64_t now = ctx.services().now_ms();
  storage::Rows ins = tx.query(
      "INSERT INTO screenings (patient_id, request_json, result_json, eligible, screened_by, "
      "screened_at_ms) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
      {patient_id, body.dump(), result.dump(), std::int64_t{eligible ? 1 : 0}, ctx.user().user_id,
       now});
  const std::int64_t id = ins.front().i64("id");
  storage::Rows rows = tx.query("SELECT * FROM screenings WHERE id = $1", {id});
  Response resp = json_response(screening_json(rows.front()), 201);
  resp.set_header("Location", "/api/v1/patients/" + std::to_string(patient_id) + "/screenings/" +
                                  std::to_string(id));
  return resp;
}

Response list_screenings(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  load_patient(ctx.tx(), patient_id);
  nlohmann::json out = nlohmann::json::array();
  for (const storage::Row& r : ctx.tx().query(
           "SELECT * FROM screenings WHERE patient_id = $1 ORDER BY id DESC", {patient_id})) {
    out.push_back(screening_json(r));
  }
  return json_response({{"screenings", out}});
}

Response post_consent(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  const nlohmann::json body = parse_body(ctx.request());
  const std::int64_t now = ctx.services().now_ms();
  contract::ObjectReader r(body, "");
  const std::string type = r.string("type");
  if (type != "treatment" && type != "off_label_use" && type != "privacy" && type != "research") {
    throw kit::InputError("type", "must be treatment, off_label_use, privacy or research");
  }
  const std::string version = require_text(r.string("version"), "version", 64);
  std::int64_t signed_at = now;
  if (auto s = r.optional_string("signed_at")) {
    Request probe;
    probe.query["signed_at"] = *s;
    signed_at = *query_time_ms(probe, "signed_at");
    if (signed_at > now + 5 * kMinuteMs) throw kit::InputError("signed_at", "is in the future");
  }
  const std::string note = r.optional_string("note").value_or("");
  if (note.size() > kMaxReason) throw kit::InputError("note", "is too long");
  r.finish();
  storage::Transaction& tx = ctx.tx();
  load_patient(tx, patient_id);
  storage::Rows ins = tx.query(
      "INSERT INTO consents (patient_id, consent_type, form_version, signed_at_ms, recorded_by, "
      "recorded_at_ms, note) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
      {patient_id, type, version, signed_at, ctx.user().user_id, now, note});
  storage::Rows rows = tx.query("SELECT * FROM consents WHERE id = $1", {ins.front().i64("id")});
  return json_response(consent_json(rows.front()), 201);
}

// A consent is withdrawn, never deleted: it stays listed with when, by whom recorded, and why.
// A withdrawn treatment consent closes the infusion's consent gate (core/infusion/gates.h).
Response withdraw_consent(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  const std::int64_t consent_id = ctx.id_param("consent_id");
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string reason = require_text(r.string("reason"), "reason", kMaxReason);
  r.finish();
  storage::Transaction& tx = ctx.tx();
  load_patient(tx, patient_id);
  storage::Rows c = tx.query("SELECT * FROM consents WHERE id = $1 AND patient_id = $2",
                             {consent_id, patient_id});
  if (c.empty()) throw ApiError::not_found("consent");
  if (c.front().opt_i64("withdrawn_at_ms")) {
    throw ApiError::conflict("the consent was already withdrawn", "consent_id");
  }
  const std::int64_t now = ctx.services().now_ms();
  tx.exec(
      "UPDATE consents SET withdrawn_at_ms = $2, withdrawn_by = $3, withdrawal_reason = $4 "
      "WHERE id = $1 AND withdrawn_at_ms IS NULL",
      {consent_id, now, ctx.user().user_id, reason});
  storage::Rows rows = tx.query("SELECT * FROM consents WHERE id = $1", {consent_id});
  return json_response(consent_json(rows.front()), 200);
}

Response list_consents(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  load_patient(ctx.tx(), patient_id);
  nlohmann::json out = nlohmann::json::array();
  for (const storage::Row& r :
       ctx.tx().query("SELECT * FROM consents WHERE patient_id = $1 ORDER BY id", {patient_id})) {
    out.push_back(consent_json(r));
  }
  return json_response({{"consents", out}});
}

// Approval: the latest screening must exist; approving against an ineligible one needs the
// physician's override_reason (422 otherwise); a treatment consent must be on file; declining
// needs a reason. A patient already in treatment is not re-decided (409).
Response post_approval(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string decision = r.string("decision");
  if (decision != "approved" && decision != "declined") {
    throw kit::InputError("decision", "must be approved or declined");
  }
  std::string reason = r.optional_string("reason").value_or("");
  auto override_reason = r.optional_string("override_reason");
  r.finish();
  if (reason.size() > kMaxReason) throw kit::InputError("reason", "is too long");
  if (decision == "declined") reason = require_text(reason, "reason", kMaxReason);
  if (override_reason)
    *override_reason = require_text(*override_reason, "override_reason", kMaxReason);

  storage::Transaction& tx = ctx.tx();
  const storage::Row patient = load_patient(tx, patient_id);
  const std::string status = patient.text("status");
  if (status == "in_treatment" || status == "maintenance") {
    throw ApiError::conflict("the patient is in treatment; stop or complete the course first");
  }
  storage::Rows latest =
      tx.query("SELECT id, eligible FROM screenings WHERE patient_id = $1 ORDER BY id DESC LIMIT 1",
               {patient_id});
  storage::Value screening_id = storage::null();
  if (!latest.empty()) screening_id = latest.front().i64("id");
  if (decision == "approved") {
    if (latest.empty()) {
      throw ApiError::rule_refused("no screening is on file: screen the patient first", "decision");
    }
    if (latest.front().i64("eligible") == 0 && !override_reason) {
      throw ApiError::rule_refused(
          "the latest screening found an absolute contraindication (not eligible); approving needs "
          "an override_reason",
          "override_reason");
    }
    if (tx.query("SELECT id FROM consents WHERE patient_id = $1 AND consent_type = 'treatment'",
                 {patient_id})
            .empty()) {
      throw ApiError::rule_refused("no treatment consent is on file", "decision");
    }
  }
  const std::int64_t now = ctx.services().now_ms();
  storage::Rows ins = tx.query(
      "INSERT INTO approvals (patient_id, decision, reason, override_reason, screening_id, "
      "physician_user_id, decided_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
      {patient_id, decision, reason,
       override_reason ? storage::Value(*override_reason) : storage::null(), screening_id,
       ctx.user().user_id, now});
  set_patient_status(tx, patient_id, decision, now);
  storage::Rows rows = tx.query("SELECT * FROM approvals WHERE id = $1", {ins.front().i64("id")});
  nlohmann::json out = approval_json(rows.front());
  out["patient"] = patient_json(load_patient(tx, patient_id));
  return json_response(out, 201);
}

Response list_approvals(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  load_patient(ctx.tx(), patient_id);
  nlohmann::json out = nlohmann::json::array();
  for (const storage::Row& r : ctx.tx().query(
           "SELECT * FROM approvals WHERE patient_id = $1 ORDER BY id DESC", {patient_id})) {
    out.push_back(approval_json(r));
  }
  return json_response({{"approvals", out}});
}

}  // namespace

void register_intake_routes(Router& router) {
  router.add({"POST", "/api/v1/patients/{id}/screening",
              "Screen a patient (body: the kit screen request, docs/screening-schema.md); "
              "scored by the core rules and stored",
              "intake", access_roles(clinical_roles()), true, post_screening, 201});
  router.add({"GET", "/api/v1/patients/{id}/screenings", "A patient's screenings, latest first",
              "intake", access_roles(clinical_roles(), true), true, list_screenings, 200});
  router.add({"POST", "/api/v1/patients/{id}/consents",
              "Record a signed consent (type, form version, signed_at)", "intake",
              access_roles({Role::physician, Role::nurse, Role::front_desk}), true, post_consent,
              201});
  router.add({"POST", "/api/v1/patients/{id}/consents/{consent_id}/withdraw",
              "Record that the patient withdrew a consent (with the reason; it stays on file)",
              "intake", access_roles({Role::physician, Role::nurse, Role::front_desk}), true,
              withdraw_consent, 200});
  router.add({"GET", "/api/v1/patients/{id}/consents", "A patient's consents", "intake",
              access_roles({Role::physician, Role::nurse, Role::front_desk}, true), true,
              list_consents, 200});
  router.add({"POST", "/api/v1/patients/{id}/approval",
              "Physician approves or declines (422 when the latest screening is not eligible "
              "and no override_reason is given)",
              "intake", access_roles({Role::physician}), true, post_approval, 201});
  router.add({"GET", "/api/v1/patients/{id}/approvals", "A patient's approval decisions", "intake",
              access_roles(clinical_roles(), true), true, list_approvals, 200});
}

}  // namespace kit::server
