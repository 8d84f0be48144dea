// The intake store (storage/stores/intake_store.h): the SQL of screenings, consents and approvals.
#include "storage/stores/intake_store.h"

namespace kit::storage {
namespace {

constexpr const char* kScreeningColumns =
    "id, patient_id, request_json, result_json, eligible, screened_by, screened_at_ms";

constexpr const char* kConsentColumns =
    "id, patient_id, consent_type, form_version, signed_at_ms, recorded_by, recorded_at_ms, note, "
    "withdrawn_at_ms, withdrawn_by, withdrawal_reason";

constexpr const char* kApprovalColumns =
    "id, patient_id, decision, reason, override_reason, screening_id, physician_user_id, "
    "decided_at_ms";

Value opt(const std::optional<std::int64_t>& v) { return v ? Value(*v) : null(); }
Value opt(const std::optional<std::string>& v) { return v ? Value(*v) : null(); }

Screening screening_from_row(const Row& r) {
  Screening s;
  s.id = r.i64("id");
  s.patient_id = r.i64("patient_id");
  s.request_json = r.text("request_json");
  s.result_json = r.text("result_json");
  s.eligible = r.i64("eligible") != 0;
  s.screened_by = r.i64("screened_by");
  s.screened_at_ms = r.i64("screened_at_ms");
  return s;
}

Consent consent_from_row(const Row& r) {
  Consent c;
  c.id = r.i64("id");
  c.patient_id = r.i64("patient_id");
  c.consent_type = r.text("consent_type");
  c.form_version = r.text("form_version");
  c.signed_at_ms = r.i64("signed_at_ms");
  c.recorded_by = r.i64("recorded_by");
  c.recorded_at_ms = r.i64("recorded_at_ms");
  c.note = r.text("note");
  c.withdrawn_at_ms = r.opt_i64("withdrawn_at_ms");
  c.withdrawn_by = r.opt_i64("withdrawn_by");
  c.withdrawal_reason = r.opt_text("withdrawal_reason");
  return c;
}

Approval approval_from_row(const Row& r) {
  Approval a;
  a.id = r.i64("id");
  a.patient_id = r.i64("patient_id");
  a.decision = r.text("decision");
  a.reason = r.text("reason");
  a.override_reason = r.opt_text("override_reason");
  a.screening_id = r.opt_i64("screening_id");
  a.physician_user_id = r.i64("physician_user_id");
  a.decided_at_ms = r.i64("decided_at_ms");
  return a;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Screenings

std::int64_t IntakeStore::add_screening(const NewScreening& s) {
  return tx_
      .query(
          "INSERT INTO screenings (patient_id, request_json, result_json, eligible, screened_by, "
          "screened_at_ms) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
          {s.patient_id, s.request_json, s.result_json, std::int64_t{s.eligible ? 1 : 0},
           s.screened_by, s.at_ms})
      .front()
      .i64("id");
}

std::optional<Screening> IntakeStore::find_screening(std::int64_t screening_id) {
  const Rows rows =
      tx_.query(std::string("SELECT ") + kScreeningColumns + " FROM screenings WHERE id = $1",
                {screening_id});
  if (rows.empty()) return std::nullopt;
  return screening_from_row(rows.front());
}

std::vector<Screening> IntakeStore::screenings(std::int64_t patient_id) {
  std::vector<Screening> out;
  for (const Row& r : tx_.query(std::string("SELECT ") + kScreeningColumns +
                                    " FROM screenings WHERE patient_id = $1 ORDER BY id DESC",
                                {patient_id})) {
    out.push_back(screening_from_row(r));
  }
  return out;
}

std::optional<Screening> IntakeStore::latest_screening(std::int64_t patient_id) {
  const Rows rows = tx_.query(std::string("SELECT ") + kScreeningColumns +
                                  " FROM screenings WHERE patient_id = $1 ORDER BY id DESC LIMIT 1",
                              {patient_id});
  if (rows.empty()) return std::nullopt;
  return screening_from_row(rows.front());
}

// ---------------------------------------------------------------------------------------------
// Consents

std::int64_t IntakeStore::add_consent(const NewConsent& c) {
  return tx_
      .query(
          "INSERT INTO consents (patient_id, consent_type, form_version, signed_at_ms, "
          "recorded_by, recorded_at_ms, note) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
          {c.patient_id, c.consent_type, c.form_version, c.signed_at_ms, c.recorded_by, c.at_ms,
           c.note})
      .front()
      .i64("id");
}

std::optional<Consent> IntakeStore::find_consent(std::int64_t patient_id, std::int64_t consent_id) {
  const Rows rows = tx_.query(
      std::string("SELECT ") + kConsentColumns + " FROM consents WHERE id = $1 AND patient_id = $2",
      {consent_id, patient_id});
  if (rows.empty()) return std::nullopt;
  return consent_from_row(rows.front());
}

std::vector<Consent> IntakeStore::consents(std::int64_t patient_id) {
  std::vector<Consent> out;
  for (const Row& r : tx_.query(std::string("SELECT ") + kConsentColumns +
                                    " FROM consents WHERE patient_id = $1 ORDER BY id",
                                {patient_id})) {
    out.push_back(consent_from_row(r));
  }
  return out;
}

bool IntakeStore::treatment_consent_in_force(std::int64_t patient_id) {
  return !tx_.query("SELECT id FROM consents WHERE patient_id = $1 AND consent_type = 'treatment' "
                    "AND withdrawn_at_ms IS NULL",
                    {patient_id})
              .empty();
}

bool IntakeStore::withdraw_consent(std::int64_t consent_id, const ConsentWithdrawal& w) {
  // The IS NULL guard keeps the first withdrawal if two are recorded at once.
  return tx_.exec(
             "UPDATE consents SET withdrawn_at_ms = $2, withdrawn_by = $3, withdrawal_reason = $4 "
             "WHERE id = $1 AND withdrawn_at_ms IS NULL",
             {consent_id, w.at_ms, w.by_user_id, w.reason}) == 1;
}

// ---------------------------------------------------------------------------------------------
// Approvals

std::int64_t IntakeStore::add_approval(const NewApproval& a) {
  return tx_
      .query(
          "INSERT INTO approvals (patient_id, decision, reason, override_reason, screening_id, "
          "physician_user_id, decided_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
          {a.patient_id, a.decision, a.reason, opt(a.override_reason), opt(a.screening_id),
           a.physician_user_id, a.at_ms})
      .front()
      .i64("id");
}

std::optional<Approval> IntakeStore::find_approval(std::int64_t approval_id) {
  const Rows rows = tx_.query(
      std::string("SELECT ") + kApprovalColumns + " FROM approvals WHERE id = $1", {approval_id});
  if (rows.empty()) return std::nullopt;
  return approval_from_row(rows.front());
}

std::vector<Approval> IntakeStore::approvals(std::int64_t patient_id) {
  std::vector<Approval> out;
  for (const Row& r : tx_.query(std::string("SELECT ") + kApprovalColumns +
                                    " FROM approvals WHERE patient_id = $1 ORDER BY id DESC",
                                {patient_id})) {
    out.push_back(approval_from_row(r));
  }
  return out;
}

}  // namespace kit::storage
