// Contract tests for `kit protocols`, run against the real binary. `kit dose` is replayed case by
// case from tests/cases/dosing.cases (through the contract, this binary and the HTTP route).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "tests/support/run_process.h"

namespace {

using kit::test::run_kit;
using nlohmann::json;

TEST(ProtocolsCli, PrintsTheCitedLibrary) {
  const auto r = run_kit({"protocols"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json protocols = json::parse(r.out);
  ASSERT_TRUE(protocols.is_array());
  EXPECT_EQ(protocols.at(0).at("id"), "depression-standard");
  std::set<std::string> ids;
  for (const auto& p : protocols) {
    ids.insert(p.at("id").get<std::string>());
    EXPECT_FALSE(p.at("dose").at("source").get<std::string>().empty());
    ASSERT_FALSE(p.at("limits").empty());
    for (const auto& l : p.at("limits")) {
      EXPECT_TRUE(l.at("limit") == "soft" || l.at("limit") == "hard");
      EXPECT_FALSE(l.at("source").get<std::string>().empty());
      EXPECT_TRUE(l.at("policy").is_boolean());
    }
  }
  for (const char* id :
       {"depression-escalation-0.75", "depression-induction-series", "depression-booster",
        "ptsd-standard", "ocd-standard", "crps-outpatient-4h", "crps-inpatient-4day",
        "ed-sedation-adult-iv", "ed-sedation-pediatric-im-repeat"}) {
    EXPECT_TRUE(ids.count(id)) << id;
  }
}

TEST(ProtocolsCli, HelpWorks) {
  const auto r = run_kit({"protocols", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("protocols"), std::string::npos);
}

}  // namespace
