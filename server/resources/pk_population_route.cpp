// POST /api/v1/pk/population: the population engine of `kit pk population` (docs/cli-pk.md) for
// the physician's what-if band (5th/50th/95th percentile curves). The command line stays the place
// for large runs; over HTTP a request is bounded so one call cannot hold a clinic server: at most
// kMaxSubjects simulated patients, one thread (the server's workers serve everyone else), at most
// kMaxGridPoints time points. Same JSON contract otherwise; no patient data (covariates only).
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "contract/pk_api.h"
#include "core/common/error.h"
#include "server/resources/modules.h"

namespace kit::server {
namespace {

// 1000 subjects give stable 5th and 95th percentiles (50 subjects beyond each) and, at one thread,
// answer in well under a second on the grid below (tests/api/test_pk_population.py).
constexpr long long kMaxSubjects = 1000;
constexpr double kMaxGridPoints = 2000;

nlohmann::json bounded(nlohmann::json body) {
  if (!body.is_object()) throw kit::InputError("input", "must be a JSON object");
  if (body.contains("threads")) {
    throw kit::InputError("threads", "is set by the server (one thread per request over HTTP)");
  }
  if (const auto n = body.find("n");
      n != body.end() && n->is_number_integer() && n->get<long long>() > kMaxSubjects) {
    throw kit::InputError("n", "at most " + std::to_string(kMaxSubjects) +
                                   " over HTTP; larger runs: kit pk population");
  }
  const auto end = body.find("end_min");
  const auto step = body.find("step_min");
  if (end != body.end() && step != body.end() && end->is_number() && step->is_number() &&
      step->get<double>() > 0 && end->get<double>() / step->get<double>() > kMaxGridPoints) {
    throw kit::InputError("step_min", "end_min / step_min must be at most " +
                                          std::to_string(static_cast<int>(kMaxGridPoints)) +
                                          " points over HTTP: use a larger step");
  }
  body["threads"] = 1;
  return body;
}

}  // namespace

void register_pk_population_route(Router& router) {
  router.add(
      Route{.method = "POST",
            .pattern = "/api/v1/pk/population",
            .summary = "Population percentiles (5-95 %) of predicted concentrations, bounded",
            .tag = "pk",
            .access = access_roles({Role::physician, Role::nurse}),
            .handler = [](RouteContext& ctx) {
              return json_response(
                  contract::handle_pk_population(bounded(parse_body(ctx.request()))).response);
            }});
}

}  // namespace kit::server
