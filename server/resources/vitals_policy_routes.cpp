// GET /api/v1/vitals/thresholds: the vital-sign thresholds every session reading is assessed
// against (core/safety/vitals.h, the built-in policy; each line keeps its action and anchor), so a
// screen draws the same lines the server applies instead of keeping its own copy.
#include <nlohmann/json.hpp>
#include <string>

#include "core/safety/vitals.h"
#include "server/resources/modules.h"

namespace kit::server {

namespace {

std::string unit_of(safety::Vital v) {
  switch (v) {
    case safety::Vital::kHr:
      return "bpm";
    case safety::Vital::kSpo2:
      return "%";
    case safety::Vital::kRr:
      return "breaths/min";
    case safety::Vital::kConsciousness:
      return "points";
    default:
      return "mmHg";
  }
}

}  // namespace

void register_vitals_policy_routes(Router& router) {
  router.add(
      Route{.method = "GET",
            .pattern = "/api/v1/vitals/thresholds",
            .summary = "The vital-sign thresholds session readings are assessed against (policy)",
            .tag = "sessions",
            .access = access_roles({Role::physician, Role::nurse}),
            .handler = [](RouteContext&) {
              const safety::VitalsPolicy policy = safety::default_vitals_policy();
              nlohmann::json lines = nlohmann::json::array();
              for (const safety::VitalThreshold& t : policy.thresholds) {
                lines.push_back({{"vital", std::string(safety::to_string(t.vital))},
                                 {"comparison", std::string(safety::to_string(t.comparison))},
                                 {"limit", t.limit},
                                 {"unit", unit_of(t.vital)},
                                 {"action", std::string(safety::to_string(t.action))},
                                 {"anchor", t.anchor}});
              }
              return json_response({{"policy", policy.clinic_supplied ? "clinic" : "default"},
                                    {"thresholds", lines}});
            }});
}

}  // namespace kit::server
