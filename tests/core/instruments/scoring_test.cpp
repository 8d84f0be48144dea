// Scoring sheets: band edges of every instrument, safety flags, missing-item rules, subscales
// and the published yes/no rules. Rows cite shared/domain/pharmacology.md §5 or the source found
// by search (named in core/instruments/catalog.cpp).
#include "core/instruments/scoring.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/common/error.h"

namespace kit::instruments {
namespace {

using Answers = std::vector<std::optional<int>>;

const InstrumentDefinition& def(const char* id) {
  const InstrumentDefinition* d = find_instrument(id);
  if (d == nullptr) throw std::runtime_error(std::string("no instrument ") + id);
  return *d;
}

// Fills items from the first, each up to its max, until `total` is reached; keeps the safety item
// at 0 unless the total needs it (so band rows do not raise flags by accident).
Answers sheet_for_total(const InstrumentDefinition& d, int total) {
  Answers a(static_cast<std::size_t>(d.item_count), 0);
  int left = total;
  const int safety = d.safety ? d.safety->item : 0;
  for (int pass = 0; pass < 2 && left > 0; ++pass) {
    for (int i = 1; i <= d.item_count && left > 0; ++i) {
      if ((i == safety) != (pass == 1)) continue;
      const int v = std::min(left, d.item_max);
      a[static_cast<std::size_t>(i - 1)] = v;
      left -= v;
    }
  }
  return a;
}

// QIDS: one item per domain carries the domain score (the first item of the domain).
Answers qids_for_total(int total) {
  const InstrumentDefinition& d = def("qids_sr16");
  Answers a(16, 0);
  int left = total;
  for (const auto& g : d.domains) {
    if (g.name == "suicidal_ideation") continue;
    const int v = std::min(left, 3);
    a[static_cast<std::size_t>(g.first_item - 1)] = v;
    left -= v;
  }
  a[11] = std::min(left, 3);  // item 12 last
  return a;
}

struct BandEdgeRow {
  const char* id;
  int total;
  const char* band;
  const char* source;
};

class BandEdges : public ::testing::TestWithParam<BandEdgeRow> {};

TEST_P(BandEdges, TotalFallsInPublishedBand) {
  const BandEdgeRow& row = GetParam();
  const InstrumentDefinition& d = def(row.id);
  const Answers a = d.id == "qids_sr16" ? qids_for_total(row.total) : sheet_for_total(d, row.total);
  const ScoreResult r = score_sheet(d, a);
  EXPECT_DOUBLE_EQ(r.total, row.total) << row.source;
  ASSERT_TRUE(r.band.has_value()) << row.source;
  EXPECT_EQ(*r.band, row.band) << row.id << " total " << row.total << " (" << row.source << ")";
}

INSTANTIATE_TEST_SUITE_P(
    EveryBandEdge, BandEdges,
    ::testing::Values(
        // PHQ-9 (§5, LOINC LL358-3)
        BandEdgeRow{"phq9", 0, "none_minimal", "§5"}, BandEdgeRow{"phq9", 4, "none_minimal", "§5"},
        BandEdgeRow{"phq9", 5, "mild", "§5"}, BandEdgeRow{"phq9", 9, "mild", "§5"},
        BandEdgeRow{"phq9", 10, "moderate", "§5"}, BandEdgeRow{"phq9", 14, "moderate", "§5"},
        BandEdgeRow{"phq9", 15, "moderately_severe", "§5"},
        BandEdgeRow{"phq9", 19, "moderately_severe", "§5"}, BandEdgeRow{"phq9", 20, "severe", "§5"},
        BandEdgeRow{"phq9", 27, "severe", "§5"},
        // GAD-7 (§5, Spitzer 2006)
        BandEdgeRow{"gad7", 0, "minimal", "§5"}, BandEdgeRow{"gad7", 4, "minimal", "§5"},
        BandEdgeRow{"gad7", 5, "mild", "§5"}, BandEdgeRow{"gad7", 9, "mild", "§5"},
        BandEdgeRow{"gad7", 10, "moderate", "§5"}, BandEdgeRow{"gad7", 14, "moderate", "§5"},
        BandEdgeRow{"gad7", 15, "severe", "§5"}, BandEdgeRow{"gad7", 21, "severe", "§5"},
        // Y-BOCS (§5, Goodman 1989)
        BandEdgeRow{"ybocs", 0, "subclinical", "§5"}, BandEdgeRow{"ybocs", 7, "subclinical", "§5"},
        BandEdgeRow{"ybocs", 8, "mild", "§5"}, BandEdgeRow{"ybocs", 15, "mild", "§5"},
        BandEdgeRow{"ybocs", 16, "moderate", "§5"}, BandEdgeRow{"ybocs", 23, "moderate", "§5"},
        BandEdgeRow{"ybocs", 24, "severe", "§5"}, BandEdgeRow{"ybocs", 31, "severe", "§5"},
        BandEdgeRow{"ybocs", 32, "extreme", "§5"}, BandEdgeRow{"ybocs", 40, "extreme", "§5"},
        // MADRS (§5, Snaith 1986 via progress.im)
        BandEdgeRow{"madrs", 0, "normal", "§5"}, BandEdgeRow{"madrs", 6, "normal", "§5"},
        BandEdgeRow{"madrs", 7, "mild", "§5"}, BandEdgeRow{"madrs", 19, "mild", "§5"},
        BandEdgeRow{"madrs", 20, "moderate", "§5"}, BandEdgeRow{"madrs", 34, "moderate", "§5"},
        BandEdgeRow{"madrs", 35, "severe", "§5"}, BandEdgeRow{"madrs", 60, "severe", "§5"},
        // QIDS-SR16 (§5, ids-qids.org)
        BandEdgeRow{"qids_sr16", 0, "none", "§5"}, BandEdgeRow{"qids_sr16", 5, "none", "§5"},
        BandEdgeRow{"qids_sr16", 6, "mild", "§5"}, BandEdgeRow{"qids_sr16", 10, "mild", "§5"},
        BandEdgeRow{"qids_sr16", 11, "moderate", "§5"},
        BandEdgeRow{"qids_sr16", 15, "moderate", "§5"},
        BandEdgeRow{"qids_sr16", 16, "severe", "§5"}, BandEdgeRow{"qids_sr16", 20, "severe", "§5"},
        BandEdgeRow{"qids_sr16", 21, "very_severe", "§5"},
        BandEdgeRow{"qids_sr16", 27, "very_severe", "§5"},
        // NRS (§5, physiotherapy.ca; 0 = no-pain anchor)
        BandEdgeRow{"nrs", 0, "none", "anchor"}, BandEdgeRow{"nrs", 1, "mild", "§5"},
        BandEdgeRow{"nrs", 3, "mild", "§5"}, BandEdgeRow{"nrs", 4, "moderate", "§5"},
        BandEdgeRow{"nrs", 6, "moderate", "§5"}, BandEdgeRow{"nrs", 7, "severe", "§5"},
        BandEdgeRow{"nrs", 10, "severe", "§5"}),
    [](const auto& param_info) {
      return std::string(param_info.param.id) + "_" + std::to_string(param_info.param.total);
    });

TEST(BandEdges, NrsBoonstraBandSet) {
  // §5: alternative chronic-MSK cut-points <=5 / 6-7 / >=8 (Boonstra 2016).
  const auto& d = def("nrs");
  const std::pair<int, const char*> rows[] = {{0, "mild"},     {5, "mild"},   {6, "moderate"},
                                              {7, "moderate"}, {8, "severe"}, {10, "severe"}};
  for (const auto& [total, band] : rows) {
    ScoringOptions o;
    o.band_set = "boonstra_2016";
    EXPECT_EQ(*score_sheet(d, {total}, o).band, band) << total;
  }
}

TEST(BandEdges, UnknownBandSetIsRefusedByName) {
  ScoringOptions o;
  o.band_set = "nope";
  try {
    score_sheet(def("nrs"), {3}, o);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "band_set");
    EXPECT_NE(e.reason().find("boonstra_2016"), std::string::npos);
  }
}

// ---- Safety items --------------------------------------------------------------------------

struct SafetyRow {
  const char* id;
  int item;  // 1-based
  int answer;
  bool flagged;
  const char* source;
};

class SafetyFlags : public ::testing::TestWithParam<SafetyRow> {};

TEST_P(SafetyFlags, RaiseAtPolicyThreshold) {
  const SafetyRow& row = GetParam();
  const auto& d = def(row.id);
  Answers a(static_cast<std::size_t>(d.item_count), 0);
  a[static_cast<std::size_t>(row.item - 1)] = row.answer;
  const ScoreResult r = score_sheet(d, a);
  const bool flagged =
      std::find(r.flags.begin(), r.flags.end(), "suicidal_ideation") != r.flags.end();
  EXPECT_EQ(flagged, row.flagged) << row.source;
  // The threshold is a policy and is reported as one.
  EXPECT_FALSE(r.policies.empty());
}

INSTANTIATE_TEST_SUITE_P(
    PolicyAnyNonZero, SafetyFlags,
    ::testing::Values(SafetyRow{"phq9", 9, 0, false, "LOINC 44260-8; policy >=1"},
                      SafetyRow{"phq9", 9, 1, true, "LOINC 44260-8; policy >=1"},
                      SafetyRow{"phq9", 9, 3, true, "LOINC 44260-8; policy >=1"},
                      SafetyRow{"phq9", 8, 3, false, "item 8 is not the safety item"},
                      SafetyRow{"qids_sr16", 12, 0, false, "Rush 2003; policy >=1"},
                      SafetyRow{"qids_sr16", 12, 1, true, "Rush 2003; policy >=1"},
                      SafetyRow{"qids_sr16", 11, 3, false, "item 11 is not the safety item"},
                      SafetyRow{"madrs", 10, 0, false, "PMC3025994; policy >=1"},
                      SafetyRow{"madrs", 10, 1, true, "PMC3025994; policy >=1"},
                      SafetyRow{"madrs", 10, 6, true, "PMC3025994; policy >=1"},
                      SafetyRow{"madrs", 9, 6, false, "item 9 is not the safety item"}));

TEST(SafetyFlags, ClinicCanRaiseTheThresholdAndItIsLabelled) {
  Answers a(10, 0);
  a[9] = 2;  // MADRS item 10 = 2
  ScoringOptions o;
  o.safety_flag_min = 3;
  const ScoreResult r = score_sheet(def("madrs"), a, o);
  EXPECT_TRUE(r.flags.empty());
  EXPECT_NE(r.policies.front().find("clinic policy (request)"), std::string::npos);
}

TEST(SafetyFlags, ThresholdOutsideItemRangeIsRefused) {
  ScoringOptions o;
  o.safety_flag_min = 4;  // PHQ-9 items are 0-3
  EXPECT_THROW(score_sheet(def("phq9"), Answers(9, 0), o), InputError);
  o.safety_flag_min = 0;  // 0 would flag every sheet
  EXPECT_THROW(score_sheet(def("phq9"), Answers(9, 0), o), InputError);
  o.safety_flag_min = 1;  // GAD-7 has no safety item
  EXPECT_THROW(score_sheet(def("gad7"), Answers(7, 0), o), InputError);
}

// ---- Missing items -------------------------------------------------------------------------

TEST(MissingItems, Phq9ProratesUpToTwoMissing) {
  // NHS Data Dictionary PHQ-9: <=2 missing replaced by the mean of the answered items.
  const auto& d = def("phq9");
  Answers a = {2, 2, 2, 2, 2, 2, 1, std::nullopt, 0};  // 13 over 8 answered -> 14.625 -> 15
  const ScoreResult r = score_sheet(d, a);
  EXPECT_TRUE(r.prorated);
  EXPECT_EQ(r.missing, 1);
  EXPECT_DOUBLE_EQ(r.total, 15);
  EXPECT_EQ(*r.band, "moderately_severe");
  Answers two = {3, 3, 3, 3, 3, 3, 3, std::nullopt, std::nullopt};  // 21*9/7 = 27
  EXPECT_DOUBLE_EQ(score_sheet(d, two).total, 27);
  Answers half = {1, 1, 1, 1, 1, 1, 1, 2, std::nullopt};  // 9*9/8 = 10.125 -> 10
  EXPECT_DOUBLE_EQ(score_sheet(d, half).total, 10);
}

TEST(MissingItems, Phq9RefusesThreeMissing) {
  Answers a = {2, 2, 2, 2, 2, 2, std::nullopt, std::nullopt, std::nullopt};
  try {
    score_sheet(def("phq9"), a);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "answers");
    EXPECT_NE(e.reason().find("answers[6], answers[7], answers[8]"), std::string::npos);
    EXPECT_NE(e.reason().find("NHS Data Dictionary"), std::string::npos);
  }
}

