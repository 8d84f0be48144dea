#pragma once
// JSON contract for infusion safety: one vital-signs reading -> action (kit vitals, and the
// server for every vitals entry), and discharge readiness (kit discharge). Documented in
// docs/clinical-rules/screening-safety.md.
#include <nlohmann/json_fwd.hpp>

namespace kit::contract {

nlohmann::json handle_vitals(const nlohmann::json& request);
nlohmann::json handle_discharge(const nlohmann::json& request);

}  // namespace kit::contract
