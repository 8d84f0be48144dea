#pragma once
// The patient portal's store: invitations to the portal (only the SHA-256 of each token), the
// questionnaire drafts a patient saves before submitting, and each patient's portal language
// (tables in storage/migrations/0014_portal.sql). Follows the store pattern of docs/storage.md:
// named operations over the caller's transaction, plain records; "not found" is std::nullopt.
// Token generation, hashing and the rules (expiry, one-time use) stay with the caller
// (server/resources/portal_routes.cpp).
#include <cstdint>
#include <optional>
#include <string>

#include "storage/database.h"

namespace kit::storage {

struct Invitation {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::int64_t created_by = 0;
  std::int64_t created_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::string status;  // pending | accepted | revoked
  std::optional<std::int64_t> ended_at_ms;
  std::optional<std::int64_t> user_id;

  // Usable: still pending and not yet expired (good up to, not including, its expiry instant).
  bool usable_at(std::int64_t now_ms) const {
    return status == "pending" && now_ms < expires_at_ms;
  }
};

struct NewInvitation {
  std::int64_t patient_id = 0;
  std::string token_hash;
  std::int64_t created_by = 0;
  std::int64_t at_ms = 0;
  std::int64_t expires_at_ms = 0;
};

struct QuestionnaireDraft {
  std::int64_t patient_id = 0;
  std::string instrument;
  std::string answers_json;  // JSON array, an integer or null per item
  std::int64_t position = 0;
  std::string language;
  std::int64_t updated_at_ms = 0;
  std::int64_t version = 0;
};

struct PatientPreferences {
  std::int64_t patient_id = 0;
  std::string language;
  std::int64_t updated_by = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t version = 0;
};

class PortalStore {
 public:
  explicit PortalStore(Transaction& tx) : tx_(tx) {}

  // Invitations.
  // Revokes the patient's pending invitations (expired or not), then adds this one; returns its id
  // and, through *revoked, how many were revoked.
  std::int64_t create_invitation(const NewInvitation& invitation, std::int64_t* revoked = nullptr);
  std::optional<Invitation> find_invitation(std::int64_t id);
  std::optional<Invitation> invitation_by_token_hash(const std::string& token_hash);
  // Marks a pending invitation accepted by user_id, in one statement; false if it is no longer
  // pending (a second use racing the first).
  bool accept_invitation(std::int64_t id, std::int64_t user_id, std::int64_t now_ms);
  // The account linked to the patient, if any (users.patient_id is unique).
  std::optional<std::int64_t> account_of_patient(std::int64_t patient_id);

  // Drafts.
  std::optional<QuestionnaireDraft> draft(std::int64_t patient_id, const std::string& instrument);
  // Inserts or replaces the draft (version + 1); returns the stored draft.
  QuestionnaireDraft save_draft(const QuestionnaireDraft& draft);
  // Removes it; false if there was none.
  bool remove_draft(std::int64_t patient_id, const std::string& instrument);

  // Preferences.
  std::optional<PatientPreferences> preferences(std::int64_t patient_id);
  PatientPreferences set_language(std::int64_t patient_id, const std::string& language,
                                  std::int64_t by_user_id, std::int64_t now_ms);

 private:
  Transaction& tx_;
};

}  // namespace kit::storage