TEST(MissingItems, Phq9MissingItem9IsScoredButFlaggedUnassessed) {
  Answers a = {1, 1, 1, 1, 1, 1, 1, 1, std::nullopt};
  const ScoreResult r = score_sheet(def("phq9"), a);
  EXPECT_EQ(r.flags, std::vector<std::string>{"suicidal_ideation_unassessed"});
  // The diagnostic algorithm needs every item: undecidable when prorated.
  ASSERT_FALSE(r.indicators.empty());
  EXPECT_FALSE(r.indicators.front().met.has_value());
}

struct RefuseRow {
  const char* id;
  int missing_item;  // 1-based
  const char* source;
};

class AllItemsRequired : public ::testing::TestWithParam<RefuseRow> {};

TEST_P(AllItemsRequired, OneMissingItemRefusesTheSheet) {
  const RefuseRow& row = GetParam();
  const auto& d = def(row.id);
  Answers a(static_cast<std::size_t>(d.item_count), 1);
  a[static_cast<std::size_t>(row.missing_item - 1)] = std::nullopt;
  try {
    score_sheet(d, a);
    FAIL() << row.id;
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "answers") << row.source;
    EXPECT_NE(e.reason().find("answers[" + std::to_string(row.missing_item - 1) + "]"),
              std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(PolicyNoImputation, AllItemsRequired,
                         ::testing::Values(RefuseRow{"gad7", 3, "policy: rule NOT FOUND"},
                                           RefuseRow{"pcl5", 20, "policy: rule NOT FOUND"},
                                           RefuseRow{"ybocs", 1, "policy: rule NOT FOUND"},
                                           RefuseRow{"madrs", 10, "policy: rule NOT FOUND"},
                                           RefuseRow{"nrs", 1, "single item"},
                                           RefuseRow{"cadss", 23, "policy: rule NOT FOUND"},
                                           RefuseRow{"bpi", 2, "policy: all 4 severity items"}),
                         [](const auto& param_info) { return std::string(param_info.param.id); });

TEST(MissingItems, WrongAnswerCountIsRefused) {
  try {
    score_sheet(def("phq9"), Answers(8, 0));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "answers");
    EXPECT_NE(e.reason().find("9 items; got 8"), std::string::npos);
  }
}

struct RangeRow {
  const char* id;
  int item;
  int value;
};

class ItemRange : public ::testing::TestWithParam<RangeRow> {};

TEST_P(ItemRange, OutOfRangeAnswerNamesItsIndex) {
  const RangeRow& row = GetParam();
  const auto& d = def(row.id);
  Answers a(static_cast<std::size_t>(d.item_count), 0);
  a[static_cast<std::size_t>(row.item - 1)] = row.value;
  try {
    score_sheet(d, a);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "answers[" + std::to_string(row.item - 1) + "]");
  }
}

