// Executable specification of the CDC 2022 MME conversion (pharmacology.md section 6).
#include "core/opioids/mme.h"

#include <gtest/gtest.h>

#include <string>

#include "core/common/error.h"

namespace kit::opioids {
namespace {

struct FactorRow {
  const char* drug;
  const char* route;
  double factor;
  DoseBasis basis;
  const char* source;
};

// Every row of the CDC 2022 table, pharmacology.md section 6 [S].
const FactorRow kFactorRows[] = {
    {"codeine", "oral", 0.15, DoseBasis::kOralMgPerDay, "CDC 2022 table: codeine 0.15"},
    {"fentanyl", "transdermal", 2.4, DoseBasis::kTransdermalMcgPerHour,
     "CDC 2022 table: fentanyl transdermal 2.4 per mcg/h"},
    {"hydrocodone", "oral", 1.0, DoseBasis::kOralMgPerDay, "CDC 2022 table: hydrocodone 1.0"},
    {"hydromorphone", "oral", 5.0, DoseBasis::kOralMgPerDay, "CDC 2022 table: hydromorphone 5.0"},
    {"methadone", "oral", 4.7, DoseBasis::kOralMgPerDay, "CDC 2022 table: methadone 4.7"},
    {"morphine", "oral", 1.0, DoseBasis::kOralMgPerDay, "CDC 2022 table: morphine 1.0"},
    {"oxycodone", "oral", 1.5, DoseBasis::kOralMgPerDay, "CDC 2022 table: oxycodone 1.5"},
    {"oxymorphone", "oral", 3.0, DoseBasis::kOralMgPerDay, "CDC 2022 table: oxymorphone 3.0"},
    {"tapentadol", "oral", 0.4, DoseBasis::kOralMgPerDay, "CDC 2022 table: tapentadol 0.4"},
    {"tramadol", "oral", 0.2, DoseBasis::kOralMgPerDay, "CDC 2022 table: tramadol 0.2"},
};

TEST(MmeFactors, EveryCdc2022RowIsInTheTable) {
  for (const auto& row : kFactorRows) {
    SCOPED_TRACE(row.source);
    const ConversionFactor* f = find_factor(row.drug, row.route);
    ASSERT_NE(f, nullptr);
    EXPECT_DOUBLE_EQ(f->mme_per_unit, row.factor);
    EXPECT_EQ(f->basis, row.basis);
  }
  EXPECT_EQ(cdc_2022_factors().size(), std::size(kFactorRows));  // nothing extra, nothing missing
}

TEST(MmeFactors, OnlyMethadoneAndTransdermalFentanylCarryACaution) {
  // CDC 2022 table notes: "special caution with methadone and transdermal fentanyl" [S].
  for (const auto& f : cdc_2022_factors()) {
    SCOPED_TRACE(std::string(f.drug));
    const bool expected = f.drug == "methadone" || f.drug == "fentanyl";
    EXPECT_EQ(!f.caution.empty(), expected);
  }
}

struct ItemRow {
  const char* drug;
  const char* route;
  double daily_amount;  // mg/day or mcg/h
  double mme_per_day;
  const char* source;
};

const ItemRow kItemRows[] = {
    {"hydrocodone", "oral", 5 * 4, 20, "CDC table notes worked example: hydrocodone 5 mg QID = 20"},
    {"oxycodone", "oral", 10 * 2, 30,
     "CDC table notes worked example: oxycodone ER 10 mg BID = 30"},
    {"codeine", "oral", 30 * 4, 18, "(derived) 120 mg/day x 0.15"},
    {"fentanyl", "transdermal", 25, 60, "(derived) 25 mcg/h x 2.4"},
    {"methadone", "oral", 10, 47, "(derived) 10 mg/day x 4.7 (2022 single factor)"},
    {"tramadol", "oral", 250, 50, "(derived) 250 mg/day x 0.2: exactly at the 50 threshold"},
    {"tapentadol", "oral", 225, 90, "(derived) 225 mg/day x 0.4: exactly at the 90 threshold"},
    {"hydromorphone", "oral", 8, 40, "(derived) 8 mg/day x 5"},
    {"oxymorphone", "oral", 20, 60, "(derived) 20 mg/day x 3"},
    {"morphine", "oral", 60, 60, "(derived) 60 mg/day x 1"},
};

TEST(MmeItems, DailyAmountTimesFactor) {
  for (const auto& row : kItemRows) {
    SCOPED_TRACE(row.source);
    const MmeItem item = mme_item(*find_factor(row.drug, row.route), row.daily_amount, "x");
    EXPECT_EQ(item.mme_per_day, row.mme_per_day);  // exact after rounding to 1e-6
  }
}

TEST(MmeItems, OralDailyDoseIsDoseTimesDosesPerDay) {
  EXPECT_DOUBLE_EQ(oral_daily_dose_mg(5, 4, "d", "n"), 20);
}

TEST(MmeItems, NonPositiveAmountsAreRefusedNamingTheField) {
  struct Row {
    double dose, per_day;
    const char* field;
  };
  for (const Row& r : {Row{0, 4, "m[0].dose_mg"}, Row{-5, 4, "m[0].dose_mg"},
                       Row{5, 0, "m[0].doses_per_day"}, Row{5, -1, "m[0].doses_per_day"}}) {
    try {
      oral_daily_dose_mg(r.dose, r.per_day, "m[0].dose_mg", "m[0].doses_per_day");
      ADD_FAILURE() << "accepted " << r.dose << " x " << r.per_day;
    } catch (const InputError& e) {
      EXPECT_EQ(e.field(), r.field);
    }
  }
  EXPECT_THROW(mme_item(*find_factor("fentanyl", "transdermal"), 0, "m[0].mcg_per_h"), InputError);
  // Plausibility bound (not clinical): keeps sums far from overflow.
  EXPECT_THROW(oral_daily_dose_mg(1e308, 10, "d", "n"), InputError);
  EXPECT_THROW(mme_item(*find_factor("morphine", "oral"), 2e6, "d"), InputError);
}

TEST(MmeFactors, UnknownDrugOrRouteIsRefusedNeverGuessed) {
  struct Row {
    const char* drug;
    const char* route;
    const char* field;
    const char* why;
  };
  const Row rows[] = {
      {"meperidine", "oral", "m[0].drug", "Von Korff 2008 only; tables are not mixed"},
      {"levorphanol", "oral", "m[0].drug", "older tables only"},
      {"fentanyl", "buccal", "m[0].route", "transmucosal factor only in Von Korff 2008"},
      {"morphine", "iv", "m[0].route", "CDC factors are oral"},
      {"oxycodone", "transdermal", "m[0].route", "no such row"},
      {"Oxycodone", "oral", "m[0].drug", "core names are lower-case; the app lower-cases"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.why);
    try {
      require_factor(r.drug, r.route, "m[0].drug", "m[0].route");
      ADD_FAILURE() << "accepted " << r.drug << "/" << r.route;
    } catch (const InputError& e) {
      EXPECT_EQ(e.field(), r.field);
    }
  }
}

struct ThresholdRow {
  double total;
  std::vector<std::string> codes;
  const char* source;
};

TEST(MmeFlags, ThresholdsAtFiftyAndNinety) {
  const std::vector<std::string> at50 = {"mme_at_or_above_50_reassess",
                                         "mme_at_or_above_50_offer_naloxone"};
  std::vector<std::string> at90 = at50;
  at90.push_back("mme_at_or_above_90_avoid_or_justify");
  const ThresholdRow rows[] = {
      {0, {}, "no opioid"},
      {49.999, {}, "below 50 MME/day"},
      {50, at50, "CDC 2016 reassess at >= 50; CDC 2022 offer naloxone at >= 50 [S]"},
      {89.999, at50, "below 90"},
      {90, at90, "CDC 2016 avoid/justify >= 90 [S]"},
      {400, at90, "far above"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.source);
    // One morphine item gives exactly the total (factor 1.0).
    std::vector<MmeItem> items;
    if (row.total > 0) items.push_back(mme_item(*find_factor("morphine", "oral"), row.total, "x"));
    const MmeSummary s = summarize(items);
    EXPECT_EQ(s.total_mme_per_day, row.total);
    std::vector<std::string> codes;
    for (const auto& f : s.flags) codes.push_back(f.code);
    EXPECT_EQ(codes, row.codes);
  }
}

TEST(MmeFlags, ThresholdsAreTheGuidelineNumbers) {
  auto t = mme_thresholds();
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].at_or_above_mme_per_day, 50);  // CDC 2016 reassess [S]
  EXPECT_EQ(t[1].at_or_above_mme_per_day, 50);  // CDC 2022 naloxone [S]
  EXPECT_EQ(t[2].at_or_above_mme_per_day, 90);  // CDC 2016 avoid [S]
  EXPECT_NE(std::string(t[1].status).find("NOT FOUND"), std::string::npos);
}

