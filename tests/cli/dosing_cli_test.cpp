// Contract tests for `kit protocols` and `kit dose`, run against the real binary.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "tests/support/run_process.h"

namespace {

using kit::test::run_kit;
using nlohmann::json;

const char* kExample =
    R"({"protocol":"depression-standard","patient":{"weight_kg":70,"height_cm":175,)"
    R"("sex":"female","age_y":35},"preparation":{"concentration_mg_per_ml":1},"dose_mg_per_kg":0.5})";

json dose_request(const std::string& protocol, double dose_mg_per_kg, double conc,
                  double weight_kg = 70, double age_y = 35) {
  return {{"protocol", protocol},
          {"patient",
           {{"weight_kg", weight_kg}, {"height_cm", 175}, {"sex", "male"}, {"age_y", age_y}}},
          {"preparation", {{"concentration_mg_per_ml", conc}}},
          {"dose_mg_per_kg", dose_mg_per_kg}};
}

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

TEST(DoseCli, IssueExampleIsAccepted) {
  const auto r = run_kit({"dose"}, kExample);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty());
  const json p = json::parse(r.out);
  for (const char* key :
       {"protocol", "dosing_weight_kg", "weight_basis", "dose_mg", "rate_mg_per_h", "rate_ml_per_h",
        "volume_ml", "duration_min", "checks", "status"}) {
    EXPECT_TRUE(p.contains(key)) << key;
  }
  EXPECT_EQ(p["protocol"], "depression-standard");
  EXPECT_EQ(p["weight_basis"], "actual");
  EXPECT_DOUBLE_EQ(p["dosing_weight_kg"].get<double>(), 70);
  EXPECT_DOUBLE_EQ(p["dose_mg"].get<double>(), 35);          // 0.5 mg/kg x 70 kg (Zarate 2006)
  EXPECT_DOUBLE_EQ(p["rate_mg_per_h"].get<double>(), 52.5);  // 35 mg over 40 min
  EXPECT_DOUBLE_EQ(p["rate_ml_per_h"].get<double>(), 52.5);
  EXPECT_DOUBLE_EQ(p["volume_ml"].get<double>(), 35);
  EXPECT_DOUBLE_EQ(p["duration_min"].get<double>(), 40);
  EXPECT_EQ(p["status"], "accepted");
  for (const auto& c : p["checks"]) {
    for (const char* key : {"limit", "quantity", "value", "bound", "passed"}) {
      EXPECT_TRUE(c.contains(key)) << key;
    }
    EXPECT_TRUE(c["passed"].get<bool>());
  }
}

TEST(DoseCli, BagFormAndDefaultDose) {
  json req = json::parse(kExample);
  req.erase("dose_mg_per_kg");  // protocol default 0.5 mg/kg applies
  req["preparation"] = {{"drug_mg", 50}, {"volume_ml", 100}};
  const auto r = run_kit({"dose"}, req.dump());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json p = json::parse(r.out);
  EXPECT_DOUBLE_EQ(p["rate_ml_per_h"].get<double>(), 105);  // 35 mg / (2/3 h) / 0.5 mg/mL
  EXPECT_DOUBLE_EQ(p["volume_ml"].get<double>(), 70);
  EXPECT_EQ(p["bags_needed"], 1);
}

TEST(DoseCli, SoftBreachNeedsOverrideThenAcceptsAReason) {
  const json req = dose_request("depression-standard", 0.9, 1);
  const auto needs = run_kit({"dose"}, req.dump());
  EXPECT_EQ(needs.exit_code, 3);
  EXPECT_EQ(json::parse(needs.out)["status"], "needs_override");

  json with_reason = req;
  with_reason["override_reason"] = "no response at 0.75 mg/kg; attending approved";
  const auto ok = run_kit({"dose"}, with_reason.dump());
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const json p = json::parse(ok.out);
  EXPECT_EQ(p["status"], "accepted");
  EXPECT_EQ(p["override_reason"], with_reason["override_reason"]);
  EXPECT_TRUE(p["override_applied"].get<bool>());
  bool soft_failure_shown = false;
  for (const auto& c : p["checks"]) {
    if (c["limit"] == "soft" && !c["passed"].get<bool>()) soft_failure_shown = true;
  }
  EXPECT_TRUE(soft_failure_shown);
}

