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

constexpr std::array<ActionInfo, 15> kActions{{
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
     "Policy; anchor: severe hypertension > 180/110 mmHg (Hebert & Vidt, Prim Care 2008 [P]); "
     "ketamine-specific threshold NOT FOUND"},
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