TEST(MmeFlags, CautionsForMethadoneAndFentanylOncePerDrug) {
  const auto* methadone = find_factor("methadone", "oral");
  const auto* fentanyl = find_factor("fentanyl", "transdermal");
  const MmeSummary s = summarize(
      {mme_item(*methadone, 2, "x"), mme_item(*methadone, 2, "x"), mme_item(*fentanyl, 12, "x")});
  std::vector<std::string> codes;
  for (const auto& f : s.flags) codes.push_back(f.code);
  EXPECT_EQ(codes,
            (std::vector<std::string>{"methadone_oral_caution", "fentanyl_transdermal_caution"}));
  EXPECT_DOUBLE_EQ(s.total_mme_per_day, 2 * 4.7 + 2 * 4.7 + 12 * 2.4);
}

TEST(MmeTotals, SumOfItemsWorkedExamples) {
  // hydrocodone 5 mg QID (20) + oxycodone ER 10 mg BID (30) = 50: CDC worked examples, summed.
  const MmeSummary s = summarize({mme_item(*find_factor("hydrocodone", "oral"), 20, "x"),
                                  mme_item(*find_factor("oxycodone", "oral"), 20, "x")});
  EXPECT_EQ(s.total_mme_per_day, 50);
  EXPECT_EQ(s.flags.size(), 2u);
}

TEST(MmeChange, DifferenceAndThresholdCrossings) {
  const auto* morphine = find_factor("morphine", "oral");
  auto total = [&](double mme) { return summarize({mme_item(*morphine, mme, "x")}); };
  struct Row {
    double previous, current, change;
    std::vector<double> up, down;
  };
  const Row rows[] = {
      {40, 60, 20, {50}, {}}, {40, 95, 55, {50, 90}, {}}, {95, 40, -55, {}, {50, 90}},
      {50, 50, 0, {}, {}},    {49, 50, 1, {50}, {}},
  };
  for (const auto& r : rows) {
    const MmeChange c = compare(total(r.previous), total(r.current));
    EXPECT_EQ(c.previous_total_mme_per_day, r.previous);
    EXPECT_EQ(c.change_mme_per_day, r.change);
    EXPECT_EQ(c.thresholds_crossed_upward, r.up);
    EXPECT_EQ(c.thresholds_crossed_downward, r.down);
  }
}

TEST(MmeRounding, FloatingPointNoiseDoesNotMoveABoundary) {
  EXPECT_EQ(round_mme(120 * 0.15), 18.0);
  EXPECT_EQ(round_mme(49.9999999999), 50.0);
}

}  // namespace
}  // namespace kit::opioids
