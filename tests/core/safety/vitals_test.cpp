// Properties of the intra-infusion thresholds. Every default is policy (ketamine-specific
// thresholds NOT FOUND, docs/reference/pharmacology.md §4.2). Each default threshold at and past
// its limit, with its anchor, clinic thresholds and implausible readings are clinical cases in
// tests/cases/vitals.cases.
#include "core/safety/vitals.h"

#include <gtest/gtest.h>

namespace kit::safety {
namespace {

TEST(VitalThresholds, EveryDefaultIsLabelledPolicy) {
  for (const auto& t : default_vitals_policy().thresholds) {
    EXPECT_EQ(t.anchor.rfind("Policy", 0), 0u) << to_string(t.vital) << " " << t.limit;
  }
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

}  // namespace
}  // namespace kit::safety
