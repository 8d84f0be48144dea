// The PK engine over HTTP for clinicians (physician, nurse, like the dose calculators: a TCI
// schedule is a dosing instruction, not an admin's business): the same JSON contract as
// `kit pk models|simulate|tci` (docs/cli-pk.md), shared through app/pk_api.h. Large population runs
// stay on the command line (they can take all cores for seconds); a bounded population route for
// the what-if band is in pk_population_route.cpp.
// No patient data is involved: requests carry covariates, not identities.
#include <nlohmann/json.hpp>

#include "contract/pk_api.h"
#include "server/resources/modules.h"

namespace kit::server {

void register_pk_routes(Router& router) {
  const Access clinicians = access_roles({Role::physician, Role::nurse});
  router.add(
      Route{.method = "GET",
            .pattern = "/api/v1/pk/models",
            .summary = "List the published ketamine PK models",
            .tag = "pk",
            .access = clinicians,
            .handler = [](RouteContext&) { return json_response(contract::handle_pk_models()); }});
  router.add(Route{.method = "POST",
                   .pattern = "/api/v1/pk/simulate",
                   .summary = "Predict plasma and effect-site concentrations for a regimen",
                   .tag = "pk",
                   .access = clinicians,
                   .handler = [](RouteContext& ctx) {
                     return json_response(contract::handle_pk_simulate(parse_body(ctx.request())));
                   }});
  router.add(Route{.method = "POST",
                   .pattern = "/api/v1/pk/tci",
                   .summary = "Target-controlled infusion rate schedule",
                   .tag = "pk",
                   .access = clinicians,
                   .handler = [](RouteContext& ctx) {
                     return json_response(contract::handle_pk_tci(parse_body(ctx.request())));
                   }});
}

}  // namespace kit::server
