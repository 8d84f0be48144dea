// Contract tests for the JSON commands' shared input handling (--input FILE) and the instrument
// catalogue handler. `kit score` and `kit outcome` are replayed case by case from
// tests/cases/instruments.cases and tests/cases/outcomes.cases (through the contract, the real
// binary and the HTTP route).
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "contract/instruments_api.h"
#include "tests/support/run_process.h"

namespace {

using nlohmann::json;

TEST(OutcomeCli, InputFileOptionWorks) {
  const std::string path = ::testing::TempDir() + "kit_outcome_input.json";
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs(
      R"({"instrument":"nrs","series":[{"date":"2026-01-05","total":8},{"date":"2026-01-06","total":4}]})",
      f);
  std::fclose(f);
  const auto r = kit::test::run_kit({"outcome", "--input", path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["status"], "response");
}

// The catalogue handler (for the clinic server's forms): every instrument, with outcome rules
// except CADSS (a state measure).
TEST(InstrumentCatalog, ListsEveryInstrumentWithSourcesAndPolicies) {
  const json cat = kit::contract::handle_instrument_catalog(json(nullptr));
  ASSERT_EQ(cat["instruments"].size(), 9u);
  for (const auto& entry : cat["instruments"]) {
    EXPECT_FALSE(entry["items_source"]["source"].get<std::string>().empty()) << entry["id"];
    if (entry["id"] == "cadss") {
      EXPECT_TRUE(entry["outcome_rules"].is_null());
      EXPECT_EQ(entry["items_source"]["policy"], true);  // item range NOT FOUND
    } else {
      EXPECT_FALSE(entry["outcome_rules"].is_null()) << entry["id"];
    }
  }
  EXPECT_THROW(kit::contract::handle_instrument_catalog(json{{"x", 1}}), std::exception);
}

}  // namespace
