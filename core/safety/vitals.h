#pragma once
// Intra-infusion vital-sign thresholds as a clinic-configurable policy. Ketamine-specific stop or
// hold thresholds are NOT FOUND in the reference (docs/reference/pharmacology.md §4.2), so every
// default threshold is policy, labelled with the anchor it was chosen from (or "no anchor").
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/safety/action.h"

namespace kit::safety {

enum class Vital {
  kSbp,            // systolic BP, mmHg
  kDbp,            // diastolic BP, mmHg
  kHr,             // heart rate, beats/min
  kSpo2,           // SpO2, %
  kRr,             // respiratory rate, breaths/min
  kConsciousness,  // Aldrete consciousness points: 2 fully awake, 1 arousable, 0 not responding
  kSbpRise,        // SBP minus pre-infusion baseline, mmHg (needs a baseline)
  kDbpRise,        // DBP minus pre-infusion baseline, mmHg (needs a baseline)
};
std::string_view to_string(Vital vital);  // the JSON key: "sbp_mmhg", "sbp_rise_mmhg", ...
std::optional<Vital> parse_vital(std::string_view text);

enum class Comparison { kAbove, kAtOrAbove, kBelow, kAtOrBelow };
std::string_view to_string(Comparison comparison);  // "above", "at_or_above", ...
std::optional<Comparison> parse_comparison(std::string_view text);

struct VitalThreshold {
  Vital vital;
  Comparison comparison;
  double limit;
  Action action;
  std::string anchor;  // where the number comes from; always policy
  bool crossed_by(double value) const;
};

struct VitalsPolicy {
  std::vector<VitalThreshold> thresholds;
  bool clinic_supplied = false;  // false: the built-in defaults below
};
VitalsPolicy default_vitals_policy();

enum class Consciousness { kNotResponding = 0, kArousableOnCalling = 1, kFullyAwake = 2 };
std::optional<Consciousness> parse_consciousness(std::string_view text);

struct VitalSigns {
  std::optional<double> sbp_mmhg;
  std::optional<double> dbp_mmhg;
  std::optional<double> hr_bpm;
  std::optional<double> spo2_percent;
  std::optional<double> rr_per_min;
  std::optional<Consciousness> consciousness;
  std::optional<double> baseline_sbp_mmhg;
  std::optional<double> baseline_dbp_mmhg;
};

struct TriggeredThreshold {
  double value;
  VitalThreshold threshold;
};

struct VitalsAssessment {
  Action action = Action::kContinue;  // worst over every crossed threshold
  std::vector<TriggeredThreshold> reasons;
};

// Refuses implausible readings with kit::InputError naming the JSON field.
void validate(const VitalSigns& vitals);
// Every reading is checked against every threshold for it; the worst action wins.
VitalsAssessment assess_vitals(const VitalSigns& vitals,
                               const VitalsPolicy& policy = default_vitals_policy());

}  // namespace kit::safety
