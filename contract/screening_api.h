#pragma once
// JSON contract for the intake screen (kit screen, and later the HTTP server). The request schema
// is docs/screening-schema.md.
#include <nlohmann/json_fwd.hpp>

namespace kit::contract {

nlohmann::json handle_screen(const nlohmann::json& request);

// True when the response says not to go ahead: not eligible, or (with pre-infusion answers) not
// cleared to start. The CLI exits 3 then.
bool screen_refused(const nlohmann::json& response);

}  // namespace kit::contract
