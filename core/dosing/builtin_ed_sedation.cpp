// Built-in emergency-department procedural sedation protocols (ACEP 2011): IV push and IM, adult
// and paediatric, first dose and repeat dose. Nothing here is pumped, so there are no rate limits:
// the IV push time is fixed by the protocol, so a rate limit would only restate the dose limit.
#include "core/dosing/drug_library.h"
#include "core/dosing/limit_builders.h"
#include "core/dosing/sources.h"

namespace kit::dosing {

namespace {

using namespace build;  // NOLINT: table-building vocabulary
using units::MgPerKg;
using units::Minutes;

enum class AgeGroup { kAdult, kPediatric };
constexpr double kReferenceWeightKg = 100.0;  // src::kReferenceWeightPolicy
constexpr double kThreeMonthsY = 3.0 / 12.0;  // ACEP: age < 3 months is contraindicated

struct Row {
  const char* id;
  const char* name;
  AdministrationRoute route;
  AgeGroup age;
  double default_mg_per_kg;
  const char* dose_source;
  double soft_max_mg_per_kg;
  const char* soft_source;
  double hard_max_mg_per_kg;
  const char* hard_source;
  Schedule schedule;
};

std::vector<Limit> age_limits(AgeGroup age) {
  if (age == AgeGroup::kAdult) return {hard_min(Q::kAgeY, 18.0, src::kAdultAgePolicy, kPolicy)};
  return {hard_min(Q::kAgeY, kThreeMonthsY, src::kAcepMinAge, kPublished),
          hard_max(Q::kAgeY, 18.0, src::kAdultAgePolicy, kPolicy)};
}

Protocol from_row(const Row& r) {
  Protocol p;
  p.id = r.id;
  p.name = r.name;
  p.indication = "emergency-department procedural sedation";
  p.route = r.route;
  p.dose.kind = DoseKind::kPerKg;
  p.dose.default_dose = MgPerKg(r.default_mg_per_kg);
  p.dose.source = r.dose_source;
  if (r.route == AdministrationRoute::kIvPush) {
    // "Over 30-60 s" (ACEP); the label gives 60 s: plan the slower end.
    p.duration = Minutes(1.0);
    p.duration_source = src::kLabelIvInduction;
  }
  p.weight = WeightRule{WeightRuleKind::kActual, 0.0, src::kActualWeightNoSource};
  p.schedule = r.schedule;
  p.limits = {
      soft_max(Q::kDoseMgPerKg, r.soft_max_mg_per_kg, r.soft_source, kPolicy),
      hard_max(Q::kDoseMgPerKg, r.hard_max_mg_per_kg, r.hard_source, kPolicy),
      soft_max(Q::kDoseMg, r.soft_max_mg_per_kg * kReferenceWeightKg, src::kReferenceWeightPolicy,
               kPolicy),
      hard_max(Q::kDoseMg, r.hard_max_mg_per_kg * kReferenceWeightKg, src::kReferenceWeightPolicy,
               kPolicy),
  };
  if (r.route == AdministrationRoute::kIvPush) {
    p.limits.push_back(hard_max(Q::kConcentrationMgPerMl, 50.0, src::kLabelDilution, kPolicy));
  } else {
    p.limits.push_back(hard_max(Q::kConcentrationMgPerMl, 100.0, src::kVialStrengths, kPolicy));
  }
  for (const Limit& l : age_limits(r.age)) p.limits.push_back(l);
  p.notes =
      "Cumulative dose across repeats is not tracked by this calculator. Obese children: a "
      "NASPGHAN table (PMC3977479) doses ketamine on ideal body weight; not applied, because the "
      "Devine formula is not validated in children.";
  return p;
}

Schedule first_dose() { return Schedule{1, "single first dose", {}, {}, src::kAcepIvAdult}; }
Schedule iv_repeat() {
  return Schedule{1, "repeat every 5-15 min as needed", Minutes(5.0), Minutes(15.0),
                  src::kAcepIvRepeat};
}
Schedule im_repeat() {
  return Schedule{
      1, "repeat if inadequate 10 min after the first dose", Minutes(10.0), {}, src::kAcepImRepeat};
}

// Hard maxima: IV first dose = label induction maximum 4.5 mg/kg; IM first dose = CHEO upper IM
// dose for the age group; repeats = the largest ACEP first dose of that route (IV 2, IM 5 mg/kg).
const char* kRepeatHardPolicy =
    "policy: a repeat dose never exceeds the largest ACEP first dose "
    "of its route (IV 2 mg/kg children, IM 5 mg/kg) [S]";

}  // namespace

std::vector<Protocol> builtin_ed_sedation_protocols() {
  const AdministrationRoute iv = AdministrationRoute::kIvPush;
  const AdministrationRoute im = AdministrationRoute::kIntramuscular;
  const AgeGroup adult = AgeGroup::kAdult;
  const AgeGroup peds = AgeGroup::kPediatric;
  const Row rows[] = {
      {"ed-sedation-adult-iv", "ED sedation, adult, IV", iv, adult, 1.0, src::kAcepIvAdult, 1.0,
       src::kAcepIvAdult, 4.5, src::kLabelIvInduction, first_dose()},
      {"ed-sedation-adult-iv-repeat", "ED sedation, adult, IV repeat", iv, adult, 0.5,
       src::kAcepIvRepeat, 1.0, src::kAcepIvRepeat, 2.0, kRepeatHardPolicy, iv_repeat()},
      {"ed-sedation-adult-im", "ED sedation, adult, IM", im, adult, 4.0, src::kAcepIm, 5.0,
       src::kAcepIm, 8.0, src::kCheoIm, first_dose()},
      {"ed-sedation-adult-im-repeat", "ED sedation, adult, IM repeat", im, adult, 2.0,
       src::kAcepImRepeat, 4.0, src::kAcepImRepeat, 5.0, kRepeatHardPolicy, im_repeat()},
      {"ed-sedation-pediatric-iv", "ED sedation, pediatric, IV", iv, peds, 1.5,
       src::kAcepIvChildren, 2.0, src::kAcepIvChildren, 4.5, src::kLabelIvInduction, first_dose()},
      {"ed-sedation-pediatric-iv-repeat", "ED sedation, pediatric, IV repeat", iv, peds, 0.5,
       src::kAcepIvRepeat, 1.0, src::kAcepIvRepeat, 2.0, kRepeatHardPolicy, iv_repeat()},
      {"ed-sedation-pediatric-im", "ED sedation, pediatric, IM", im, peds, 4.0, src::kAcepIm, 5.0,
       src::kAcepIm, 7.0, src::kCheoIm, first_dose()},
      {"ed-sedation-pediatric-im-repeat", "ED sedation, pediatric, IM repeat", im, peds, 2.0,
       src::kAcepImRepeat, 4.0, src::kAcepImRepeat, 5.0, kRepeatHardPolicy, im_repeat()},
  };
  std::vector<Protocol> out;
  for (const Row& r : rows) out.push_back(from_row(r));
  return out;
}

}  // namespace kit::dosing
