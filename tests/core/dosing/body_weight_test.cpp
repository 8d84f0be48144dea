// Dosing weight: Devine ideal body weight, adjusted body weight, BMI and the per-protocol rule.
#include "core/dosing/body_weight.h"

#include <gtest/gtest.h>

namespace kit::dosing {
namespace {

constexpr double kCmPerInch = 2.54;  // international inch (definition)

struct DevineRow {
  const char* source;
  double height_in;
  Sex sex;
  double expected_kg;
};

TEST(DevineIdealWeight, MatchesPublishedWorkedExamples) {
  const DevineRow rows[] = {
      {"worldlycalc.com worked example: 5'10\" male -> 73 kg [S]", 70, Sex::kMale, 73.0},
      {"worldlycalc.com worked example: 5'6\" female -> 59.3 kg [S]", 66, Sex::kFemale, 59.3},
      {"bmihealthchecker.com example: 5'4\" female -> 54.7 kg [S]", 64, Sex::kFemale, 54.7},
      {"Devine base value at exactly 60 in, male 50 kg [S]", 60, Sex::kMale, 50.0},
      {"Devine base value at exactly 60 in, female 45.5 kg [S]", 60, Sex::kFemale, 45.5},
      {"calculatorhub.com: at or below 60 in the base value is returned [S]", 55, Sex::kFemale,
       45.5},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.source);
    EXPECT_NEAR(devine_ideal_weight(units::Cm(r.height_in * kCmPerInch), r.sex).value(),
                r.expected_kg, 1e-9);
  }
}

TEST(AdjustedWeight, MatchesPublishedWorkedExamples) {
  struct Row {
    const char* source;
    double ideal_kg, actual_kg, expected_kg;
  };
  const Row rows[] = {
      {"bmihealthchecker.com: IBW 54.7, actual 110 -> 76.8 kg (shown rounded) [S]", 54.7, 110,
       76.82},
      {"bmihealthchecker.com: IBW 73, actual 140 -> 99.8 kg [S]", 73, 140, 99.8},
      {"theprimecalculator.com: IBW 73, actual 110 -> 87.8 kg [S]", 73, 110, 87.8},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.source);
    EXPECT_NEAR(adjusted_weight(units::Kg(r.actual_kg), units::Kg(r.ideal_kg)).value(),
                r.expected_kg, 1e-9);
  }
}

TEST(Bmi, IsWeightOverHeightSquared) {
  // Definition; 70 kg at 1.75 m -> 22.857 kg/m^2 (derived).
  EXPECT_NEAR(bmi_kg_per_m2(units::Kg(70), units::Cm(175)), 22.857142857, 1e-6);
}

struct RuleRow {
  const char* why;
  WeightRule rule;
  double weight_kg, height_cm;
  Sex sex;
  WeightBasis expected_basis;
  double expected_kg;
};

