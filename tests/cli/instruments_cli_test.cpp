// Contract tests for `kit score` and `kit outcome`: the real binary, JSON on stdin, exit codes
// 0 (ok) and 2 (bad input: one line on stderr naming the field, nothing on stdout).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "app/instruments_api.h"
#include "tests/support/run_process.h"

namespace {

using nlohmann::json;

json run_ok(const std::string& cmd, const std::string& in) {
  const auto r = kit::test::run_kit({cmd}, in);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  return json::parse(r.out);
}

void expect_refused(const std::string& cmd, const std::string& in, const std::string& field) {
  const auto r = kit::test::run_kit({cmd}, in);
  EXPECT_EQ(r.exit_code, 2) << in;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(r.err.rfind("error: " + field + ": ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(ScoreCli, ContractFieldsForPhq9) {
  // Total 14 = moderate (§5 bands); item 9 = 1 raises the flag (policy any non-zero).
  const json out = run_ok("score", R"({"instrument":"phq9","answers":[2,2,2,2,2,1,1,1,1]})");
  EXPECT_EQ(out["instrument"], "phq9");
  EXPECT_EQ(out["total"], 14);
  EXPECT_EQ(out["max"], 27);
  EXPECT_EQ(out["band"], "moderate");
  EXPECT_EQ(out["flags"], json::array({"suicidal_ideation"}));
  EXPECT_EQ(out["loinc"], "44261-6");
  EXPECT_EQ(out["prorated"], false);
  EXPECT_FALSE(out["band_source"].get<std::string>().empty());
  EXPECT_FALSE(out["policies"].empty());
}

TEST(ScoreCli, NullAnswerIsProratedForPhq9) {
  const json out = run_ok("score", R"({"instrument":"phq9","answers":[2,2,2,2,2,2,1,null,0]})");
  EXPECT_EQ(out["total"], 15);
  EXPECT_EQ(out["prorated"], true);
  EXPECT_EQ(out["missing"], 1);
}

TEST(ScoreCli, InstrumentsWithoutLoincOrBandsSayNull) {
  json out = run_ok("score", R"({"instrument":"ybocs","answers":[1,1,1,1,1,1,1,1,1,1]})");
  EXPECT_TRUE(out["loinc"].is_null());
  EXPECT_EQ(out["band"], "mild");
  out = run_ok("score",
               R"({"instrument":"pcl5","answers":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1]})");
  EXPECT_TRUE(out["band"].is_null());
  EXPECT_EQ(out["loinc"], "101698-9");
}

TEST(ScoreCli, BpiTotalIsAMean) {
  const json out =
      run_ok("score", R"({"instrument":"bpi","answers":[8,2,5,4,6,6,6,6,null,null,null]})");
  EXPECT_DOUBLE_EQ(out["total"].get<double>(), 4.75);
  EXPECT_EQ(out["subscales"][1]["name"], "interference");
  EXPECT_EQ(out["subscales"][1]["loinc"], "77565-0");
}

TEST(ScoreCli, PolicyOverridesAreAccepted) {
  const json out = run_ok(
      "score",
      R"({"instrument":"madrs","answers":[0,0,0,0,0,0,0,0,0,2],"policy":{"safety_flag_min":3}})");
  EXPECT_TRUE(out["flags"].empty());
}

struct Refusal {
  const char* name;
  const char* cmd;
  const char* input;
  const char* field;
};

class Refusals : public ::testing::TestWithParam<Refusal> {};

TEST_P(Refusals, ExitTwoNamingTheField) {
  expect_refused(GetParam().cmd, GetParam().input, GetParam().field);
}

INSTANTIATE_TEST_SUITE_P(
    Contract, Refusals,
    ::testing::Values(
        Refusal{"malformed", "score", R"({"instrument":)", "input"},
        Refusal{"not_object", "score", R"([1,2])", "input"},
        Refusal{"unknown_instrument", "score", R"({"instrument":"bdi","answers":[]})",
                "instrument"},
        Refusal{"missing_answers", "score", R"({"instrument":"gad7"})", "answers"},
        Refusal{"too_few", "score", R"({"instrument":"gad7","answers":[1,1]})", "answers"},
        Refusal{"out_of_range", "score", R"({"instrument":"gad7","answers":[1,1,4,1,1,1,1]})",
                "answers[2]"},
        Refusal{"fractional", "score", R"({"instrument":"gad7","answers":[1,1,1.5,1,1,1,1]})",
                "answers[2]"},
        Refusal{"string_answer", "score", R"({"instrument":"gad7","answers":[1,"1",1,1,1,1,1]})",
                "answers[1]"},
        Refusal{"gad7_missing", "score", R"({"instrument":"gad7","answers":[1,null,1,1,1,1,1]})",
                "answers"},
        Refusal{"phq9_three_missing", "score",
                R"({"instrument":"phq9","answers":[1,null,null,null,1,1,1,1,1]})", "answers"},
        Refusal{"unknown_field", "score", R"({"instrument":"nrs","answers":[3],"anwsers":[3]})",
                "anwsers"},
        Refusal{"unknown_policy", "score", R"({"instrument":"nrs","answers":[3],"policy":{"x":1}})",
                "policy.x"},
        Refusal{"huge_answer", "score", R"({"instrument":"nrs","answers":[1e300]})", "answers[0]"},
        Refusal{"bad_date", "outcome",
                R"({"instrument":"phq9","series":[{"date":"2026-02-30","total":20}]})",
                "series[0].date"},
        Refusal{
            "duplicate_date", "outcome",
            R"({"instrument":"phq9","series":[{"date":"2026-01-05","total":20},{"date":"2026-01-05","total":10}]})",
            "series[1].date"},
        Refusal{"total_out_of_range", "outcome",
                R"({"instrument":"phq9","series":[{"date":"2026-01-05","total":30}]})",
                "series[0].total"},
        Refusal{"series_item_unknown_field", "outcome",
                R"({"instrument":"phq9","series":[{"date":"2026-01-05","total":20,"note":1}]})",
                "series[0].note"},
        Refusal{"empty_series", "outcome", R"({"instrument":"phq9","series":[]})", "series"},
        Refusal{"cadss_outcome", "outcome",
                R"({"instrument":"cadss","series":[{"date":"2026-01-05","total":20}]})",
                "instrument"},
        Refusal{
            "bad_policy", "outcome",
            R"({"instrument":"phq9","series":[{"date":"2026-01-05","total":20}],"policy":{"remission_max_total":99}})",
            "policy.remission_max_total"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(OutcomeCli, ContractFields) {
  const json out = run_ok("outcome", R"({"instrument":"phq9","series":[
      {"date":"2026-01-19","total":8},{"date":"2026-01-05","total":20},
      {"date":"2026-01-12","total":14}]})");
  EXPECT_EQ(out["baseline"], 20);
  EXPECT_EQ(out["latest"], 8);
  EXPECT_DOUBLE_EQ(out["change_pct"].get<double>(), -60.0);
  EXPECT_DOUBLE_EQ(out["reduction_pct"].get<double>(), 60.0);
  EXPECT_EQ(out["status"], "response");
  EXPECT_EQ(out["booster_recommended"], false);
  EXPECT_FALSE(out["reason"].get<std::string>().empty());
  EXPECT_EQ(out["thresholds"]["response_reduction_pct"]["value"], 50);
  EXPECT_EQ(out["thresholds"]["booster_rise_pct_of_baseline"]["policy"], true);
}

TEST(OutcomeCli, RelapseRecommendsABoosterWithAReason) {
  const json out = run_ok("outcome", R"({"instrument":"madrs","series":[
      {"date":"2026-01-05","total":32},{"date":"2026-01-12","total":9},
      {"date":"2026-02-20","total":22}]})");
  EXPECT_EQ(out["status"], "relapse");
  EXPECT_EQ(out["booster_recommended"], true);
  EXPECT_NE(out["reason"].get<std::string>().find("lost response"), std::string::npos);
}

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
  const json cat = kit::app::handle_instrument_catalog(json(nullptr));
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
  EXPECT_THROW(kit::app::handle_instrument_catalog(json{{"x", 1}}), std::exception);
}

}  // namespace
