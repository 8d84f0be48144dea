// GET /fhir/r4/Patient/{id}/$everything: the patient's whole record as a FHIR R4 Bundle
// (fhir/mapping.h, docs/fhir.md). The access rule is the clinical record's (nurse, physician, the
// patient on their own record); the router writes the audit row naming the patient.
#include <nlohmann/json.hpp>

#include "fhir/clinic_records.h"
#include "fhir/mapping.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/resources/modules.h"

namespace kit::server {

namespace {

Response everything(RouteContext& ctx) {
  const std::int64_t patient_id = ctx.id_param("id");
  ctx.require_patient_access(patient_id);
  std::optional<fhir::PatientRecord> record = fhir::load_patient_record(ctx.tx(), patient_id);
  if (!record) throw ApiError::not_found("patient");
  Response r = json_response(fhir::to_bundle({*record}, ctx.services().now_ms()));
  r.content_type = "application/fhir+json";
  return r;
}

}  // namespace

void register_fhir_routes(Router& router) {
  router.add({"GET", "/fhir/r4/Patient/{id}/$everything",
              "The patient's record as a FHIR R4 Bundle (searchset): Patient, Condition, Consent, "
              "CarePlan, Location, Appointment, MedicationAdministration, Observation, "
              "QuestionnaireResponse, AdverseEvent (docs/fhir.md)",
              "fhir", access_roles({Role::physician, Role::nurse}, true), true, everything, 200});
}

}  // namespace kit::server
