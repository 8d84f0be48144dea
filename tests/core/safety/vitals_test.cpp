// Executable specification of the intra-infusion thresholds. Every default is policy
// (ketamine-specific thresholds NOT FOUND, pharmacology.md 4.2); each row names its anchor.
#include "core/safety/vitals.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "core/common/error.h"

namespace kit::safety {
namespace {

struct Row {
  std::function<void(VitalSigns&)> reading;
  Action expected;
  const char* anchor;
};

VitalSigns normal() {
  VitalSigns v;
  v.sbp_mmhg = 130;
  v.dbp_mmhg = 80;
  v.hr_bpm = 80;
  v.spo2_percent = 98;
  v.rr_per_min = 14;
  v.consciousness = Consciousness::kFullyAwake;
  return v;
}

const Row kRows[] = {
    {[](VitalSigns&) {}, Action::kContinue, "normal reading"},
    // SBP: Hebert & Vidt severe > 180 -> pause; emergency range > 220 -> call physician.
    {[](VitalSigns& v) { v.sbp_mmhg = 180; }, Action::kContinue, "H&V: 180 is not > 180"},
    {[](VitalSigns& v) { v.sbp_mmhg = 181; }, Action::kPause, "H&V severe HTN SBP > 180"},
    {[](VitalSigns& v) { v.sbp_mmhg = 220; }, Action::kPause, "H&V: 220 is not > 220"},
    {[](VitalSigns& v) { v.sbp_mmhg = 221; }, Action::kCallPhysician, "H&V emergency > 220"},
    {[](VitalSigns& v) { v.sbp_mmhg = 90; }, Action::kContinue, "no anchor: 90 is not < 90"},
    {[](VitalSigns& v) {
       v.sbp_mmhg = 89;
       v.dbp_mmhg = 50;
     },
     Action::kPause, "no anchor: hypotension SBP < 90"},
    // DBP: H&V > 110 pause; emDocs > 120 stop; H&V > 140 call physician.
    {[](VitalSigns& v) { v.dbp_mmhg = 110; }, Action::kContinue, "H&V: 110 is not > 110"},
    {[](VitalSigns& v) { v.dbp_mmhg = 111; }, Action::kPause, "H&V severe HTN DBP > 110"},
    {[](VitalSigns& v) { v.dbp_mmhg = 120; }, Action::kPause, "emDocs: 120 is not > 120"},
    {[](VitalSigns& v) { v.dbp_mmhg = 121; }, Action::kStop, "emDocs urgency DBP > 120"},
    {[](VitalSigns& v) {
       v.sbp_mmhg = 180;
       v.dbp_mmhg = 140;
     },
     Action::kStop, "H&V: 140 is not > 140"},
    {[](VitalSigns& v) {
       v.sbp_mmhg = 200;
       v.dbp_mmhg = 141;
     },
     Action::kCallPhysician, "H&V emergency DBP > 140"},
    // Rise from baseline: Yale 2024 mean + 2 SD (derived).
    {[](VitalSigns& v) {
       v.baseline_sbp_mmhg = 110;
       v.sbp_mmhg = 148.4;
     },
     Action::kContinue, "Yale derived: rise 38.4 is not > 38.4"},
    {[](VitalSigns& v) {
       v.baseline_sbp_mmhg = 110;
       v.sbp_mmhg = 149;
     },
     Action::kSlow, "Yale derived: SBP rise > 38.4"},
    {[](VitalSigns& v) {
       v.baseline_dbp_mmhg = 60;
       v.dbp_mmhg = 88;
     },
     Action::kSlow, "Yale derived: DBP rise 28 > 27.9"},
    {[](VitalSigns& v) { v.dbp_mmhg = 108; }, Action::kContinue,
     "no baseline: rise rules cannot fire"},
    // HR: no anchor.
    {[](VitalSigns& v) { v.hr_bpm = 120; }, Action::kContinue, "no anchor: 120 is not > 120"},
    {[](VitalSigns& v) { v.hr_bpm = 121; }, Action::kPause, "no anchor: HR > 120"},
    {[](VitalSigns& v) { v.hr_bpm = 151; }, Action::kCallPhysician, "no anchor: HR > 150"},
    {[](VitalSigns& v) { v.hr_bpm = 50; }, Action::kContinue, "no anchor: 50 is not < 50"},
    {[](VitalSigns& v) { v.hr_bpm = 49; }, Action::kPause, "no anchor: HR < 50"},
    {[](VitalSigns& v) { v.hr_bpm = 39; }, Action::kCallPhysician, "no anchor: HR < 40"},
    // SpO2: Aldrete full score needs > 92% on room air; 0 points below 90%.
    {[](VitalSigns& v) { v.spo2_percent = 93; }, Action::kContinue, "Aldrete: 93 > 92"},
    {[](VitalSigns& v) { v.spo2_percent = 92; }, Action::kPause, "Aldrete: 92 is not > 92"},
    {[](VitalSigns& v) { v.spo2_percent = 90; }, Action::kPause, "Aldrete: 90 is not < 90"},
    {[](VitalSigns& v) { v.spo2_percent = 89; }, Action::kCallPhysician, "Aldrete 0: < 90%"},
    // RR: no anchor.
    {[](VitalSigns& v) { v.rr_per_min = 10; }, Action::kContinue, "no anchor: 10 is not < 10"},
    {[](VitalSigns& v) { v.rr_per_min = 9; }, Action::kPause, "no anchor: RR < 10"},
    {[](VitalSigns& v) { v.rr_per_min = 7; }, Action::kCallPhysician, "no anchor: RR < 8"},
    {[](VitalSigns& v) { v.rr_per_min = 0; }, Action::kCallPhysician, "apnoea"},
    {[](VitalSigns& v) { v.rr_per_min = 31; }, Action::kPause, "no anchor: RR > 30"},
    // Consciousness: Aldrete 0 points = not responding.
    {[](VitalSigns& v) { v.consciousness = Consciousness::kArousableOnCalling; }, Action::kContinue,
     "Aldrete 1: arousable on calling"},
    {[](VitalSigns& v) { v.consciousness = Consciousness::kNotResponding; }, Action::kCallPhysician,
     "Aldrete 0: not responding"},
    // The worst action wins.
    {[](VitalSigns& v) {
       v.sbp_mmhg = 185;
       v.spo2_percent = 85;
     },
     Action::kCallPhysician, "pause (SBP) and call physician (SpO2): worst wins"},
};

TEST(VitalThresholds, EveryDefaultThresholdAtAndPastItsLimit) {
  for (const auto& row : kRows) {
    SCOPED_TRACE(row.anchor);
    VitalSigns v = normal();
    row.reading(v);
    const VitalsAssessment a = assess_vitals(v);
    EXPECT_EQ(to_string(a.action), to_string(row.expected));
    for (const auto& r : a.reasons) EXPECT_FALSE(r.threshold.anchor.empty());
  }
}

TEST(VitalThresholds, EveryDefaultIsLabelledPolicy) {
  for (const auto& t : default_vitals_policy().thresholds) {
    EXPECT_EQ(t.anchor.rfind("Policy", 0), 0u) << to_string(t.vital) << " " << t.limit;
  }
}

TEST(VitalThresholds, ReasonsListEveryCrossedThreshold) {
  VitalSigns v = normal();
  v.dbp_mmhg = 125;  // > 110 pause and > 120 stop
  const VitalsAssessment a = assess_vitals(v);
  EXPECT_EQ(a.action, Action::kStop);
  ASSERT_EQ(a.reasons.size(), 2u);
  EXPECT_EQ(a.reasons[0].value, 125);
}

TEST(VitalThresholds, ClinicPolicyReplacesDefaults) {
  VitalsPolicy p{{{Vital::kSbp, Comparison::kAtOrAbove, 160, Action::kSlow, "Policy; clinic"}},
                 true};
  VitalSigns v = normal();
  v.sbp_mmhg = 160;
  EXPECT_EQ(assess_vitals(v, p).action, Action::kSlow);
  v.spo2_percent = 80;  // no SpO2 rule in this clinic policy
  EXPECT_EQ(assess_vitals(v, p).action, Action::kSlow);
}

TEST(VitalThresholds, ActionsAreOrderedBySeverity) {
  EXPECT_EQ(worst(Action::kContinue, Action::kSlow), Action::kSlow);
  EXPECT_EQ(worst(Action::kPause, Action::kSlow), Action::kPause);
  EXPECT_EQ(worst(Action::kStop, Action::kPause), Action::kStop);
  EXPECT_EQ(worst(Action::kStop, Action::kCallPhysician), Action::kCallPhysician);
  for (auto name : {"continue", "slow", "pause", "stop", "call_physician"}) {
    EXPECT_EQ(to_string(*parse_action(name)), name);
  }
}

TEST(VitalValidation, ImplausibleReadingsNameTheField) {
  struct Bad {
    std::function<void(VitalSigns&)> change;
    const char* field;
  };
  const Bad rows[] = {
      {[](VitalSigns& v) { v.sbp_mmhg = 400; }, "sbp_mmhg"},
      {[](VitalSigns& v) { v.dbp_mmhg = 5; }, "dbp_mmhg"},
      {[](VitalSigns& v) { v.dbp_mmhg = 140; }, "dbp_mmhg"},  // not below SBP 130
      {[](VitalSigns& v) { v.hr_bpm = -1; }, "hr_bpm"},
      {[](VitalSigns& v) { v.spo2_percent = 101; }, "spo2_percent"},
      {[](VitalSigns& v) { v.rr_per_min = 99; }, "rr_per_min"},
      {[](VitalSigns& v) { v.baseline_sbp_mmhg = 10; }, "baseline.sbp_mmhg"},
      {[](VitalSigns& v) { v = VitalSigns{}; }, "input"},
  };
  for (const auto& row : rows) {
    VitalSigns v = normal();
    row.change(v);
    try {
      assess_vitals(v);
      ADD_FAILURE() << "accepted; expected refusal of " << row.field;
    } catch (const InputError& e) {
      EXPECT_EQ(e.field(), row.field);
    }
  }
}

}  // namespace
}  // namespace kit::safety
