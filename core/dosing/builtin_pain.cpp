// Built-in chronic-pain (CRPS) protocols: multi-hour IV infusions dosed as a rate.
#include "core/dosing/drug_library.h"
#include "core/dosing/limit_builders.h"
#include "core/dosing/sources.h"

namespace kit::dosing {

namespace {

using namespace build;  // NOLINT: table-building vocabulary
using units::MgPerH;
using units::MgPerKgPerH;
using units::Minutes;

constexpr double kFourHoursMin = 240.0;             // Schwartzman 2009: 4 h/day
constexpr double kFourDaysMin = 4.0 * 24.0 * 60.0;  // Cohen 2018: 22 mg/h x 4 days

// Rate limits shared by both CRPS protocols: Schwartzman's protocol maxima as soft limits, the
// CHEO infusion maximum and the highest titrated rate seen (40 mg/h) as hard limits.
std::vector<Limit> crps_rate_and_product_limits() {
  return {
      soft_max(Q::kRateMgPerKgPerH, 0.35, src::kSchwartzman2009, kPolicy),
      hard_max(Q::kRateMgPerKgPerH, 1.5, src::kCheoMaxRate, kPolicy),
      soft_max(Q::kRateMgPerH, 25.0, src::kSchwartzman2009, kPolicy),
      hard_max(Q::kRateMgPerH, 40.0, src::kCrpsFiveDay, kPolicy),
      soft_max(Q::kConcentrationMgPerMl, 5.0, src::kCheoConcentrations, kPolicy),
      hard_max(Q::kConcentrationMgPerMl, 50.0, src::kLabelDilution, kPolicy),
      hard_min(Q::kAgeY, 18.0, src::kAdultAgePolicy, kPolicy),
  };
}

// Dose limits over the whole administration = the rate limits x the protocol duration.
void add_dose_limits_for_duration(std::vector<Limit>& limits, double hours) {
  const char* why = "policy: rate limit x protocol duration (see the rate limits' anchors)";
  limits.push_back(soft_max(Q::kDoseMgPerKg, 0.35 * hours, why, kPolicy));
  limits.push_back(hard_max(Q::kDoseMgPerKg, 1.5 * hours, why, kPolicy));
  limits.push_back(soft_max(Q::kDoseMg, 25.0 * hours, why, kPolicy));
  limits.push_back(hard_max(Q::kDoseMg, 40.0 * hours, why, kPolicy));
}

WeightRule actual_weight() {
  return WeightRule{WeightRuleKind::kActual, 0.0, src::kActualWeightNoSource};
}

Protocol crps_outpatient_4h() {
  Protocol p;
  p.id = "crps-outpatient-4h";
  p.name = "CRPS, 4-hour daily outpatient infusion";
  p.indication = "complex regional pain syndrome";
  p.route = AdministrationRoute::kIvInfusion;
  p.dose.kind = DoseKind::kPerKgPerHour;
  p.dose.default_rate_per_kg = MgPerKgPerH(0.35);
  p.dose.rate_cap = MgPerH(25.0);  // "not > 25 mg/h"
  p.dose.source = src::kSchwartzman2009;
  p.duration = Minutes(kFourHoursMin);
  p.duration_source = src::kSchwartzman2009;
  p.weight = actual_weight();
  p.schedule = Schedule{10, "4 h daily for 10 days", {}, {}, src::kCohen2018Crps};
  p.limits = crps_rate_and_product_limits();
  add_dose_limits_for_duration(p.limits, kFourHoursMin / 60.0);
  p.notes =
      "Default 0.35 mg/kg/h capped at 25 mg/h (Schwartzman 2009, 100 mg per 4 h). Both study "
      "arms also got clonidine 0.1 mg PO and midazolam 2 mg IV x2 (not planned here).";
  return p;
}

// A titration, not a fixed rate: the plan is the starting step; each step-up after review is a
// pump rate change, which the infusion core re-plans through compute_plan (rate_mg_per_kg_per_h)
// and checks against the same limits (soft 0.35 mg/kg/h and 25 mg/h; hard 1.5 mg/kg/h, 40 mg/h).
Protocol crps_inpatient_4day() {
  Protocol p;
  p.id = "crps-inpatient-4day";
  p.name = "CRPS, continuous 4-day inpatient infusion, titrated";
  p.indication = "complex regional pain syndrome";
  p.route = AdministrationRoute::kIvInfusion;
  p.dose.kind = DoseKind::kPerKgPerHour;
  p.dose.default_rate_per_kg = MgPerKgPerH(0.14);
  p.dose.rate_cap = MgPerH(10.0);  // PMC2950807 started at 10 mg/h
  p.dose.source = src::kCrpsTitrationStart;
  p.duration = Minutes(kFourDaysMin);
  p.duration_source = src::kCohen2018Crps;
  p.weight = actual_weight();
  p.schedule = Schedule{1,
                        "continuous over 4 days: start 0.14 mg/kg/h (at most 10 mg/h), step up "
                        "after review of effect and side effects; each step is a pump rate change "
                        "checked against the limits (racemic 10 -> 40 mg/h, PMC2950807)",
                        {},
                        {},
                        src::kSigtermans2009};
  p.limits = crps_rate_and_product_limits();
  add_dose_limits_for_duration(p.limits, kFourDaysMin / 60.0);
  p.notes =
      "Racemic ketamine, titrated. Cohen 2018's '22 mg/h x 4 days' is Sigtermans 2009's "
      "end-of-infusion S(+)-ketamine dose (22.2 mg/h per 70 kg) after individual stepwise "
      "titration, not a starting rate, and S-ketamine doses do not transfer to racemic "
      "(docs/reference/pharmacology.md §10). The racemic 4-day evidence (PMC2950807) titrated "
      "10 -> 40 mg/h. Step size and review interval: NOT FOUND in the reference (clinician "
      "decision); step-ups above 0.35 mg/kg/h or 25 mg/h need a physician's documented reason.";
  return p;
}

}  // namespace

std::vector<Protocol> builtin_pain_protocols() {
  return {crps_outpatient_4h(), crps_inpatient_4day()};
}

Pump builtin_pump() {
  Pump pump;
  pump.resolution = units::MlPerH(0.1);
  pump.source = src::kPumpResolution;
  pump.limits = {
      hard_min(Q::kRateMlPerH, 0.1, src::kPumpResolution, kPolicy),
      hard_max(Q::kRateMlPerH, 1200.0, src::kPumpMaxRate, kPolicy),
  };
  return pump;
}

}  // namespace kit::dosing
