#pragma once
// The medication store: a patient's dated pain-medication lists with the daily morphine milligram
// equivalents the core computed for each (table `medication_lists`,
// storage/migrations/0008_medications.sql, with the status and amends_id). Follows the
// store pattern of docs/storage.md: named operations over the caller's transaction, plain records,
// one row->record function per type; "not found" is std::nullopt. The MME rules stay in the core.
//
// Corrections keep history: a list is never changed or deleted, only marked entered_in_error or
// amended (the amendment is a new list naming it), with the why in the session module's
// `corrections` table (0006), which InfusionStore writes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"

namespace kit::storage {

// How a list was corrected: this store's view of its row in `corrections`.
struct MedicationListCorrection {
  std::int64_t id = 0;
  std::string action;  // entered_in_error | amend
  std::string reason;
  std::optional<std::int64_t> replacement_id;  // the amending list
  std::int64_t by_user_id = 0;
  std::int64_t at_ms = 0;
};

struct MedicationList {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::string as_of;        // ISO date the list describes
  std::string items_json;   // the medications as entered
  std::string result_json;  // the core's answer (items, flags, change from the list before)
  double total_mme_per_day = 0;
  std::string note;
  std::int64_t recorded_by = 0;
  std::int64_t recorded_at_ms = 0;
  std::string status;  // active | entered_in_error | amended
  std::optional<std::int64_t> amends_id;
  std::optional<MedicationListCorrection> correction;  // set once status is not active
};

struct NewMedicationList {
  std::int64_t patient_id = 0;
  std::string as_of;
  std::string items_json;
  std::string result_json;
  double total_mme_per_day = 0;
  std::string note;
  std::int64_t recorded_by = 0;
  std::int64_t at_ms = 0;
  std::optional<std::int64_t> amends_id;
};

struct NewMedicationListCorrection {
  std::int64_t list_id = 0;
  std::int64_t patient_id = 0;
  std::string action;  // entered_in_error | amend
  std::string reason;
  std::optional<std::int64_t> replacement_id;
  std::int64_t by_user_id = 0;
  std::int64_t at_ms = 0;
};

class MedicationStore {
 public:
  explicit MedicationStore(Transaction& tx) : tx_(tx) {}

  std::int64_t insert(const NewMedicationList& list);  // status active; returns the id
  std::optional<MedicationList> find(std::int64_t list_id);
  // Every list of the patient whatever its status (corrected ones stay listed), by as_of, then id.
  std::vector<MedicationList> of_patient(std::int64_t patient_id);
  // The active list in force on `as_of`: the latest active list dated on or before it (the last
  // recorded on that date wins), for the change the core reports against it.
  std::optional<MedicationList> in_force_on(std::int64_t patient_id, const std::string& as_of);

  // Corrections. mark_corrected moves an active list to `status` (entered_in_error or amended);
  // false when it is not active any more (corrected meanwhile).
  bool mark_corrected(std::int64_t list_id, const std::string& status);
  std::int64_t record_correction(const NewMedicationListCorrection& c);  // returns the id

 private:
  Transaction& tx_;
};

}  // namespace kit::storage
