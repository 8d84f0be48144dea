#pragma once
// Shared by the infusion route files (session_routes.cpp: planning, pump events, void;
// session_entry_routes.cpp: vitals, adverse events, dissociation, discharge, corrections).
// Routes parse, gather facts from the infusion store, ask the core (core/infusion/) and respond;
// every rule lives in the core.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/infusion/gates.h"
#include "core/infusion/pump_program.h"
#include "server/api/router.h"
#include "storage/stores/infusion_store.h"

namespace kit::server::infusion_routes {

// The session of path parameter {id}, its patient recorded for the audit and the patient rule.
storage::InfusionSession session_for(RouteContext& ctx);

// Pump steps <-> mL/h (the store keeps exact integers).
units::MlPerH rate_of(std::int64_t steps, std::int64_t step_ul_per_h);
std::int64_t steps_of(units::MlPerH rate, std::int64_t step_ul_per_h);

// The core's view of a stored session and its pump events in force.
infusion::InfusionRecord record_of(const storage::InfusionSession& s,
                                   const std::vector<storage::StoredPumpEvent>& events);
std::vector<infusion::PumpEvent> active_events(const storage::InfusionSession& s,
                                               const std::vector<storage::StoredPumpEvent>& events);

// The clinic-local date of an instant, for the clinic of the appointment (or the first clinic).
std::string local_date(storage::Transaction& tx, std::optional<std::int64_t> appointment_id,
                       std::int64_t at_ms);

// Everything the planning and start gates need, read through the store.
infusion::PlanningFacts planning_facts(RouteContext& ctx, storage::InfusionStore& store,
                                       std::int64_t patient_id,
                                       std::optional<std::int64_t> course_id,
                                       std::optional<std::int64_t> appointment_id,
                                       const std::string& protocol_id,
                                       std::optional<std::string> unscheduled_reason,
                                       std::int64_t this_session_id);

// The gate policy: the server's configuration (screening_max_age_days) and the observation time
// of the session's clinic (clinics.observation_minutes).
infusion::GatePolicy gate_policy_for(RouteContext& ctx, std::optional<std::int64_t> appointment_id);

// Raises the dose-limit alerts a delivery has reached (once each); returns the status.
infusion::LimitStatus observe_limits(storage::Transaction& tx, storage::InfusionStore& store,
                                     const storage::InfusionSession& s,
                                     const infusion::Delivery& d, std::int64_t now_ms);

// The session as the API shows it (ETag = version).
nlohmann::json session_json(RouteContext& ctx, storage::InfusionStore& store,
                            const storage::InfusionSession& s);
Response session_response(RouteContext& ctx, std::int64_t id, int status = 200);

nlohmann::json gates_json(const std::vector<infusion::GateResult>& gates);

// A documented reason: absent -> nullopt; given but blank -> InputError naming `field`;
// at most 2000 characters.
std::optional<std::string> optional_reason(const std::optional<std::string>& text,
                                           const std::string& field);

}  // namespace kit::server::infusion_routes
