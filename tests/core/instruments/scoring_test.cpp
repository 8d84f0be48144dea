// Properties of scoring that hold for every instrument. The scoring sheets themselves - band edges
// of every instrument, safety flags, missing-item rules, subscales and the published yes/no rules,
// each row citing docs/reference/pharmacology.md §5 or the source named in
// core/instruments/catalog.cpp - are clinical cases in tests/cases/instruments.cases.
#include "core/instruments/scoring.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace kit::instruments {
namespace {

using Answers = std::vector<std::optional<int>>;

TEST(Scoring, ExtremeSheetsScoreTheEndsOfTheTotalRange) {
  for (const InstrumentDefinition& d : all_instruments()) {
    SCOPED_TRACE(std::string(d.id));
    const auto n = static_cast<std::size_t>(d.item_count);
    const ScoreResult low = score_sheet(d, Answers(n, d.item_min));
    const ScoreResult high = score_sheet(d, Answers(n, d.item_max));
    EXPECT_DOUBLE_EQ(low.total, d.total_min);
    EXPECT_DOUBLE_EQ(high.total, d.total_max);
    EXPECT_DOUBLE_EQ(high.total_max, d.total_max);
    EXPECT_EQ(high.answered, d.item_count);
    EXPECT_EQ(high.missing, 0);
    EXPECT_FALSE(high.prorated);
    // A band, when the instrument has published ones, for both ends.
    EXPECT_EQ(low.band.has_value(), !d.band_sets.empty());
    EXPECT_EQ(high.band.has_value(), !d.band_sets.empty());
  }
}

TEST(Scoring, TotalsNeverLeaveTheRange) {
  // Every single-item sheet (one item at any value, the others at the minimum).
  for (const InstrumentDefinition& d : all_instruments()) {
    const auto n = static_cast<std::size_t>(d.item_count);
    for (std::size_t item = 0; item < n; ++item) {
      for (int v = d.item_min; v <= d.item_max; ++v) {
        Answers a(n, d.item_min);
        a[item] = v;
        const ScoreResult r = score_sheet(d, a);
        EXPECT_GE(r.total, d.total_min) << d.id << " item " << item + 1 << " = " << v;
        EXPECT_LE(r.total, d.total_max) << d.id << " item " << item + 1 << " = " << v;
      }
    }
  }
}

}  // namespace
}  // namespace kit::instruments
