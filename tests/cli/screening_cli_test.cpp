// Contract tests for `kit screen`, `kit vitals` and `kit discharge`: the real binary.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/run_process.h"

namespace {

using kit::test::run_kit;
using nlohmann::json;

json clean_intake(const char* indication = "depression") {
  json conditions = json::object();
  for (const char* key :
       {"schizophrenia", "current_psychosis_or_mania", "pregnant", "breastfeeding",
        "uncontrolled_hypertension", "poorly_controlled_cardiovascular_disease",
        "significant_arrhythmia", "unstable_cerebrovascular_disease", "coronary_artery_disease",
        "heart_failure", "hypertension", "elevated_intracranial_pressure",
        "cns_mass_or_hydrocephalus", "glaucoma_or_elevated_intraocular_pressure",
        "acute_globe_injury", "airway_instability_or_tracheal_disease",
        "active_pulmonary_infection", "thyroid_disorder_or_medication",
        "active_substance_use_disorder"}) {
    conditions[key] = false;
  }
  conditions["hepatic_impairment"] = "none";
  json j = {{"indication", indication},
            {"age_years", 40},
            {"conditions", conditions},
            {"medications", {{"benzodiazepine_lorazepam_eq_mg_per_day", 0}}}};
  if (std::string(indication) == "ed_sedation") {
    j["ed_procedure"] = {{"major_posterior_pharynx_procedure", false}};
  }
  return j;
}

TEST(ScreenCli, CleanIntakeIsEligible) {
  auto r = run_kit({"screen"}, clean_intake().dump());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  EXPECT_EQ(out["eligible"], true);
  EXPECT_EQ(out["absolute"], json::array());
  EXPECT_EQ(out["relative"], json::array());
  EXPECT_TRUE(out["actions"].is_array());
  EXPECT_EQ(out["actions"][0]["code"], "psychiatric_evaluation");  // Sanacora 2017 [S]
  EXPECT_EQ(out["policy"]["basis"], "policy");
}

TEST(ScreenCli, SchizophreniaInEdSedationIsAbsoluteAndExitsThree) {
  json in = clean_intake("ed_sedation");
  in["conditions"]["schizophrenia"] = true;  // ACEP 2011 absolute [S]
  auto r = run_kit({"screen"}, in.dump());
  EXPECT_EQ(r.exit_code, 3);
  const json out = json::parse(r.out);
  EXPECT_EQ(out["eligible"], false);
  ASSERT_EQ(out["absolute"].size(), 1u);
  EXPECT_EQ(out["absolute"][0]["rule"], "schizophrenia");
  EXPECT_EQ(out["absolute"][0]["basis"], "published");
  EXPECT_EQ(out["actions"][0]["code"], "do_not_infuse");
}

TEST(ScreenCli, PreInfusionChecksAndPolicy) {
  json in = clean_intake();
  in["pre_infusion"] = {{"sbp_mmhg", 185},
                        {"dbp_mmhg", 95},
                        {"fasted_as_instructed", true},
                        {"escort_home_confirmed", true}};
  auto r = run_kit({"screen"}, in.dump());
  EXPECT_EQ(r.exit_code, 3);  // eligible but not cleared to start today
  json out = json::parse(r.out);
  EXPECT_EQ(out["eligible"], true);
  EXPECT_EQ(out["cleared_to_start"], false);
  EXPECT_EQ(out["pre_infusion"]["checks"][0]["check"], "blood_pressure");
  EXPECT_EQ(out["pre_infusion"]["checks"][0]["passed"], false);

  in["policy"] = {{"max_sbp_mmhg", 190}};
  r = run_kit({"screen"}, in.dump());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  out = json::parse(r.out);
  EXPECT_EQ(out["cleared_to_start"], true);
  EXPECT_EQ(out["policy"]["max_sbp_mmhg"], 190.0);
}

TEST(ScreenCli, TrialExclusionPolicyRelative) {
  json in = clean_intake("ptsd");
  in["conditions"]["pregnant"] = true;
  in["policy"] = {{"trial_exclusions", "relative"}};
  auto r = run_kit({"screen"}, in.dump());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  EXPECT_EQ(out["relative"][0]["rule"], "pregnant");
  EXPECT_EQ(out["relative"][0]["basis"], "policy");
}

TEST(ScreenCli, IllFormedInputExitsTwoNamingTheField) {
  struct Row {
    std::function<void(json&)> change;
    const char* field;
  };
  const Row rows[] = {
      {[](json& j) { j.erase("indication"); }, "indication"},
      {[](json& j) { j["indication"] = "anxiety"; }, "indication"},
      {[](json& j) { j["age_years"] = -2; }, "age_years"},
      {[](json& j) { j["age_years"] = "forty"; }, "age_years"},
      {[](json& j) { j["conditions"].erase("pregnant"); }, "conditions.pregnant"},
      {[](json& j) { j["conditions"]["pregnant"] = "no"; }, "conditions.pregnant"},
      {[](json& j) { j["conditions"]["hepatic_impairment"] = "bad"; },
       "conditions.hepatic_impairment"},
      {[](json& j) { j["conditions"]["diabetes"] = true; }, "conditions.diabetes"},
      {[](json& j) { j["medications"]["benzodiazepine_lorazepam_eq_mg_per_day"] = -1; },
       "medications.benzodiazepine_lorazepam_eq_mg_per_day"},
      {[](json& j) {
         j["ed_procedure"] = {{"major_posterior_pharynx_procedure", true}};
       },
       "ed_procedure"},
      {[](json& j) {
         j["pre_infusion"] = {{"sbp_mmhg", 120}};
       },
       "pre_infusion.dbp_mmhg"},
      {[](json& j) {
         j["pre_infusion"] = {{"sbp_mmhg", 120},
                              {"dbp_mmhg", 130},
                              {"fasted_as_instructed", true},
                              {"escort_home_confirmed", true}};
       },
       "pre_infusion.dbp_mmhg"},
      {[](json& j) {
         j["policy"] = {{"trial_exclusions", "maybe"}};
       },
       "policy.trial_exclusions"},
      {[](json& j) {
         j["policy"] = {{"max_sbp", 150}};
       },
       "policy.max_sbp"},
      {[](json& j) { j["extra"] = 1; }, "extra"},
  };
  for (const auto& row : rows) {
    json in = clean_intake();
    row.change(in);
    SCOPED_TRACE(in.dump());
    auto r = run_kit({"screen"}, in.dump());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(r.out.empty());
    EXPECT_EQ(r.err.rfind(std::string("error: ") + row.field + ": ", 0), 0u) << r.err;
  }
  json ed = clean_intake("ed_sedation");
  ed.erase("ed_procedure");
  auto r = run_kit({"screen"}, ed.dump());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("error: ed_procedure: ", 0), 0u) << r.err;
}

