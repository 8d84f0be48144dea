#pragma once
// Clinic-configurable screening policy. Every default here is policy, not a published fact: the
// reference (docs/reference/pharmacology.md §3.7 and §4.2) has no ketamine-specific number for
// these. Each default names the anchor it was chosen from and is reported as "policy" in the
// output.

namespace kit::screening {

enum class Severity { kAbsolute, kRelative };
// Whether a classification or threshold is a published fact or this clinic's policy.
enum class Basis { kPublished, kPolicy };

// Ketamine product information (Swiss, oddb.org reg. 67199) [P] contraindicates poorly controlled
// or untreated arterial hypertension, "SBP/DBP above 180/100 mmHg at rest"
// (docs/reference/pharmacology.md §10, correcting §4.2 for the pre-infusion gate). A reading above
// it is the finding "uncontrolled hypertension"; a clinic limit may only be stricter.
inline constexpr double kLabelMaxSbpMmhg = 180;
inline constexpr double kLabelMaxDbpMmhg = 100;

struct PreInfusionPolicy {
  // Defer the infusion when SBP > this or DBP > that. Default: the product-information limit
  // 180/100 (§10) [P]; a clinic may set a stricter one (e.g. 140/90, one clinic's practice [S]).
  double max_sbp_mmhg = kLabelMaxSbpMmhg;
  double max_dbp_mmhg = kLabelMaxDbpMmhg;
  // Heart rate and SpO2 before starting, checked when recorded (policy.require_heart_rate_and_spo2
  // makes them required). HR: policy, the intra-infusion pause thresholds HR > 120 / < 50
  // (docs/clinical-rules/screening-safety.md §2; no published anchor in the reference). SpO2:
  // policy, anchor the modified Aldrete O2 item 2, "SpO2 > 92% on room air" (Kim 2015 Table 2
  // [P], docs/reference/pharmacology.md §4.3).
  double min_hr_bpm = 50;
  double max_hr_bpm = 120;
  double spo2_above_percent = 92;
  bool require_heart_rate_and_spo2 = false;
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