INSTANTIATE_TEST_SUITE_P(OneAboveMaxOrBelowMin, ItemRange,
                         ::testing::Values(RangeRow{"phq9", 1, 4}, RangeRow{"phq9", 9, -1},
                                           RangeRow{"gad7", 7, 4}, RangeRow{"pcl5", 5, 5},
                                           RangeRow{"ybocs", 10, 5}, RangeRow{"madrs", 3, 7},
                                           RangeRow{"qids_sr16", 16, 4}, RangeRow{"nrs", 1, 11},
                                           RangeRow{"bpi", 11, 11}, RangeRow{"cadss", 1, 5}));

// ---- Subscales and published rules ---------------------------------------------------------

TEST(Subscales, YbocsObsessionsAndCompulsions) {
  // §5: 5 obsession + 5 compulsion items, subscales 0-20.
  const ScoreResult r = score_sheet(def("ybocs"), {4, 4, 4, 4, 4, 1, 1, 1, 1, 1});
  EXPECT_DOUBLE_EQ(r.total, 25);
  ASSERT_EQ(r.subscales.size(), 2u);
  EXPECT_EQ(r.subscales[0].name, "obsessions");
  EXPECT_DOUBLE_EQ(*r.subscales[0].score, 20);
  EXPECT_DOUBLE_EQ(r.subscales[0].max, 20);
  EXPECT_DOUBLE_EQ(*r.subscales[1].score, 5);
}

