#pragma once
// The rules of an ED procedural sedation episode (ketamine, ACEP 2011 and RCEM; sources in
// docs/reference/pharmacology.md §3.6, §4.3, §13), each a named gate with its reason and source,
// in the manner of core/infusion/gates.h. The shells gather the facts (stored doses, the clock, the
// caller's role) into plain structs; the core decides. A failed gate is a kit::RuleRefused naming
// it (infusion::require_all).
//
// - Opening: the ED contraindication rules of core/screening (ACEP's list: age under 3 months and
//   schizophrenia absolute, the rest relative); relative findings need a physician's review with a
//   documented reason.
// - Each dose: the protocol (adult or paediatric, IV push or IM, first or repeat) chosen from the
//   age and the episode's history, computed by the dose calculator with the episode's previous
//   total, so the running total is held to the protocol's cumulative limits (soft: a physician's
//   documented override; hard: never), the repeat interval of the protocol's schedule, and the
//   strictest cumulative hard limit of every route used in the episode.
// - Discharge readiness: the RCEM checklist, the observation after the last IV dose (RCEM 25 min),
//   the clinic's minimum interval since the last dose (anchored on ACEP's dose-to-discharge
//   times), the observation after an adverse event, and 2 h after any reversal agent (RCEM).
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/units.h"
#include "core/dosing/dose_calculator.h"
#include "core/infusion/gates.h"
#include "core/screening/intake.h"
#include "core/screening/rules.h"
#include "core/sedation/episode.h"

