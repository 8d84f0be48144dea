// Executable specification of the intake screen: every contraindication rule in every setting,
// with the source of its classification (pharmacology.md 3.5-3.7).
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "core/common/error.h"
#include "core/screening/actions.h"
#include "core/screening/screen.h"

namespace kit::screening {
namespace {

enum class Expect { kNone, kAbsolute, kRelative };

Intake clean_adult(Indication indication) {
  Intake i;
  i.indication = indication;
  i.age_years = 40;
  return i;
}

struct Row {
  const char* rule;
  std::function<void(Intake&)> answer;
  Expect psychiatric, chronic_pain, ed;
  Basis psychiatric_basis, chronic_pain_basis, ed_basis;
  const char* source;
};

auto yes(const char* key) {
  return [key](Intake& i) { i.conditions_present.emplace(key); };
}

constexpr auto A = Expect::kAbsolute;
constexpr auto R = Expect::kRelative;
constexpr auto N = Expect::kNone;
constexpr auto Pub = Basis::kPublished;
constexpr auto Pol = Basis::kPolicy;

const Row kRows[] = {
    {"age_under_3_months", [](Intake& i) { i.age_years = 0.2; }, N, N, A, Pol, Pol, Pub,
     "ACEP 2011: age < 3 months absolute (ED); elective settings use the minimum age instead"},
    {"below_clinic_minimum_age", [](Intake& i) { i.age_years = 17.9; }, A, A, N, Pol, Pol, Pol,
     "policy: minimum age 18 in elective settings; not applied in ED sedation"},
    {"schizophrenia", yes("schizophrenia"), A, A, A, Pol, Pol, Pub,
     "ACEP 2011: schizophrenia absolute even if stable; elective settings take it (policy)"},
    {"current_psychosis_or_mania", yes("current_psychosis_or_mania"), A, A, R, Pol, Pub, Pol,
     "PMC10812090 trial exclusion (psychiatric); Cohen 2018 poorly controlled psychosis: avoid"},
    {"pregnant", yes("pregnant"), A, A, R, Pol, Pol, Pol, "PMC10812090 trial exclusion"},
    {"breastfeeding", yes("breastfeeding"), A, A, R, Pol, Pol, Pol, "PMC10812090 trial exclusion"},
    {"uncontrolled_hypertension", yes("uncontrolled_hypertension"), A, A, R, Pol, Pol, Pub,
     "PMC10812090 trial exclusion; Cohen CV disease (policy mapping); ACEP HTN relative"},
    {"poorly_controlled_cardiovascular_disease", yes("poorly_controlled_cardiovascular_disease"), A,
     A, R, Pol, Pub, Pub, "Cohen 2018: do not use; ACEP 2011: CAD/CHF relative"},
    {"significant_arrhythmia", yes("significant_arrhythmia"), A, A, R, Pol, Pol, Pol,
     "PMC10812090 trial exclusion"},
    {"unstable_cerebrovascular_disease", yes("unstable_cerebrovascular_disease"), A, A, R, Pol, Pol,
     Pol, "PMC10812090 trial exclusion"},
    {"coronary_artery_disease", yes("coronary_artery_disease"), R, R, R, Pol, Pol, Pub,
     "ACEP 2011 relative: CAD"},
    {"heart_failure", yes("heart_failure"), R, R, R, Pol, Pol, Pub, "ACEP 2011 relative: CHF"},
    {"hypertension", yes("hypertension"), R, R, R, Pol, Pol, Pub, "ACEP 2011 relative: HTN"},
    {"hepatic_impairment_severe",
     [](Intake& i) { i.hepatic_impairment = HepaticImpairment::kSevere; }, A, A, R, Pol, Pub, Pol,
     "Cohen 2018: severe hepatic impairment, avoid"},
    {"hepatic_impairment_moderate",
     [](Intake& i) { i.hepatic_impairment = HepaticImpairment::kModerate; }, R, R, R, Pol, Pub, Pol,
     "Cohen 2018: moderate, judicious with monitoring"},
    {"elevated_intracranial_pressure", yes("elevated_intracranial_pressure"), R, R, R, Pol, Pub,
     Pol, "Cohen 2018 grade C: avoid or low dose with extreme caution"},
    {"cns_mass_or_hydrocephalus", yes("cns_mass_or_hydrocephalus"), R, R, R, Pol, Pol, Pub,
     "ACEP 2011 relative: CNS masses, hydrocephalus"},
    {"glaucoma_or_elevated_intraocular_pressure", yes("glaucoma_or_elevated_intraocular_pressure"),
     R, R, R, Pol, Pub, Pub, "Cohen 2018 IOP; ACEP 2011 glaucoma"},
    {"acute_globe_injury", yes("acute_globe_injury"), R, R, R, Pol, Pol, Pub,
     "ACEP 2011 relative: acute globe injury"},
    {"airway_instability_or_tracheal_disease", yes("airway_instability_or_tracheal_disease"), R, R,
     R, Pol, Pol, Pub, "ACEP 2011 relative: airway instability, tracheal surgery/stenosis"},
    {"active_pulmonary_infection", yes("active_pulmonary_infection"), R, R, R, Pol, Pol, Pub,
     "ACEP 2011 relative: active pulmonary infection incl. URI"},
    {"thyroid_disorder_or_medication", yes("thyroid_disorder_or_medication"), R, R, R, Pol, Pol,
     Pub, "ACEP 2011 relative: thyroid disorder or medication"},
    {"active_substance_use_disorder", yes("active_substance_use_disorder"), R, R, R, Pol, Pub, Pol,
     "Cohen 2018: active substance abuse, no serial infusions"},
    {"benzodiazepine_above_limit",
     [](Intake& i) { i.benzodiazepine_lorazepam_eq_mg_per_day = 3.5; }, A, A, R, Pol, Pol, Pol,
     "PMC10812090: benzodiazepine > 3 mg lorazepam-eq/day"},
    {"major_posterior_pharynx_procedure",
     [](Intake& i) { i.major_posterior_pharynx_procedure = true; }, N, N, R, Pol, Pol, Pub,
     "ACEP 2011 relative: major posterior-pharynx procedures (ED only)"},
};

const Finding* find(const std::vector<Finding>& list, const std::string& rule) {
  for (const auto& f : list) {
    if (f.rule == rule) return &f;
  }
  return nullptr;
}

void check(const Row& row, Indication indication, Expect expect, Basis basis) {
  SCOPED_TRACE(std::string(row.rule) + " in " + std::string(to_string(indication)) + ": " +
               row.source);
  Intake intake = clean_adult(indication);
  row.answer(intake);
  const ScreeningResult r = screen(intake, std::nullopt);
  const Finding* abs = find(r.absolute, row.rule);
  const Finding* rel = find(r.relative, row.rule);
  EXPECT_EQ(abs != nullptr, expect == Expect::kAbsolute);
  EXPECT_EQ(rel != nullptr, expect == Expect::kRelative);
  EXPECT_EQ(r.eligible, r.absolute.empty());
  if (const Finding* f = abs ? abs : rel) {
    EXPECT_EQ(f->basis, basis);
    EXPECT_FALSE(f->source.empty());
  }
}

TEST(ScreeningRules, EveryRuleInEverySetting) {
  for (const auto& row : kRows) {
    for (auto ind : {Indication::kDepression, Indication::kPtsd, Indication::kOcd}) {
      check(row, ind, row.psychiatric, row.psychiatric_basis);
    }
    check(row, Indication::kChronicPain, row.chronic_pain, row.chronic_pain_basis);
    check(row, Indication::kEdSedation, row.ed, row.ed_basis);
  }
  EXPECT_EQ(contraindication_rules().size(), std::size(kRows));  // every rule has a row
}

TEST(ScreeningRules, CleanAdultIsEligibleEverywhere) {
  for (auto ind : {Indication::kDepression, Indication::kPtsd, Indication::kOcd,
                   Indication::kChronicPain, Indication::kEdSedation}) {
    const ScreeningResult r = screen(clean_adult(ind), std::nullopt);
    EXPECT_TRUE(r.eligible);
    EXPECT_TRUE(r.absolute.empty());
    EXPECT_TRUE(r.relative.empty());
  }
}

TEST(ScreeningRules, AgeBoundaries) {
  struct AgeRow {
    Indication ind;
    double age;
    bool eligible;
    const char* source;
  };
  const AgeRow rows[] = {
      {Indication::kEdSedation, 0.24, false, "ACEP: < 3 months absolute"},
      {Indication::kEdSedation, 0.25, true, "ACEP: 3 months exactly is not < 3 months"},
      {Indication::kEdSedation, 5, true, "ACEP: children may be sedated"},
      {Indication::kDepression, 17.99, false, "policy minimum age 18"},
      {Indication::kDepression, 18, true, "policy minimum age 18 (at the limit passes)"},
      {Indication::kChronicPain, 17, false, "policy minimum age 18"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.source);
    Intake i = clean_adult(row.ind);
    i.age_years = row.age;
    EXPECT_EQ(screen(i, std::nullopt).eligible, row.eligible);
  }
}

TEST(ScreeningRules, BenzodiazepineLimitIsStrictlyAboveThree) {
  // PMC10812090: "> 3 mg lorazepam-equivalent/day".
  for (auto [dose, eligible] :
       {std::pair{3.0, true}, std::pair{3.01, false}, std::pair{0.0, true}}) {
    Intake i = clean_adult(Indication::kDepression);
    i.benzodiazepine_lorazepam_eq_mg_per_day = dose;
    EXPECT_EQ(screen(i, std::nullopt).eligible, eligible) << dose;
  }
}

TEST(ScreeningPolicy, TrialExclusionsCanBeMadeRelative) {
  ScreeningPolicy p;
  p.trial_exclusion_severity = Severity::kRelative;
  Intake i = clean_adult(Indication::kDepression);
  i.conditions_present.emplace("pregnant");
  const ScreeningResult r = screen(i, std::nullopt, p);
  EXPECT_TRUE(r.eligible);
  ASSERT_EQ(r.relative.size(), 1u);
  EXPECT_EQ(r.relative[0].rule, "pregnant");
  // Cohen's published "avoid" for psychosis in chronic pain does not follow the trial policy.
  Intake pain = clean_adult(Indication::kChronicPain);
  pain.conditions_present.emplace("current_psychosis_or_mania");
  EXPECT_FALSE(screen(pain, std::nullopt, p).eligible);
}

TEST(ScreeningPolicy, MinimumAgeAndBenzodiazepineLimitAreConfigurable) {
  ScreeningPolicy p;
  p.minimum_age_years = 16;
  p.benzodiazepine_max_lorazepam_eq_mg_per_day = 4;
  Intake i = clean_adult(Indication::kDepression);
  i.age_years = 17;
  i.benzodiazepine_lorazepam_eq_mg_per_day = 3.5;
  EXPECT_TRUE(screen(i, std::nullopt, p).eligible);
}

std::vector<std::string_view> actions_for(const Intake& i,
                                          const std::optional<PreInfusionAnswers>& pre = {}) {
  return screen(i, pre).actions;
}
bool has(const std::vector<std::string_view>& v, std::string_view code) {
  return std::find(v.begin(), v.end(), code) != v.end();
}

TEST(ScreeningActions, PsychiatricWorkupFromSanacora) {
  const auto a = actions_for(clean_adult(Indication::kPtsd));
  for (auto code :
       {"psychiatric_evaluation", "urine_toxicology_if_indicated", "baseline_blood_pressure",
        "continuous_monitoring", "acls_certified_clinician"}) {
    EXPECT_TRUE(has(a, code)) << code << " (Sanacora 2017 [S])";
  }
  EXPECT_FALSE(has(actions_for(clean_adult(Indication::kChronicPain)), "psychiatric_evaluation"));
}

TEST(ScreeningActions, FrequencyCautionAboveTwicePerWeekForOverTwoMonths) {
  struct FreqRow {
    double per_week, months;
    bool caution;
  };
  // Sanacora 2017 [S]: reconsider if > 2x/week for > 2 months.
  for (const auto& r :
       {FreqRow{3, 3, true}, FreqRow{2, 6, false}, FreqRow{3, 2, false}, FreqRow{2.5, 2.1, true}}) {
    Intake i = clean_adult(Indication::kDepression);
    i.planned_schedule = PlannedSchedule{r.per_week, r.months};
    EXPECT_EQ(has(actions_for(i), "reconsider_frequency"), r.caution)
        << r.per_week << "/" << r.months;
  }
}

TEST(ScreeningActions, RuleSpecificActionsFromCohen) {
  struct ActRow {
    std::function<void(Intake&)> answer;
    const char* code;
  };
  const ActRow rows[] = {
      {yes("active_substance_use_disorder"), "no_serial_infusions"},
      {[](Intake& i) { i.hepatic_impairment = HepaticImpairment::kModerate; },
       "hepatic_monitoring"},
      {yes("elevated_intracranial_pressure"), "avoid_or_low_dose_with_extreme_caution"},
      {yes("glaucoma_or_elevated_intraocular_pressure"), "avoid_or_low_dose_with_extreme_caution"},
      {yes("schizophrenia"), "do_not_infuse"},
      {yes("hypertension"), "physician_review_relative_contraindications"},
  };
  for (const auto& row : rows) {
    Intake i = clean_adult(Indication::kChronicPain);
    row.answer(i);
    EXPECT_TRUE(has(actions_for(i), row.code)) << row.code;
  }
}

TEST(ScreeningActions, EveryEmittedCodeIsInTheCatalogue) {
  for (const auto& rule : contraindication_rules()) {
    if (!rule.extra_action.empty()) {
      EXPECT_NE(find_action(rule.extra_action), nullptr);
    }
  }
  for (const auto& a : action_catalogue()) EXPECT_FALSE(a.source.empty()) << a.code;
}

PreInfusionAnswers ready_day() { return {150, 90, true, true, false}; }

TEST(PreInfusion, BloodPressureFastingEscort) {
  struct PreRow {
    std::function<void(PreInfusionAnswers&)> change;
    bool passed;
    const char* action;
    const char* source;
  };
  const PreRow rows[] = {
      {[](PreInfusionAnswers&) {}, true, "", "all fine"},
      {[](PreInfusionAnswers& a) { a.sbp_mmhg = 180; }, true, "",
       "policy anchor Hebert & Vidt > 180: 180 itself passes"},
      {[](PreInfusionAnswers& a) { a.sbp_mmhg = 181; }, false, "defer_infusion_blood_pressure",
       "policy anchor Hebert & Vidt SBP > 180"},
      {[](PreInfusionAnswers& a) { a.dbp_mmhg = 110; }, true, "", "DBP 110 passes"},
      {[](PreInfusionAnswers& a) { a.dbp_mmhg = 111; }, false, "defer_infusion_blood_pressure",
       "policy anchor Hebert & Vidt DBP > 110"},
      {[](PreInfusionAnswers& a) { a.fasted_as_instructed = false; }, false,
       "defer_infusion_not_fasted", "policy: fasting as instructed"},
      {[](PreInfusionAnswers& a) { a.escort_home_confirmed = false; }, false, "arrange_escort_home",
       "policy anchor RCEM appropriate care at home"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.source);
    PreInfusionAnswers a = ready_day();
    row.change(a);
    const ScreeningResult r = screen(clean_adult(Indication::kDepression), a);
    ASSERT_TRUE(r.pre_infusion.has_value());
    EXPECT_EQ(r.pre_infusion->passed, row.passed);
    EXPECT_EQ(*r.cleared_to_start, row.passed);
    if (*row.action) {
      EXPECT_TRUE(has(r.actions, row.action));
    }
  }
}

TEST(PreInfusion, PolicyCanRelaxOrTightenChecks) {
  ScreeningPolicy p;
  p.pre_infusion.max_sbp_mmhg = 140;  // e.g. a stricter clinic
  p.pre_infusion.max_dbp_mmhg = 90;
  p.pre_infusion.require_fasted_as_instructed = false;
  PreInfusionAnswers a = ready_day();
  a.sbp_mmhg = 140;
  a.fasted_as_instructed = false;
  EXPECT_TRUE(*screen(clean_adult(Indication::kDepression), a, p).cleared_to_start);
  a.sbp_mmhg = 141;
  EXPECT_FALSE(*screen(clean_adult(Indication::kDepression), a, p).cleared_to_start);
}

TEST(PreInfusion, RelativeContraindicationNeedsDocumentedReview) {
  Intake i = clean_adult(Indication::kDepression);
  i.conditions_present.emplace("hypertension");
  PreInfusionAnswers a = ready_day();
  ScreeningResult r = screen(i, a);
  EXPECT_TRUE(r.eligible);
  EXPECT_FALSE(*r.cleared_to_start);
  EXPECT_TRUE(has(r.actions, "physician_review_not_documented"));
  a.physician_reviewed_relative_contraindications = true;
  EXPECT_TRUE(*screen(i, a).cleared_to_start);
}

TEST(PreInfusion, IneligibleIsNeverCleared) {
  Intake i = clean_adult(Indication::kDepression);
  i.conditions_present.emplace("pregnant");
  PreInfusionAnswers a = ready_day();
  a.physician_reviewed_relative_contraindications = true;
  EXPECT_FALSE(*screen(i, a).cleared_to_start);
}

TEST(ScreeningValidation, OutOfRangeAnswersNameTheField) {
  struct BadRow {
    std::function<void(Intake&, PreInfusionAnswers&, ScreeningPolicy&)> change;
    const char* field;
  };
  const BadRow rows[] = {
      {[](Intake& i, auto&, auto&) { i.age_years = -1; }, "age_years"},
      {[](Intake& i, auto&, auto&) { i.age_years = 200; }, "age_years"},
      {[](Intake& i, auto&, auto&) { i.benzodiazepine_lorazepam_eq_mg_per_day = -1; },
       "medications.benzodiazepine_lorazepam_eq_mg_per_day"},
      {[](Intake& i, auto&, auto&) {
         i.planned_schedule = PlannedSchedule{8, 1};
       },
       "planned_schedule.infusions_per_week"},
      {[](Intake& i, auto&, auto&) {
         i.planned_schedule = PlannedSchedule{1, -1};
       },
       "planned_schedule.months_at_this_frequency"},
      {[](auto&, PreInfusionAnswers& a, auto&) { a.sbp_mmhg = 400; }, "pre_infusion.sbp_mmhg"},
      {[](auto&, PreInfusionAnswers& a, auto&) { a.dbp_mmhg = 5; }, "pre_infusion.dbp_mmhg"},
      {[](auto&, PreInfusionAnswers& a, auto&) { a.dbp_mmhg = 160; }, "pre_infusion.dbp_mmhg"},
      {[](auto&, auto&, ScreeningPolicy& p) { p.minimum_age_years = -3; },
       "policy.minimum_age_years"},
      {[](auto&, auto&, ScreeningPolicy& p) { p.pre_infusion.max_sbp_mmhg = 20; },
       "policy.max_sbp_mmhg"},
  };
  for (const auto& row : rows) {
    Intake i = clean_adult(Indication::kDepression);
    PreInfusionAnswers a = ready_day();
    ScreeningPolicy p;
    row.change(i, a, p);
    try {
      screen(i, a, p);
      ADD_FAILURE() << "accepted, expected refusal of " << row.field;
    } catch (const InputError& e) {
      EXPECT_EQ(e.field(), row.field);
    }
  }
}

}  // namespace
}  // namespace kit::screening