TEST(Subscales, Pcl5ClustersAndProvisionalDiagnosis) {
  // §5: clusters B 1-5, C 6-7, D 8-14, E 15-20; items >=2 count; >=1 B, >=1 C, >=2 D, >=2 E;
  // provisional cut-off 33 (CamCOPS).
  Answers a(20, 0);
  a[0] = 2;           // B
  a[5] = 2;           // C
  a[7] = a[8] = 2;    // D
  a[14] = a[15] = 2;  // E
  ScoreResult r = score_sheet(def("pcl5"), a);
  EXPECT_DOUBLE_EQ(r.total, 12);
  EXPECT_FALSE(r.band.has_value());
  ASSERT_EQ(r.subscales.size(), 4u);
  EXPECT_DOUBLE_EQ(*r.subscales[2].score, 4);  // cluster D
  ASSERT_EQ(r.indicators.size(), 2u);
  EXPECT_EQ(r.indicators[0].met, false);  // 12 < 33
  EXPECT_EQ(r.indicators[1].met, true);   // DSM-5 rule met
  a[15] = 1;                              // only one E item endorsed now
  r = score_sheet(def("pcl5"), a);
  EXPECT_EQ(r.indicators[1].met, false);
  Answers high(20, 2);
  high[0] = 1;  // total 39; cut-off rule met
  EXPECT_EQ(score_sheet(def("pcl5"), high).indicators[0].met, true);
  Answers edge(20, 0);
  for (int i = 0; i < 8; ++i) edge[static_cast<std::size_t>(i)] = 4;  // 32
  EXPECT_EQ(score_sheet(def("pcl5"), edge).indicators[0].met, false);
  edge[8] = 1;  // 33
  EXPECT_EQ(score_sheet(def("pcl5"), edge).indicators[0].met, true);
}

