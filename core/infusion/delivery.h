#pragma once
// The delivered dose of an infusion, computed in one place from its pump events: the pump ran at
// each programmed rate from its event to the next; an infusion still running counts up to "now".
// mL = mL/h x h; mg = mL x mg/mL. Everything in unit types (core/common/units.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/common/units.h"
#include "core/dosing/protocol.h"
#include "core/infusion/state_machine.h"

namespace kit::infusion {

struct PumpEvent {
  std::int64_t id = 0;  // the store's id (0 for an event not yet stored)
  PumpEventKind kind = PumpEventKind::start;
  std::optional<units::MlPerH> rate;  // start, resume, rate_change
  std::int64_t at_ms = 0;             // UTC instant
};

struct DeliveryInterval {
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;
  units::MlPerH rate;
  units::Ml ml;
  units::Mg mg;
  bool still_running = false;  // the open interval, ending "now"
};

struct Delivery {
  std::vector<DeliveryInterval> intervals;
  units::Ml ml;
  units::Mg mg;
  units::MgPerKg mg_per_kg;
  std::int64_t infused_ms = 0;              // time the pump ran
  std::optional<units::MlPerH> current_rate;  // set while running
};

// `events` in order (as validated when they were recorded). `now_ms` closes a running interval.
Delivery deliver(const std::vector<PumpEvent>& events, units::MgPerMl concentration,
                 units::Kg dosing_weight, std::int64_t now_ms);

// The total-dose limits of one session, in mg for this patient: the protocol's per-session dose
// limits (mg, and mg/kg times the dosing weight; the lower wins). Protocols whose limits are on
// rates only get rate x planned duration. The soft limit is never below the dose a physician
// approved on a documented override (that dose was accepted knowingly).
struct DoseLimits {
  std::optional<units::Mg> soft_max;
  std::optional<units::Mg> hard_max;
  std::string soft_source;
  std::string hard_source;
};
DoseLimits session_dose_limits(const dosing::Protocol& protocol, units::Kg dosing_weight,
                               units::Minutes planned_duration, units::Mg approved_dose);

enum class LimitStatus { ok, soft_limit_reached, hard_limit_reached };
std::string_view to_string(LimitStatus s);
LimitStatus limit_status(units::Mg delivered, const DoseLimits& limits);

// What a running pump will have given at the end of the planned time if left at `rate` from
// `from_ms`: delivered so far plus rate x the planned time not yet infused.
units::Mg programmed_total(const Delivery& so_far, units::MlPerH rate,
                           units::Minutes planned_duration, units::MgPerMl concentration);

}  // namespace kit::infusion
