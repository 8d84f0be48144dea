#pragma once
// Every route module registers its routes here; server/api/routes.cpp calls them in order.
#include <cstdint>
#include <optional>
#include <string>

#include "server/api/router.h"

namespace kit::server {

// Accounts, audit, inquiries and the API description (server/resources/*_routes.cpp, openapi.cpp).
void register_auth_routes(Router& router);
void register_user_routes(Router& router);
void register_audit_routes(Router& router);
void register_inquiry_routes(Router& router);
void register_openapi_routes(Router& router);  // GET /api/v1/openapi.json, reads the final table

// The patient's journey (added by the journey modules).
void register_patient_routes(Router& router);
void register_intake_routes(Router& router);
void register_course_routes(Router& router);
void register_scheduling_routes(Router& router);
void register_board_routes(Router& router);  // GET /api/v1/board (the day's chair board)
void register_stock_routes(Router& router);
void register_session_routes(Router& router);
void register_session_entry_routes(Router& router);  // called by register_session_routes
void register_escort_routes(Router& router);  // called by register_session_routes
void register_assessment_routes(Router& router);
// GET /api/v1/patients/{id}/measurements (the course's questionnaire schedule).
void register_measurement_routes(Router& router);
void register_medication_routes(Router& router);
void register_pk_routes(Router& router);
void register_pk_population_route(Router& router);
void register_calculator_routes(Router& router);  // POST /api/v1/calculators/{dose,score,...}
void register_event_routes(Router& router);       // GET /api/v1/events (Server-Sent Events)
void register_sedation_routes(Router& router);    // /api/v1/sedation/... (ED sedation records)
// GET /api/v1/vitals/thresholds: the vital-sign lines readings are assessed against.
void register_vitals_policy_routes(Router& router);
void register_backup_routes(Router& router);  // GET /api/v1/backups (the backup schedule's runs)
// GET /api/v1/analytics/outcomes(.csv): the clinic's aggregated outcomes (director, physician,
// admin).
void register_analytics_routes(Router& router);
// GET /api/v1/patients/{id}/report, /api/v1/reports/clinic: printed reports (server/reports).
void register_report_routes(Router& router);
// GET /api/v1/outbox, /api/v1/outbox/{id}/attempts (the reminders' outbox and delivery log).
void register_outbox_routes(Router& router);
// GET /fhir/r4/Patient/{id}/$everything (docs/fhir.md).
void register_fhir_routes(Router& router);

// The OpenAPI 3 document describing every route in the table.
nlohmann::json openapi_document(const Router& router);

// Shared access rules.
inline Access access_public() { return Access{true, {}, false}; }
inline Access access_roles(std::set<Role> roles, bool patient_self = false) {
  return Access{false, std::move(roles), patient_self};
}
// Every signed-in account: its own login, account and password (the director included).
inline Access access_any_user() {
  return Access{
      false,
      {Role::admin, Role::physician, Role::nurse, Role::front_desk, Role::patient, Role::director},
      false};
}
inline Access access_staff() {
  return Access{false, {Role::admin, Role::physician, Role::nurse, Role::front_desk}, false};
}

// Query parameters: nullopt when absent, InputError naming the parameter when malformed.
std::optional<std::int64_t> query_int(const Request& req, const std::string& name, std::int64_t min,
                                      std::int64_t max);
// Milliseconds since the epoch from "1732459000000", "2026-11-24" or "2026-11-24T14:56:10(.123)Z".
std::optional<std::int64_t> query_time_ms(const Request& req, const std::string& name);

}  // namespace kit::server