TEST(Indicators, Phq9DiagnosticAlgorithm) {
  // CamCOPS phq9.py: items 1-8 count if >=2, item 9 if >=1; core = item 1 or 2.
  ScoreResult r = score_sheet(def("phq9"), {2, 0, 2, 2, 2, 0, 0, 0, 1});  // core + 5 symptoms
  EXPECT_EQ(r.indicators[0].met, true);
  EXPECT_EQ(r.indicators[1].met, false);
  r = score_sheet(def("phq9"), {0, 2, 2, 0, 0, 0, 0, 0, 0});  // core + 2 symptoms
  EXPECT_EQ(r.indicators[0].met, false);
  EXPECT_EQ(r.indicators[1].met, true);
  r = score_sheet(def("phq9"), {1, 1, 3, 3, 3, 3, 3, 3, 0});  // no core symptom
  EXPECT_EQ(r.indicators[0].met, false);
  EXPECT_EQ(r.indicators[1].met, false);
}

TEST(Indicators, Gad7ScreenPositiveAtTen) {
  // §5: >=10 screen-positive (Spitzer 2006).
  EXPECT_EQ(score_sheet(def("gad7"), sheet_for_total(def("gad7"), 9)).indicators[0].met, false);
  EXPECT_EQ(score_sheet(def("gad7"), sheet_for_total(def("gad7"), 10)).indicators[0].met, true);
}

