#pragma once
// A planned depression infusion (0.5 mg/kg over 40 min, 70 kg, 1 mg/mL -> 35 mg at 52.5 mL/h)
// as the core sees it, for the infusion tests.
#include "core/dosing/drug_library.h"
#include "core/infusion/pump_program.h"

namespace kit::infusion::testing {

inline constexpr std::int64_t kT0 = 1'800'000'000'000;  // an instant in 2027 (UTC ms)
inline constexpr std::int64_t kMin = 60'000;

inline InfusionRecord planned_depression_session(double weight_kg = 70.0) {
  const dosing::DrugLibrary& lib = dosing::builtin_library();
  dosing::PlanRequest q;
  q.protocol_id = "depression-standard";
  q.patient = {units::Kg(weight_kg), units::Cm(175), dosing::Sex::kMale, units::Years(40)};
  q.preparation.concentration = units::MgPerMl(1);
  const dosing::Plan plan = dosing::compute_plan(lib, q);
  InfusionRecord r;
  r.state = State::planned;
  r.created_at_ms = kT0;
  r.plan_request = q;
  r.planned_duration = *plan.duration;
  r.concentration = plan.concentration;
  r.dosing_weight = plan.dosing_weight.weight;
  r.planned_rate = *plan.pump_rate;
  r.planned_dose = plan.dose;
  r.limits = session_dose_limits(*lib.find(q.protocol_id), r.dosing_weight, r.planned_duration,
                                 plan.dose);
  return r;
}

// Applies an accepted event to the record, as the store would.
inline void apply(InfusionRecord& r, const PumpEventOutcome& o) {
  r.events.push_back(o.event);
  r.state = o.next;
}

}  // namespace kit::infusion::testing
