#pragma once
// Whether a pump event may be recorded, and what follows from it. One function decides for every
// event (start, pause, resume, rate_change, stop): the state machine, the event's time, the rate
// (a real pump step, re-checked by the dose calculator against the protocol's limits) and the
// running total against the session's hard dose limit.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/dosing/dose_calculator.h"
#include "core/infusion/delivery.h"
#include "core/infusion/gates.h"
#include "core/infusion/state_machine.h"

namespace kit::infusion {

// What the core needs to know about one session.
struct InfusionRecord {
  State state = State::planned;
  std::int64_t created_at_ms = 0;
  dosing::PlanRequest plan_request;  // as planned: patient, preparation, protocol, dose
  units::Minutes planned_duration;
  units::MgPerMl concentration;
  units::Kg dosing_weight;
  units::MlPerH planned_rate;
  units::Mg planned_dose;
  DoseLimits limits;
  std::vector<PumpEvent> events;  // in force (not entered in error), in order
};

struct PumpEventRequest {
  PumpEventKind kind = PumpEventKind::start;
  std::optional<units::MlPerH> rate;
  std::optional<std::int64_t> at_ms;
  std::optional<std::string> override_reason;  // soft-limit override on a rate above the plan
  bool by_physician = false;
};

struct PumpEventOutcome {
  PumpEvent event;  // with its time and programmed rate resolved
  State next = State::running;
  std::optional<dosing::Plan> rate_plan;  // the calculator's checks of the rate (rate events)
  bool override_applied = false;          // a soft-limit breach accepted on a physician's reason
  std::optional<units::Mg> programmed_total;  // rate events: the total if left to the end
};

// Throws kit::Error (conflict) when the state does not allow the event, kit::InputError naming
// `at_ms` or `rate_ml_per_h`, kit::RuleRefused naming `hard_limit` or `override_reason`.
PumpEventOutcome check_pump_event(const InfusionRecord& record, const PumpEventRequest& request,
                                  std::int64_t now_ms, const GatePolicy& policy,
                                  const dosing::DrugLibrary& library);

// Re-plans the session at `rate` through the dose calculator: the same protocol, patient and
// preparation, the dose field of the protocol's kind derived from the rate. The answer carries
// every limit check. Throws InputError naming rate_ml_per_h when the rate is not a pump step.
dosing::Plan plan_at_rate(const InfusionRecord& record, units::MlPerH rate,
                          const dosing::DrugLibrary& library);

// Replays a sequence of events from `planned`, as corrections need: the state it ends in, or
// kit::Error (conflict) naming the first event that the state machine or the time order refuses.
State replay(const std::vector<PumpEvent>& events, std::int64_t created_at_ms);

}  // namespace kit::infusion
