#pragma once
// The import store: the writes `kit import fhir` makes into an empty clinic (fhir/clinic_records.h,
// docs/fhir.md). Each row is written as the Bundle had it (states, statuses, timestamps), which
// the other stores' create operations cannot do (they start every record at its first state).
// Follows the store pattern of docs/storage.md: named operations over the caller's transaction;
// the caller maps the Bundle's ids to the new ones and gives every row its recorder.
#include <cstdint>

#include "storage/database.h"
#include "storage/stores/assessment_store.h"
#include "storage/stores/course_store.h"
#include "storage/stores/infusion_store.h"
#include "storage/stores/intake_store.h"
#include "storage/stores/patient_store.h"
#include "storage/stores/scheduling_store.h"

namespace kit::storage {

class ImportStore {
 public:
  explicit ImportStore(Transaction& tx) : tx_(tx) {}

  // How many patients the clinic holds (an import goes into an empty clinic only).
  std::int64_t patient_count();

  // Each returns the new id; the record's own id and foreign keys are the caller's, remapped.
  std::int64_t insert_patient(const Patient& p);
  std::int64_t insert_consent(const Consent& c);
  std::int64_t insert_course(const Course& c);
  // With its chair slots (every 15-minute slot of [starts, ends)) unless cancelled, as booking
  // does.
  std::int64_t insert_appointment(const Appointment& a);
  std::int64_t insert_session(const InfusionSession& s);
  std::int64_t insert_pump_event(const StoredPumpEvent& e);
  std::int64_t insert_vital(const StoredVital& v);
  std::int64_t insert_adverse_event(const StoredAdverseEvent& a);
  std::int64_t insert_assessment(const Assessment& a);

 private:
  Transaction& tx_;
};

}  // namespace kit::storage
