// The patient portal's store (storage/stores/portal_store.h).
#include "storage/stores/portal_store.h"

namespace kit::storage {

namespace {

constexpr const char* kInvitationColumns =
    "id, patient_id, created_by, created_at_ms, expires_at_ms, status, ended_at_ms, user_id";

Invitation invitation_from_row(const Row& r) {
  Invitation i;
  i.id = r.i64("id");
  i.patient_id = r.i64("patient_id");
  i.created_by = r.i64("created_by");
  i.created_at_ms = r.i64("created_at_ms");
  i.expires_at_ms = r.i64("expires_at_ms");
  i.status = r.text("status");
  i.ended_at_ms = r.opt_i64("ended_at_ms");
  i.user_id = r.opt_i64("user_id");
  return i;
}

QuestionnaireDraft draft_from_row(const Row& r) {
  QuestionnaireDraft d;
  d.patient_id = r.i64("patient_id");
  d.instrument = r.text("instrument");
  d.answers_json = r.text("answers_json");
  d.position = r.i64("position");
  d.language = r.text("language");
  d.updated_at_ms = r.i64("updated_at_ms");
  d.version = r.i64("version");
  return d;
}

}  // namespace

std::int64_t PortalStore::create_invitation(const NewInvitation& n, std::int64_t* revoked) {
  const std::int64_t count = tx_.exec(
      "UPDATE portal_invitations SET status = 'revoked', ended_at_ms = $2 "
      "WHERE patient_id = $1 AND status = 'pending'",
      {n.patient_id, n.at_ms});
  if (revoked) *revoked = count;
  return tx_
      .query(
          "INSERT INTO portal_invitations (patient_id, token_hash, created_by, created_at_ms, "
          "expires_at_ms) VALUES ($1, $2, $3, $4, $5) RETURNING id",
          {n.patient_id, n.token_hash, n.created_by, n.at_ms, n.expires_at_ms})
      .front()
      .i64("id");
}

std::optional<Invitation> PortalStore::find_invitation(std::int64_t id) {
  const Rows rows = tx_.query(
      std::string("SELECT ") + kInvitationColumns + " FROM portal_invitations WHERE id = $1", {id});
  if (rows.empty()) return std::nullopt;
  return invitation_from_row(rows.front());
}

std::optional<Invitation> PortalStore::invitation_by_token_hash(const std::string& token_hash) {
  const Rows rows = tx_.query(std::string("SELECT ") + kInvitationColumns +
                                  " FROM portal_invitations WHERE token_hash = $1",
                              {token_hash});
  if (rows.empty()) return std::nullopt;
  return invitation_from_row(rows.front());
}

bool PortalStore::accept_invitation(std::int64_t id, std::int64_t user_id, std::int64_t now_ms) {
  return tx_.exec(
             "UPDATE portal_invitations SET status = 'accepted', ended_at_ms = $3, user_id = $2 "
             "WHERE id = $1 AND status = 'pending'",
             {id, user_id, now_ms}) == 1;
}

std::optional<std::int64_t> PortalStore::account_of_patient(std::int64_t patient_id) {
  const Rows rows = tx_.query("SELECT id FROM users WHERE patient_id = $1", {patient_id});
  if (rows.empty()) return std::nullopt;
  return rows.front().i64("id");
}

std::optional<QuestionnaireDraft> PortalStore::draft(std::int64_t patient_id,
                                                     const std::string& instrument) {
  const Rows rows = tx_.query(
      "SELECT patient_id, instrument, answers_json, position, language, updated_at_ms, version "
      "FROM questionnaire_drafts WHERE patient_id = $1 AND instrument = $2",
      {patient_id, instrument});
  if (rows.empty()) return std::nullopt;
  return draft_from_row(rows.front());
}

QuestionnaireDraft PortalStore::save_draft(const QuestionnaireDraft& d) {
  const std::int64_t changed = tx_.exec(
      "UPDATE questionnaire_drafts SET answers_json = $3, position = $4, language = $5, "
      "updated_at_ms = $6, version = version + 1 WHERE patient_id = $1 AND instrument = $2",
      {d.patient_id, d.instrument, d.answers_json, d.position, d.language, d.updated_at_ms});
  if (changed == 0) {
    tx_.exec(
        "INSERT INTO questionnaire_drafts (patient_id, instrument, answers_json, position, "
        "language, updated_at_ms, version) VALUES ($1, $2, $3, $4, $5, $6, 1)",
        {d.patient_id, d.instrument, d.answers_json, d.position, d.language, d.updated_at_ms});
  }
  return *draft(d.patient_id, d.instrument);
}

bool PortalStore::remove_draft(std::int64_t patient_id, const std::string& instrument) {
  return tx_.exec("DELETE FROM questionnaire_drafts WHERE patient_id = $1 AND instrument = $2",
                  {patient_id, instrument}) == 1;
}

std::optional<PatientPreferences> PortalStore::preferences(std::int64_t patient_id) {
  const Rows rows = tx_.query(
      "SELECT patient_id, language, updated_by, updated_at_ms, version FROM patient_preferences "
      "WHERE patient_id = $1",
      {patient_id});
  if (rows.empty()) return std::nullopt;
  const Row& r = rows.front();
  PatientPreferences p;
  p.patient_id = r.i64("patient_id");
  p.language = r.text("language");
  p.updated_by = r.i64("updated_by");
  p.updated_at_ms = r.i64("updated_at_ms");
  p.version = r.i64("version");
  return p;
}

PatientPreferences PortalStore::set_language(std::int64_t patient_id, const std::string& language,
                                             std::int64_t by_user_id, std::int64_t now_ms) {
  const std::int64_t changed = tx_.exec(
      "UPDATE patient_preferences SET language = $2, updated_by = $3, updated_at_ms = $4, "
      "version = version + 1 WHERE patient_id = $1",
      {patient_id, language, by_user_id, now_ms});
  if (changed == 0) {
    tx_.exec(
        "INSERT INTO patient_preferences (patient_id, language, updated_by, updated_at_ms, "
        "version) VALUES ($1, $2, $3, $4, 1)",
        {patient_id, language, by_user_id, now_ms});
  }
  return *preferences(patient_id);
}

}  // namespace kit::storage
