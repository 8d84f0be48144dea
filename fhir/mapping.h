#pragma once
// KIT records <-> a FHIR R4 Bundle: pure functions, no I/O (docs/fhir.md, ADR 0028).
//
// to_bundle writes, for each patient: Patient, Observation (body weight and height), Condition
// (the indication), Consent, CarePlan (the course), Location (clinic and chair), Appointment,
// MedicationAdministration (one for each infusion session, and one for each delivered interval of
// it, partOf the session's), Observation (vital-sign panels and their members with LOINC codes;
// instrument totals, category survey, derivedFrom the QuestionnaireResponse),
// QuestionnaireResponse and AdverseEvent. What FHIR has no element for travels in KIT extensions
// (codes.h kKitBase), so that records_from_bundle gives back every exported field.
//
// records_from_bundle reads such a Bundle back; a bad Bundle is an InputError whose field names the
// entry, the resource and the element ("Bundle.entry[4](Observation/vit-3).valueQuantity.value").
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "fhir/record.h"

namespace kit::fhir {

// `now_ms` closes the delivered interval of an infusion still running.
nlohmann::json to_bundle(const std::vector<PatientRecord>& patients, std::int64_t now_ms);

// The records of a Bundle, ids as written in it (the caller remaps them when it stores them).
// Recorders (recorded_by, created_by, ...) are not in the Bundle: they are 0 here.
std::vector<PatientRecord> records_from_bundle(const nlohmann::json& bundle);

// The extension URL of a KIT element: kKitBase + "StructureDefinition/" + name.
std::string kit_extension(std::string_view name);

}  // namespace kit::fhir
