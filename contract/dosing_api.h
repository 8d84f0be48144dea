#pragma once
// JSON contract for the drug library and the dose calculator, shared by `kit protocols`,
// `kit dose` and (later) the HTTP server. Ill-formed requests throw kit::InputError naming the
// field; limit breaches are answers, not errors (status needs_override / refused).
#include <nlohmann/json.hpp>

#include "core/dosing/dose_calculator.h"
#include "core/dosing/drug_library.h"

namespace kit::contract {

struct DoseResponse {
  nlohmann::json body;
  bool accepted = false;  // false: needs_override or refused (CLI exit 3, JSON still printed)
};

// The protocols of `library` (default: the built-in one) with limits and citations.
nlohmann::json handle_protocols(const dosing::DrugLibrary& library = dosing::builtin_library());

// {"protocol":..., "patient":{...}, "preparation":{...}, optional dose, optional override_reason}
DoseResponse handle_dose(const nlohmann::json& request,
                         const dosing::DrugLibrary& library = dosing::builtin_library());

// The pieces, for reuse and tests.
dosing::PlanRequest parse_dose_request(const nlohmann::json& request);
nlohmann::json protocol_to_json(const dosing::Protocol& protocol, const dosing::Pump& pump);
nlohmann::json plan_to_json(const dosing::Plan& plan);

}  // namespace kit::contract
