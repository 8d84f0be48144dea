#include "core/safety/discharge.h"

#include <array>
#include <cmath>

#include "core/common/error.h"
#include "core/safety/rcem.h"

namespace kit::safety {

namespace {

constexpr std::string_view kPublished = "published";
constexpr std::string_view kPolicy = "policy";

// ACEP 2011 (Green et al., Ann Emerg Med 57:449) time course, docs/reference/pharmacology.md §3.6
// [S], repeated in §10 and §13: dose-to-discharge 50-110 min IV, 60-140 min IM. The lower bound is
// taken as the minimum.
constexpr double kAcepIvMinutes = 50;
constexpr double kAcepImMinutes = 60;
constexpr std::string_view kAcepIvSource =
    "ACEP 2011 ketamine ED sedation: dose-to-discharge 50-110 min IV; the lower bound is the "
    "minimum (docs/reference/pharmacology.md §3.6, §13) [S]";
constexpr std::string_view kAcepImSource =
    "ACEP 2011 ketamine ED sedation: dose-to-discharge 60-140 min IM; the lower bound is the "
    "minimum (docs/reference/pharmacology.md §3.6, §13) [S]";
// Infusions: no published observation time after a subanaesthetic infusion in the reference.
// Policy 30 min after the end of the infusion; anchor RCEM: "no primary adverse event occurred
// after 25 minutes from the last intravenous medication" (§4.3 [P], §13 [S]), rounded up to the
// clinic's default discharge observation (clinics.observation_minutes, default 30).
constexpr double kInfusionPolicyMinutes = 30;
constexpr std::string_view kInfusionSource =
    "Policy: 30 min after the end of the infusion; anchor RCEM, no primary adverse event later "
    "than 25 min after the last IV medication (docs/reference/pharmacology.md §4.3, §13)";

constexpr std::string_view kRcemP =
    "RCEM ED sedation discharge criteria [P] (docs/reference/pharmacology.md §4.3)";
constexpr std::string_view kRcemKetamineChildren =
    "RCEM ketamine sedation guidance, children [S] (docs/reference/pharmacology.md §13)";
constexpr std::string_view kPadssPolicy =
    "Policy: home-readiness item (PADSS, Ead 2006 review [S], docs/reference/pharmacology.md "
    "§10; item-level PADSS criteria not in the reference)";

constexpr std::array<ChecklistItem, 6> kHomeReadiness{{
    {"vitals_at_baseline", "Vital signs back to baseline", kPublished, kRcemP},
    {"ambulating_at_pre_sedation_level", "Walks at the pre-sedation level", kPolicy,
     "Policy for adults; anchor RCEM ketamine guidance, children 'ambulate ... at pre-sedation "
     "levels' [S] (docs/reference/pharmacology.md §13)"},
    {"minimal_nausea", "Minimal nausea", kPublished, kRcemP},
    {"adequate_analgesia", "Adequate analgesia", kPublished, kRcemP},
    {"escort_home_confirmed", "A responsible adult takes the patient home", kPublished,
     "RCEM 'appropriate care at home' [P] (docs/reference/pharmacology.md §4.3)"},
    {"written_instructions_given", "Written discharge instructions given and understood", kPolicy,
     kPadssPolicy},
}};

constexpr std::array<ChecklistItem, 8> kPaediatric{{
    {"vitals_at_baseline", "Vital signs back to baseline", kPublished, kRcemP},
    {"no_supplemental_oxygen", "No extra oxygen needed", kPublished, kRcemP},
    {"adequate_analgesia", "Adequate analgesia", kPublished, kRcemP},
    {"minimal_nausea", "Minimal nausea", kPublished, kRcemP},
    {"appropriate_care_at_home", "Appropriate care at home", kPublished, kRcemP},
    {"ambulates_at_pre_sedation_level", "Walks (or moves) at the pre-sedation level", kPublished,
     kRcemKetamineChildren},
    {"vocalises_at_pre_sedation_level", "Vocalises or converses at the pre-sedation level",
     kPublished, kRcemKetamineChildren},
    {"carer_advised_nothing_by_mouth_2_h",
     "Carer told: nothing to eat or drink for two hours after discharge", kPublished,
     kRcemKetamineChildren},
}};

bool has(const std::optional<std::set<std::string, std::less<>>>& answers, std::string_view id) {
  return answers && answers->contains(id);
}

}  // namespace

std::optional<DischargeSetting> parse_discharge_setting(std::string_view text) {
  if (text == "psychiatric_infusion") return DischargeSetting::kPsychiatricInfusion;
  if (text == "chronic_pain_infusion") return DischargeSetting::kChronicPainInfusion;
  if (text == "ed_sedation") return DischargeSetting::kEdSedation;
  return std::nullopt;
}

std::string_view to_string(DischargeSetting setting) {
  switch (setting) {
    case DischargeSetting::kPsychiatricInfusion:
      return "psychiatric_infusion";
    case DischargeSetting::kChronicPainInfusion:
      return "chronic_pain_infusion";
    case DischargeSetting::kEdSedation:
      return "ed_sedation";
  }
  return "unknown";
}

std::optional<LastDoseRoute> parse_last_dose_route(std::string_view text) {
  if (text == "iv") return LastDoseRoute::kIv;
  if (text == "im") return LastDoseRoute::kIm;
  return std::nullopt;
}

std::string_view to_string(LastDoseRoute route) {
  return route == LastDoseRoute::kIm ? "im" : "iv";
}

ObservationMinimum observation_minimum(DischargeSetting setting, LastDoseRoute route) {
  if (setting == DischargeSetting::kEdSedation) {
    return route == LastDoseRoute::kIm
               ? ObservationMinimum{kAcepImMinutes, kPublished, kAcepImSource}
               : ObservationMinimum{kAcepIvMinutes, kPublished, kAcepIvSource};
  }
  return {kInfusionPolicyMinutes, kPolicy, kInfusionSource};
}

ObservationAssessment assess_observation(DischargeSetting setting, LastDoseRoute route,
                                         double minutes, std::optional<double> clinic_minimum) {
  if (!std::isfinite(minutes) || minutes < 0) {
    throw InputError("minutes_since_last_dose", "must be a number of minutes, 0 or more");
  }
  if (clinic_minimum && (!std::isfinite(*clinic_minimum) || *clinic_minimum < 0)) {
    throw InputError("policy.minimum_observation_minutes", "must be 0 or more");
  }
  const ObservationMinimum m = observation_minimum(setting, route);
  ObservationAssessment a;
  a.minutes_since_last_dose = minutes;
  a.minimum_minutes = clinic_minimum.value_or(m.minutes);
  a.basis = clinic_minimum ? std::string_view("policy override") : m.basis;
  a.source = clinic_minimum ? std::string_view("Clinic policy (policy.minimum_observation_minutes)")
                            : m.source;
  a.met = minutes >= a.minimum_minutes;
  return a;
}

std::span<const ChecklistItem> home_readiness_items() { return kHomeReadiness; }
std::span<const ChecklistItem> paediatric_ketamine_items() { return kPaediatric; }

ChecklistAssessment assess_checklist(std::span<const ChecklistItem> items,
                                     const std::set<std::string, std::less<>>& met,
                                     std::optional<double> hours_since_reversal_agent,
                                     std::string_view field_prefix) {
  ChecklistAssessment a;
  for (const auto& item : items) (met.contains(item.id) ? a.met : a.unmet).push_back(item.id);
  if (hours_since_reversal_agent) {
    if (!(*hours_since_reversal_agent >= 0)) {
      throw InputError(std::string(field_prefix) + ".hours_since_reversal_agent",
                       "must be 0 or more");
    }
    (*hours_since_reversal_agent >= kRcemHoursAfterReversalAgent ? a.met : a.unmet)
        .push_back("two_hours_after_reversal_agent");
  }
  a.ready = a.unmet.empty();
  return a;
}

std::vector<Disagreement> disagreements(
    const AldreteItems& aldrete, const std::optional<std::set<std::string, std::less<>>>& rcem,
    const std::optional<std::set<std::string, std::less<>>>& paediatric,
    const std::optional<std::set<std::string, std::less<>>>& home) {
  // Aldrete items, docs/reference/pharmacology.md §4.3: consciousness 2 = fully awake; circulation
  // 2 = BP within 20 of the pre-anaesthetic level; O2 2 = SpO2 > 92 % on room air. (Activity is not
  // compared with walking "at the pre-sedation level": a patient may move at baseline with fewer
  // than 4 extremities.)
  std::vector<Disagreement> out;
  if (aldrete.consciousness != 2 && has(rcem, "alert_and_orientated")) {
    out.push_back({"alert_and_orientated_vs_consciousness",
                   "rcem.alert_and_orientated is yes but Aldrete consciousness is not 2 (fully "
                   "awake)"});
  }
  if (aldrete.consciousness != 2 && has(paediatric, "vocalises_at_pre_sedation_level")) {
    out.push_back({"vocalises_vs_consciousness",
                   "paediatric_ketamine.vocalises_at_pre_sedation_level is yes but Aldrete "
                   "consciousness is not 2 (fully awake)"});
  }
  if (aldrete.circulation != 2 &&
      (has(rcem, "vitals_at_baseline") || has(paediatric, "vitals_at_baseline") ||
       has(home, "vitals_at_baseline"))) {
    out.push_back({"vitals_at_baseline_vs_circulation",
                   "vitals_at_baseline is yes but Aldrete circulation is not 2 (BP within 20 "
                   "of the pre-sedation level)"});
  }
  if (aldrete.o2_saturation != 2 &&
      (has(rcem, "no_supplemental_oxygen") || has(paediatric, "no_supplemental_oxygen"))) {
    out.push_back({"no_supplemental_oxygen_vs_o2_saturation",
                   "no_supplemental_oxygen is yes but Aldrete O2 saturation is not 2 (SpO2 > 92 "
                   "% on room air)"});
  }
  return out;
}

}  // namespace kit::safety
