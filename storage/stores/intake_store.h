#pragma once
// The intake store: screenings, consents and the physician's approvals (tables in
// storage/migrations/0003_patients_intake.sql, consent withdrawal included). Follows the store pattern of docs/storage.md: named operations
// over the caller's transaction, plain records, one row->record function per type; "not found" is
// std::nullopt. The rules (who may approve, what a withdrawal closes) stay with the caller and the
// core.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"

namespace kit::storage {

// The screening request exactly as received and the core rules' answer, both JSON text;
// `eligible` is the answer's verdict, copied out so approval need not parse JSON.
struct Screening {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::string request_json;
  std::string result_json;
  bool eligible = false;
  std::int64_t screened_by = 0;
  std::int64_t screened_at_ms = 0;
};

struct NewScreening {
  std::int64_t patient_id = 0;
  std::string request_json;
  std::string result_json;
  bool eligible = false;
  std::int64_t screened_by = 0;
  std::int64_t at_ms = 0;
};

// A consent as signed. A withdrawn consent stays on file with when, who recorded the withdrawal
// and why; it is never deleted.
struct Consent {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::string consent_type;  // treatment | off_label_use | privacy | research
  std::string form_version;
  std::int64_t signed_at_ms = 0;
  std::int64_t recorded_by = 0;
  std::int64_t recorded_at_ms = 0;
  std::string note;
  std::optional<std::int64_t> withdrawn_at_ms;
  std::optional<std::int64_t> withdrawn_by;
  std::optional<std::string> withdrawal_reason;

  bool withdrawn() const { return withdrawn_at_ms.has_value(); }
};

struct NewConsent {
  std::int64_t patient_id = 0;
  std::string consent_type;
  std::string form_version;
  std::int64_t signed_at_ms = 0;
  std::string note;
  std::int64_t recorded_by = 0;
  std::int64_t at_ms = 0;
};

struct ConsentWithdrawal {
  std::int64_t by_user_id = 0;
  std::string reason;
  std::int64_t at_ms = 0;
};

struct Approval {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::string decision;                        // approved | declined
  std::string reason;                          // required when declined
  std::optional<std::string> override_reason;  // approving against an ineligible screening
  std::optional<std::int64_t> screening_id;    // the latest screening when decided
  std::int64_t physician_user_id = 0;
  std::int64_t decided_at_ms = 0;
};

struct NewApproval {
  std::int64_t patient_id = 0;
  std::string decision;
  std::string reason;
  std::optional<std::string> override_reason;
  std::optional<std::int64_t> screening_id;
  std::int64_t physician_user_id = 0;
  std::int64_t at_ms = 0;
};

class IntakeStore {
 public:
  explicit IntakeStore(Transaction& tx) : tx_(tx) {}

  // Screenings.
  std::int64_t add_screening(const NewScreening& screening);
  std::optional<Screening> find_screening(std::int64_t screening_id);
  // Latest first (by id: the order they were recorded).
  std::vector<Screening> screenings(std::int64_t patient_id);
  std::optional<Screening> latest_screening(std::int64_t patient_id);

  // Consents.
  std::int64_t add_consent(const NewConsent& consent);
  // The consent only if it is this patient's.
  std::optional<Consent> find_consent(std::int64_t patient_id, std::int64_t consent_id);
  // Oldest first, withdrawn ones included.
  std::vector<Consent> consents(std::int64_t patient_id);
  // Whether a treatment consent was ever signed, withdrawn or not.
  // A treatment consent signed and not withdrawn (a withdrawn one stays on file, not in force).
  bool treatment_consent_in_force(std::int64_t patient_id);
  // Marks the consent withdrawn; false if it was withdrawn already (the first withdrawal stands).
  bool withdraw_consent(std::int64_t consent_id, const ConsentWithdrawal& withdrawal);

  // Approvals.
  std::int64_t add_approval(const NewApproval& approval);
  std::optional<Approval> find_approval(std::int64_t approval_id);
  // Latest first.
  std::vector<Approval> approvals(std::int64_t patient_id);

 private:
  Transaction& tx_;
};

}  // namespace kit::storage
