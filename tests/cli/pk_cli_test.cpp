// Contract tests of `kit pk ...`: they run the real binary, exactly as a script would.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/run_process.h"

namespace {

using kit::test::ProcessResult;
using kit::test::run_kit;
using nlohmann::json;

const char* const kSimulate = R"({"model":"domino1982",
  "patient":{"weight_kg":70,"age_y":40,"height_cm":175,"sex":"male"},
  "doses":[{"start_min":0,"duration_min":40,"amount_mg_per_kg":0.5}],
  "end_min":1440,"step_min":1})";

const char* const kTci = R"({"model":"domino1982","patient":{"weight_kg":70,"age_y":40},
  "target":"effect","steps":[{"at_min":0,"target_ng_per_ml":200},{"at_min":30,"target_ng_per_ml":100}],
  "end_min":60,"max_rate_mg_per_h":1200,"interval_s":10})";

const char* const kPopulation = R"({"model":"herd2007","n":3000,"seed":1,
  "patient":{"weight_kg":{"mean":30,"sd":12,"min":11,"max":74},"age_y":{"mean":8,"sd":3,"min":1,"max":14},
             "sex":{"p_male":0.5}},
  "doses":[{"start_min":0,"duration_min":1,"amount_mg_per_kg":1.5}],
  "end_min":180,"step_min":1,"threshold_ng_per_ml":500})";

// A refusal: exit 2, nothing on stdout, exactly one line on stderr naming the field.
void expect_refused(const ProcessResult& r, const std::string& field) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("error: " + field + ": ", 0), 0u) << r.err;
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line only: " << r.err;
}