namespace kit::sedation {

using infusion::GateResult;

// RCEM ketamine sedation guidance [S]: "no primary adverse event occurred after 25 minutes from the
// last intravenous medication" (docs/reference/pharmacology.md §13). Published: not configurable.
inline constexpr double kRcemObservationAfterIvMin = 25.0;
inline constexpr std::string_view kRcemAfterIvSource =
    "RCEM ketamine sedation guidance [S]: no primary adverse event after 25 minutes from the last "
    "intravenous medication (docs/reference/pharmacology.md §13)";

// Clinic policy: the reference gives no minimum observation time for ED ketamine sedation, only
// ACEP's typical dose-to-discharge ranges (50-110 min IV, 60-140 min IM, §3.6 [S]). The defaults
// are their lower ends; a clinic may set longer ones (never an IV interval below RCEM's 25 min).
struct SedationPolicy {
  double min_after_last_iv_dose_min = 50.0;  // ACEP IV dose-to-discharge 50-110 min, lower end
  double min_after_last_im_dose_min = 60.0;  // ACEP IM dose-to-discharge 60-140 min, lower end
  // After an adverse event the observation restarts: policy anchored on the RCEM 25 minutes
  // (no source gives an observation time after a resolved event).
  double after_adverse_event_min = 25.0;
};
// kit::InputError naming policy.<field> when a value is not a positive number of minutes at most a
// day, or the IV interval is below RCEM's 25 min.
void validate(const SedationPolicy& policy);

// ---- Opening: age and contraindications ------------------------------------------------------

struct OpeningFacts {
  // ED answers (indication is forced to ed_sedation): age in years (fractions for infants),
  // conditions answered yes, hepatic impairment, major posterior-pharynx procedure.
  screening::Intake intake;
  std::optional<std::string> relative_review_reason;  // the physician's documented review
  bool caller_is_physician = false;
};
struct OpeningDecision {
  std::vector<screening::Finding> absolute;
  std::vector<screening::Finding> relative;
  std::vector<GateResult> gates;  // age_at_least_3_months, no_absolute_contraindication,
                                  // relative_contraindications_reviewed
};
// kit::InputError for out-of-range answers (screening::validate).
OpeningDecision opening_gates(const OpeningFacts& facts);

// ---- Doses -----------------------------------------------------------------------------------

enum class Route { iv_push, intramuscular };
std::string_view to_string(Route r);  // "iv" | "im"
std::optional<Route> parse_route(std::string_view text);

// Adult protocols from 18 years (dosing src::kAdultAgePolicy), paediatric below.
bool is_adult(units::Years age);
// "ed-sedation-{adult|pediatric}-{iv|im}[-repeat]"
std::string protocol_id(units::Years age, Route route, bool repeat);

struct GivenDose {
  std::int64_t id = 0;
  Route route = Route::iv_push;
  units::Mg mg{0};
  std::int64_t at_ms = 0;
};

struct EpisodeFacts {
  State state = State::open;
  units::Kg weight{0};
  units::Years age{0};
  std::int64_t opened_at_ms = 0;
  std::vector<GivenDose> doses;  // the doses in force (corrected ones left out), any order
};

struct DoseOrder {
  Route route = Route::iv_push;
  std::optional<units::MgPerKg> dose_per_kg;  // none: the protocol's default
  units::MgPerMl concentration{0};
  std::optional<std::string> override_reason;  // a soft limit exceeded on purpose
  bool by_physician = false;
  // A nurse gives a dose a physician ordered: the ordering physician's name (required then).
  std::optional<std::string> ordered_by;
  std::int64_t at_ms = 0;  // when it was given
};

struct CumulativeLimit {
  double hard_mg_per_kg = 0;
  std::string source;
  std::optional<double> soft_mg_per_kg;  // the chosen repeat protocol's, when it has one
  std::optional<std::string> soft_source;
};

struct DoseDecision {
  std::string protocol_id;
  bool repeat = false;
  dosing::Plan plan;
  units::Mg previous_total{0};
  units::Mg running_total{0};  // previous + this dose
  units::MgPerKg running_total_per_kg{0};
  CumulativeLimit cumulative;  // the episode's limit after this dose
  // "within" | "soft_limit_overridden" | "soft_limit_exceeded" | "hard_limit_exceeded"
  std::string limit_status;
  std::optional<std::int64_t> earliest_repeat_ms;  // after this dose, from the repeat schedule
  std::vector<GateResult> gates;
  bool accepted() const;
};

// The episode's hard cumulative limit is the strictest of the repeat protocols (for this age
// group) of every route used, this one included: once IV ketamine is given the IV total applies
// (policy; each limit cites its own source in the library).
CumulativeLimit episode_cumulative_limit(const dosing::DrugLibrary& library, units::Years age,
                                         const std::vector<Route>& routes_used);

// The dose through the calculator with the episode's history, and every dose gate. Bad input
// (a zero concentration, a blank reason) is kit::InputError naming the field; a refused dose comes
// back with failed gates (never throws for a clinical refusal).
DoseDecision decide_dose(const dosing::DrugLibrary& library, const EpisodeFacts& episode,
                         const DoseOrder& order);

// ---- Adverse events and monitoring -----------------------------------------------------------

// The events ACEP names for ketamine sedation (laryngospasm, emesis, emergence reaction, hypoxia,
// apnoea/respiratory depression; docs/reference/pharmacology.md §3.6) and "other".
const std::vector<std::string_view>& adverse_event_kinds();
const std::vector<std::string_view>& adverse_event_severities();
const std::vector<std::string_view>& interventions();

struct AdverseEvent {
  std::string kind;
  std::string severity;
  std::vector<std::string> interventions;  // empty: none needed
  std::string description;                 // required for kind or intervention "other"
};
// kit::InputError naming kind, severity, interventions[i] or description.
void validate(const AdverseEvent& event);

struct Monitoring {
  std::optional<double> spo2_percent;
  std::optional<double> hr_bpm;
  std::optional<double> sbp_mmhg;
  std::optional<double> dbp_mmhg;
  std::optional<double> rr_per_min;
  std::optional<bool> on_oxygen;
  std::string sedation_observation;  // free text: what the nurse sees (dissociated, agitated ...)
};
// Plausibility bounds of core/safety/vitals (typing errors, not clinical thresholds); at least one
// reading or an observation. kit::InputError naming the field.
void validate(const Monitoring& m);

// ---- Discharge readiness ---------------------------------------------------------------------

struct ChecklistItem {
  std::string_view id;
  std::string_view text;
  std::string_view source;
};
// RCEM's criteria (core/safety/rcem.h) for adults; for children the RCEM ketamine guidance
// replaces "tolerating fluids" (children should not eat or drink for 2 h after discharge) with
// "ambulates and vocalises at pre-sedation level" (docs/reference/pharmacology.md §13).
std::vector<ChecklistItem> discharge_checklist(units::Years age);
// What a child's carer is told at discharge (RCEM, §13); empty for adults.
std::vector<std::string> discharge_instructions(units::Years age);

struct DischargeFacts {
  State state = State::recovering;
  units::Years age{0};
  std::vector<GivenDose> doses;                   // in force
  std::vector<std::int64_t> adverse_event_at_ms;  // in force
  std::optional<std::int64_t> reversal_agent_at_ms;
  std::set<std::string, std::less<>> criteria_met;  // checklist ids answered yes
  std::int64_t now_ms = 0;
};

struct Readiness {
  bool ready = false;
  std::vector<GateResult> gates;
  std::vector<std::string> missing;         // checklist ids not yet met
  std::optional<std::int64_t> earliest_ms;  // when every time rule is met (none: no dose given)
};
Readiness discharge_readiness(const DischargeFacts& facts, const SedationPolicy& policy);

// A void: from open or sedated, and only when no dose is in force (a given dose is corrected, never
// voided away).
GateResult void_gate(State state, std::size_t doses_in_force);

}  // namespace kit::sedation
