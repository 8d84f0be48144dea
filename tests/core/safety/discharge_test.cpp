// Discharge readiness in the core: which Aldrete rule is the default and what each rule asks
// (docs/reference/pharmacology.md §4.3, Kim 2015 Table 2 [P]), and the RCEM list [P]. The cut-off
// rules applied to item scores, the pre-sedation score, clinic minimums, item refusals and every
// RCEM criterion are clinical cases in tests/cases/discharge.cases.
#include <gtest/gtest.h>

#include <string>

#include "core/safety/aldrete.h"
#include "core/safety/rcem.h"

namespace kit::safety {
namespace {

TEST(Aldrete, DefaultIsThePrimarySourcedRule) {
  EXPECT_EQ(default_aldrete_rule().id, "min8_with_respiration_and_o2_2");
  EXPECT_EQ(default_aldrete_rule().minimum_score, 8);  // "minimum 8" (omicsonline [P])
  EXPECT_EQ(find_aldrete_rule("above8_or_pre_sedation_and_spo2_room_air")->minimum_score,
            9);  // "above 8" [S]
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
