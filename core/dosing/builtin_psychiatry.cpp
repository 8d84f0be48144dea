// Built-in psychiatric protocols: 40-minute IV infusions dosed per kg (depression, PTSD, OCD).
#include "core/dosing/drug_library.h"
#include "core/dosing/limit_builders.h"
#include "core/dosing/sources.h"

namespace kit::dosing {

namespace {

using namespace build;  // NOLINT: table-building vocabulary
using units::MgPerKg;
using units::Minutes;

// Shared by every 40-minute psychiatric infusion. Anchors: Andrade 0.1-0.75 mg/kg usual range,
// Fava's highest arm 1.0 mg/kg, CHEO's 1.5 mg/kg/h infusion maximum (= 1.0 mg/kg over 40 min).
std::vector<Limit> forty_minute_limits() {
  return {
      soft_min(Q::kDoseMgPerKg, 0.1, src::kAndrade2017, kPolicy),
      soft_max(Q::kDoseMgPerKg, 0.75, src::kAndrade2017, kPolicy),
      hard_max(Q::kDoseMgPerKg, 1.0, src::kFava2020, kPolicy),
      // 0.75 and 1.0 mg/kg at the 100-kg reference weight.
      soft_max(Q::kDoseMg, 75.0, src::kReferenceWeightPolicy, kPolicy),
      hard_max(Q::kDoseMg, 100.0, src::kReferenceWeightPolicy, kPolicy),
      // 0.75 mg/kg over 40 min = 1.125 mg/kg/h (arithmetic, docs/reference/pharmacology.md §7).
      soft_max(Q::kRateMgPerKgPerH, 1.125, src::kAndrade2017, kPolicy),
      hard_max(Q::kRateMgPerKgPerH, 1.5, src::kCheoMaxRate, kPolicy),
      soft_max(Q::kRateMgPerH, 112.5, src::kReferenceWeightPolicy, kPolicy),
      hard_max(Q::kRateMgPerH, 150.0, src::kReferenceWeightPolicy, kPolicy),
      soft_max(Q::kConcentrationMgPerMl, 5.0, src::kCheoConcentrations, kPolicy),
      // The label dilutes 100 mg/mL by an equal volume before IV use: nothing above 50 mg/mL.
      hard_max(Q::kConcentrationMgPerMl, 50.0, src::kLabelDilution, kPolicy),
      hard_min(Q::kAgeY, 18.0, src::kAdultAgePolicy, kPolicy),
  };
}

// One rule for every psychiatric infusion (depression, PTSD, OCD): ideal body weight (never above
// actual) when the printed BMI is >= 30.0. Sanacora's consensus suggests ideal weight "especially"
// at BMI >= 30; below it the landmark trials' actual weight is kept (docs/clinical-rules/dosing.md
// section 2 records the decision).
WeightRule psychiatric_weight() {
  return WeightRule{WeightRuleKind::kIdealWhenBmiAtLeast, 30.0, src::kPsychiatricIbw};
}

Protocol forty_minute_infusion(std::string id, std::string name, std::string indication,
                               double dose_mg_per_kg, const char* dose_source, WeightRule weight,
                               Schedule schedule, std::string notes) {
  Protocol p;
  p.id = std::move(id);
  p.name = std::move(name);
  p.indication = std::move(indication);
  p.route = AdministrationRoute::kIvInfusion;
  p.dose.kind = DoseKind::kPerKg;
  p.dose.default_dose = MgPerKg(dose_mg_per_kg);
  p.dose.source = dose_source;
  p.duration = Minutes(40.0);  // Zarate 2006 and every trial below: over 40 min
  p.duration_source = src::kZarate2006;
  p.weight = std::move(weight);
  p.schedule = std::move(schedule);
  p.limits = forty_minute_limits();
  p.notes = std::move(notes);
  return p;
}

Schedule single(const char* source) { return Schedule{1, "single infusion", {}, {}, source}; }

}  // namespace

std::vector<Protocol> builtin_psychiatry_protocols() {
  return {
      forty_minute_infusion("depression-standard", "Depression, standard infusion",
                            "treatment-resistant depression", 0.5, src::kZarate2006,
                            psychiatric_weight(), single(src::kZarate2006),
                            "0.5 mg/kg over 40 min (Zarate 2006, Murrough 2013, Riva-Posse 2018)."),
      forty_minute_infusion(
          "depression-escalation-0.75", "Depression, escalation step 0.75 mg/kg",
          "treatment-resistant depression, inadequate response to 0.5 mg/kg", 0.75,
          src::kAndrade2017, psychiatric_weight(), single(src::kAndrade2017),
          "First escalation step: Andrade 2017, some patients need up to 0.75 mg/kg. The criteria "
          "for escalating are NOT FOUND in the reference: clinician decision."),
      forty_minute_infusion(
          "depression-escalation-1.0", "Depression, escalation step 1.0 mg/kg",
          "treatment-resistant depression, after 0.75 mg/kg", 1.0, src::kFava2020,
          psychiatric_weight(), single(src::kFava2020),
          "Highest dose studied (Fava 2020 arm). Above the 0.75 mg/kg soft limit by design: every "
          "use needs a documented override reason."),
      forty_minute_infusion(
          "depression-induction-series", "Depression, induction series (6 infusions / 2 weeks)",
          "treatment-resistant depression", 0.5, src::kShiroma2014, psychiatric_weight(),
          Schedule{6, "three times weekly (Mon-Wed-Fri) over 12 days", {}, {}, src::kShiroma2014},
          "Per-infusion plan; the calculator plans one session. aan het Rot 2010 numbers NOT "
          "FOUND."),
      forty_minute_infusion(
          "depression-booster", "Depression, single booster infusion",
          "depression, maintenance after response to an induction series", 0.5,
          src::kPhillips2019Maintenance, psychiatric_weight(),
          Schedule{1,
                   "single booster; Phillips 2019 gave responders 4 once-weekly infusions",
                   {},
                   {},
                   src::kPhillips2019Maintenance},
          "Booster interval beyond Phillips 2019 weekly maintenance: NOT FOUND, clinician "
          "decision."),
      forty_minute_infusion("ptsd-standard", "PTSD, single infusion", "chronic PTSD", 0.5,
                            src::kFeder2014, psychiatric_weight(), single(src::kFeder2014),
                            "Feder 2014 crossover: single 0.5 mg/kg over 40 min."),
      forty_minute_infusion(
          "ptsd-induction-series", "PTSD, induction series (6 infusions / 2 weeks)", "chronic PTSD",
          0.5, src::kFeder2021, psychiatric_weight(),
          Schedule{6, "three times weekly over 2 consecutive weeks", {}, {}, src::kFeder2021},
          "Feder 2021. Abdallah 2022 (8 infusions twice weekly, 0.2 or 0.5 mg/kg) found no PTSD "
          "benefit."),
      forty_minute_infusion("ocd-standard", "OCD, single infusion", "obsessive-compulsive disorder",
                            0.5, src::kRodriguez2013, psychiatric_weight(),
                            single(src::kRodriguez2013),
                            "Rodriguez 2013; the open-label Bloch 2012 had 0/10 OCD responders."),
  };
}

}  // namespace kit::dosing
