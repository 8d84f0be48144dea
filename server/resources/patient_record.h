#pragma once
// The patient record for the patient and intake routes: read through the patient store (404 when
// absent) and answered in one JSON shape, so a new field is added in one place.
#include <cstdint>
#include <nlohmann/json.hpp>

#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/resources/journey_common.h"
#include "storage/stores/patient_store.h"

namespace kit::server {

inline storage::Patient load_patient_record(storage::Transaction& tx, std::int64_t id) {
  std::optional<storage::Patient> patient = storage::PatientStore(tx).find(id);
  if (!patient) throw ApiError::not_found("patient");
  return *patient;
}

inline nlohmann::json patient_record_json(const storage::Patient& p) {
  return {{"id", p.id},
          {"mrn", p.mrn},
          {"given_name", p.given_name},
          {"family_name", p.family_name},
          {"date_of_birth", p.date_of_birth},
          {"sex", p.sex},
          {"weight_kg", journey::opt_json(p.weight_kg)},
          {"height_cm", journey::opt_json(p.height_cm)},
          {"email", journey::opt_json(p.email)},
          {"phone", journey::opt_json(p.phone)},
          {"indication", p.indication},
          {"status", p.status},
          {"inquiry_id", journey::opt_json(p.inquiry_id)},
          {"created_at", iso8601_ms(p.created_at_ms)},
          {"updated_at", iso8601_ms(p.updated_at_ms)},
          {"version", p.version}};
}

}  // namespace kit::server
