// Discharge readiness in the core: which Aldrete rule is the default and what each rule asks
// (docs/reference/pharmacology.md §4.3, Kim 2015 Table 2 [P]), and the RCEM list [P]. The cut-off
// rules applied to item scores, the pre-sedation score, clinic minimums, item refusals and every
// RCEM criterion are clinical cases in tests/cases/discharge.cases.
#include "core/safety/discharge.h"

#include <gtest/gtest.h>

#include <string>

#include "core/common/error.h"
#include "core/safety/aldrete.h"
#include "core/safety/rcem.h"

namespace kit::safety {
namespace {

TEST(Aldrete, DefaultIsAldretesOwnCutOff) {
  // Aldrete >= 9 of 10 (docs/reference/pharmacology.md §10) [S].
  EXPECT_EQ(default_aldrete_rule().id, "aldrete_9_no_zero_fully_awake");
  EXPECT_EQ(default_aldrete_rule().minimum_score, 9);
  EXPECT_EQ(find_aldrete_rule("above8_or_pre_sedation_and_spo2_room_air")->minimum_score,
            9);  // "above 8" [S]
  // The "minimum 8" rule of a different scale is not applied to Aldrete's items (§10).
  EXPECT_EQ(find_aldrete_rule(kWithdrawnAldreteRule), nullptr);
}

// Under every rule, every pre-sedation score and every clinic minimum, no patient with an item at
// 0 (BMC Anesthesiology 2015 [P], §10) or not fully awake (policy) is ready: all 3^5 item sets.
TEST(Aldrete, NoItemAtZeroAndFullyAwakeUnderEveryRule) {
  for (const AldreteRule& rule : aldrete_rules()) {
    for (int code = 0; code < 243; ++code) {
      int c = code;
      AldreteItems items;
      for (int* item : {&items.activity, &items.respiration, &items.circulation,
                        &items.consciousness, &items.o2_saturation}) {
        *item = c % 3;
        c /= 3;
      }
      const bool floors_met = items.activity > 0 && items.respiration > 0 &&
                              items.circulation > 0 && items.o2_saturation > 0 &&
                              items.consciousness == 2;
      for (int pre = 0; pre <= 10; ++pre) {
        const AldreteAssessment a = assess_aldrete(items, rule, std::nullopt, pre);
        if (!floors_met) {
          EXPECT_FALSE(a.ready) << rule.id << " code " << code;
        }
        if (a.ready) {
          EXPECT_GE(a.score, rule.pre_sedation_score_suffices ? 0 : 9);
        }
      }
    }
  }
}

TEST(Aldrete, AClinicMayOnlyBeStricter) {
  const AldreteItems all2{2, 2, 2, 2, 2};
  EXPECT_THROW(assess_aldrete(all2, default_aldrete_rule(), 8), kit::InputError);
  EXPECT_NO_THROW(assess_aldrete(all2, default_aldrete_rule(), 10));
}

TEST(Observation, NotMetBelowTheSettingMinimumAndEdImIsTheLongest) {
  // ACEP 2011 dose-to-discharge 50-110 min IV, 60-140 min IM (§3.6) [S]; infusions policy 30.
  EXPECT_EQ(observation_minimum(DischargeSetting::kEdSedation, LastDoseRoute::kIv).minutes, 50);
  EXPECT_EQ(observation_minimum(DischargeSetting::kEdSedation, LastDoseRoute::kIm).minutes, 60);
  for (auto setting : {DischargeSetting::kPsychiatricInfusion,
                       DischargeSetting::kChronicPainInfusion, DischargeSetting::kEdSedation}) {
    for (auto route : {LastDoseRoute::kIv, LastDoseRoute::kIm}) {
      const double minimum = observation_minimum(setting, route).minutes;
      EXPECT_LE(minimum, 60);
      EXPECT_FALSE(assess_observation(setting, route, minimum - 0.5, std::nullopt).met);
      EXPECT_TRUE(assess_observation(setting, route, minimum, std::nullopt).met);
    }
  }
  EXPECT_THROW(assess_observation(DischargeSetting::kPsychiatricInfusion, LastDoseRoute::kIv, -1,
                                  std::nullopt),
               kit::InputError);
}

TEST(Checklists, ChildrenAreNotAskedToTolerateFluids) {
  // RCEM ketamine guidance: children should not eat or drink for 2 h after discharge (§13) [S].
  for (const auto& item : paediatric_ketamine_items()) {
    EXPECT_NE(item.id, "tolerating_fluids");
    EXPECT_FALSE(item.source.empty()) << item.id;
  }
  for (const auto& item : home_readiness_items()) EXPECT_FALSE(item.source.empty()) << item.id;
}

TEST(Aldrete, ScoreIsTheSumOfTheItemsWhateverTheRule) {
  for (const AldreteRule& rule : aldrete_rules()) {
    for (int v = 0; v <= 2; ++v) {
      const AldreteItems items{v, 2 - v, v, 2 - v, v};
      EXPECT_EQ(assess_aldrete(items, rule).score, items.total()) << rule.id;
    }
  }
}

TEST(Rcem, TheListHasSevenCriteria) {
  EXPECT_EQ(rcem_criteria().size(), 7u);  // RCEM list, docs/reference/pharmacology.md §4.3 [P]
  for (const auto& c : rcem_criteria()) EXPECT_FALSE(c.text.empty()) << c.id;
}

}  // namespace
}  // namespace kit::safety
