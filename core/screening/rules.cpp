#include "core/screening/rules.h"

namespace kit::screening {

namespace {

// Sources, docs/reference/pharmacology.md §3.5-3.7.
constexpr std::string_view kAcep =
    "ACEP 2011 ketamine ED sedation guideline (Green et al., Ann Emerg Med 57:449), via WikEM [S]";
constexpr std::string_view kCohen =
    "Cohen 2018 ASRA/AAPM/ASA ketamine chronic pain consensus (Reg Anesth Pain Med 43:521), via "
    "Medscape summary [S]";
constexpr std::string_view kTrial =
    "Trial exclusion criterion, PMC10812090 Table 1 [P]; absolute vs relative is clinic policy";
constexpr std::string_view kTrialElsewhere =
    "Policy: psychiatric trial exclusion (PMC10812090 Table 1 [P]) applied to this elective "
    "setting; absolute vs relative is clinic policy";
constexpr std::string_view kAgePolicy =
    "Policy: clinic minimum age for elective infusions (no source in the reference)";
constexpr std::string_view kFromAcep =
    "Policy: ACEP 2011 (ED sedation) classification applied to this elective setting [S]";
constexpr std::string_view kFromCohen =
    "Policy: Cohen 2018 (chronic pain) classification applied to this elective setting [S]";
constexpr std::string_view kEdNotListed =
    "Policy: not in the ACEP 2011 list; relative in ED sedation so a physician weighs it";
constexpr std::string_view kLabel =
    "Ketamine product information (Swiss, oddb.org reg. 67199), contraindication [P] "
    "(docs/reference/pharmacology.md §10)";
constexpr std::string_view kLabelHypertension =
    "Ketamine product information (Swiss, oddb.org reg. 67199): poorly controlled or untreated "
    "arterial hypertension, SBP/DBP above 180/100 mmHg at rest [P] "
    "(docs/reference/pharmacology.md §10)";
constexpr std::string_view kLabelEd =
    "Policy: product-information contraindication [P] (docs/reference/pharmacology.md §10), not in "
    "the ACEP 2011 list; relative in ED sedation so a physician weighs it";
constexpr std::string_view kAcepAsthma =
    "ACEP 2011 relative contraindication 'active asthma' (verbatim ACEP text on "
    "sciensity.blogspot.com) [S] (docs/reference/pharmacology.md §10)";
constexpr std::string_view kFromAcepAsthma =
    "Policy: ACEP 2011 'active asthma' relative (docs/reference/pharmacology.md §10) [S] applied "
    "to this elective setting";
constexpr std::string_view kHistoryPolicy =
    "Policy: a history (not only current) calls for physician review; anchors: current psychosis "
    "or mania excluded in trials (PMC10812090 Table 1) [P], Cohen 2018 'avoid' poorly controlled "
    "psychosis and active substance abuse [S] (docs/reference/pharmacology.md §3.5, §3.7)";
constexpr Placement na() { return {}; }
constexpr Placement published(Severity s, std::string_view src) {
  return {PlacementKind::kFixed, s, Basis::kPublished, src};
}
constexpr Placement policy(Severity s, std::string_view src) {
  return {PlacementKind::kFixed, s, Basis::kPolicy, src};
}
constexpr Placement trial(std::string_view src) {
  return {PlacementKind::kTrialExclusion, Severity::kAbsolute, Basis::kPolicy, src};
}
constexpr Severity kAbs = Severity::kAbsolute;
constexpr Severity kRel = Severity::kRelative;

// Columns: psychiatric (depression, PTSD, OCD) | chronic pain | ED sedation.
// Elective settings take the strictest published classification from any source (policy); the ED
// column is ACEP's own list, with anything ACEP does not list made relative.
constexpr std::array<Rule, 32> kRules{{
    {"age_under_3_months",
     "Age under 3 months",
     Trigger::kAgeUnder3Months,
     {na(), na(), published(kAbs, kAcep)},
     ""},
    {"below_clinic_minimum_age",
     "Younger than the clinic minimum age",
     Trigger::kBelowMinimumAge,
     {policy(kAbs, kAgePolicy), policy(kAbs, kAgePolicy), na()},
     ""},
    {"schizophrenia",
     "Known or suspected schizophrenia (even if stable)",
     Trigger::kYesAnswer,
     {policy(kAbs, kFromAcep), policy(kAbs, kFromAcep), published(kAbs, kAcep)},
     ""},
    {"current_psychosis_or_mania",
     "Current (poorly controlled) psychosis or mania",
     Trigger::kYesAnswer,
     {trial(kTrial), published(kAbs, kCohen), policy(kRel, kEdNotListed)},
     ""},
    {"pregnant",
     "Pregnancy",
     Trigger::kYesAnswer,
     {trial(kTrial), trial(kTrialElsewhere), policy(kRel, kEdNotListed)},
     ""},
    {"breastfeeding",
     "Lactation",
     Trigger::kYesAnswer,
     {trial(kTrial), trial(kTrialElsewhere), policy(kRel, kEdNotListed)},
     ""},
    {"uncontrolled_hypertension",
     "Uncontrolled hypertension (history, or pre-infusion blood pressure above 180/100 mmHg)",
     Trigger::kYesAnswerOrPreInfusionBpAboveLabel,
     {published(kAbs, kLabelHypertension), published(kAbs, kLabelHypertension),
      published(kRel, kAcep)},
     ""},
    {"poorly_controlled_cardiovascular_disease",
     "Poorly controlled cardiovascular disease",
     Trigger::kYesAnswer,
     {policy(kAbs, kFromCohen), published(kAbs, kCohen), published(kRel, kAcep)},
     ""},
    {"significant_arrhythmia",
     "Significant arrhythmia",
     Trigger::kYesAnswer,
     {trial(kTrial), trial(kTrialElsewhere), policy(kRel, kEdNotListed)},
     ""},
    {"unstable_cerebrovascular_disease",
     "Unstable cerebrovascular disease",
     Trigger::kYesAnswer,
     {trial(kTrial), trial(kTrialElsewhere), policy(kRel, kEdNotListed)},
     ""},
    {"coronary_artery_disease",
     "Coronary artery disease",
     Trigger::kYesAnswer,
     {policy(kRel, kFromAcep), policy(kRel, kFromAcep), published(kRel, kAcep)},
     ""},
    {"heart_failure",
     "Congestive heart failure",
     Trigger::kYesAnswer,
     {policy(kRel, kFromAcep), policy(kRel, kFromAcep), published(kRel, kAcep)},
     ""},
    {"hypertension",
     "Hypertension (controlled)",
     Trigger::kYesAnswer,
     {policy(kRel, kFromAcep), policy(kRel, kFromAcep), published(kRel, kAcep)},
     ""},
    {"hepatic_impairment_severe",
     "Severe hepatic impairment",
     Trigger::kHepaticSevere,
     {policy(kAbs, kFromCohen), published(kAbs, kCohen), policy(kRel, kEdNotListed)},
     ""},
    {"hepatic_impairment_moderate",
     "Moderate hepatic impairment",
     Trigger::kHepaticModerate,
     {policy(kRel, kFromCohen), published(kRel, kCohen), policy(kRel, kEdNotListed)},
     "hepatic_monitoring"},
    {"elevated_intracranial_pressure",
     "Elevated intracranial pressure",
     Trigger::kYesAnswer,
     {policy(kRel, kFromCohen), published(kRel, kCohen), policy(kRel, kEdNotListed)},
     "avoid_or_low_dose_with_extreme_caution"},
    {"cns_mass_or_hydrocephalus",
     "CNS mass or hydrocephalus",
     Trigger::kYesAnswer,
     {policy(kRel, kFromAcep), policy(kRel, kFromAcep), published(kRel, kAcep)},
     ""},
    {"glaucoma_or_elevated_intraocular_pressure",
     "Glaucoma or elevated intraocular pressure",
     Trigger::kYesAnswer,
     {policy(kRel, kFromCohen), published(kRel, kCohen), published(kRel, kAcep)},
     "avoid_or_low_dose_with_extreme_caution"},
    {"acute_globe_injury",
     "Acute globe injury",
     Trigger::kYesAnswer,
     {policy(kRel, kFromAcep), policy(kRel, kFromAcep), published(kRel, kAcep)},
     ""},
    {"airway_instability_or_tracheal_disease",
     "Airway instability, tracheal surgery or stenosis",
     Trigger::kYesAnswer,
     {policy(kRel, kFromAcep), policy(kRel, kFromAcep), published(kRel, kAcep)},
     ""},
    {"active_pulmonary_infection",
     "Active pulmonary infection, including URI",
     Trigger::kYesAnswer,
     {policy(kRel, kFromAcep), policy(kRel, kFromAcep), published(kRel, kAcep)},
     ""},
    {"thyroid_disorder_or_medication",
     "Thyroid disorder or thyroid medication",
     Trigger::kYesAnswer,
     {policy(kRel, kFromAcep), policy(kRel, kFromAcep), published(kRel, kAcep)},
     ""},
    {"active_substance_use_disorder",
     "Active substance abuse",
     Trigger::kYesAnswer,
     {policy(kRel, kFromCohen), published(kRel, kCohen), policy(kRel, kEdNotListed)},
     "no_serial_infusions"},
    {"benzodiazepine_above_limit",
     "Benzodiazepine above the lorazepam-equivalent limit",
     Trigger::kBenzodiazepineAboveLimit,
     {trial(kTrial), trial(kTrialElsewhere), policy(kRel, kEdNotListed)},
     ""},
    // Product-information contraindications (docs/reference/pharmacology.md §10) [P]: absolute
    // in the elective settings; in ED sedation hypersensitivity stays absolute, the rest relative.
    {"ketamine_hypersensitivity",
     "Hypersensitivity to ketamine",
     Trigger::kYesAnswer,
     {published(kAbs, kLabel), published(kAbs, kLabel), published(kAbs, kLabel)},
     ""},
    {"pre_eclampsia_or_eclampsia",
     "Pre-eclampsia or eclampsia",
     Trigger::kYesAnswer,
     {published(kAbs, kLabel), published(kAbs, kLabel), policy(kRel, kLabelEd)},
     ""},
    {"previous_cerebrovascular_insult",
     "Previous cerebrovascular insult (stroke)",
     Trigger::kYesAnswer,
     {published(kAbs, kLabel), published(kAbs, kLabel), policy(kRel, kLabelEd)},
     ""},
    {"untreated_hyperthyroidism",
     "Untreated or insufficiently treated hyperthyroidism",
     Trigger::kYesAnswer,
     {published(kAbs, kLabel), published(kAbs, kLabel), published(kRel, kAcep)},
     ""},
    {"active_asthma",
     "Active asthma",
     Trigger::kYesAnswer,
     {policy(kRel, kFromAcepAsthma), policy(kRel, kFromAcepAsthma), published(kRel, kAcepAsthma)},
     ""},
    {"history_of_ketamine_or_pcp_misuse",
     "History of ketamine or phencyclidine (PCP) misuse",
     Trigger::kYesAnswer,
     {policy(kRel, kHistoryPolicy), policy(kRel, kHistoryPolicy), policy(kRel, kHistoryPolicy)},
     "no_serial_infusions"},
    {"history_of_psychosis_or_mania",
     "Previous psychosis or mania (not current)",
     Trigger::kYesAnswer,
     {policy(kRel, kHistoryPolicy), policy(kRel, kHistoryPolicy), policy(kRel, kHistoryPolicy)},
     ""},
    {"major_posterior_pharynx_procedure",
     "Major posterior-pharynx procedure (e.g. endoscopy)",
     Trigger::kPosteriorPharynxProcedure,
     {na(), na(), published(kRel, kAcep)},
     ""},
}};

bool fires(const Rule& rule, const Intake& intake, const ScreeningPolicy& policy) {
  switch (rule.trigger) {
    case Trigger::kYesAnswer:
      return intake.conditions_present.contains(rule.id);
    case Trigger::kYesAnswerOrPreInfusionBpAboveLabel:
      return intake.conditions_present.contains(rule.id) ||
             intake.pre_infusion_bp_above_label_limit;
    case Trigger::kAgeUnder3Months:
      return intake.age_years < 0.25;  // 3 months = 0.25 years (ACEP "age < 3 months")
    case Trigger::kBelowMinimumAge:
      return intake.age_years < policy.minimum_age_years;
    case Trigger::kHepaticSevere:
      return intake.hepatic_impairment == HepaticImpairment::kSevere;
    case Trigger::kHepaticModerate:
      return intake.hepatic_impairment == HepaticImpairment::kModerate;
    case Trigger::kBenzodiazepineAboveLimit:
      // PMC10812090: "> 3 mg lorazepam-equivalent/day" excludes, so exactly 3 does not.
      return intake.benzodiazepine_lorazepam_eq_mg_per_day >
             policy.benzodiazepine_max_lorazepam_eq_mg_per_day;
    case Trigger::kPosteriorPharynxProcedure:
      return intake.major_posterior_pharynx_procedure;
  }
  return false;
}

}  // namespace

std::string_view to_string(Severity severity) {
  return severity == Severity::kAbsolute ? "absolute" : "relative";
}
std::string_view to_string(Basis basis) {
  return basis == Basis::kPublished ? "published" : "policy";
}

std::span<const Rule> contraindication_rules() { return kRules; }

std::vector<std::string_view> yes_no_condition_keys() {
  std::vector<std::string_view> keys;
  for (const auto& r : kRules) {
    if (r.trigger == Trigger::kYesAnswer ||
        r.trigger == Trigger::kYesAnswerOrPreInfusionBpAboveLabel) {
      keys.push_back(r.id);
    }
  }
  return keys;
}

bool is_optional_condition_key(std::string_view key) {
  for (std::string_view k :
       {"ketamine_hypersensitivity", "pre_eclampsia_or_eclampsia",
        "previous_cerebrovascular_insult", "untreated_hyperthyroidism", "active_asthma",
        "history_of_ketamine_or_pcp_misuse", "history_of_psychosis_or_mania"}) {
    if (k == key) return true;
  }
  return false;
}

RuleResult evaluate_rules(const Intake& intake, const ScreeningPolicy& policy) {
  RuleResult out;
  const auto setting = static_cast<std::size_t>(setting_of(intake.indication));
  for (const auto& rule : kRules) {
    const Placement& p = rule.placements[setting];
    if (p.kind == PlacementKind::kNotApplicable || !fires(rule, intake, policy)) continue;
    const Severity severity =
        p.kind == PlacementKind::kTrialExclusion ? policy.trial_exclusion_severity : p.severity;
    Finding f{std::string(rule.id), std::string(rule.finding), severity, p.basis,
              std::string(p.source)};
    (severity == Severity::kAbsolute ? out.absolute : out.relative).push_back(std::move(f));
    if (!rule.extra_action.empty()) out.extra_actions.push_back(rule.extra_action);
  }
  return out;
}

}  // namespace kit::screening