ProcessResult simulate_with(const std::function<void(json&)>& edit,
                            const std::vector<std::string>& extra = {}) {
  json req = json::parse(kSimulate);
  edit(req);
  std::vector<std::string> args = {"pk", "simulate"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_kit(args, req.dump());
}

std::string temp_path(const std::string& name) {
  return testing::TempDir() + "kit_pk_cli_" + std::to_string(getpid()) + "_" + name;
}

// ---------------------------------------------------------------------------------------------

TEST(PkCliModels, PrintsTheRegistryAsJson) {
  const auto r = run_kit({"pk", "models"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const json models = json::parse(r.out);
  ASSERT_TRUE(models.is_array());
  ASSERT_GE(models.size(), 9u);
  for (const auto& m : models) {
    EXPECT_TRUE(m.at("id").is_string());
    EXPECT_TRUE(m.at("citation").is_string());
    EXPECT_TRUE(m.at("population") == "adult" || m.at("population") == "pediatric");
    EXPECT_TRUE(m.at("compounds").is_array() && !m.at("compounds").empty());
    EXPECT_TRUE(m.at("covariates").is_array());
    EXPECT_TRUE(m.at("has_effect_site").is_boolean());
    EXPECT_TRUE(m.at("ke0_per_min").is_number() || m.at("ke0_per_min").is_null());
    EXPECT_TRUE(m.at("ke0_provenance").is_string() || m.at("ke0_provenance").is_null());
    EXPECT_TRUE(m.at("ke0_source").is_string() || m.at("ke0_source").is_null());
    for (const char* range : {"weight_kg", "age_y"}) {
      const json& g = m.at(range);
      EXPECT_TRUE(g.at("min").is_number() || g.at("min").is_null());
      EXPECT_TRUE(g.at("max").is_number() || g.at("max").is_null());
      EXPECT_TRUE(g.at("source").is_string());
    }
    EXPECT_TRUE(m.at("iiv").is_array());
    EXPECT_TRUE(m.at("notes").is_string());
  }
  EXPECT_EQ(models[0]["id"], "domino1982");
  EXPECT_EQ(models[0]["ke0_provenance"], "published");
}

TEST(PkCliSimulate, ContractFieldsAndTypes) {
  const auto r = run_kit({"pk", "simulate"}, kSimulate);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const json o = json::parse(r.out);
  EXPECT_EQ(o.at("model"), "domino1982");
  ASSERT_TRUE(o.at("times_min").is_array());
  ASSERT_EQ(o.at("times_min").size(), 1441u);
  ASSERT_EQ(o.at("plasma_ng_per_ml").size(), 1441u);
  ASSERT_TRUE(o.at("effect_ng_per_ml").is_array());
  ASSERT_EQ(o.at("effect_ng_per_ml").size(), 1441u);
  EXPECT_TRUE(o.at("metabolite_ng_per_ml").is_null());
  EXPECT_TRUE(o.at("cmax_ng_per_ml").is_number());
  EXPECT_TRUE(o.at("tmax_min").is_number());
  EXPECT_TRUE(o.at("auc_ng_min_per_ml").is_number());
  EXPECT_TRUE(o.at("auc_inf_ng_min_per_ml").is_number());
  EXPECT_EQ(o.at("ke0_per_min"), 0.238);
  EXPECT_EQ(o.at("ke0_provenance"), "published");
  EXPECT_FALSE(o.contains("time_above_threshold_min"));
  // Reference §1.1 (derived): 0.5 mg/kg over 40 min at 70 kg -> Cp 0.240 ug/mL = 240 ng/mL at 40.
  EXPECT_NEAR(o["plasma_ng_per_ml"][40].get<double>(), 240.0, 1.0);
  EXPECT_NEAR(o["cmax_ng_per_ml"].get<double>(), 240.0, 1.0);
  EXPECT_EQ(o["tmax_min"].get<double>(), 40.0);
  EXPECT_GT(o["auc_inf_ng_min_per_ml"].get<double>(), o["auc_ng_min_per_ml"].get<double>());
}

TEST(PkCliSimulate, InputFileGivesTheSameAnswer) {
  const std::string path = temp_path("sim.json");
  std::ofstream(path) << kSimulate;
  const auto a = run_kit({"pk", "simulate", "--input", path});
  const auto b = run_kit({"pk", "simulate"}, kSimulate);
  std::remove(path.c_str());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  expect_refused(run_kit({"pk", "simulate", "--input", path + ".missing"}), "--input");
}

TEST(PkCliSimulate, BolusInstantAndTimesMin) {
  const auto r = simulate_with([](json& q) {
    q.erase("end_min");
    q.erase("step_min");
    q["times_min"] = {0, 2, 2.5, 30};
    q["doses"] = json::parse(R"([{"start_min":2,"duration_min":0,"amount_mg":35}])");
  });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json o = json::parse(r.out);
  EXPECT_EQ(o["times_min"], json({0.0, 2.0, 2.5, 30.0}));
  EXPECT_EQ(o["plasma_ng_per_ml"][0].get<double>(), 0.0);
  // The sample at the bolus instant includes the bolus: 35 mg / (0.063 L/kg x 70 kg) in ng/mL.
  EXPECT_NEAR(o["plasma_ng_per_ml"][1].get<double>(), 35.0 / 4.41 * 1000.0, 1e-6);
  EXPECT_EQ(o["tmax_min"].get<double>(), 2.0);
}

TEST(PkCliSimulate, OptionalRequestFields) {
  const auto r = simulate_with([](json& q) {
    q["threshold_ng_per_ml"] = 100;
    q["include_amounts"] = true;
    q["ke0_per_min"] = 0.5;
    q["end_min"] = 60;
  });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json o = json::parse(r.out);
  EXPECT_TRUE(o.at("time_above_threshold_min").is_number());
  EXPECT_EQ(o.at("amounts_mg").at("central").size(), 61u);
  EXPECT_EQ(o.at("ke0_per_min"), 0.5);
  EXPECT_EQ(o.at("ke0_provenance"), "request");
}

TEST(PkCliSimulate, Csv) {
  const auto r = simulate_with([](json& q) { q["end_min"] = 3; }, {"--csv"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream in(r.out);
  std::string line;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "time_min,plasma_ng_per_ml,effect_ng_per_ml");
  EXPECT_EQ(lines[1].substr(0, 4), "0,0,");
  // A model without an effect site and with a metabolite.
  const auto f = simulate_with(
      [](json& q) {
        q["model"] = "flint2017";
        q["patient"] = {{"weight_kg", 20}, {"age_y", 5}};
        q["end_min"] = 3;
        q["enantiomer"] = "S";
      },
      {"--csv"});
  ASSERT_EQ(f.exit_code, 0) << f.err;
  EXPECT_EQ(f.out.substr(0, f.out.find('\n')), "time_min,plasma_ng_per_ml,metabolite_ng_per_ml");
}

TEST(PkCliSimulate, UnknownFieldsAreRefusedByName) {
  expect_refused(simulate_with([](json& q) { q["end_mins"] = 5; }), "end_mins");
  expect_refused(simulate_with([](json& q) {
                   q["doses"][0].erase("amount_mg_per_kg");
                   q["doses"][0]["amount_mgg"] = 35;
                 }),
                 "doses[0].amount_mgg");
  expect_refused(simulate_with([](json& q) { q["patient"]["weight"] = 70; }), "patient.weight");
}

TEST(PkCliSimulate, MalformedJson) {
  expect_refused(run_kit({"pk", "simulate"}, "{\"model\": \"domino1982\","), "input");
  expect_refused(run_kit({"pk", "simulate"}, ""), "input");
  expect_refused(run_kit({"pk", "simulate"}, "[1,2]"), "input");
}

TEST(PkCliSimulate, EveryBadInputClassExitsTwo) {
  struct Case {
    std::function<void(json&)> edit;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](json& q) { q["model"] = "propofol"; }, "model"},
      {[](json& q) { q.erase("model"); }, "model"},
      {[](json& q) { q["model"] = 3; }, "model"},
      {[](json& q) { q.erase("patient"); }, "patient"},
      {[](json& q) { q["patient"].erase("weight_kg"); }, "patient.weight_kg"},
      {[](json& q) { q["patient"]["weight_kg"] = "seventy"; }, "patient.weight_kg"},
      {[](json& q) { q["patient"]["weight_kg"] = -70; }, "patient.weight_kg"},
      {[](json& q) { q["patient"]["weight_kg"] = 7000; }, "patient.weight_kg"},
      {[](json& q) { q["patient"]["age_y"] = 15; }, "patient.age_y"},
      {[](json& q) { q["patient"]["age_y"] = 200; }, "patient.age_y"},
      {[](json& q) { q["patient"]["sex"] = "M"; }, "patient.sex"},
      {[](json& q) { q["doses"][0]["amount_mg_per_kg"] = -0.5; }, "doses[0].amount_mg_per_kg"},
      {[](json& q) { q["doses"][0]["amount_mg_per_kg"] = 0; }, "doses[0].amount_mg_per_kg"},
      {[](json& q) { q["doses"][0]["amount_mg_per_kg"] = 50; }, "doses[0].amount_mg_per_kg"},
      {[](json& q) {
         q["doses"][0].erase("amount_mg_per_kg");
         q["doses"][0]["amount_mg"] = 5000;
       },
       "doses[0].amount_mg"},
      {[](json& q) { q["doses"][0].erase("amount_mg_per_kg"); }, "doses[0].amount_mg"},
      {[](json& q) { q["doses"][0]["amount_mg"] = 35; }, "doses[0].amount_mg_per_kg"},
      {[](json& q) { q["doses"][0]["duration_min"] = -40; }, "doses[0].duration_min"},
      {[](json& q) { q["doses"][0]["start_min"] = -1; }, "doses[0].start_min"},
      {[](json& q) { q["doses"][0].erase("duration_min"); }, "doses[0].duration_min"},
      {[](json& q) { q["doses"] = json::object(); }, "doses"},
      {[](json& q) { q["doses"] = json::array(); }, "doses"},
      {[](json& q) { q["doses"][0] = 5; }, "doses[0]"},
      {[](json& q) { q["end_min"] = 0; }, "end_min"},
      {[](json& q) { q["end_min"] = 1e7; }, "end_min"},
      {[](json& q) { q.erase("end_min"); }, "end_min"},
      {[](json& q) { q["step_min"] = 0; }, "step_min"},
      {[](json& q) { q["step_min"] = -1; }, "step_min"},
      {[](json& q) { q["step_min"] = 1e-6; }, "step_min"},
      {[](json& q) {
         q["times_min"] = {0, 1};
       },
       "end_min"},
      {[](json& q) {
         q.erase("end_min");
         q.erase("step_min");
         q["times_min"] = {0, -1};
       },
       "times_min[1]"},
      {[](json& q) {
         q.erase("end_min");
         q.erase("step_min");
         q["times_min"] = json::array();
       },
       "times_min"},
      {[](json& q) { q["threshold_ng_per_ml"] = -1; }, "threshold_ng_per_ml"},
      {[](json& q) { q["ke0_per_min"] = 0; }, "ke0_per_min"},
      {[](json& q) { q["allow_extrapolation"] = "yes"; }, "allow_extrapolation"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.field);
    expect_refused(simulate_with(c.edit), c.field);
  }
}

TEST(PkCliSimulate, AllowExtrapolation) {
  auto child = [](json& q) { q["patient"]["age_y"] = 15; };
  expect_refused(simulate_with(child), "patient.age_y");
  const auto r = simulate_with([&](json& q) {
    child(q);
    q["allow_extrapolation"] = true;
  });
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(json::parse(r.out).at("extrapolation").is_string());
  // Physical limits are never waived.
  expect_refused(simulate_with([](json& q) {
                   q["patient"]["age_y"] = 130;
                   q["allow_extrapolation"] = true;
                 }),
                 "patient.age_y");
}

// ---------------------------------------------------------------------------------------------

TEST(PkCliTci, ContractFields) {
  const auto r = run_kit({"pk", "tci"}, kTci);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json o = json::parse(r.out);
  ASSERT_TRUE(o.at("schedule").is_array());
  EXPECT_EQ(o["schedule"].size(), 360u);
  EXPECT_EQ(o["schedule"][1]["start_s"].get<double>(), 10.0);
  for (const auto& row : o["schedule"]) {
    ASSERT_TRUE(row.at("rate_mg_per_h").is_number());
    EXPECT_GE(row["rate_mg_per_h"].get<double>(), 0.0);
    EXPECT_LE(row["rate_mg_per_h"].get<double>(), 1200.0);
  }
  const std::size_t n = o.at("times_s").size();
  EXPECT_EQ(n, 361u);
  EXPECT_EQ(o.at("plasma_ng_per_ml").size(), n);
  EXPECT_EQ(o.at("effect_ng_per_ml").size(), n);
  EXPECT_EQ(o.at("target_ng_per_ml").size(), n);
  EXPECT_TRUE(o.at("total_mg").is_number());
  EXPECT_EQ(o["target_ng_per_ml"][0].get<double>(), 200.0);
  EXPECT_EQ(o["target_ng_per_ml"][n - 1].get<double>(), 100.0);
  // No effect-site overshoot above the first target, and the target is reached.
  double peak = 0;
  for (std::size_t i = 0; i < 180; ++i)
    peak = std::max(peak, o["effect_ng_per_ml"][i].get<double>());
  EXPECT_NEAR(peak, 200.0, 2.0);
}

TEST(PkCliTci, DefaultsAndRefusals) {
  json q = json::parse(kTci);
  q.erase("max_rate_mg_per_h");
  q.erase("interval_s");
  auto r = run_kit({"pk", "tci"}, q.dump());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json o = json::parse(r.out);
  // No protocol named: the drug library's psychiatric hard limit, 150 mg/h (not STANPUMP's
  // 0.75 mg/kg/min = 3,150 mg/h at 70 kg; §13 on §1.2/§1.3).
  EXPECT_DOUBLE_EQ(o["max_rate_mg_per_h"].get<double>(), 150.0);
  EXPECT_EQ(o["interval_s"].get<double>(), 10.0);

  auto refused = [](const std::function<void(json&)>& edit, const std::string& field) {
    json t = json::parse(kTci);
    edit(t);
    SCOPED_TRACE(field);
    expect_refused(run_kit({"pk", "tci"}, t.dump()), field);
  };
  refused([](json& t) { t["target"] = "brain"; }, "target");
  refused(
      [](json& t) {
        t["model"] = "sherwin2015";
        t["patient"] = {{"weight_kg", 30}, {"age_y", 8}};
      },
      "target");
  refused([](json& t) { t["steps"][0]["target_ng_per_ml"] = 0; }, "steps[0].target_ng_per_ml");
  refused([](json& t) { t["steps"][0]["target_ng_per_ml"] = 10001; }, "steps[0].target_ng_per_ml");
  refused([](json& t) { t["steps"][1]["at_min"] = 0; }, "steps[1].at_min");
  refused([](json& t) { t["steps"][0]["target"] = 1; }, "steps[0].target");
  refused([](json& t) { t["steps"] = json::array(); }, "steps");
  refused([](json& t) { t["interval_s"] = 0.1; }, "interval_s");
  refused([](json& t) { t["max_rate_mg_per_h"] = 0; }, "max_rate_mg_per_h");
  refused([](json& t) { t["end_min"] = 1e6; }, "end_min");
  refused([](json& t) { t["ke0"] = 1; }, "ke0");
  // Central volumes not identified from early samples: TCI refused, naming the model (§13).
  refused([](json& t) { t["model"] = "clements1981"; }, "model");
  refused([](json& t) { t["model"] = "hijazi2003"; }, "model");
  refused([](json& t) { t["protocol"] = "nope"; }, "protocol");
  refused(
      [](json& t) {
        t["protocol"] = "depression-standard";
        t["max_rate_mg_per_h"] = 1200;  // above 1.5 mg/kg/h x 70 kg = 105 mg/h
      },
      "max_rate_mg_per_h");
  // Effect target on a model without ke0 runs when the request gives one.
  json s = json::parse(kTci);
  s["model"] = "sherwin2015";
  s["patient"] = {{"weight_kg", 30}, {"age_y", 8}};
  s["ke0_per_min"] = 0.4;
  r = run_kit({"pk", "tci"}, s.dump());
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// ---------------------------------------------------------------------------------------------

TEST(PkCliPopulation, ContractFields) {
  const auto r = run_kit({"pk", "population"}, kPopulation);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");  // stderr is not a terminal and --progress was not given
  const json o = json::parse(r.out);
  EXPECT_EQ(o.at("n"), 3000);
  for (const char* k : {"cmax_ng_per_ml", "auc_ng_min_per_ml", "time_above_threshold_min"}) {
    SCOPED_TRACE(k);
    for (const char* p : {"p5", "p50", "p95"}) EXPECT_TRUE(o.at(k).at(p).is_number());
    EXPECT_LE(o[k]["p5"].get<double>(), o[k]["p50"].get<double>());
    EXPECT_LE(o[k]["p50"].get<double>(), o[k]["p95"].get<double>());
  }
  const std::size_t n = o.at("curve_times_min").size();
  EXPECT_GT(n, 10u);
  EXPECT_EQ(o.at("curve_p5_ng_per_ml").size(), n);
  EXPECT_EQ(o.at("curve_p50_ng_per_ml").size(), n);
  EXPECT_EQ(o.at("curve_p95_ng_per_ml").size(), n);
  EXPECT_TRUE(o.at("curve_method").is_string());
  EXPECT_TRUE(o.at("curve_relative_error_bound").is_number());
}

TEST(PkCliPopulation, SameSeedSameOutputAcrossThreadCounts) {
  json q = json::parse(kPopulation);
  q["threads"] = 1;
  const auto a = run_kit({"pk", "population"}, q.dump());
  const auto b = run_kit({"pk", "population"}, q.dump());
  q["threads"] = 2;
  const auto c = run_kit({"pk", "population"}, q.dump());
  q["threads"] = 3;
  const auto d = run_kit({"pk", "population"}, q.dump());
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  // Patient i's draws depend only on (seed, i): the whole answer is the same for any thread count.
  EXPECT_EQ(a.out, c.out);
  EXPECT_EQ(a.out, d.out);
  const json ja = json::parse(a.out), jc = json::parse(c.out), jd = json::parse(d.out);
  for (const char* k : {"cmax_ng_per_ml", "auc_ng_min_per_ml", "time_above_threshold_min",
                        "tmax_min", "curve_p50_ng_per_ml"}) {
    EXPECT_EQ(ja[k], jc[k]) << k;
    EXPECT_EQ(ja[k], jd[k]) << k;
  }
  q["seed"] = 2;
  const auto e = run_kit({"pk", "population"}, q.dump());
  EXPECT_NE(json::parse(e.out)["cmax_ng_per_ml"], ja["cmax_ng_per_ml"]);
}

TEST(PkCliPopulation, PerPatientFileHasOneRowPerPatient) {
  const std::string path = temp_path("pp.csv");
  const auto r = run_kit({"pk", "population", "--per-patient", path}, kPopulation);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream f(path);
  std::string header, line;
  std::getline(f, header);
  EXPECT_EQ(header,
            "index,weight_kg,age_y,sex,CL_l_per_min,V1_l,Q2_l_per_min,V2_l,Q3_l_per_min,V3_l,"
            "cmax_ng_per_ml,tmax_min,auc_ng_min_per_ml,time_above_min");
  std::size_t rows = 0;
  while (std::getline(f, line)) ++rows;
  EXPECT_EQ(rows, 3000u);
  std::remove(path.c_str());
  // A refused request leaves no file behind.
  json bad = json::parse(kPopulation);
  bad["n"] = -1;
  expect_refused(run_kit({"pk", "population", "--per-patient", path}, bad.dump()), "n");
  EXPECT_FALSE(std::ifstream(path).good());
}

TEST(PkCliPopulation, ProgressOnlyWhenAsked) {
  const auto r = run_kit({"pk", "population", "--progress"}, kPopulation);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("progress:"), std::string::npos);
}

TEST(PkCliPopulation, Refusals) {
  auto refused = [](const std::function<void(json&)>& edit, const std::string& field) {
    json t = json::parse(kPopulation);
    edit(t);
    SCOPED_TRACE(field);
    expect_refused(run_kit({"pk", "population"}, t.dump()), field);
  };
  refused(
      [](json& t) {
        t["model"] = "domino1982";
        t["patient"] = {{"weight_kg", 70}, {"age_y", 40}};
      },
      "iiv_cv");
  refused([](json& t) { t["iiv_cv"] = {{"CLx", 0.3}}; }, "iiv_cv.CLx");
  refused([](json& t) { t["iiv_cv"] = {{"V3", 0.3}}; }, "iiv_cv.V3");  // 2-compartment model
  refused([](json& t) { t["iiv_cv"] = {{"CL", -0.3}}; }, "iiv_cv.CL");
  refused([](json& t) { t["n"] = 0; }, "n");
  refused([](json& t) { t["n"] = 1e8; }, "n");
  refused([](json& t) { t["seed"] = "one"; }, "seed");
  refused([](json& t) { t["patient"]["weight_kg"]["sd"] = -1; }, "patient.weight_kg.sd");
  refused([](json& t) { t["patient"]["weight_kg"].erase("min"); }, "patient.weight_kg.min");
  refused([](json& t) { t["patient"]["weight_kg"]["max"] = 120; }, "patient.weight_kg.max");
  refused([](json& t) { t["patient"]["sex"] = {{"p_male", 2}}; }, "patient.sex.p_male");
  refused([](json& t) { t["patient"]["height_cm"] = 150; }, "patient.height_cm");
  refused([](json& t) { t["threads"] = -1; }, "threads");
  refused([](json& t) { t["doses"][0]["amount_mg_per_kg"] = 30; }, "doses[0].amount_mg_per_kg");
}

// ---------------------------------------------------------------------------------------------
// Fuzz-ish: a few hundred mutated requests (field deletions, type swaps, extreme numbers, broken
// text). The program may accept or refuse, but never crash: exit in {0, 2, 3}, never a signal,
// and a refusal never prints on stdout.

void mutate(json& v, std::mt19937& rng, int depth = 0) {
  static const std::vector<json> replacements = {json(nullptr),
                                                 json(true),
                                                 json("x"),
                                                 json(""),
                                                 json::array(),
                                                 json::object(),
                                                 json(-1),
                                                 json(0),
                                                 json(1e308),
                                                 json(-1e308),
                                                 json(1e-300),
                                                 json(3.5),
                                                 json(100000),
                                                 json(-0.0),
                                                 json(9007199254740993.0),
                                                 json::array({1, 2}),
                                                 json(18446744073709551615ULL)};
  std::uniform_int_distribution<int> pick(0, 99);
  if ((v.is_object() || v.is_array()) && !v.empty() && depth < 4 && pick(rng) < 75) {
    std::uniform_int_distribution<std::size_t> idx(0, v.size() - 1);
    const std::size_t i = idx(rng);
    if (v.is_object()) {
      auto it = v.begin();
      std::advance(it, static_cast<long>(i));
      const std::string key = it.key();
      const int action = pick(rng);
      if (action < 20) {
        v.erase(key);
      } else if (action < 25) {
        v[key + "x"] = 1;
      } else {
        mutate(v[key], rng, depth + 1);
      }
    } else {
      if (pick(rng) < 15) {
        v.erase(i);
      } else {
        mutate(v[i], rng, depth + 1);
      }
    }
    return;
  }
  std::uniform_int_distribution<std::size_t> r(0, replacements.size() - 1);
  v = replacements[r(rng)];
}

TEST(PkCliFuzz, MutatedRequestsNeverCrash) {
  struct Base {
    std::vector<std::string> args;
    json request;
  };
  json small_sim = json::parse(kSimulate);
  small_sim["end_min"] = 120;
  json small_pop = json::parse(kPopulation);
  small_pop["n"] = 200;
  small_pop["end_min"] = 60;
  json small_tci = json::parse(kTci);
  const std::vector<Base> bases = {{{"pk", "simulate"}, small_sim},
                                   {{"pk", "tci"}, small_tci},
                                   {{"pk", "population"}, small_pop}};
  std::mt19937 rng(20240601);
  int runs = 0, accepted = 0;
  for (int i = 0; i < 300; ++i) {
    const Base& base = bases[static_cast<std::size_t>(i) % bases.size()];
    json req = base.request;
    const int n_mutations = 1 + (i % 3);
    for (int m = 0; m < n_mutations; ++m) mutate(req, rng);
    std::string text = req.dump();
    if (i % 10 == 9) text = text.substr(0, text.size() / 2);  // truncated JSON
    const auto r = run_kit(base.args, text);
    ++runs;
    SCOPED_TRACE(text);
    ASSERT_EQ(r.signal, 0) << "killed by a signal";
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 2 || r.exit_code == 3) << r.exit_code << r.err;
    if (r.exit_code == 2) {
      EXPECT_EQ(r.out, "");
      EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
    } else {
      ++accepted;
      EXPECT_TRUE(json::accept(r.out)) << r.out.substr(0, 200);
    }
  }
  EXPECT_EQ(runs, 300);
  EXPECT_GT(accepted, 0);  // some mutations are harmless (e.g. a different but valid number)
}

}  // namespace
