#include "core/safety/vitals.h"

#include <array>
#include <cmath>
#include <utility>

#include "core/common/error.h"

namespace kit::safety {

namespace {

constexpr std::array<std::pair<std::string_view, Vital>, 8> kVitalNames{{
    {"sbp_mmhg", Vital::kSbp},
    {"dbp_mmhg", Vital::kDbp},
    {"hr_bpm", Vital::kHr},
    {"spo2_percent", Vital::kSpo2},
    {"rr_per_min", Vital::kRr},
    {"consciousness", Vital::kConsciousness},
    {"sbp_rise_mmhg", Vital::kSbpRise},
    {"dbp_rise_mmhg", Vital::kDbpRise},
}};

constexpr std::array<std::pair<std::string_view, Comparison>, 4> kComparisonNames{{
    {"above", Comparison::kAbove},
    {"at_or_above", Comparison::kAtOrAbove},
    {"below", Comparison::kBelow},
    {"at_or_below", Comparison::kAtOrBelow},
}};

// Anchors, docs/reference/pharmacology.md §4.1-4.3. Every default threshold is policy.
constexpr const char* kHebertVidt =
    "Policy; anchor: severe hypertension > 180/110 mmHg (Hebert & Vidt, Prim Care 2008 [P])";
constexpr const char* kHebertVidtEmergency =
    "Policy; anchor: hypertensive emergency often > 220/140 mmHg with organ damage (Hebert & Vidt, "
    "Prim Care 2008 [P])";
constexpr const char* kEmDocs = "Policy; anchor: hypertensive urgency DBP > 120 mmHg (emDocs [S])";
constexpr const char* kYaleSbp =
    "Policy; derived: Yale 2024 mean SBP peak rise 16.0 + 2 SD (11.2) = 38.4 mmHg (Gen Hosp "
    "Psychiatry 2024 [P])";
constexpr const char* kYaleDbp =
    "Policy; derived: Yale 2024 mean DBP peak rise 11.0 + 2 SD (8.45) = 27.9 mmHg (Gen Hosp "
    "Psychiatry 2024 [P])";
constexpr const char* kAldreteSpo2 =
    "Policy; anchor: modified Aldrete O2 saturation full score needs SpO2 > 92% on room air "
    "(Kim 2015 Table 2 [P])";
constexpr const char* kAldreteSpo2Zero =
    "Policy; anchor: modified Aldrete O2 saturation 0 points = SpO2 < 90% even with O2 (Kim 2015 "
    "Table 2 [P])";
constexpr const char* kAldreteConsciousness =
    "Policy; anchor: modified Aldrete consciousness 0 points = not responding (Kim 2015 Table 2 "
    "[P])";
constexpr const char* kNoAnchor =
    "Policy; no anchor in the reference (ketamine-specific threshold NOT FOUND): clinic must "
    "review";

}  // namespace

std::string_view to_string(Vital vital) {
  for (const auto& [name, v] : kVitalNames) {
    if (v == vital) return name;
  }
  return "unknown";
}

std::optional<Vital> parse_vital(std::string_view text) {
  for (const auto& [name, v] : kVitalNames) {
    if (name == text) return v;
  }
  return std::nullopt;
}

std::string_view to_string(Comparison comparison) {
  for (const auto& [name, c] : kComparisonNames) {
    if (c == comparison) return name;
  }
  return "unknown";
}

std::optional<Comparison> parse_comparison(std::string_view text) {
  for (const auto& [name, c] : kComparisonNames) {
    if (name == text) return c;
  }
  return std::nullopt;
}

std::optional<Consciousness> parse_consciousness(std::string_view text) {
  if (text == "fully_awake") return Consciousness::kFullyAwake;
  if (text == "arousable_on_calling") return Consciousness::kArousableOnCalling;
  if (text == "not_responding") return Consciousness::kNotResponding;
  return std::nullopt;
}

bool VitalThreshold::crossed_by(double value) const {
  switch (comparison) {
    case Comparison::kAbove:
      return value > limit;
    case Comparison::kAtOrAbove:
      return value >= limit;
    case Comparison::kBelow:
      return value < limit;
    case Comparison::kAtOrBelow:
      return value <= limit;
  }
  return false;
}

VitalsPolicy default_vitals_policy() {
  using enum Vital;
  using enum Comparison;
  using enum Action;
  return VitalsPolicy{{
                          {kSbpRise, kAbove, 38.4, kSlow, kYaleSbp},
                          {kDbpRise, kAbove, 27.9, kSlow, kYaleDbp},
                          {kSbp, kAbove, 180, kPause, kHebertVidt},
                          {kDbp, kAbove, 110, kPause, kHebertVidt},
                          {kDbp, kAbove, 120, kStop, kEmDocs},
                          {kSbp, kAbove, 220, kCallPhysician, kHebertVidtEmergency},
                          {kDbp, kAbove, 140, kCallPhysician, kHebertVidtEmergency},
                          {kSbp, kBelow, 90, kPause, kNoAnchor},
                          {kHr, kAbove, 120, kPause, kNoAnchor},
                          {kHr, kAbove, 150, kCallPhysician, kNoAnchor},
                          {kHr, kBelow, 50, kPause, kNoAnchor},
                          {kHr, kBelow, 40, kCallPhysician, kNoAnchor},
                          {kSpo2, kAtOrBelow, 92, kPause, kAldreteSpo2},
                          {kSpo2, kBelow, 90, kCallPhysician, kAldreteSpo2Zero},
                          {kRr, kBelow, 10, kPause, kNoAnchor},
                          {kRr, kBelow, 8, kCallPhysician, kNoAnchor},
                          {kRr, kAbove, 30, kPause, kNoAnchor},
                          {kConsciousness, kBelow, 1, kCallPhysician, kAldreteConsciousness},
                      },
                      false};
}

namespace {
void require_range(const std::optional<double>& v, double lo, double hi, const char* field) {
  if (v && !(*v >= lo && *v <= hi)) {
    throw InputError(field, "must be between " + std::to_string(static_cast<int>(lo)) + " and " +
                                std::to_string(static_cast<int>(hi)));
  }
}
}  // namespace

void validate(const VitalSigns& v) {
  // Plausibility bounds (typing errors, unit mix-ups), not clinical thresholds.
  require_range(v.sbp_mmhg, 20, 300, "sbp_mmhg");
  require_range(v.dbp_mmhg, 10, 200, "dbp_mmhg");
  require_range(v.hr_bpm, 0, 300, "hr_bpm");
  require_range(v.spo2_percent, 0, 100, "spo2_percent");
  require_range(v.rr_per_min, 0, 80, "rr_per_min");
  require_range(v.baseline_sbp_mmhg, 20, 300, "baseline.sbp_mmhg");
  require_range(v.baseline_dbp_mmhg, 10, 200, "baseline.dbp_mmhg");
  if (v.sbp_mmhg && v.dbp_mmhg && *v.dbp_mmhg >= *v.sbp_mmhg) {
    throw InputError("dbp_mmhg", "must be lower than sbp_mmhg");
  }
  if (v.baseline_sbp_mmhg && v.baseline_dbp_mmhg && *v.baseline_dbp_mmhg >= *v.baseline_sbp_mmhg) {
    throw InputError("baseline.dbp_mmhg", "must be lower than baseline.sbp_mmhg");
  }
  if (!v.sbp_mmhg && !v.dbp_mmhg && !v.hr_bpm && !v.spo2_percent && !v.rr_per_min &&
      !v.consciousness) {
    throw InputError("input",
                     "at least one reading is required (sbp_mmhg, dbp_mmhg, hr_bpm, "
                     "spo2_percent, rr_per_min or consciousness)");
  }
}

namespace {
// 148.4 - 110 is 38.400000000000006 in binary floating point; a rise is rounded to 1e-6 mmHg so
// that a reading exactly at a limit is judged as exactly at it.
double rise(double value, double baseline) { return std::round((value - baseline) * 1e6) / 1e6; }

std::optional<double> reading(const VitalSigns& v, Vital vital) {
  switch (vital) {
    case Vital::kSbp:
      return v.sbp_mmhg;
    case Vital::kDbp:
      return v.dbp_mmhg;
    case Vital::kHr:
      return v.hr_bpm;
    case Vital::kSpo2:
      return v.spo2_percent;
    case Vital::kRr:
      return v.rr_per_min;
    case Vital::kConsciousness:
      if (!v.consciousness) return std::nullopt;
      return static_cast<double>(*v.consciousness);
    case Vital::kSbpRise:
      if (!v.sbp_mmhg || !v.baseline_sbp_mmhg) return std::nullopt;
      return rise(*v.sbp_mmhg, *v.baseline_sbp_mmhg);
    case Vital::kDbpRise:
      if (!v.dbp_mmhg || !v.baseline_dbp_mmhg) return std::nullopt;
      return rise(*v.dbp_mmhg, *v.baseline_dbp_mmhg);
  }
  return std::nullopt;
}
}  // namespace

VitalsAssessment assess_vitals(const VitalSigns& vitals, const VitalsPolicy& policy) {
  validate(vitals);
  VitalsAssessment out;
  for (const auto& t : policy.thresholds) {
    const std::optional<double> value = reading(vitals, t.vital);
    if (!value || !t.crossed_by(*value)) continue;
    out.action = worst(out.action, t.action);
    out.reasons.push_back({*value, t});
  }
  return out;
}

}  // namespace kit::safety
