#pragma once
// JSON edge of the outcome analytics (core/outcomes/analytics.h). The storage layer fills the core
// structs directly; this edge reads the same records from JSON (tests, a future `kit report`) and
// shapes the answer for the API and reports. Fields: docs/clinical-rules/outcome-analytics.md §5.
//
//   handle_outcome_analytics:
//     {"as_of":"2026-06-30",
//      "courses":[{"indication":"depression","protocol":"depression-induction-series",
//                  "course_start":"2026-01-05","course_end"?:"...","planned_induction_infusions":6,
//                  "infusions":[{"kind":"induction|booster","number":1,"date":"...",
//                                "status":"completed|stopped_early","bp_alerts"?:0,
//                                "cadss_total"?:12}],
//                  "assessments":[{"instrument":"phq9","date":"...","total":20}],
//                  "adverse_events":[{"date":"...","kind":"nausea","severity":"mild"}],
//                  "mme":[{"date":"...","total_mme_per_day":30}]}]}
//   -> {"as_of","methods":{...},"groups":[{indication, protocol, courses, treated,
//        completed_induction, instruments[], boosters, mme, safety}]}
//
// Every refused input throws kit::InputError naming the field path.
#include <nlohmann/json.hpp>

#include "core/outcomes/analytics.h"

namespace kit::contract {

outcomes::analytics::AnalyticsInput parse_outcome_analytics(const nlohmann::json& request);
nlohmann::json outcome_analytics_to_json(const outcomes::analytics::AnalyticsResult& result);
nlohmann::json handle_outcome_analytics(const nlohmann::json& request);

}  // namespace kit::contract
