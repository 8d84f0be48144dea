// The CDC 2022 MME conversion in the core (docs/reference/pharmacology.md §6): the table's shape,
// the guideline thresholds, rounding and the core's own refusals. Every factor, the worked
// examples, the flags at 50 and 90 MME/day, the change between two lists and the refusals of the
// JSON contract are clinical cases in tests/cases/mme.cases.
#include "core/opioids/mme.h"

#include <gtest/gtest.h>

#include <string>

#include "core/common/error.h"

namespace kit::opioids {
namespace {

TEST(MmeFactors, TheCdc2022TableHasTenRows) {
  // docs/reference/pharmacology.md §6 [S]: nothing extra, nothing missing (each row is a case).
  EXPECT_EQ(cdc_2022_factors().size(), 10u);
  for (const auto& f : cdc_2022_factors()) {
    EXPECT_EQ(f.basis == DoseBasis::kTransdermalMcgPerHour, f.route == "transdermal") << f.drug;
  }
}

TEST(MmeFactors, OnlyMethadoneAndTransdermalFentanylCarryACaution) {
  // CDC 2022 table notes: "special caution with methadone and transdermal fentanyl" [S].
  for (const auto& f : cdc_2022_factors()) {
    SCOPED_TRACE(std::string(f.drug));
    const bool expected = f.drug == "methadone" || f.drug == "fentanyl";
    EXPECT_EQ(!f.caution.empty(), expected);
  }
}

TEST(MmeFactors, CoreNamesAreLowerCase) {
  // The JSON contract lower-cases what it reads; the core never guesses.
  try {
    require_factor("Oxycodone", "oral", "m[0].drug", "m[0].route");
    ADD_FAILURE() << "accepted Oxycodone";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "m[0].drug");
  }
}

TEST(MmeItems, OralDailyDoseIsDoseTimesDosesPerDay) {
  EXPECT_DOUBLE_EQ(oral_daily_dose_mg(5, 4, "d", "n"), 20);
}

TEST(MmeItems, PlausibilityBoundKeepsSumsFarFromOverflow) {
  // Not a clinical limit.
  EXPECT_THROW(oral_daily_dose_mg(1e308, 10, "d", "n"), InputError);
  EXPECT_THROW(mme_item(*find_factor("morphine", "oral"), 2e6, "d"), InputError);
}

TEST(MmeFlags, ThresholdsAreTheGuidelineNumbers) {
  auto t = mme_thresholds();
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].at_or_above_mme_per_day, 50);  // CDC 2016 reassess [S]
  EXPECT_EQ(t[1].at_or_above_mme_per_day, 50);  // CDC 2022 Recommendation 8 naloxone [P], §10
  EXPECT_EQ(t[2].at_or_above_mme_per_day, 90);  // CDC 2016 avoid [S], superseded 2022 (§10)
  EXPECT_NE(std::string(t[1].source).find("Recommendation 8"), std::string::npos);
  EXPECT_NE(std::string(t[2].status).find("superseded in 2022"), std::string::npos);
}

TEST(MmeRoutes, CommonSpellingsMapToTheTableRoutes) {
  EXPECT_EQ(canonical_route("PO"), "oral");
  EXPECT_EQ(canonical_route("by mouth"), "oral");
  EXPECT_EQ(canonical_route("Patch"), "transdermal");
  EXPECT_EQ(canonical_route("iv"), "iv");  // not a table route: refused later, never guessed
  for (const auto& r : route_spellings()) EXPECT_EQ(canonical_route(r.spelling), r.route);
}

TEST(MmeNotConvertible, BuprenorphineIsListedNotConverted) {
  EXPECT_FALSE(not_convertible_reason("buprenorphine").empty());
  EXPECT_TRUE(not_convertible_reason("morphine").empty());
  MmeContext context;
  context.not_converted = {"buprenorphine", "buprenorphine"};
  context.benzodiazepine = true;
  const MmeSummary s = summarize({}, context);
  ASSERT_EQ(s.flags.size(), 2u);  // benzodiazepine, then buprenorphine once
  EXPECT_EQ(s.flags[0].code, "opioid_with_benzodiazepine");
  EXPECT_EQ(s.flags[1].code, "buprenorphine_not_converted");
  EXPECT_EQ(s.total_mme_per_day, 0);
}

TEST(MmeRounding, FloatingPointNoiseDoesNotMoveABoundary) {
  EXPECT_EQ(round_mme(120 * 0.15), 18.0);
  EXPECT_EQ(round_mme(49.9999999999), 50.0);
}

}  // namespace
}  // namespace kit::opioids
