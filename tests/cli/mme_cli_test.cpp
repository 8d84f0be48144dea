// Contract tests for `kit mme`: the real binary, JSON in, JSON out, exit codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/run_process.h"

namespace {

using kit::test::run_kit;
using nlohmann::json;

TEST(MmeCli, IssueExampleOxycodoneAndFentanylPatch) {
  // Issue 3 example; CDC 2022 factors: oxycodone 10 mg x4 x1.5 = 60; fentanyl 25 mcg/h x2.4 = 60.
  auto r = run_kit({"mme"}, R"({"medications":[
      {"drug":"oxycodone","route":"oral","dose_mg":10,"doses_per_day":4},
      {"drug":"fentanyl","route":"transdermal","mcg_per_h":25}]})");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty());
  const json out = json::parse(r.out);
  EXPECT_EQ(out["total_mme_per_day"], 120.0);
  ASSERT_EQ(out["items"].size(), 2u);
  EXPECT_EQ(out["items"][0]["mme_per_day"], 60.0);
  EXPECT_EQ(out["items"][1]["mme_per_day"], 60.0);
  std::vector<std::string> codes;
  for (const auto& f : out["flags"]) codes.push_back(f["code"]);
  EXPECT_EQ(codes, (std::vector<std::string>{
                       "mme_at_or_above_50_reassess", "mme_at_or_above_50_offer_naloxone",
                       "mme_at_or_above_90_avoid_or_justify", "fentanyl_transdermal_caution"}));
  EXPECT_FALSE(out.contains("change_mme_per_day"));
}

TEST(MmeCli, WorkedExamplesFromTheTableNotes) {
  // hydrocodone 5 mg QID = 20; oxycodone ER 10 mg BID = 30 (CDC table notes, pharmacology.md 6).
  auto r = run_kit({"mme"}, R"({"medications":[
      {"drug":"hydrocodone","route":"oral","dose_mg":5,"doses_per_day":4},
      {"drug":"Oxycodone","route":"ORAL","dose_mg":10,"doses_per_day":2}]})");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  EXPECT_EQ(out["items"][0]["mme_per_day"], 20.0);
  EXPECT_EQ(out["items"][1]["mme_per_day"], 30.0);
  EXPECT_EQ(out["items"][1]["drug"], "oxycodone");
  EXPECT_EQ(out["total_mme_per_day"], 50.0);
}

TEST(MmeCli, ChangeBetweenTwoLists) {
  auto r = run_kit({"mme"}, R"({
      "previous_medications":[{"drug":"morphine","route":"oral","dose_mg":10,"doses_per_day":4}],
      "medications":[{"drug":"morphine","route":"oral","dose_mg":30,"doses_per_day":2}]})");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  EXPECT_EQ(out["previous_total_mme_per_day"], 40.0);
  EXPECT_EQ(out["total_mme_per_day"], 60.0);
  EXPECT_EQ(out["change_mme_per_day"], 20.0);
  EXPECT_EQ(out["thresholds_crossed_upward"], json::array({50.0}));
}

TEST(MmeCli, EmptyListIsZero) {
  auto r = run_kit({"mme"}, R"({"medications":[]})");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["total_mme_per_day"], 0.0);
}

struct BadRow {
  const char* input;
  const char* field;
};

TEST(MmeCli, IllFormedInputExitsTwoNamingTheField) {
  const BadRow rows[] = {
      {R"({"medications":[{"drug":"meperidine","route":"oral","dose_mg":50,"doses_per_day":4}]})",
       "medications[0].drug"},
      {R"({"medications":[{"drug":"morphine","route":"iv","dose_mg":5,"doses_per_day":4}]})",
       "medications[0].route"},
      {R"({"medications":[{"drug":"morphine","route":"oral","dose_mg":0,"doses_per_day":4}]})",
       "medications[0].dose_mg"},
      {R"({"medications":[{"drug":"morphine","route":"oral","dose_mg":5,"doses_per_day":-1}]})",
       "medications[0].doses_per_day"},
      {R"({"medications":[{"drug":"morphine","route":"oral","dose_mg":5}]})",
       "medications[0].doses_per_day"},
      {R"({"medications":[{"drug":"morphine","route":"oral","dose_mg":"5","doses_per_day":2}]})",
       "medications[0].dose_mg"},
      {R"({"medications":[{"drug":"fentanyl","route":"transdermal"}]})",
       "medications[0].mcg_per_h"},
      {R"({"medications":[{"drug":"fentanyl","route":"transdermal","mcg_per_h":25,"dose_mg":1}]})",
       "medications[0].dose_mg"},
      {R"({"medications":[{"drug":"morphine","route":"oral","dose_mg":5,"doses_per_day":2,"mcg_per_h":1}]})",
       "medications[0].mcg_per_h"},
      {R"({"medications":[{"drug":"morphine","route":"oral","dose_mg":5,"doses_per_day":2,"note":1}]})",
       "medications[0].note"},
      {R"({"medications":[],"previous_medications":[{"drug":"x","route":"oral"}]})",
       "previous_medications[0].drug"},
      {R"({"meds":[]})", "medications"},
      {R"({"medications":{}})", "medications"},
      {R"([1,2])", "input"},
      {R"({"medications":[)", "input"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.input);
    auto r = run_kit({"mme"}, row.input);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(r.out.empty());
    EXPECT_EQ(r.err.rfind(std::string("error: ") + row.field + ": ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
  }
}

}  // namespace
