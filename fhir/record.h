#pragma once
// One patient's record as the FHIR shell sees it: the stores' own records (storage/stores/*.h),
// gathered for export (clinic_records.h load_patient_record) or parsed from a Bundle for import
// (mapping.h records_from_bundle). Ids are the clinic's on export and the Bundle's local numbers on
// import (remapped when written).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/stores/assessment_store.h"
#include "storage/stores/course_store.h"
#include "storage/stores/infusion_store.h"
#include "storage/stores/intake_store.h"
#include "storage/stores/patient_store.h"
#include "storage/stores/scheduling_store.h"

namespace kit::fhir {

// Where an appointment takes place: the chair and its clinic (FHIR Location, partOf).
struct Place {
  std::int64_t clinic_id = 0;
  std::string clinic_name;
  std::string clinic_timezone;  // IANA
  std::int64_t chair_id = 0;
  std::string chair_name;
};

struct AppointmentRecord {
  storage::Appointment appointment;
  Place place;
};

struct SessionRecord {
  storage::InfusionSession session;
  std::optional<Place> place;                    // the session's chair, when it has one
  std::vector<storage::StoredPumpEvent> events;  // every event, corrected ones too
  std::vector<storage::StoredVital> vitals;
  std::vector<storage::StoredAdverseEvent> adverse_events;
};

struct PatientRecord {
  storage::Patient patient;
  std::vector<storage::Consent> consents;
  std::vector<storage::Course> courses;
  std::vector<AppointmentRecord> appointments;
  std::vector<SessionRecord> sessions;
  std::vector<storage::Assessment> assessments;  // questionnaires and in-session CADSS
};

}  // namespace kit::fhir
