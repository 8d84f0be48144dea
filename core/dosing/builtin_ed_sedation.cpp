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
  bool repeat;
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

// What one syringe may hold: IM is injected from the vial (50 or 100 mg/mL) into one site; an IV
// push is drawn from the 10 mg/mL vial or diluted 100 mg/mL (never above 50 mg/mL).
std::vector<Limit> injection_limits(AdministrationRoute route, AgeGroup age) {
  if (route == AdministrationRoute::kIvPush) {
    return {hard_max(Q::kConcentrationMgPerMl, 50.0, src::kLabelDilution, kPolicy),
            soft_max(Q::kVolumeMl, 10.0, src::kIvPushVolume, kPolicy),
            hard_max(Q::kVolumeMl, 20.0, src::kIvPushVolume, kPolicy)};
  }
  const char* volume = age == AgeGroup::kAdult ? src::kImVolumeAdult : src::kImVolumeChild;
  return {hard_min(Q::kConcentrationMgPerMl, 50.0, src::kImVialStrengths, kPolicy),
          hard_max(Q::kConcentrationMgPerMl, 100.0, src::kVialStrengths, kPolicy),
          soft_max(Q::kVolumeMl, age == AgeGroup::kAdult ? 3.0 : 1.0, volume, kPolicy),
          hard_max(Q::kVolumeMl, age == AgeGroup::kAdult ? 5.0 : 3.0, volume, kPolicy)};
}

// The episode's total, checked on every repeat dose with the doses before it. IV: ACEP's
// "unusually high" total 5.0 mg/kg. IM: ACEP's first dose plus one full repeat (soft), the label's
// largest IM dose (hard); IM mg count in full although IM bioavailability is 41% (Hornik 2018,
// docs/reference/pharmacology.md §1.5), which errs on the safe side.
std::vector<Limit> cumulative_limits(AdministrationRoute route) {
  if (route == AdministrationRoute::kIvPush) {
    return {hard_max(Q::kCumulativeDoseMgPerKg, 5.0, src::kAcepUnusuallyHighIv, kPolicy)};
  }
  return {soft_max(Q::kCumulativeDoseMgPerKg, 10.0, src::kImCumulativeSoft, kPolicy),
          hard_max(Q::kCumulativeDoseMgPerKg, 13.0, src::kImCumulativeHard, kPolicy)};
}

Protocol from_row(const Row& r) {
  Protocol p;
  p.id = r.id;
  p.name = r.name;
  p.indication = "emergency-department procedural sedation";
  p.route = r.route;
  p.repeat_dose = r.repeat;
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
  const bool adult_im = r.age == AgeGroup::kAdult && r.route == AdministrationRoute::kIntramuscular;
  p.limits = {
      soft_max(Q::kDoseMgPerKg, r.soft_max_mg_per_kg, r.soft_source, kPolicy),
      hard_max(Q::kDoseMgPerKg, r.hard_max_mg_per_kg, r.hard_source, kPolicy),
      // Adult IM on total body weight: a heavy adult needs a documented reason above 400 mg.
      adult_im ? soft_max(Q::kDoseMg, 400.0, src::kAdultImDoseMg, kPolicy)
               : soft_max(Q::kDoseMg, r.soft_max_mg_per_kg * kReferenceWeightKg,
                          src::kReferenceWeightPolicy, kPolicy),
      hard_max(Q::kDoseMg, r.hard_max_mg_per_kg * kReferenceWeightKg, src::kReferenceWeightPolicy,
               kPolicy),
  };
  for (const Limit& l : injection_limits(r.route, r.age)) p.limits.push_back(l);
  if (r.repeat) {
    for (const Limit& l : cumulative_limits(r.route)) p.limits.push_back(l);
  }
  for (const Limit& l : age_limits(r.age)) p.limits.push_back(l);
  if (adult_im) {
    p.warnings.push_back(
        "ACEP 2011: the IV route is preferred for adults; its IM dose (4-5 mg/kg) is stated for "
        "children (docs/reference/pharmacology.md §13). Use IM in an adult only without IV "
        "access.");
  }
  p.notes = r.repeat
                ? "A repeat dose needs previous_total_mg (the ketamine already given in this "
                  "episode); it is checked with this dose against the cumulative limits."
                : "Obese children: a NASPGHAN table (PMC3977479) doses ketamine on ideal body "
                  "weight; not applied, because the Devine formula is not validated in children.";
  return p;
}