TEST(VitalsCli, WorstActionWithReasons) {
  auto r = run_kit({"vitals"}, R"({"sbp_mmhg":185,"dbp_mmhg":100,"spo2_percent":89,"hr_bpm":90})");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  EXPECT_EQ(out["action"], "call_physician");  // SpO2 < 90 (Aldrete anchor) beats SBP pause
  EXPECT_EQ(out["reasons"].size(), 3u);        // SBP > 180, SpO2 <= 92, SpO2 < 90
  EXPECT_EQ(out["reasons"][0]["basis"], "policy");
  EXPECT_EQ(out["policy"], "default");
}

TEST(VitalsCli, ClinicThresholdsAndErrors) {
  auto r = run_kit({"vitals"}, R"({"sbp_mmhg":165,"dbp_mmhg":90,"thresholds":[
      {"vital":"sbp_mmhg","comparison":"above","limit":160,"action":"pause","anchor":"SOP 7"}]})");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["action"], "pause");
  for (auto [in, field] :
       {std::pair{R"({})", "input"}, std::pair{R"({"spo2_percent":120})", "spo2_percent"},
        std::pair{R"({"hr_bpm":80,"thresholds":[{"vital":"temp"}]})", "thresholds[0].vital"},
        std::pair{R"({"hr_bpm":80,"consciousness":"asleep"})", "consciousness"},
        std::pair{R"({"hr_bpm":80,"pulse":3})", "pulse"}}) {
    auto bad = run_kit({"vitals"}, in);
    EXPECT_EQ(bad.exit_code, 2) << in;
    EXPECT_TRUE(bad.out.empty());
    EXPECT_EQ(bad.err.rfind(std::string("error: ") + field + ": ", 0), 0u) << bad.err;
  }
}

TEST(DischargeCli, AldreteAndRcem) {
  auto r = run_kit({"discharge"}, R"({"aldrete":{"activity":2,"respiration":2,"circulation":1,
      "consciousness":1,"o2_saturation":2}})");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json out = json::parse(r.out);
  EXPECT_EQ(out["aldrete"]["score"], 8);
  EXPECT_EQ(out["aldrete"]["rule"]["id"], "min8_with_respiration_and_o2_2");
  EXPECT_EQ(out["ready_for_discharge"], true);

  r = run_kit({"discharge"}, R"({"aldrete":{"activity":2,"respiration":2,"circulation":1,
      "consciousness":1,"o2_saturation":2},"rule":"above8_or_pre_sedation_and_spo2_room_air"})");
  EXPECT_EQ(r.exit_code, 3);  // 8 is not above 8
  EXPECT_EQ(json::parse(r.out)["ready_for_discharge"], false);

  r = run_kit({"discharge"}, R"({"aldrete":{"activity":2,"respiration":2,"circulation":2,
      "consciousness":2,"o2_saturation":2},"rcem":{"vitals_at_baseline":true,
      "no_supplemental_oxygen":true,"alert_and_orientated":true,"tolerating_fluids":false,
      "adequate_analgesia":true,"minimal_nausea":true,"appropriate_care_at_home":true}})");
  EXPECT_EQ(r.exit_code, 3);
  out = json::parse(r.out);
  EXPECT_EQ(out["rcem"]["unmet"], json::array({"tolerating_fluids"}));

  auto bad = run_kit({"discharge"}, R"({"aldrete":{"activity":3,"respiration":2,"circulation":2,
      "consciousness":2,"o2_saturation":2}})");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err.rfind("error: aldrete.activity: ", 0), 0u) << bad.err;
}

}  // namespace
