// The clinic's calculators over HTTP for clinicians: the same JSON contract as `kit dose`,
// `kit score`, `kit outcome`, `kit screen`, `kit vitals`, `kit discharge` and `kit mme`
// (contract/*_api.h). The body is exactly the command's request and the answer exactly its JSON.
// A refusal that the command prints with exit 3 (a dose that needs an override or is refused, a
// patient not eligible or not cleared to start, not ready for discharge) answers with the same
// JSON and the status of rule_refused in the one error table (core/common/error_kinds.h); bad input
// is an error like any other. No patient data is involved (requests carry no identity), so the
// calls are not audited. tests/cases replays every clinical case through this route, the `kit`
// binary and the contract, so the three cannot drift.
#include <nlohmann/json.hpp>
#include <string>

#include "contract/dosing_api.h"
#include "contract/instruments_api.h"
#include "contract/json_reader.h"
#include "contract/mme_api.h"
#include "contract/safety_api.h"
#include "contract/screening_api.h"
#include "core/common/error.h"
#include "core/common/error_kinds.h"
#include "server/resources/modules.h"

namespace kit::server {

namespace {

using nlohmann::json;

struct Answer {
  json body;
  bool refused = false;  // the CLI exits 3 and still prints the JSON
};

using Calculate = Answer (*)(const json& request);

struct Calculator {
  const char* name;     // the path segment and the `kit` command
  const char* summary;  // for OpenAPI
  Calculate calculate;
};

const Calculator kCalculators[] = {
    {"dose",
     "Dose and pump rate for a protocol (kit dose); needs_override or refused answer 422 with the "
     "plan",
     [](const json& r) {
       contract::DoseResponse d = contract::handle_dose(r);
       return Answer{std::move(d.body), !d.accepted};
     }},
    {"score", "Score a questionnaire (kit score)",
     [](const json& r) { return Answer{contract::handle_score(r)}; }},
    {"outcome", "Response, remission, relapse and booster from a dated series (kit outcome)",
     [](const json& r) { return Answer{contract::handle_outcome(r)}; }},
    {"screen",
     "Intake screening and pre-infusion checks (kit screen); not eligible or not cleared answers "
     "422 with the screen",
     [](const json& r) {
       json body = contract::handle_screen(r);
       const bool refused = contract::screen_refused(body);
       return Answer{std::move(body), refused};
     }},
    {"vitals", "One intra-infusion vital-signs reading to an action (kit vitals)",
     [](const json& r) { return Answer{contract::handle_vitals(r)}; }},
    {"discharge",
     "Discharge readiness: modified Aldrete and optional RCEM checklist (kit discharge); not ready "
     "answers 422 with the assessment",
     [](const json& r) {
       json body = contract::handle_discharge(r);
       const bool refused = !body.at("ready_for_discharge").get<bool>();
       return Answer{std::move(body), refused};
     }},
    {"mme", "Daily morphine milligram equivalents, CDC 2022 factors (kit mme)",
     [](const json& r) { return Answer{contract::handle_mme(r)}; }},
};

Response answer(const Request& req, Calculate calculate) {
  // Read the body as the CLI reads stdin, so malformed JSON names the same field ("input").
  const json request = contract::parse_request(req.body);
  Answer a;
  try {
    a = calculate(request);
  } catch (const nlohmann::json::exception& e) {
    // As the CLI does: a request of the wrong shape read past the strict reader is still input.
    throw InputError("input", e.what());
  }
  return json_response(a.body, a.refused ? info(ErrorKind::rule_refused).http_status : 200);
}

}  // namespace

void register_calculator_routes(Router& router) {
  const Access clinicians = access_roles({Role::physician, Role::nurse});
  for (const Calculator& c : kCalculators) {
    router.add(Route{.method = "POST",
                     .pattern = std::string("/api/v1/calculators/") + c.name,
                     .summary = c.summary,
                     .tag = "calculators",
                     .access = clinicians,
                     .handler = [calculate = c.calculate](RouteContext& ctx) {
                       return answer(ctx.request(), calculate);
                     }});
  }
}

}  // namespace kit::server