Schedule first_dose(const char* source) { return Schedule{1, "single first dose", {}, {}, source}; }
Schedule iv_repeat() {
  return Schedule{1, "repeat every 5-15 min as needed", Minutes(5.0), Minutes(15.0),
                  src::kAcepIvRepeat};
}
Schedule im_repeat() {
  return Schedule{1, "if sedation is inadequate after 5-10 min: a full or half first dose",
                  Minutes(5.0), Minutes(10.0), src::kAcepImRepeatFullOrHalf};
}

// Hard maxima: adult IV first dose = label induction maximum 4.5 mg/kg; paediatric IV first dose
// = ACEP's "unusually high" initial 2.5 mg/kg; IM first dose = CHEO upper IM dose for the age
// group. IV repeats: the largest ACEP first IV dose (2 mg/kg). IM repeats: ACEP's "full or half
// dose" -> default half of 4 mg/kg, soft max a full 5 mg/kg, hard max the first dose's.
const char* kRepeatHardPolicy =
    "policy: an IV repeat dose never exceeds the largest ACEP first IV dose (2 mg/kg children) "
    "(docs/reference/pharmacology.md §3.6) [S]";

}  // namespace

std::vector<Protocol> builtin_ed_sedation_protocols() {
  const AdministrationRoute iv = AdministrationRoute::kIvPush;
  const AdministrationRoute im = AdministrationRoute::kIntramuscular;
  const AgeGroup adult = AgeGroup::kAdult;
  const AgeGroup peds = AgeGroup::kPediatric;
  const Row rows[] = {
      {"ed-sedation-adult-iv", "ED sedation, adult, IV", iv, adult, false, 1.0, src::kAcepIvAdult,
       1.0, src::kAcepIvAdult, 4.5, src::kLabelIvInduction, first_dose(src::kAcepIvAdult)},
      {"ed-sedation-adult-iv-repeat", "ED sedation, adult, IV repeat", iv, adult, true, 0.5,
       src::kAcepIvRepeat, 1.0, src::kAcepIvRepeat, 2.0, kRepeatHardPolicy, iv_repeat()},
      {"ed-sedation-adult-im", "ED sedation, adult, IM", im, adult, false, 4.0,
       src::kAcepImChildrenIvAdults, 5.0, src::kAcepImChildrenIvAdults, 8.0, src::kCheoIm,
       first_dose(src::kAcepImChildrenIvAdults)},
      {"ed-sedation-adult-im-repeat", "ED sedation, adult, IM repeat", im, adult, true, 2.0,
       src::kAcepImRepeatFullOrHalf, 5.0, src::kAcepImRepeatFullOrHalf, 8.0, src::kCheoIm,
       im_repeat()},
      {"ed-sedation-pediatric-iv", "ED sedation, pediatric, IV", iv, peds, false, 1.5,
       src::kAcepIvChildren, 2.0, src::kAcepIvChildren, 2.5, src::kAcepUnusuallyHighIv,
       first_dose(src::kAcepIvChildren)},
      {"ed-sedation-pediatric-iv-repeat", "ED sedation, pediatric, IV repeat", iv, peds, true, 0.5,
       src::kAcepIvRepeat, 1.0, src::kAcepIvRepeat, 2.0, kRepeatHardPolicy, iv_repeat()},
      {"ed-sedation-pediatric-im", "ED sedation, pediatric, IM", im, peds, false, 4.0,
       src::kAcepImChildrenIvAdults, 5.0, src::kAcepImChildrenIvAdults, 7.0, src::kCheoIm,
       first_dose(src::kAcepImChildrenIvAdults)},
      {"ed-sedation-pediatric-im-repeat", "ED sedation, pediatric, IM repeat", im, peds, true, 2.0,
       src::kAcepImRepeatFullOrHalf, 5.0, src::kAcepImRepeatFullOrHalf, 7.0, src::kCheoIm,
       im_repeat()},
  };
  std::vector<Protocol> out;
  for (const Row& r : rows) out.push_back(from_row(r));
  return out;
}

}  // namespace kit::dosing
