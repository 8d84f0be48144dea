#pragma once
// A ketamine protocol as drug-library data: the dose rule, route, duration, weight basis and the
// smart-pump style limits (soft: overridable with a documented reason; hard: never exceeded).
// Everything here is plain data so that a clinic can load its own library (see drug_library.h).
// Every number carries its source; numbers that no publication gives are marked `policy`.
#include <optional>
#include <string>
#include <vector>

#include "core/common/units.h"

namespace kit::dosing {

enum class AdministrationRoute { kIvInfusion, kIvPush, kIntramuscular };

// How the dose is expressed by the protocol.
enum class DoseKind {
  kPerKg,          // mg/kg given over the protocol duration (depression 0.5 mg/kg over 40 min)
  kPerKgPerHour,   // mg/kg/h for the protocol duration (CRPS 0.35 mg/kg/h for 4 h)
  kFixedRatePerH,  // mg/h for the protocol duration (CRPS 22 mg/h for 4 days)
};

struct DoseRule {
  DoseKind kind = DoseKind::kPerKg;
  // Exactly the default matching `kind` is set (validated by validate_library).
  std::optional<units::MgPerKg> default_dose;
  std::optional<units::MgPerKgPerH> default_rate_per_kg;
  std::optional<units::MgPerH> default_rate;
  // A cap that is part of the protocol's own dose rule (Schwartzman 2009: "not > 25 mg/h"):
  // applied when computing the default plan, never to a dose the prescriber typed.
  std::optional<units::MgPerH> rate_cap;
  std::string source;
};

// Which weight the per-kg dose multiplies.
enum class WeightRuleKind {
  kActual,                 // total body weight
  kIdealWhenBmiAtLeast,    // min(actual, ideal) when BMI >= threshold, else actual
  kAdjustedWhenBmiAtLeast  // min(actual, adjusted) when BMI >= threshold, else actual
};

struct WeightRule {
  WeightRuleKind kind = WeightRuleKind::kActual;
  double bmi_threshold_kg_per_m2 = 0;  // used by the *_WhenBmiAtLeast kinds
  std::string source;
};

// The quantities a limit can bound; each name carries its unit.
enum class LimitQuantity {
  kDoseMgPerKg,
  kDoseMg,
  kRateMgPerKgPerH,
  kRateMgPerH,
  kRateMlPerH,  // pump device range
  kConcentrationMgPerMl,
  kAgeY,
  kVolumeMl,               // one injection (IM, per site) or one IV push; not for infusions
  kCumulativeDoseMgPerKg,  // previous doses of this episode + this dose, per kg (repeat doses)
};

enum class LimitLevel { kSoft, kHard };
enum class BoundType { kMax, kMin };

struct Limit {
  LimitQuantity quantity = LimitQuantity::kDoseMgPerKg;
  LimitLevel level = LimitLevel::kHard;
  BoundType type = BoundType::kMax;
  double bound = 0;  // in the unit named by `quantity`
  std::string source;
  bool policy = false;  // true: a clinic decision anchored to `source`, not a published limit
};

// How often the protocol is given (information for scheduling; the calculator plans one dose).
struct Schedule {
  int sessions = 1;
  std::string description;                          // e.g. "three times weekly over 12 days"
  std::optional<units::Minutes> repeat_after_min;   // earliest repeat for PRN doses
  std::optional<units::Minutes> repeat_before_min;  // latest usual repeat for PRN doses
  std::string source;
};

struct Protocol {
  std::string id;
  std::string name;
  std::string indication;
  AdministrationRoute route = AdministrationRoute::kIvInfusion;
  DoseRule dose;
  // Administration time; absent for IM injection (no source gives one; nothing is pumped).
  std::optional<units::Minutes> duration;
  std::string duration_source;
  WeightRule weight;
  Schedule schedule;
  std::vector<Limit> limits;
  std::string notes;
  // Printed with every plan of this protocol: what a prescriber must know before giving it (for
  // example that a source prefers another route).
  std::vector<std::string> warnings;
  // A repeat dose of an episode: the request must give the doses already given
  // (previous_total_mg), which are checked with this dose against the cumulative limits.
  bool repeat_dose = false;
};

}  // namespace kit::dosing
