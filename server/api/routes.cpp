// The whole route table. Each module is one file under server/resources; add a module's call here.
#include "server/resources/modules.h"
#include "server/resources/portal.h"

namespace kit::server {

void register_all_routes(Router& router) {
  register_auth_routes(router);
  register_user_routes(router);
  register_audit_routes(router);
  register_inquiry_routes(router);
  // The patient's journey:
  register_patient_routes(router);
  register_intake_routes(router);
  register_course_routes(router);
  register_scheduling_routes(router);
  register_board_routes(router);
  register_stock_routes(router);
  register_session_routes(router);
  register_assessment_routes(router);
  register_measurement_routes(router);
  register_medication_routes(router);
  register_pk_routes(router);
  register_pk_population_route(router);
  register_calculator_routes(router);
  register_event_routes(router);
  register_sedation_routes(router);
  register_vitals_policy_routes(router);
  register_backup_routes(router);
  register_portal_routes(router);   // the patient portal (invitations, wording, drafts)
  register_analytics_routes(router);
  register_report_routes(router);
  register_outbox_routes(router);
  register_fhir_routes(router);
  register_openapi_routes(router);  // last: documents the table as registered
}

}  // namespace kit::server