TEST(QidsDomains, EachDomainScoresItsHighestItem) {
  // §5: highest of items 1-4, of 6-9, of 15-16; other domains single items.
  Answers a = {1, 3, 0, 2,            // sleep -> 3
               1,                     // mood
               0, 2, 1, 0,            // appetite/weight -> 2
               1, 1, 0, 1, 1, 3, 1};  // psychomotor -> 3
  const ScoreResult r = score_sheet(def("qids_sr16"), a);
  EXPECT_DOUBLE_EQ(r.total, 3 + 1 + 2 + 1 + 1 + 0 + 1 + 1 + 3);
  ASSERT_EQ(r.subscales.size(), 9u);
  EXPECT_EQ(r.subscales[0].name, "sleep");
  EXPECT_DOUBLE_EQ(*r.subscales[0].score, 3);
}

TEST(QidsDomains, UnansweredItemsInsideADomainAreAllowed) {
  // Policy: a domain needs one answer; e.g. only one of the appetite/weight items answered.
  Answers a(16, 1);
  a[5] = a[7] = a[8] = std::nullopt;  // only item 7 answered in 6-9
  const ScoreResult r = score_sheet(def("qids_sr16"), a);
  EXPECT_DOUBLE_EQ(r.total, 9);
  EXPECT_FALSE(r.policies.empty());
}

TEST(QidsDomains, AnEmptyDomainIsRefused) {
  Answers a(16, 1);
  a[14] = a[15] = std::nullopt;  // psychomotor domain empty
  try {
    score_sheet(def("qids_sr16"), a);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "answers");
    EXPECT_NE(e.reason().find("psychomotor"), std::string::npos);
  }
  Answers b(16, 1);
  b[11] = std::nullopt;  // the suicide item is its own domain: cannot be skipped
  EXPECT_THROW(score_sheet(def("qids_sr16"), b), InputError);
}

TEST(Bpi, SeverityMeanIsTheTotalAndInterferenceNeedsFourOfSeven) {
  // ePPOC/AHSRI: severity = mean of 4; SRAlab: interference = mean of 7, valid if >=4 answered.
  const auto& d = def("bpi");
  Answers a = {8, 2, 5, 4, 6, 6, 6, 6, std::nullopt, std::nullopt, std::nullopt};
  ScoreResult r = score_sheet(d, a);
  EXPECT_DOUBLE_EQ(r.total, 4.75);
  EXPECT_EQ(*r.band, "mild");  // 4.75 has not reached 5
  ASSERT_EQ(r.subscales.size(), 2u);
  EXPECT_DOUBLE_EQ(*r.subscales[1].score, 6);
  EXPECT_EQ(r.subscales[1].loinc, std::optional<std::string_view>("77565-0"));
  a[7] = std::nullopt;  // 3 of 7 interference answered: not valid
  r = score_sheet(d, a);
  EXPECT_FALSE(r.subscales[1].score.has_value());
  EXPECT_DOUBLE_EQ(r.total, 4.75);  // severity still scored
  Answers sev = {7, 7, 7, 7, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(*score_sheet(d, sev).band, "severe");
}

TEST(Cadss, ItemRangeIsAPolicyTheClinicCanSet) {
  const auto& d = def("cadss");
  Answers a(23, 4);
  ScoreResult r = score_sheet(d, a);
  EXPECT_DOUBLE_EQ(r.total, 92);
  EXPECT_DOUBLE_EQ(r.total_max, 92);
  EXPECT_FALSE(r.band.has_value());
  ASSERT_FALSE(r.policies.empty());
  EXPECT_NE(r.policies.front().find("NOT FOUND"), std::string::npos);
  ScoringOptions o;
  o.item_max = 3;
  EXPECT_THROW(score_sheet(d, a, o), InputError);  // 4 now out of range
  Answers b(23, 3);
  r = score_sheet(d, b, o);
  EXPECT_DOUBLE_EQ(r.total_max, 69);
}

TEST(Cadss, PublishedItemRangesCannotBeOverridden) {
  ScoringOptions o;
  o.item_max = 4;
  try {
    score_sheet(def("phq9"), Answers(9, 0), o);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "policy.item_max");
  }
}

}  // namespace
}  // namespace kit::instruments
