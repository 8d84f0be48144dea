#pragma once
// Clinic-configurable screening policy. Every default here is policy, not a published fact: the
// reference (docs/reference/pharmacology.md §3.7 and §4.2) has no ketamine-specific number for
// these. Each default names the anchor it was chosen from and is reported as "policy" in the
// output.

namespace kit::screening {

enum class Severity { kAbsolute, kRelative };
// Whether a classification or threshold is a published fact or this clinic's policy.
enum class Basis { kPublished, kPolicy };

struct PreInfusionPolicy {
  // Defer the infusion when SBP > this or DBP > that. Anchor: "severe hypertension > 180/110 mmHg"
  // (Hebert & Vidt, Prim Care 2008 [P]); ketamine-specific thresholds NOT FOUND.
  double max_sbp_mmhg = 180;
  double max_dbp_mmhg = 110;
  // Fasting: the reference has no fasting interval for subanaesthetic ketamine (NOT FOUND), so
  // the check is "fasted as the clinic instructed", required by default.
  bool require_fasted_as_instructed = true;
  // Escort home: anchor RCEM ED discharge "appropriate care at home" [P]; required by default.
  bool require_escort_home = true;
};

struct ScreeningPolicy {
  // Minimum age for the elective settings (psychiatric, chronic pain). No source in the reference;
  // adult-only by default.
  double minimum_age_years = 18;
  // Trial exclusion criteria (PMC10812090 Table 1 [P]) are not a published contraindication list:
  // treating them as absolute is the conservative default.
  Severity trial_exclusion_severity = Severity::kAbsolute;
  // Benzodiazepine load above which the trial exclusion applies: 3 mg lorazepam-equivalent/day
  // (PMC10812090 Table 1 [P]).
  double benzodiazepine_max_lorazepam_eq_mg_per_day = 3;
  PreInfusionPolicy pre_infusion;
};

}  // namespace kit::screening
