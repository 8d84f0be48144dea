#pragma once
// Discharge beyond the Aldrete score: the minimum observation time after the last dose of the
// setting, the home-readiness checklist (PADSS-style), the paediatric ketamine checklist, and the
// agreement between the Aldrete items and the checklists (docs/reference/pharmacology.md §3.6,
// §4.3, §10, §13). Rules and sources: docs/clinical-rules/screening-safety.md §3.
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/safety/aldrete.h"

namespace kit::safety {

enum class DischargeSetting { kPsychiatricInfusion, kChronicPainInfusion, kEdSedation };
enum class LastDoseRoute { kIv, kIm };

std::optional<DischargeSetting> parse_discharge_setting(std::string_view text);
std::string_view to_string(DischargeSetting setting);
std::optional<LastDoseRoute> parse_last_dose_route(std::string_view text);
std::string_view to_string(LastDoseRoute route);

// The setting's minimum minutes from the last dose (the end of an infusion) to discharge.
struct ObservationMinimum {
  double minutes = 0;
  std::string_view basis;  // "published" or "policy"
  std::string_view source;
};
ObservationMinimum observation_minimum(DischargeSetting setting, LastDoseRoute route);

struct ObservationAssessment {
  double minutes_since_last_dose = 0;
  double minimum_minutes = 0;
  std::string_view basis;  // "published", "policy" or "policy override"
  std::string_view source;
  bool met = false;
};
// Refuses a negative or non-finite minutes_since_last_dose (field "minutes_since_last_dose") and a
// negative clinic minimum ("policy.minimum_observation_minutes").
ObservationAssessment assess_observation(DischargeSetting setting, LastDoseRoute route,
                                         double minutes_since_last_dose,
                                         std::optional<double> clinic_minimum_minutes);

// A yes/no checklist item with the authority for it.
struct ChecklistItem {
  std::string_view id;  // JSON key
  std::string_view text;
  std::string_view basis;  // "published" or "policy"
  std::string_view source;
};
// Home readiness after an infusion (PADSS-style; item-level PADSS criteria are not in the
// reference, §10: the items RCEM names are used, the rest is clinic policy).
std::span<const ChecklistItem> home_readiness_items();
// Children after ketamine sedation (RCEM, §13 and §4.3): no "tolerating fluids".
std::span<const ChecklistItem> paediatric_ketamine_items();

struct ChecklistAssessment {
  bool ready = false;
  std::vector<std::string_view> met;
  std::vector<std::string_view> unmet;
};
// `hours_since_reversal_agent` (nullopt: none given) adds RCEM's "2 h after any reversal agent";
// refused when negative (field "<field_prefix>.hours_since_reversal_agent").
ChecklistAssessment assess_checklist(std::span<const ChecklistItem> items,
                                     const std::set<std::string, std::less<>>& met,
                                     std::optional<double> hours_since_reversal_agent,
                                     std::string_view field_prefix);

// A checklist answer that contradicts an Aldrete item (docs/reference/pharmacology.md §4.3 item
// definitions): e.g. "alert and orientated" with consciousness below "fully awake".
struct Disagreement {
  std::string id;
  std::string text;
};
// The yes answers of each checklist given (nullopt: that checklist was not given).
std::vector<Disagreement> disagreements(
    const AldreteItems& aldrete, const std::optional<std::set<std::string, std::less<>>>& rcem,
    const std::optional<std::set<std::string, std::less<>>>& paediatric,
    const std::optional<std::set<std::string, std::less<>>>& home);

}  // namespace kit::safety
