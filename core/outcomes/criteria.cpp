// Outcome thresholds per instrument. Published values cite their source; everything the
// reference marks NOT FOUND (and that search did not settle) is a labelled clinic policy.
#include "core/outcomes/criteria.h"

namespace kit::outcomes {

namespace {

// No published booster trigger was found: Phillips 2019 (Am J Psychiatry 176:401) gave responders
// scheduled weekly maintenance infusions, with no re-treatment threshold. Policy: a responder whose
// latest total has climbed back by >=25% of baseline from their best post-baseline total (half of
// the usual 50% response margin), or who has lost response, is put forward for a booster review.
constexpr Source kBoosterPolicy{
    "policy: booster trigger NOT FOUND; recommend when a responder loses response or climbs back "
    ">=25% of baseline above their best total",
    true};
constexpr Source kPartialPolicy{
    "policy: partial-response threshold NOT FOUND; 25% to below the response threshold", true};
constexpr Source kNotUsed{"not defined for this instrument (clinic may set it by request policy)",
                          false};
constexpr Source kKeithOff{
    "off by default; Keith et al. also counted a final PHQ-9 <10 as response (reference §4.1)",
    false};

OutcomeCriteria phq9() {
  return {"phq9",
          std::nullopt,
          {50,
           {"Keith et al. (>=50% drop, reference §4.1/§5); Psychiatric Services 2020 "
            "(appi.ps.201900295)"}},
          {25, kPartialPolicy},
          // PHQ-9 <5: Psychiatric Services 2020 (appi.ps.201900295), found by search; the
          // reference lists the PHQ-9 remission cut-off as NOT FOUND.
          {4, {"PHQ-9 <5 (Psychiatric Services 2020, appi.ps.201900295; found by search)"}},
          {std::nullopt, kKeithOff},
          {25, kBoosterPolicy}};
}

OutcomeCriteria gad7() {
  return {"gad7",
          std::nullopt,
          {50, {"policy: GAD-7 response NOT FOUND (reference §5); the usual 50% reduction", true}},
          {25, kPartialPolicy},
          {4, {"policy: GAD-7 remission NOT FOUND; total within the 'minimal' band (0-4)", true}},
          {std::nullopt, kNotUsed},
          {25, kBoosterPolicy}};
}

OutcomeCriteria pcl5() {
  return {"pcl5",
          std::nullopt,
          {30,
           {"policy: PCL-5 response NOT FOUND; >=30% as for CAPS-5 in Feder 2021 (Am J Psychiatry)",
            true}},
          {std::nullopt, kNotUsed},
          {30,
           {"policy: PCL-5 remission NOT FOUND; below the lowest provisional PTSD cut-point (31)",
            true}},
          {std::nullopt, kNotUsed},
          {25, kBoosterPolicy}};
}

OutcomeCriteria ybocs() {
  return {"ybocs",
          std::nullopt,
          {35, {"Rodriguez 2013 (PMC3799067); Bloch 2012; Farris 2013 J Clin Psychiatry 74:685"}},
          {25, kPartialPolicy},
          // Mataix-Cols 2016 expert consensus (World Psychiatry 15:80), as applied by Elsner 2020
          // (Clin Psychol Eur 2:e2785): remission Y-BOCS <=12. Found by search. Farris 2013 found
          // <=14 for remission and <=12 for wellness; the stricter 12 is used.
          {12,
           {"Mataix-Cols 2016 consensus (World Psychiatry 15:80) via Elsner 2020; found by "
            "search"}},
          {std::nullopt, kNotUsed},
          {25, kBoosterPolicy}};
}

OutcomeCriteria madrs() {
  return {"madrs",
          std::nullopt,
          {50, {"Phillips 2019 Am J Psychiatry 176:401; Talati 2019"}},
          {25, kPartialPolicy},
          {10, {"ketamine-vs-ECT trial 2022 (PMC9154276): remission MADRS <=10"}},
          {std::nullopt, kNotUsed},
          {25, kBoosterPolicy}};
}

OutcomeCriteria qids_sr16() {
  // Trivedi 2006 Am J Psychiatry 163:28 (STAR*D level 1): response >=50% reduction of baseline
  // QIDS-SR; remission QIDS-SR <=5. Found by search; the reference lists both as NOT FOUND.
  return {"qids_sr16",
          std::nullopt,
          {50, {"Trivedi 2006 Am J Psychiatry 163:28 (STAR*D); found by search"}},
          {25, kPartialPolicy},
          {5, {"Trivedi 2006 Am J Psychiatry 163:28 (QIDS-SR <=5); found by search"}},
          {std::nullopt, kNotUsed},
          {25, kBoosterPolicy}};
}

OutcomeCriteria nrs() {
  return {"nrs",
          std::nullopt,
          {30, {"Farrar 2001 Pain 94:149 (~30% reduction clinically important)"}},
          {std::nullopt, kNotUsed},
          {std::nullopt, kNotUsed},
          {std::nullopt, kNotUsed},
          {25, kBoosterPolicy}};
}

OutcomeCriteria bpi() {
  return {
      "bpi",
      std::nullopt,
      {30, {"Farrar 2001 Pain 94:149 for 0-10 ratings; IMMPACT >=30% moderate change (via ePPOC)"}},
      {std::nullopt, kNotUsed},
      {std::nullopt, kNotUsed},
      {std::nullopt, kNotUsed},
      {25, kBoosterPolicy}};
}

OutcomeCriteria cadss() {
  OutcomeCriteria c;
  c.instrument_id = "cadss";
  c.not_applicable =
      "CADSS measures dissociation during an infusion (a state measure); it has no response, "
      "remission or relapse rules";
  return c;
}

}  // namespace

const std::vector<OutcomeCriteria>& all_outcome_criteria() {
  static const std::vector<OutcomeCriteria> list = {phq9(),      gad7(), pcl5(), ybocs(), madrs(),
                                                    qids_sr16(), nrs(),  bpi(),  cadss()};
  return list;
}

const OutcomeCriteria* find_outcome_criteria(std::string_view instrument_id) {
  for (const auto& c : all_outcome_criteria()) {
    if (c.instrument_id == instrument_id) return &c;
  }
  return nullptr;
}

}  // namespace kit::outcomes
