#pragma once
// The FHIR shell's reads and writes, through the stores (storage/stores/): a patient's whole record
// for export, and an imported Bundle's records written into an empty clinic. The caller owns the
// transaction (one for the whole import: all or nothing) and the audit rows.
#include <cstdint>
#include <vector>

#include "fhir/record.h"
#include "storage/database.h"

namespace kit::fhir {

// Every patient id of the clinic, ascending.
std::vector<std::int64_t> all_patient_ids(storage::Transaction& tx);

// nullopt when there is no such patient.
std::optional<PatientRecord> load_patient_record(storage::Transaction& tx, std::int64_t patient_id);

struct ImportSummary {
  std::vector<std::int64_t> patient_ids;  // the new ids, in Bundle order
  std::int64_t records = 0;               // rows written (patients, consents, ..., assessments)
};

// Writes the records (ids as in the Bundle) with new ids; every recorder is `user_id`. Refuses
// (RuleRefused "clinic", nothing written) when the clinic already holds a patient. Clinics and
// chairs are matched by name and created when missing.
ImportSummary import_records(storage::Transaction& tx, const std::vector<PatientRecord>& records,
                             std::int64_t user_id, std::int64_t now_ms);

}  // namespace kit::fhir
