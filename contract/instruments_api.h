#pragma once
// JSON contract for outcome instruments, shared by the kit CLI and the clinic server.
//
//   handle_score:   {"instrument":"phq9","answers":[1,2,null,...],
//                    "band_set":"default"?, "policy":{"safety_flag_min":1?,"item_max":4?}?}
//                -> {"instrument","total","max","band","flags","loinc", ...extras}
//   handle_outcome: {"instrument":"phq9","series":[{"date":"2026-01-05","total":20},...],
//                    "policy":{"response_reduction_pct"?,"partial_response_reduction_pct"?,
//                              "remission_max_total"?,"response_final_below"?,
//                              "booster_rise_pct_of_baseline"?}?}
//                -> {"baseline","latest","change_pct","status","booster_recommended","reason",...}
//   handle_instrument_catalog: {} -> {"instruments":[...definitions and outcome rules...]}
//
// Every refused input throws kit::InputError naming the field path.
#include <nlohmann/json.hpp>

namespace kit::contract {

nlohmann::json handle_score(const nlohmann::json& request);
nlohmann::json handle_outcome(const nlohmann::json& request);
nlohmann::json handle_instrument_catalog(const nlohmann::json& request);

}  // namespace kit::contract
