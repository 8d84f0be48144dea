// Intake: screening answers scored by the core screening rules (app/screening_api.h, never
// re-implemented here), consents, and the physician's approval or decline. docs/api-journey.md.
#include <nlohmann/json.hpp>

#include "contract/json_reader.h"
#include "contract/screening_api.h"
#include "core/common/error.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/resources/chair_common.h"
#include "server/resources/infusion_common.h"
#include "server/resources/journey_common.h"
#include "server/resources/modules.h"
#include "server/resources/patient_record.h"
#include "storage/stores/intake_store.h"
#include "storage/stores/patient_store.h"

namespace kit::server {

namespace {

using namespace journey;
using storage::IntakeStore;

constexpr std::size_t kMaxReason = 2000;

nlohmann::json screening_json(const storage::Screening& s) {
  return {{"id", s.id},
          {"patient_id", s.patient_id},
          {"eligible", s.eligible},
          {"request", nlohmann::json::parse(s.request_json)},
          {"result", nlohmann::json::parse(s.result_json)},
          {"screened_by", s.screened_by},
          {"screened_at", iso8601_ms(s.screened_at_ms)}};
}

nlohmann::json consent_json(const storage::Consent& c) {
  return {{"id", c.id},
          {"patient_id", c.patient_id},
          {"type", c.consent_type},
          {"version", c.form_version},
          {"signed_at", iso8601_ms(c.signed_at_ms)},
          {"recorded_by", c.recorded_by},
          {"recorded_at", iso8601_ms(c.recorded_at_ms)},
          {"note", c.note},
          {"withdrawn_at", c.withdrawn_at_ms ? nlohmann::json(iso8601_ms(*c.withdrawn_at_ms))
                                             : nlohmann::json(nullptr)},
          {"withdrawn_by", opt_json(c.withdrawn_by)},
          {"withdrawal_reason", opt_json(c.withdrawal_reason)}};
}

nlohmann::json approval_json(const storage::Approval& a) {
  return {{"id", a.id},
          {"patient_id", a.patient_id},
          {"decision", a.decision},
          {"reason", a.reason},
          {"override_reason", opt_json(a.override_reason)},
          {"screening_id", opt_json(a.screening_id)},
          {"physician_user_id", a.physician_user_id},
          {"decided_at", iso8601_ms(a.decided_at_ms)}};
}

Response post_screening(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  nlohmann::json body = parse_body(ctx.request());
  storage::Transaction& tx = ctx.tx();
  const storage::Patient patient = load_patient_record(tx, patient_id);
  // The answers must agree with the record (core/screening/screen.h check_against_record): the
  // age from the date of birth on the clinic's date, and the record's indication. The record's
  // facts always come from the record (a client-sent "record", e.g. a stored request sent again,
  // is replaced).
  if (!body.is_object()) throw kit::InputError("body", "must be a JSON object");
  body["record"] = {{"age_years", chair::age_years(patient.date_of_birth,
                                                   infusion_routes::local_date(
                                                       tx, std::nullopt, ctx.services().now_ms()))},
                    {"indication", patient.indication}};
  // The core rules score the answers; bad input comes back as InputError naming the field.
  const nlohmann::json result = contract::handle_screen(body);
  IntakeStore intake(tx);
  const std::int64_t id = intake.add_screening({.patient_id = patient_id,
                                                .request_json = body.dump(),
                                                .result_json = result.dump(),
                                                .eligible = result.at("eligible").get<bool>(),
                                                .screened_by = ctx.user().user_id,
                                                .at_ms = ctx.services().now_ms()});
  Response resp = json_response(screening_json(*intake.find_screening(id)), 201);
  resp.set_header("Location", "/api/v1/patients/" + std::to_string(patient_id) + "/screenings/" +
                                  std::to_string(id));
  return resp;
}

Response list_screenings(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  load_patient_record(ctx.tx(), patient_id);
  nlohmann::json out = nlohmann::json::array();
  for (const storage::Screening& s : IntakeStore(ctx.tx()).screenings(patient_id)) {
    out.push_back(screening_json(s));
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
  const std::string version = require_line(r.string("version"), "version", 64);
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
  load_patient_record(tx, patient_id);
  IntakeStore intake(tx);
  const std::int64_t id = intake.add_consent({.patient_id = patient_id,
                                              .consent_type = type,
                                              .form_version = version,
                                              .signed_at_ms = signed_at,
                                              .note = note,
                                              .recorded_by = ctx.user().user_id,
                                              .at_ms = now});
  return json_response(consent_json(*intake.find_consent(patient_id, id)), 201);
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
  load_patient_record(tx, patient_id);
  IntakeStore intake(tx);
  const std::optional<storage::Consent> consent = intake.find_consent(patient_id, consent_id);
  if (!consent) throw ApiError::not_found("consent");
  if (consent->withdrawn()) {
    throw ApiError::conflict("the consent was already withdrawn", "consent_id");
  }
  intake.withdraw_consent(
      consent_id,
      {.by_user_id = ctx.user().user_id, .reason = reason, .at_ms = ctx.services().now_ms()});
  return json_response(consent_json(*intake.find_consent(patient_id, consent_id)), 200);
}

Response list_consents(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  load_patient_record(ctx.tx(), patient_id);
  nlohmann::json out = nlohmann::json::array();
  for (const storage::Consent& c : IntakeStore(ctx.tx()).consents(patient_id)) {
    out.push_back(consent_json(c));
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
  const storage::Patient record = load_patient_record(tx, patient_id);
  // If-Match, when sent, is the record's version as the physician saw it (the web app's intake
  // screen sends it): a decision on a record changed since is 412 and records nothing.
  if (ctx.request().header("if-match")) ctx.require_if_match(record.version);
  const std::string status = record.status;
  if (status == "in_treatment" || status == "maintenance") {
    throw ApiError::conflict("the patient is in treatment; stop or complete the course first");
  }
  IntakeStore intake(tx);
  const std::optional<storage::Screening> latest = intake.latest_screening(patient_id);
  if (decision == "approved") {
    if (!latest) {
      throw ApiError::rule_refused("no screening is on file: screen the patient first", "decision");
    }
    if (!latest->eligible && !override_reason) {
      throw ApiError::rule_refused(
          "the latest screening found an absolute contraindication (not eligible); approving needs "
          "an override_reason",
          "override_reason");
    }
    if (!intake.treatment_consent_in_force(patient_id)) {
      throw ApiError::rule_refused("no treatment consent in force (none on file, or withdrawn)",
                                   "decision");
    }
  }
  const std::int64_t now = ctx.services().now_ms();
  const std::int64_t id = intake.add_approval(
      {.patient_id = patient_id,
       .decision = decision,
       .reason = reason,
       .override_reason = override_reason,
       .screening_id = latest ? std::optional<std::int64_t>(latest->id) : std::nullopt,
       .physician_user_id = ctx.user().user_id,
       .at_ms = now});
  // The decision is the patient's new workflow status (approved or declined), set only on the
  // version everything above was read at: a decision racing another (a second server, or a
  // status change between the read and here under PostgreSQL's read committed) is refused and
  // its approval row rolls back with it.
  if (!storage::PatientStore(tx).set_status_at_version(patient_id, record.version, decision, now)) {
    if (ctx.request().header("if-match")) throw ApiError::precondition_failed();
    throw ApiError::conflict(
        "the patient's record changed while this decision was being made: reload and decide again");
  }
  nlohmann::json out = approval_json(*intake.find_approval(id));
  out["patient"] = patient_record_json(load_patient_record(tx, patient_id));
  return json_response(out, 201);
}

Response list_approvals(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  load_patient_record(ctx.tx(), patient_id);
  nlohmann::json out = nlohmann::json::array();
  for (const storage::Approval& a : IntakeStore(ctx.tx()).approvals(patient_id)) {
    out.push_back(approval_json(a));
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
