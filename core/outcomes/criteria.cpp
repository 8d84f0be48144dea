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
// docs/reference/pharmacology.md §10: "A single reading above a response threshold is not
// relapse." Two consecutive readings is the clinic's confirmation rule (policy, anchored there).
constexpr Source kConfirmTwo{
    "policy: relapse needs 2 consecutive readings meeting the relapse criteria; a single reading "
    "is not relapse (reference §10)",
    true};
// Where the reference gives no relapse definition nor a clinically meaningful change for the
// instrument: the climb from the best total must reach 25% of baseline, the booster-rise policy
// above (half the usual 50% response margin).
constexpr Source kRisePolicy{
    "policy: relapse definition and clinically meaningful change NOT FOUND for this instrument "
    "(reference §5/§10); loss of response plus a climb of >=25% of baseline from the best total, "
    "confirmed on 2 consecutive readings",
    true};
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
          {30,
           {"Farrar 2001 Pain 94:149 (~30% reduction clinically important); IMMPACT >=30% = "
            "moderate (Dworkin 2008, reference §10)"}},
          {std::nullopt, kNotUsed},
          {std::nullopt, kNotUsed},
          {std::nullopt, kNotUsed},
          {25, kBoosterPolicy}};
}

OutcomeCriteria bpi() {
  return {"bpi",
          std::nullopt,
          {30,
           {"Farrar 2001 Pain 94:149 for 0-10 ratings; IMMPACT >=30% = moderate (Dworkin 2008, "
            "reference §10)"}},
          {std::nullopt, kNotUsed},
          {std::nullopt, kNotUsed},
          {std::nullopt, kNotUsed},
          {25, kBoosterPolicy}};
}

// Relapse rules per instrument, set apart from the positional response rules above.
OutcomeCriteria with_relapse(OutcomeCriteria c) {
  c.relapse_confirm_readings = {2, kConfirmTwo};
  c.relapse_min_total = {std::nullopt, kNotUsed};
  c.meaningful_change_points = {std::nullopt, kNotUsed};
  c.relapse_min_rise_pct_of_baseline = {std::nullopt, kNotUsed};
  c.relapse_sustained_months = {std::nullopt, kNotUsed};
  c.substantial_reduction_pct = {std::nullopt, kNotUsed};
  const std::string_view id = c.instrument_id;
  if (id == "madrs") {
    // Salloum 2020 J Affect Disord 260:131 (PubMed 31494365): after response or remission to
    // ketamine, relapse = MADRS >= 22 (docs/reference/pharmacology.md §10) [P].
    c.relapse_min_total = {22,
                           {"Salloum 2020 J Affect Disord 260:131: relapse MADRS >=22 after "
                            "response (reference §10)"}};
  } else if (id == "ybocs") {
    // Mataix-Cols 2016 World Psychiatry 15:80: relapse = Y-BOCS >= 13 and CGI-I "much worse" or
    // worse, sustained for at least one month, "to protect against transient flares"
    // (docs/reference/pharmacology.md §10) [P]. CGI-I is not recorded by KIT: the clinician
    // confirms it (the reason says so).
    c.relapse_min_total = {13,
                           {"Mataix-Cols 2016 World Psychiatry 15:80: relapse Y-BOCS >=13 "
                            "(and CGI-I much worse) (reference §10)"}};
    c.relapse_sustained_months = {1,
                                  {"Mataix-Cols 2016 World Psychiatry 15:80: worsening "
                                   "sustained for at least one month (reference §10)"}};
    // KIT records no CGI-I: as a stand-in for "much worse", the climb from the best total must
    // reach 25% of baseline (the booster-rise policy), so a 1-point flare is not counted.
    c.relapse_min_rise_pct_of_baseline = {
        25,
        {"policy: KIT records no CGI-I; stand-in for Mataix-Cols 2016 'much worse': a climb of "
         ">=25% of baseline from the best total",
         true}};
  } else if (id == "pcl5") {
    // Clinically meaningful PCL-5 change 10-20 points (docs/reference/pharmacology.md §5/§10);
    // the lower bound is used.
    c.meaningful_change_points = {10,
                                  {"PCL-5 clinically meaningful change 10-20 points, lower "
                                   "bound (reference §5/§10)"}};
  } else if (id == "nrs") {
    // Farrar 2001 Pain 94:149: a clinically important pain NRS change is about 2 points
    // (docs/reference/pharmacology.md §5/§10) [P].
    c.meaningful_change_points = {2,
                                  {"Farrar 2001 Pain 94:149: ~2-point NRS change clinically "
                                   "important (reference §10)"}};
  } else if (id == "bpi") {
    c.meaningful_change_points = {
        2,
        {"policy: BPI severity-mean meaningful change NOT FOUND; 2 points as for 0-10 pain "
         "ratings (Farrar 2001, reference §10)",
         true}};
  } else {
    // PHQ-9, GAD-7, QIDS-SR16: no relapse definition in the reference.
    c.relapse_min_rise_pct_of_baseline = {25, kRisePolicy};
  }
  if (id == "nrs" || id == "bpi") {
    // IMMPACT (Dworkin 2008): >=30% = moderate, >=50% = substantial improvement
    // (docs/reference/pharmacology.md §10) [P].
    c.substantial_reduction_pct = {50,
                                   {"IMMPACT (Dworkin 2008): >=50% reduction = substantial "
                                    "improvement (reference §10)"}};
  }
  return c;
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
  static const std::vector<OutcomeCriteria> list = {
      with_relapse(phq9()),  with_relapse(gad7()),  with_relapse(pcl5()),
      with_relapse(ybocs()), with_relapse(madrs()), with_relapse(qids_sr16()),
      with_relapse(nrs()),   with_relapse(bpi()),   cadss()};
  return list;
}

namespace {
constexpr double kEps = 1e-9;  // totals and percentages compared without float noise
}  // namespace

bool meets_response(const OutcomeCriteria& c, double baseline, double total) {
  const double reduction = (baseline - total) / baseline * 100.0;
  const bool by_pct =
      c.response_reduction_pct.value && reduction + kEps >= *c.response_reduction_pct.value;
  const bool by_final =
      c.response_final_below.value && total < *c.response_final_below.value - kEps;
  return by_pct || by_final;
}

bool meets_remission(const OutcomeCriteria& c, double baseline, double total) {
  if (!c.remission_max_total.value || baseline <= *c.remission_max_total.value + kEps) return false;
  if (total > *c.remission_max_total.value + kEps) return false;
  return !c.meaningful_change_points.value ||
         baseline - total + kEps >= *c.meaningful_change_points.value;
}

const OutcomeCriteria* find_outcome_criteria(std::string_view instrument_id) {
  for (const auto& c : all_outcome_criteria()) {
    if (c.instrument_id == instrument_id) return &c;
  }
  return nullptr;
}

}  // namespace kit::outcomes
