#pragma once
// JSON contract for daily morphine milligram equivalents (kit mme, and later the HTTP server).
// Request and response are documented in docs/clinical-rules/opioids.md.
#include <nlohmann/json_fwd.hpp>

namespace kit::contract {

nlohmann::json handle_mme(const nlohmann::json& request);

}  // namespace kit::contract
