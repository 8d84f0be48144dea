// GET /api/v1/sessions/{id}/escort-instructions: what the chair side prints for the adult who
// takes the patient home after an infusion (docs/api-chair.md, docs/web-chair.md): the core's
// sourced statements (core/infusion/escort.h) for this patient's age, and the clinic's phone
// number and own text from its configuration.
#include <nlohmann/json.hpp>
#include <string>

#include "core/common/error.h"
#include "core/infusion/escort.h"
#include "server/api/services.h"
#include "server/resources/chair_common.h"
#include "server/resources/infusion_common.h"
#include "server/resources/modules.h"
#include "storage/stores/infusion_store.h"
#include "storage/stores/patient_store.h"

namespace kit::server {

namespace {

using nlohmann::json;

Response get_escort_instructions(RouteContext& ctx) {
  const storage::InfusionSession s = infusion_routes::session_for(ctx);
  if (s.state != "stopped" && s.state != "discharged") {
    throw kit::Error::conflict(
        "the escort's instructions are printed after the infusion has "
        "stopped (this one is " +
        s.state + ")");
  }
  const std::optional<storage::Patient> p = storage::PatientStore(ctx.tx()).find(s.patient_id);
  if (!p) throw kit::Error::not_found("patient");
  storage::InfusionStore store(ctx.tx());
  const std::optional<storage::StoredDischarge> discharge = store.discharge(s.id);
  const std::int64_t on_ms = discharge ? discharge->at_ms : ctx.services().now_ms();
  const int age = chair::age_years(p->date_of_birth,
                                   infusion_routes::local_date(ctx.tx(), s.appointment_id, on_ms));
  json statements = json::array();
  for (const infusion::EscortStatement& e : infusion::escort_statements({.age_years = age})) {
    statements.push_back({{"id", std::string(e.id)},
                          {"text", std::string(e.text)},
                          {"source", std::string(e.source)}});
  }
  const ServerConfig& config = ctx.services().config();
  return json_response(
      {{"session_id", s.id},
       {"patient",
        {{"given_name", p->given_name}, {"family_name", p->family_name}, {"age_years", age}}},
       {"discharged_at", discharge ? json(iso8601_ms(discharge->at_ms)) : json(nullptr)},
       {"statements", statements},
       {"phone", config.discharge_phone.empty() ? json(nullptr) : json(config.discharge_phone)},
       {"clinic_text", config.discharge_instructions.empty()
                           ? json(nullptr)
                           : json(config.discharge_instructions)}});
}

}  // namespace

void register_escort_routes(Router& router) {
  router.add({"GET", "/api/v1/sessions/{id}/escort-instructions",
              "The escort's written discharge instructions after an infusion (stopped or "
              "discharged): sourced statements for the patient's age, the clinic's phone number "
              "and own text",
              "sessions", access_roles({Role::physician, Role::nurse}), true,
              get_escort_instructions, 200});
}

}  // namespace kit::server
