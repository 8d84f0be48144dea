// Executable specification of discharge readiness: modified Aldrete (pharmacology.md 4.3, Kim
// 2015 Table 2 [P]) with the cut-off rules the reference shows, and the RCEM checklist [P].
#include <gtest/gtest.h>

#include <string>

#include "core/common/error.h"
#include "core/safety/aldrete.h"
#include "core/safety/rcem.h"

namespace kit::safety {
namespace {

AldreteItems items(int act, int resp, int circ, int cons, int o2) {
  return {act, resp, circ, cons, o2};
}

struct Row {
  AldreteItems items;
  const char* rule;
  bool ready;
  const char* source;
};

const Row kRows[] = {
    {items(2, 2, 2, 2, 2), "min8_with_respiration_and_o2_2", true, "omicsonline [P]: 10"},
    {items(1, 2, 1, 2, 2), "min8_with_respiration_and_o2_2", true,
     "omicsonline [P]: 8, resp 2, O2 2"},
    {items(1, 2, 1, 1, 2), "min8_with_respiration_and_o2_2", false, "omicsonline [P]: 7 < 8"},
    {items(2, 1, 2, 2, 2), "min8_with_respiration_and_o2_2", false, "omicsonline [P]: resp 1"},
    {items(2, 2, 2, 2, 1), "min8_with_respiration_and_o2_2", false, "omicsonline [P]: O2 1"},
    {items(2, 2, 2, 2, 2), "above8_or_pre_sedation_and_spo2_room_air", true, "5y1 policy [S]: 10"},
    {items(2, 1, 2, 2, 2), "above8_or_pre_sedation_and_spo2_room_air", true,
     "5y1 policy [S]: 9 > 8, respiration not required"},
    {items(1, 2, 1, 2, 2), "above8_or_pre_sedation_and_spo2_room_air", false,
     "5y1 policy [S]: 8 is not above 8"},
    {items(2, 2, 2, 2, 1), "above8_or_pre_sedation_and_spo2_room_air", false,
     "5y1 policy [S]: SpO2 > 92% RA needed"},
};

TEST(Aldrete, CutOffRulesFromTheReference) {
  for (const auto& row : kRows) {
    SCOPED_TRACE(row.source);
    const AldreteAssessment a = assess_aldrete(row.items, *find_aldrete_rule(row.rule));
    EXPECT_EQ(a.ready, row.ready);
    EXPECT_EQ(a.score, row.items.total());
    EXPECT_EQ(a.rule->id, row.rule);
  }
}

TEST(Aldrete, DefaultIsThePrimarySourcedRule) {
  EXPECT_EQ(default_aldrete_rule().id, "min8_with_respiration_and_o2_2");
  EXPECT_EQ(default_aldrete_rule().minimum_score, 8);  // "minimum 8" (omicsonline [P])
  EXPECT_EQ(find_aldrete_rule("above8_or_pre_sedation_and_spo2_room_air")->minimum_score,
            9);  // "above 8" [S]
}

TEST(Aldrete, PreSedationScoreSatisfiesTheSecondRuleOnly) {
  const auto& rule = *find_aldrete_rule("above8_or_pre_sedation_and_spo2_room_air");
  // 8 points, back to a pre-sedation score of 8: "or return to pre-sedation score" [S].
  EXPECT_TRUE(assess_aldrete(items(1, 2, 1, 2, 2), rule, std::nullopt, 8).ready);
  EXPECT_FALSE(assess_aldrete(items(1, 2, 1, 2, 2), rule, std::nullopt, 9).ready);
  EXPECT_FALSE(assess_aldrete(items(1, 2, 1, 1, 2), default_aldrete_rule(), std::nullopt, 7).ready);
}

TEST(Aldrete, MinimumScoreOverrideIsPolicy) {
  const AldreteAssessment a = assess_aldrete(items(1, 2, 1, 2, 2), default_aldrete_rule(), 9);
  EXPECT_FALSE(a.ready);
  EXPECT_TRUE(a.minimum_overridden);
  EXPECT_EQ(a.minimum_score, 9);
  EXPECT_EQ(a.unmet, (std::vector<std::string_view>{"minimum_score"}));
}

TEST(Aldrete, ItemsOutsideZeroToTwoAreRefused) {
  struct Bad {
    AldreteItems items;
    const char* field;
  };
  for (const auto& b : {Bad{items(3, 2, 2, 2, 2), "aldrete.activity"},
                        Bad{items(2, -1, 2, 2, 2), "aldrete.respiration"},
                        Bad{items(2, 2, 5, 2, 2), "aldrete.circulation"},
                        Bad{items(2, 2, 2, 9, 2), "aldrete.consciousness"},
                        Bad{items(2, 2, 2, 2, 3), "aldrete.o2_saturation"}}) {
    try {
      assess_aldrete(b.items, default_aldrete_rule());
      ADD_FAILURE() << b.field;
    } catch (const InputError& e) {
      EXPECT_EQ(e.field(), b.field);
    }
  }
  EXPECT_THROW(assess_aldrete(items(2, 2, 2, 2, 2), default_aldrete_rule(), 11), InputError);
}

RcemAnswers all_met() {
  RcemAnswers a;
  for (const auto& c : rcem_criteria()) a.met.emplace(c.id);
  return a;
}

TEST(Rcem, EveryCriterionIsRequired) {
  EXPECT_EQ(rcem_criteria().size(), 7u);  // RCEM list, pharmacology.md 4.3 [P]
  EXPECT_TRUE(assess_rcem(all_met()).ready);
  for (const auto& c : rcem_criteria()) {
    RcemAnswers a = all_met();
    a.met.erase(std::string(c.id));
    const RcemAssessment r = assess_rcem(a);
    EXPECT_FALSE(r.ready) << c.id;
    EXPECT_EQ(r.unmet, (std::vector<std::string_view>{c.id}));
  }
}

TEST(Rcem, TwoHoursAfterAnyReversalAgent) {
  // RCEM [P]: "2 h after any reversal agent".
  for (auto [hours, ready] : {std::pair{1.99, false}, std::pair{2.0, true}, std::pair{5.0, true}}) {
    RcemAnswers a = all_met();
    a.hours_since_reversal_agent = hours;
    EXPECT_EQ(assess_rcem(a).ready, ready) << hours;
  }
  RcemAnswers bad = all_met();
  bad.hours_since_reversal_agent = -1;
  EXPECT_THROW(assess_rcem(bad), InputError);
}

}  // namespace
}  // namespace kit::safety
