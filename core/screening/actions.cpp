#include "core/screening/actions.h"

#include <array>

namespace kit::screening {

namespace {

// Sanacora 2017 APA consensus, as summarised by lopezpsychiatry.com
// (docs/reference/pharmacology.md §3.7) [S].
constexpr std::string_view kSanacora =
    "Sanacora et al. 2017 APA consensus (JAMA Psychiatry 74:399), secondary summary [S]";
constexpr std::string_view kCohen =
    "Cohen 2018 ASRA/AAPM/ASA consensus (Reg Anesth Pain Med 43:521), secondary summary [S]";

constexpr std::array<ActionInfo, 17> kActions{{
    {"do_not_infuse", "Absolute contraindication present: do not infuse", Basis::kPolicy,
     "Follows from the absolute findings listed (each with its own source)"},
    {"physician_review_relative_contraindications",
     "Relative contraindication present: a physician reviews and documents the decision before "
     "any infusion",
     Basis::kPolicy, "Policy: how relative contraindications are handled is a clinic decision"},
    {"psychiatric_evaluation", "Psychiatric evaluation before starting", Basis::kPublished,
     kSanacora},
    {"urine_toxicology_if_indicated", "Baseline urine toxicology when clinically indicated",
     Basis::kPublished, kSanacora},
    {"baseline_blood_pressure", "Record baseline blood pressure", Basis::kPublished, kSanacora},
    {"continuous_monitoring",
     "Continuous respiratory, cardiovascular and mental-status assessment during the infusion",
     Basis::kPublished, kSanacora},
    {"acls_certified_clinician", "Administering clinician ACLS-certified", Basis::kPublished,
     kSanacora},
    {"reconsider_frequency",
     "Planned frequency above 2 per week for more than 2 months: reconsider the schedule",
     Basis::kPublished, kSanacora},
    {"no_serial_infusions", "Active substance abuse: no serial infusions", Basis::kPublished,
     kCohen},
    {"hepatic_monitoring", "Moderate hepatic impairment: judicious use with monitoring",
     Basis::kPublished, kCohen},
    {"avoid_or_low_dose_with_extreme_caution",
     "Elevated intracranial or intraocular pressure: avoid, or low dose with extreme caution "
     "(grade C)",
     Basis::kPublished, kCohen},
    {"defer_infusion_blood_pressure",
     "Pre-infusion blood pressure above the clinic limit: defer the infusion and recheck",
     Basis::kPolicy,
     "Default limit 180/100 mmHg at rest from the ketamine product information (Swiss, oddb.org "
     "reg. 67199) [P] (docs/reference/pharmacology.md §10); a stricter clinic limit is policy"},
    {"defer_infusion_heart_rate",
     "Pre-infusion heart rate outside the clinic range: defer the infusion and recheck",
     Basis::kPolicy,
     "Policy: the intra-infusion pause thresholds HR > 120 / < 50 bpm "
     "(docs/clinical-rules/screening-safety.md §2); no published anchor in the reference"},
    {"defer_infusion_spo2", "Pre-infusion SpO2 not above the clinic limit: defer and assess",
     Basis::kPolicy,
     "Policy; anchor: modified Aldrete O2 item 2, SpO2 > 92% on room air (Kim 2015 Table 2 [P], "
     "docs/reference/pharmacology.md §4.3)"},
    {"defer_infusion_not_fasted", "Not fasted as instructed: defer the infusion", Basis::kPolicy,
     "Policy; fasting interval for subanaesthetic ketamine NOT FOUND in the reference"},
    {"arrange_escort_home", "No escort home confirmed: arrange one before starting", Basis::kPolicy,
     "Policy; anchor: RCEM ED sedation discharge 'appropriate care at home' [P]"},
    {"physician_review_not_documented",
     "Relative contraindication present and the physician review is not documented: do not start",
     Basis::kPolicy, "Policy: relative contraindications need a documented physician review"},
}};

}  // namespace

std::span<const ActionInfo> action_catalogue() { return kActions; }

const ActionInfo* find_action(std::string_view code) {
  for (const auto& a : kActions) {
    if (a.code == code) return &a;
  }
  return nullptr;
}

}  // namespace kit::screening
