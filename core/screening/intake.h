#pragma once
// Intake answers for a ketamine screening, as plain data. The JSON schema that fills this struct
// is docs/screening-schema.md; the rules that read it are in rules.h.
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace kit::screening {

// Contraindications differ by setting, so the indication is part of every screen.
enum class Indication { kDepression, kPtsd, kOcd, kChronicPain, kEdSedation };
// The three settings the reference has sources for: psychiatric infusion clinics (Sanacora 2017,
// trial exclusion lists), chronic pain (Cohen 2018) and ED procedural sedation (ACEP 2011).
enum class Setting { kPsychiatric, kChronicPain, kEdSedation };
inline constexpr int kSettingCount = 3;

Setting setting_of(Indication indication);
std::optional<Indication> parse_indication(std::string_view text);
std::string_view to_string(Indication indication);
std::string_view to_string(Setting setting);
// "depression, ptsd, ocd, chronic_pain, ed_sedation", for error messages and docs.
std::string indication_names();

enum class HepaticImpairment { kNone, kMild, kModerate, kSevere };
std::optional<HepaticImpairment> parse_hepatic_impairment(std::string_view text);

// Planned treatment frequency (Sanacora 2017: reconsider beyond 2 per week for over 2 months).
struct PlannedSchedule {
  double infusions_per_week = 0;
  double months_at_this_frequency = 0;
};

struct Intake {
  Indication indication = Indication::kDepression;
  double age_years = 0;
  // Keys of the yes/no conditions answered "yes" (the keys are the ids of the yes/no rules).
  std::set<std::string, std::less<>> conditions_present;
  HepaticImpairment hepatic_impairment = HepaticImpairment::kNone;
  double benzodiazepine_lorazepam_eq_mg_per_day = 0;
  // ED sedation only: the planned procedure is a major posterior-pharynx procedure (endoscopy).
  bool major_posterior_pharynx_procedure = false;
  std::optional<PlannedSchedule> planned_schedule;
  // Set by screen(): the day-of blood pressure is above the product-information limit 180/100
  // (docs/reference/pharmacology.md §10), the same finding as uncontrolled hypertension.
  bool pre_infusion_bp_above_label_limit = false;
};

// The patient record's facts, when the screening is for a registered patient (the server fills
// them from the record). The answers must agree with them: kit::RuleRefused naming `age_years` or
// `indication` otherwise.
struct RecordFacts {
  std::optional<double> age_years;        // whole years from the date of birth, clinic-local today
  std::optional<std::string> indication;  // the record's indication, e.g. "depression", "other"
};

}  // namespace kit::screening
