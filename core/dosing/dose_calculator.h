#pragma once
// The dose calculator: protocol + patient + preparation -> a dose plan with every limit checked.
// Pure arithmetic, no I/O. Refused inputs (impossible values, a field the protocol does not use)
// throw kit::InputError naming the JSON-style field path; clinical limit breaches are not errors:
// they come back as failed checks and a status.
#include <optional>
#include <string>
#include <vector>

#include "core/common/units.h"
#include "core/dosing/body_weight.h"
#include "core/dosing/drug_library.h"
#include "core/dosing/protocol.h"

namespace kit::dosing {

struct Patient {
  units::Kg weight;
  // 0 = not measured (an ED weighs, rarely measures): accepted only by protocols dosed on actual
  // body weight; every other protocol refuses it, naming patient.height_cm.
  units::Cm height;
  Sex sex = Sex::kFemale;
  units::Years age;
};

// Either a concentration, or drug mg in a bag of given volume (concentration = mg / mL).
struct Preparation {
  std::optional<units::MgPerMl> concentration;
  std::optional<units::Mg> bag_drug;
  std::optional<units::Ml> bag_volume;
};

struct PlanRequest {
  std::string protocol_id;
  Patient patient;
  Preparation preparation;
  // Prescriber's dose, replacing the protocol default. Only the field matching the protocol's
  // DoseKind may be set.
  std::optional<units::MgPerKg> dose_per_kg;
  std::optional<units::MgPerKgPerH> rate_per_kg;
  std::optional<units::MgPerH> rate;
  // Ketamine already given in this episode (any route), for repeat-dose protocols only, where it
  // is required: the cumulative limits check it plus this dose.
  std::optional<units::Mg> previous_total;
  std::optional<std::string> override_reason;  // documented reason for soft-limit overrides
};

enum class PlanStatus { kAccepted, kNeedsOverride, kRefused };

struct CheckResult {
  Limit limit;   // the library limit (quantity, level, bound type, bound, source, policy)
  double value;  // the planned (delivered) value, in the unit of limit.quantity
  bool passed;
};

struct Plan {
  std::string protocol_id;
  AdministrationRoute route = AdministrationRoute::kIvInfusion;
  DosingWeight dosing_weight;
  units::MgPerMl concentration;
  units::Mg prescribed_dose;  // before pump rounding
  units::Mg dose;             // delivered: what the pump (or syringe) actually gives
  units::MgPerKg dose_per_kg;
  // Pump settings; absent for IV push and IM (nothing is pumped).
  std::optional<units::MgPerH> rate;
  std::optional<units::MgPerKgPerH> rate_per_kg;
  std::optional<units::MlPerH> pump_rate;
  units::Ml volume;
  std::optional<units::Minutes> duration;                // absent for IM
  std::optional<int> bags_needed;                        // only for the bag form of the preparation
  std::optional<units::Mg> previous_total;               // repeat doses: given before this one
  std::optional<units::MgPerKg> cumulative_dose_per_kg;  // repeat doses: previous + this, per kg
  std::vector<std::string> warnings;                     // the protocol's warnings
  Schedule schedule;                                     // the protocol's schedule, with its source
  std::vector<CheckResult> checks;
  PlanStatus status = PlanStatus::kAccepted;
  std::optional<std::string> override_reason;
  bool override_applied = false;  // a soft breach was accepted on the documented reason
};

// Throws kit::InputError: "protocol" if the id is unknown, or the offending field.
Plan compute_plan(const DrugLibrary& library, const PlanRequest& request);

// Pump rate programmed for `exact`: rounded DOWN to the pump resolution, so that rounding can never
// push a dose over a limit (the delivered dose is reported, never the prescribed one).
units::MlPerH round_pump_rate(units::MlPerH exact, units::MlPerH resolution);

// Values are compared and reported at 1e-6 of their unit, so that floating-point noise (a dose of
// 0.7500000000000001 mg/kg) never flips a check.
double report_precision(double value);

}  // namespace kit::dosing