TEST(DoseCli, ClassicErrorsAreRefusedWithTheirJson) {
  struct Row {
    const char* error;
    json request;
  };
  const Row rows[] = {
      {"micrograms typed as mg/kg", dose_request("depression-standard", 500, 1)},
      {"absolute mg typed as mg/kg", dose_request("depression-standard", 35, 1)},
      {"undiluted 100 mg/mL IV", dose_request("depression-standard", 0.5, 100)},
      {"hard breach even with a reason",
       [] {
         json j = dose_request("ed-sedation-adult-iv", 5, 10);
         j["override_reason"] = "insist";
         return j;
       }()},
      {"child under 3 months (ACEP)", dose_request("ed-sedation-pediatric-im", 4, 100, 5, 0.2)},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.error);
    const auto r = run_kit({"dose"}, row.request.dump());
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(json::parse(r.out)["status"], "refused");
  }
}

TEST(DoseCli, ImHasNoPumpRateAndNoDuration) {
  const auto r = run_kit({"dose"}, dose_request("ed-sedation-adult-im", 4, 100).dump());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json p = json::parse(r.out);
  EXPECT_TRUE(p["rate_mg_per_h"].is_null());
  EXPECT_TRUE(p["rate_ml_per_h"].is_null());
  EXPECT_TRUE(p["duration_min"].is_null());
  EXPECT_DOUBLE_EQ(p["dose_mg"].get<double>(), 280);
  EXPECT_DOUBLE_EQ(p["volume_ml"].get<double>(), 2.8);
}

TEST(DoseCli, BadInputExitsTwoNamingTheField) {
  struct Row {
    const char* why;
    std::string input;
    const char* field;
  };
  auto with = [](const char* pointer, json value) {
    json j = json::parse(kExample);
    j[json::json_pointer(pointer)] = std::move(value);
    return j.dump();
  };
  auto without = [](const char* key) {
    json j = json::parse(kExample);
    j.erase(key);
    return j.dump();
  };
  const Row rows[] = {
      {"weight zero", with("/patient/weight_kg", 0), "patient.weight_kg"},
      {"weight negative", with("/patient/weight_kg", -70), "patient.weight_kg"},
      {"weight as text", with("/patient/weight_kg", "70"), "patient.weight_kg"},
      {"weight in grams", with("/patient/weight_kg", 70000), "patient.weight_kg"},
      {"height in metres", with("/patient/height_cm", 1.75), "patient.height_cm"},
      {"sex abbreviated", with("/patient/sex", "f"), "patient.sex"},
      {"age negative", with("/patient/age_y", -1), "patient.age_y"},
      {"concentration zero", with("/preparation/concentration_mg_per_ml", 0),
       "preparation.concentration_mg_per_ml"},
      {"dose zero", with("/dose_mg_per_kg", 0), "dose_mg_per_kg"},
      {"dose null", with("/dose_mg_per_kg", nullptr), "dose_mg_per_kg"},
      {"unknown protocol", with("/protocol", "depression"), "protocol"},
      {"misspelt field", with("/dose_mg_per_kgs", 0.5), "dose_mg_per_kgs"},
      {"unknown patient field", with("/patient/weight_lb", 154), "patient.weight_lb"},
      {"blank override reason", with("/override_reason", ""), "override_reason"},
      {"missing patient", without("patient"), "patient"},
      {"empty preparation", with("/preparation", json::object()), "preparation"},
      {"rate for a per-kg protocol", with("/rate_mg_per_h", 22), "rate_mg_per_h"},
      {"malformed JSON", "{\"protocol\":", "input"},
      {"not an object", "[1,2]", "input"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.why);
    const auto r = run_kit({"dose"}, row.input);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(r.err.rfind(std::string("error: ") + row.field + ":", 0), 0u) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
  }
}

}  // namespace