TEST(DosingWeight, AppliesTheProtocolRule) {
  const WeightRule actual{WeightRuleKind::kActual, 0, "actual"};
  // Sanacora 2017 via Singh 2019: ideal body weight when BMI >= 30.
  const WeightRule ideal30{WeightRuleKind::kIdealWhenBmiAtLeast, 30, "Sanacora"};
  const WeightRule adjusted30{WeightRuleKind::kAdjustedWhenBmiAtLeast, 30, "clinic"};
  const double h = 70 * kCmPerInch;            // 177.8 cm: male IBW 73 kg (derived)
  const double bmi30_kg = 30 * 1.778 * 1.778;  // 94.83852 kg (derived)
  const RuleRow rows[] = {
      {"actual rule ignores obesity", actual, 140, h, Sex::kMale, WeightBasis::kActual, 140},
      // 29.94 x 1.778^2 = 94.648879 kg: BMI prints 29.9.
      {"printed BMI 29.9 keeps actual", ideal30, 94.648879, h, Sex::kMale, WeightBasis::kActual,
       94.648879},
      // 0.01 kg under BMI 30: BMI 29.997 prints 30.0, and the rule compares the printed value.
      {"printed BMI 30.0 switches to ideal", ideal30, bmi30_kg - 0.01, h, Sex::kMale,
       WeightBasis::kIdeal, 73.0},
      {"BMI exactly 30 switches to ideal (>= 30)", ideal30, bmi30_kg + 1e-9, h, Sex::kMale,
       WeightBasis::kIdeal, 73.0},
      {"BMI 44 -> IBW 73 kg", ideal30, 140, h, Sex::kMale, WeightBasis::kIdeal, 73.0},
      {"adjusted: 73 + 0.4 x (140 - 73) = 99.8", adjusted30, 140, h, Sex::kMale,
       WeightBasis::kAdjusted, 99.8},
      // 140 cm woman, 60 kg: BMI 30.6, but 140 cm is below Devine's 60 in: no IBW, actual.
      {"below the Devine height range: actual", ideal30, 60, 140, Sex::kFemale,
       WeightBasis::kActual, 60},
      // 152.4 cm (60 in), 50 kg: BMI 21.5; an obese 152.4 cm woman of 80 kg: IBW base 45.5 kg.
      {"at 60 in: IBW base value", ideal30, 80, 152.4, Sex::kFemale, WeightBasis::kIdeal, 45.5},
      // 60 in, 70 kg woman: BMI 30.1, IBW 45.5 < 70 -> ideal; at 44 kg IBW 45.5 > actual.
      {"IBW above actual keeps actual", ideal30, 44, 152.4, Sex::kFemale, WeightBasis::kActual, 44},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.why);
    const DosingWeight w = dosing_weight(r.rule, units::Kg(r.weight_kg), units::Cm(r.height_cm),
                                         r.sex, units::Years(35));
    EXPECT_EQ(w.basis, r.expected_basis);
    EXPECT_NEAR(w.weight.value(), r.expected_kg, 1e-6);
    EXPECT_LE(w.weight.value(), r.weight_kg);
  }
}

// Property: the ideal-weight rule decides on the BMI the plan prints. Sweeping the weight in
// 0.01-kg steps at one height, the basis is ideal exactly when the printed BMI is >= 30.0.
TEST(DosingWeight, RuleDecidesOnThePrintedBmi) {
  const WeightRule ideal30{WeightRuleKind::kIdealWhenBmiAtLeast, 30, "Sanacora"};
  for (double kg = 70.0; kg <= 85.0; kg += 0.01) {
    const DosingWeight w =
        dosing_weight(ideal30, units::Kg(kg), units::Cm(160), Sex::kFemale, units::Years(40));
    SCOPED_TRACE(kg);
    EXPECT_EQ(w.basis == WeightBasis::kIdeal, w.bmi_kg_per_m2 >= 30.0);
    EXPECT_DOUBLE_EQ(w.bmi_kg_per_m2, printed_bmi(w.bmi_kg_per_m2));
    EXPECT_FALSE(w.reason.empty());
  }
}

// Property: no ideal weight is reported where Devine does not apply (children, below 60 in), and
// then the dosing weight is the actual weight, with the reason printed.
TEST(DosingWeight, NoIdealWeightWhereDevineDoesNotApply) {
  const WeightRule ideal30{WeightRuleKind::kIdealWhenBmiAtLeast, 30, "Sanacora"};
  for (double age : {0.3, 6.0, 17.9, 18.0, 60.0}) {
    for (double cm : {50.0, 110.0, 152.3, 152.4, 175.0}) {
      SCOPED_TRACE(std::to_string(age) + " y, " + std::to_string(cm) + " cm");
      const DosingWeight w =
          dosing_weight(ideal30, units::Kg(90), units::Cm(cm), Sex::kMale, units::Years(age));
      const bool applies = age >= 18.0 && cm >= 152.4;
      EXPECT_EQ(w.ideal.has_value(), applies);
      EXPECT_EQ(w.ideal_note.empty(), applies);
      if (!applies) {
        EXPECT_EQ(w.basis, WeightBasis::kActual);
        EXPECT_DOUBLE_EQ(w.weight.value(), 90.0);
      }
    }
  }
}

}  // namespace
}  // namespace kit::dosing
