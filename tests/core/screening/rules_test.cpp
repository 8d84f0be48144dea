// Properties of the intake screen that no single request shows. Every contraindication rule in
// every setting, with the source of its classification (docs/reference/pharmacology.md §3.5-3.7),
// the age and benzodiazepine boundaries, the actions and the pre-infusion checks are clinical
// cases in tests/cases/screening.cases.
#include "core/screening/rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/screening/actions.h"
#include "core/screening/screen.h"

namespace kit::screening {
namespace {

Intake clean_adult(Indication indication) {
  Intake i;
  i.indication = indication;
  i.age_years = 40;
  return i;
}

std::vector<std::string> rules_of(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.rule);
  return out;
}

TEST(ScreeningRules, DepressionPtsdAndOcdShareThePsychiatricColumn) {
  EXPECT_EQ(setting_of(Indication::kDepression), Setting::kPsychiatric);
  EXPECT_EQ(setting_of(Indication::kPtsd), Setting::kPsychiatric);
  EXPECT_EQ(setting_of(Indication::kOcd), Setting::kPsychiatric);
  EXPECT_EQ(setting_of(Indication::kChronicPain), Setting::kChronicPain);
  EXPECT_EQ(setting_of(Indication::kEdSedation), Setting::kEdSedation);
  // So every yes/no rule classifies alike for the three (the cases use depression).
  for (std::string_view key : yes_no_condition_keys()) {
    SCOPED_TRACE(std::string(key));
    std::vector<std::vector<std::string>> absolute, relative;
    for (auto ind : {Indication::kDepression, Indication::kPtsd, Indication::kOcd}) {
      Intake i = clean_adult(ind);
      i.conditions_present.emplace(key);
      const ScreeningResult r = screen(i, std::nullopt);
      absolute.push_back(rules_of(r.absolute));
      relative.push_back(rules_of(r.relative));
    }
    EXPECT_EQ(absolute[0], absolute[1]);
    EXPECT_EQ(absolute[0], absolute[2]);
    EXPECT_EQ(relative[0], relative[1]);
    EXPECT_EQ(relative[0], relative[2]);
  }
}

TEST(ScreeningRules, MajorPosteriorPharynxProcedureIsAnEdRuleOnly) {
  // ACEP 2011 relative (ED only); the JSON contract refuses ed_procedure outside ED sedation, so
  // only the core can be asked what the rule does elsewhere: nothing.
  for (auto ind : {Indication::kDepression, Indication::kChronicPain}) {
    Intake i = clean_adult(ind);
    i.major_posterior_pharynx_procedure = true;
    const ScreeningResult r = screen(i, std::nullopt);
    EXPECT_TRUE(r.absolute.empty());
    EXPECT_TRUE(r.relative.empty());
  }
}

TEST(ScreeningRules, EligibleExactlyWhenNoAbsoluteFinding) {
  for (const auto& rule : contraindication_rules()) {
    if (rule.trigger != Trigger::kYesAnswer) continue;
    for (auto ind : {Indication::kDepression, Indication::kChronicPain, Indication::kEdSedation}) {
      Intake i = clean_adult(ind);
      i.conditions_present.emplace(rule.id);
      const ScreeningResult r = screen(i, std::nullopt);
      EXPECT_EQ(r.eligible, r.absolute.empty()) << rule.id;
    }
  }
}

// A day-of blood pressure above the product-information limit 180/100 (docs/reference/
// pharmacology.md §10) [P] is the finding "uncontrolled hypertension": never eligible in the
// elective settings, whatever the clinic's own limit; and no clinic limit may be laxer.
TEST(ScreeningPreInfusion, AboveTheLabelLimitIsUncontrolledHypertension) {
  for (auto ind : {Indication::kDepression, Indication::kChronicPain}) {
    for (double sbp = 170; sbp <= 190; sbp += 5) {
      for (double dbp = 90; dbp <= 110; dbp += 5) {
        PreInfusionAnswers pre;
        pre.sbp_mmhg = sbp;
        pre.dbp_mmhg = dbp;
        pre.fasted_as_instructed = pre.escort_home_confirmed = true;
        const ScreeningResult r = screen(clean_adult(ind), pre);
        const bool above = sbp > 180 || dbp > 100;
        EXPECT_EQ(r.eligible, !above) << sbp << "/" << dbp;
        EXPECT_EQ(*r.cleared_to_start, !above) << sbp << "/" << dbp;
      }
    }
  }
  ScreeningPolicy lax;
  lax.pre_infusion.max_dbp_mmhg = 110;
  EXPECT_THROW(screen(clean_adult(Indication::kDepression), std::nullopt, lax), kit::InputError);
}

TEST(ScreeningRecord, AnswersMustAgreeWithThePatientRecord) {
  Intake i = clean_adult(Indication::kDepression);  // age 40
  EXPECT_NO_THROW(screen(i, std::nullopt, {}, RecordFacts{40, "depression"}));
  EXPECT_THROW(screen(i, std::nullopt, {}, RecordFacts{16, std::nullopt}), kit::RuleRefused);
  EXPECT_THROW(screen(i, std::nullopt, {}, RecordFacts{std::nullopt, "ptsd"}), kit::RuleRefused);
}

TEST(ScreeningRules, KetamineHypersensitivityIsAbsoluteEverywhere) {
  for (auto ind : {Indication::kDepression, Indication::kChronicPain, Indication::kEdSedation}) {
    Intake i = clean_adult(ind);
    i.conditions_present.emplace("ketamine_hypersensitivity");
    EXPECT_FALSE(screen(i, std::nullopt).eligible);  // product information [P], §10
  }
}

TEST(ScreeningActions, EveryEmittedCodeIsInTheCatalogue) {
  for (const auto& rule : contraindication_rules()) {
    if (!rule.extra_action.empty()) {
      EXPECT_NE(find_action(rule.extra_action), nullptr);
    }
  }
  for (auto code : {"defer_infusion_blood_pressure", "defer_infusion_heart_rate",
                    "defer_infusion_spo2", "defer_infusion_not_fasted", "arrange_escort_home"}) {
    EXPECT_NE(find_action(code), nullptr) << code;
  }
  for (const auto& a : action_catalogue()) EXPECT_FALSE(a.source.empty()) << a.code;
}

}  // namespace
}  // namespace kit::screening
