#pragma once
// The code systems and codes of the FHIR shell, each with its source (docs/fhir.md lists them).
// Codes without a published standard code are in KIT's own systems under kKitBase: `.invalid`
// (RFC 6761) marks them as local to KIT and never resolvable; docs/fhir.md says so.
#include <string_view>

namespace kit::fhir::codes {

inline constexpr std::string_view kKitBase = "https://kit.invalid/fhir/";

// Terminology systems (HL7 FHIR R4, "Using Codes in Resources": terminologies.html).
inline constexpr std::string_view kLoinc = "http://loinc.org";
inline constexpr std::string_view kSnomed = "http://snomed.info/sct";
inline constexpr std::string_view kRxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm";
inline constexpr std::string_view kUcum = "http://unitsofmeasure.org";

// Vital signs (HL7 FHIR R4 ValueSet observation-vitalsignresult,
// hl7.org/fhir/R4/valueset-observation-vitalsignresult.html, and the vital-signs profiles
// hl7.org/fhir/R4/observation-vitalsigns.html):
inline constexpr std::string_view kVitalsPanel = "85353-1";  // vital signs panel (hasMember)
inline constexpr std::string_view kBpPanel = "85354-9";      // blood pressure panel
inline constexpr std::string_view kSystolic = "8480-6";      // systolic blood pressure
inline constexpr std::string_view kDiastolic = "8462-4";     // diastolic blood pressure
inline constexpr std::string_view kHeartRate = "8867-4";     // heart rate
inline constexpr std::string_view kRespRate = "9279-1";      // respiratory rate
inline constexpr std::string_view kSpO2 = "2708-6";          // oxygen saturation (R4 oxygensat)
// Oxygen saturation by pulse oximetry (US Core Pulse Oximetry profile, which carries 2708-6 too).
inline constexpr std::string_view kSpO2Pulse = "59408-5";
inline constexpr std::string_view kBodyWeight = "29463-7";  // body weight
inline constexpr std::string_view kBodyHeight = "8302-2";   // body height

// Consent category: LOINC 59284-0 "Patient Consent" (HL7 FHIR R4 ValueSet consent-category).
inline constexpr std::string_view kConsentDocument = "59284-0";

// Ketamine: RxNorm ingredient RXCUI 6130 (RxNav, rxnav.nlm.nih.gov "ketamine").
inline constexpr std::string_view kKetamineRxcui = "6130";
// Intravenous route: SNOMED CT 47625008 "Intravenous route" (HL7 FHIR R4 ValueSet route-codes).
inline constexpr std::string_view kIntravenous = "47625008";

}  // namespace kit::fhir::codes
