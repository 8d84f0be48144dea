// The instrument catalogue against the clinical reference (docs/reference/pharmacology.md §5).
// Each row cites where its numbers come from.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/instruments/instrument.h"

namespace kit::instruments {
namespace {

struct ShapeRow {
  const char* id;
  int items;
  int item_min;
  int item_max;
  double total_min;
  double total_max;
  std::optional<const char*> loinc_total;
  std::optional<const char*> loinc_panel;
  const char* source;
};

class InstrumentShape : public ::testing::TestWithParam<ShapeRow> {};

TEST_P(InstrumentShape, MatchesReference) {
  const ShapeRow& row = GetParam();
  const InstrumentDefinition* d = find_instrument(row.id);
  ASSERT_NE(d, nullptr) << row.id;
  EXPECT_EQ(d->item_count, row.items) << row.source;
  EXPECT_EQ(d->item_min, row.item_min) << row.source;
  EXPECT_EQ(d->item_max, row.item_max) << row.source;
  EXPECT_DOUBLE_EQ(d->total_min, row.total_min) << row.source;
  EXPECT_DOUBLE_EQ(d->total_max, row.total_max) << row.source;
  EXPECT_EQ(d->loinc_total.has_value(), row.loinc_total.has_value()) << row.source;
  if (row.loinc_total && d->loinc_total) {
    EXPECT_EQ(*d->loinc_total, *row.loinc_total);
  }
  EXPECT_EQ(d->loinc_panel.has_value(), row.loinc_panel.has_value()) << row.source;
  if (row.loinc_panel && d->loinc_panel) {
    EXPECT_EQ(*d->loinc_panel, *row.loinc_panel);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Reference5, InstrumentShape,
    ::testing::Values(
        ShapeRow{"phq9", 9, 0, 3, 0, 27, "44261-6", "44249-1", "§5: loinc.org 44261-6; CamCOPS"},
        ShapeRow{"gad7", 7, 0, 3, 0, 21, "70274-6", "69737-5", "§5: Spitzer 2006; LOINC 69729-2"},
        ShapeRow{"pcl5", 20, 0, 4, 0, 80, "101698-9", "101697-1", "§5: comorbidityguidelines"},
        ShapeRow{"ybocs", 10, 0, 4, 0, 40, std::nullopt, std::nullopt,
                 "§5: Goodman 1989; LOINC "
                 "NOT FOUND"},
        ShapeRow{"madrs", 10, 0, 6, 0, 60, std::nullopt, std::nullopt,
                 "§5: progress.im; LOINC "
                 "NOT FOUND"},
        ShapeRow{"qids_sr16", 16, 0, 3, 0, 27, std::nullopt, std::nullopt,
                 "§5: Cambio CKM; LOINC NOT FOUND"},
        ShapeRow{"nrs", 1, 0, 10, 0, 10, "72514-3", std::nullopt, "§5: LOINC 72514-3"},
        // BPI: 4 severity + 7 interference items (severity count found by search: ePPOC); total
        // = severity mean 0-10; panel/severity LOINC NOT FOUND.
        ShapeRow{"bpi", 11, 0, 10, 0, 10, std::nullopt, std::nullopt, "§5: SRAlab; ePPOC"},
        // CADSS: 23-item subjective total (§5); item range NOT FOUND -> policy 0-4, total derived.
        ShapeRow{"cadss", 23, 0, 4, 0, 92, std::nullopt, std::nullopt,
                 "§5: Bremner 2014; item range policy"}),
    [](const auto& param_info) { return std::string(param_info.param.id); });

struct BandRow {
  const char* id;
  const char* band_set;
  int band_index;
  double min;
  double max;
  const char* name;
  const char* source;
};

class InstrumentBands : public ::testing::TestWithParam<BandRow> {};

TEST_P(InstrumentBands, MatchesReference) {
  const BandRow& row = GetParam();
  const InstrumentDefinition* d = find_instrument(row.id);
  ASSERT_NE(d, nullptr);
  const BandSet* set = nullptr;
  for (const auto& s : d->band_sets) {
    if (s.id == row.band_set) set = &s;
  }
  ASSERT_NE(set, nullptr) << row.band_set;
  ASSERT_LT(row.band_index, static_cast<int>(set->bands.size()));
  const Band& b = set->bands[static_cast<std::size_t>(row.band_index)];
  EXPECT_DOUBLE_EQ(b.min, row.min) << row.source;
  EXPECT_DOUBLE_EQ(b.max, row.max) << row.source;
  EXPECT_EQ(b.name, row.name) << row.source;
}

INSTANTIATE_TEST_SUITE_P(
    Reference5, InstrumentBands,
    ::testing::Values(
        BandRow{"phq9", "default", 0, 0, 4, "none_minimal", "§5 LL358-3"},
        BandRow{"phq9", "default", 1, 5, 9, "mild", "§5 LL358-3"},
        BandRow{"phq9", "default", 2, 10, 14, "moderate", "§5 LL358-3"},
        BandRow{"phq9", "default", 3, 15, 19, "moderately_severe", "§5 LL358-3"},
        BandRow{"phq9", "default", 4, 20, 27, "severe", "§5 LL358-3"},
        BandRow{"gad7", "default", 0, 0, 4, "minimal", "§5 Spitzer 2006"},
        BandRow{"gad7", "default", 1, 5, 9, "mild", "§5 Spitzer 2006"},
        BandRow{"gad7", "default", 2, 10, 14, "moderate", "§5 Spitzer 2006"},
        BandRow{"gad7", "default", 3, 15, 21, "severe", "§5 Spitzer 2006"},
        BandRow{"ybocs", "default", 0, 0, 7, "subclinical", "§5 Goodman 1989"},
        BandRow{"ybocs", "default", 1, 8, 15, "mild", "§5 Goodman 1989"},
        BandRow{"ybocs", "default", 2, 16, 23, "moderate", "§5 Goodman 1989"},
        BandRow{"ybocs", "default", 3, 24, 31, "severe", "§5 Goodman 1989"},
        BandRow{"ybocs", "default", 4, 32, 40, "extreme", "§5 Goodman 1989"},
        BandRow{"madrs", "default", 0, 0, 6, "normal", "§5 progress.im / Snaith 1986"},
        BandRow{"madrs", "default", 1, 7, 19, "mild", "§5 progress.im / Snaith 1986"},
        BandRow{"madrs", "default", 2, 20, 34, "moderate", "§5 progress.im / Snaith 1986"},
        BandRow{"madrs", "default", 3, 35, 60, "severe", "§5 progress.im / Snaith 1986"},
        BandRow{"qids_sr16", "default", 0, 0, 5, "none", "§5 ids-qids.org"},
        BandRow{"qids_sr16", "default", 1, 6, 10, "mild", "§5 ids-qids.org"},
        BandRow{"qids_sr16", "default", 2, 11, 15, "moderate", "§5 ids-qids.org"},
        BandRow{"qids_sr16", "default", 3, 16, 20, "severe", "§5 ids-qids.org"},
        BandRow{"qids_sr16", "default", 4, 21, 27, "very_severe", "§5 ids-qids.org"},
        BandRow{"nrs", "default", 0, 0, 0, "none", "0 = no-pain anchor"},
        BandRow{"nrs", "default", 1, 1, 3, "mild", "§5 physiotherapy.ca"},
        BandRow{"nrs", "default", 2, 4, 6, "moderate", "§5 physiotherapy.ca"},
        BandRow{"nrs", "default", 3, 7, 10, "severe", "§5 physiotherapy.ca"},
        BandRow{"nrs", "boonstra_2016", 0, 0, 5, "mild", "§5 Boonstra 2016"},
        BandRow{"nrs", "boonstra_2016", 1, 6, 7, "moderate", "§5 Boonstra 2016"},
        BandRow{"nrs", "boonstra_2016", 2, 8, 10, "severe", "§5 Boonstra 2016"}));

TEST(InstrumentBands, PclCadssAndTheBpiMeanHaveNoPublishedBands) {
  // §5: PCL-5 "no empirically derived severity bands"; CADSS is a state measure.
  EXPECT_TRUE(find_instrument("pcl5")->band_sets.empty());
  EXPECT_TRUE(find_instrument("cadss")->band_sets.empty());
  // §10: the BPI bands (0-4 mild etc.) were defined for single items, not for the mean.
  EXPECT_TRUE(find_instrument("bpi")->band_sets.empty());
}

TEST(InstrumentBands, BandsTileTheTotalRangeWithoutGapsOrOverlap) {
  for (const auto& d : all_instruments()) {
    for (const auto& set : d.band_sets) {
      ASSERT_FALSE(set.bands.empty());
      EXPECT_DOUBLE_EQ(set.bands.front().min, d.total_min) << d.id << "/" << set.id;
      EXPECT_DOUBLE_EQ(set.bands.back().max, d.total_max) << d.id << "/" << set.id;
      for (std::size_t i = 1; i < set.bands.size(); ++i) {
        EXPECT_DOUBLE_EQ(set.bands[i].min, set.bands[i - 1].max + 1) << d.id << "/" << set.id;
      }
    }
  }
}

struct SafetyRow {
  const char* id;
  int item;
  int flag_min;
  bool threshold_is_policy;
  int urgent_min;
  const char* source;
};

class SafetyItems : public ::testing::TestWithParam<SafetyRow> {};

TEST_P(SafetyItems, MatchSources) {
  const SafetyRow& row = GetParam();
  const InstrumentDefinition* d = find_instrument(row.id);
  ASSERT_TRUE(d->safety.has_value()) << row.id;
  EXPECT_EQ(d->safety->item, row.item) << row.source;
  EXPECT_EQ(d->safety->flag_min, row.flag_min) << row.source;
  EXPECT_EQ(d->safety->flag, "suicidal_ideation");
  EXPECT_EQ(d->safety->threshold_source.policy, row.threshold_is_policy) << row.source;
  // Urgency: clinic policy (action rule NOT FOUND, §5), never below the flag threshold.
  EXPECT_EQ(d->safety->urgent_min, row.urgent_min) << row.source;
  EXPECT_GT(d->safety->urgent_min, d->safety->flag_min) << row.source;
  EXPECT_LE(d->safety->urgent_min, d->item_max) << row.source;
  EXPECT_TRUE(d->safety->urgent_source.policy) << row.source;
}

INSTANTIATE_TEST_SUITE_P(
    Sources, SafetyItems,
    ::testing::Values(
        // PHQ-9 item 9 = LOINC 44260-8 (§5); action rule NOT FOUND -> policy any non-zero.
        SafetyRow{"phq9", 9, 1, true, 3, "§5 LOINC 44260-8; policy"},
        // QIDS-SR16 item 12 (Rush 2003 via guidelinecentral.com, found by search).
        SafetyRow{"qids_sr16", 12, 1, true, 3, "Rush 2003; policy"},
        // MADRS item 10 suicidal thoughts (PMC3025994 Table 1, found by search).
        SafetyRow{"madrs", 10, 1, true, 4, "PMC3025994; policy"}),
    [](const auto& param_info) { return std::string(param_info.param.id); });

TEST(SafetyItems, OnlyTheThreeDepressionScalesHaveOne) {
  int with_safety = 0;
  for (const auto& d : all_instruments()) with_safety += d.safety ? 1 : 0;
  EXPECT_EQ(with_safety, 3);
}

TEST(Catalogue, HasExactlyTheNineIdsOfTheContract) {
  const char* ids[] = {"phq9",      "gad7", "pcl5", "ybocs", "madrs",
                       "qids_sr16", "nrs",  "bpi",  "cadss"};
  EXPECT_EQ(all_instruments().size(), 9u);
  for (const char* id : ids) EXPECT_NE(find_instrument(id), nullptr) << id;
  EXPECT_EQ(find_instrument("PHQ9"), nullptr);  // ids are exact
  EXPECT_EQ(find_instrument(""), nullptr);
}

TEST(Catalogue, EveryPolicyIsLabelledAndEveryFactHasACitation) {
  for (const auto& d : all_instruments()) {
    EXPECT_FALSE(d.items_source.citation.empty()) << d.id;
    EXPECT_FALSE(d.missing.source.citation.empty()) << d.id;
    EXPECT_FALSE(d.loinc_source.citation.empty()) << d.id;
    if (d.missing.source.policy) {
      EXPECT_NE(d.missing.source.citation.find("policy"), std::string_view::npos) << d.id;
    }
    if (d.items_source.policy) {
      EXPECT_NE(d.items_source.citation.find("policy"), std::string_view::npos) << d.id;
    }
  }
}

}  // namespace
}  // namespace kit::instruments
