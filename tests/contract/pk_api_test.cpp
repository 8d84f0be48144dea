// Unit tests of the PK JSON contract handlers (app/pk_api.cpp), without a process in between.
#include "contract/pk_api.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "core/common/error.h"
#include "core/pk/model.h"
#include "core/pk/simulator.h"

namespace {

using kit::contract::handle_pk_models;
using kit::contract::handle_pk_population;
using kit::contract::handle_pk_simulate;
using kit::contract::handle_pk_tci;
using nlohmann::json;

json domino_request() {
  return json::parse(R"({"model":"domino1982",
    "patient":{"weight_kg":70,"age_y":40,"height_cm":175,"sex":"male"},
    "doses":[{"start_min":0,"duration_min":40,"amount_mg_per_kg":0.5}],
    "end_min":1440,"step_min":1})");
}

// The field named by the InputError a request raises ("" if it does not throw).
template <class F>
std::string refused_field(F&& f) {
  try {
    f();
  } catch (const kit::InputError& e) {
    return e.field();
  }
  return "";
}

std::string simulate_refuses(const json& req) {
  return refused_field([&] { handle_pk_simulate(req); });
}

TEST(PkApiModels, EveryModelHasTheContractFields) {
  const json models = handle_pk_models();
  ASSERT_TRUE(models.is_array());
  ASSERT_EQ(models.size(), kit::pk::model_registry().size());
  for (const auto& m : models) {
    EXPECT_TRUE(m.at("id").is_string());
    EXPECT_TRUE(m.at("citation").is_string());
    EXPECT_TRUE(m.at("population") == "adult" || m.at("population") == "pediatric");
    EXPECT_TRUE(m.at("compounds").is_array());
    EXPECT_TRUE(m.at("covariates").is_array());
    EXPECT_TRUE(m.at("has_effect_site").is_boolean());
    EXPECT_EQ(m.at("has_effect_site").get<bool>(), !m.at("ke0_per_min").is_null());
    EXPECT_TRUE(m.at("ke0_provenance").is_null() || m.at("ke0_provenance").is_string());
    EXPECT_TRUE(m.at("weight_kg").at("source").is_string());
    EXPECT_TRUE(m.at("age_y").contains("min"));
    EXPECT_TRUE(m.at("iiv").is_array());
    EXPECT_TRUE(m.at("notes").is_string());
  }
}

TEST(PkApiSimulate, DominoHalfMgPerKgOver40MinMatchesTheReference) {
  const json out = handle_pk_simulate(domino_request());
  // docs/reference/pharmacology.md §1.1 (derived): Cp 0.240 ug/mL at 40 min, 0.055 at 60,
  // 0.036 at 120.
  EXPECT_NEAR(out["plasma_ng_per_ml"][40].get<double>(), 240.0, 1.0);
  EXPECT_NEAR(out["plasma_ng_per_ml"][60].get<double>(), 55.0, 1.0);
  EXPECT_NEAR(out["plasma_ng_per_ml"][120].get<double>(), 36.0, 1.0);
  EXPECT_NEAR(out["tmax_min"].get<double>(), 40.0, 1e-9);
  EXPECT_EQ(out["times_min"].size(), 1441u);
}

TEST(PkApiSimulate, NgPerMlIsThousandTimesTheCoreMgPerL) {
  const json out = handle_pk_simulate(domino_request());
  kit::pk::Patient p;
  p.weight_kg = 70;
  p.age_y = 40;
  const auto params = kit::pk::individual_parameters(*kit::pk::find_model("domino1982"), p);
  std::vector<double> t;
  for (int i = 0; i <= 1440; ++i) t.push_back(i);
  const auto core = kit::pk::simulate(params, {{0, 40, 35}}, t);
  for (std::size_t i : {0u, 10u, 40u, 300u, 1440u}) {
    EXPECT_DOUBLE_EQ(out["plasma_ng_per_ml"][i].get<double>(), core.plasma_mg_per_l[i] * 1000.0);
    EXPECT_DOUBLE_EQ(out["effect_ng_per_ml"][i].get<double>(), core.effect_mg_per_l[i] * 1000.0);
  }
  EXPECT_DOUBLE_EQ(out["cmax_ng_per_ml"].get<double>(), core.cmax_mg_per_l * 1000.0);
  EXPECT_DOUBLE_EQ(out["auc_ng_min_per_ml"].get<double>(), core.auc_mg_min_per_l * 1000.0);
  EXPECT_DOUBLE_EQ(out["auc_inf_ng_min_per_ml"].get<double>(), core.auc_inf_mg_min_per_l * 1000.0);
}

TEST(PkApiSimulate, MgPerKgAndMgGiveTheSameCurve) {
  json a = domino_request();
  json b = domino_request();
  b["doses"][0].erase("amount_mg_per_kg");
  b["doses"][0]["amount_mg"] = 35;
  EXPECT_EQ(handle_pk_simulate(a)["plasma_ng_per_ml"], handle_pk_simulate(b)["plasma_ng_per_ml"]);
}

TEST(PkApiSimulate, BolusInstantSampleIncludesTheBolus) {
  json req = domino_request();
  req["doses"] = json::parse(R"([{"start_min":5,"duration_min":0,"amount_mg":35}])");
  req.erase("end_min");
  req.erase("step_min");
  req["times_min"] = {0, 5, 10};
  const json out = handle_pk_simulate(req);
  EXPECT_EQ(out["plasma_ng_per_ml"][0].get<double>(), 0.0);
  // 35 mg into V1 = 0.063 x 70 = 4.41 L: 7936.5 ng/mL at the bolus instant.
  EXPECT_NEAR(out["plasma_ng_per_ml"][1].get<double>(), 35.0 / 4.41 * 1000.0, 1e-6);
  EXPECT_EQ(out["tmax_min"].get<double>(), 5.0);
}

TEST(PkApiSimulate, OptionalOutputs) {
  json req = domino_request();
  req["threshold_ng_per_ml"] = 100;
  req["include_amounts"] = true;
  req["ke0_per_min"] = 0.5;
  const json out = handle_pk_simulate(req);
  EXPECT_GT(out["time_above_threshold_min"].get<double>(), 20.0);
  EXPECT_LT(out["time_above_threshold_min"].get<double>(), 60.0);
  EXPECT_EQ(out["amounts_mg"]["central"].size(), out["times_min"].size());
  EXPECT_EQ(out["amounts_mg"]["peripheral3"].size(), out["times_min"].size());
  EXPECT_EQ(out["ke0_per_min"], 0.5);
  EXPECT_EQ(out["ke0_provenance"], "request");
}

TEST(PkApiSimulate, ModelWithoutKe0HasNullEffect) {
  json req = domino_request();
  req["model"] = "sherwin2015";
  req["patient"] = {{"weight_kg", 30}, {"age_y", 8}};
  const json out = handle_pk_simulate(req);
  EXPECT_TRUE(out["effect_ng_per_ml"].is_null());
  EXPECT_TRUE(out["ke0_per_min"].is_null());
  EXPECT_TRUE(out["metabolite_ng_per_ml"].is_null());
}

TEST(PkApiSimulate, MetaboliteModel) {
  json req = domino_request();
  req["model"] = "flint2017";
  req["patient"] = {{"weight_kg", 20}, {"age_y", 5}};
  req["end_min"] = 240;
  const json out = handle_pk_simulate(req);
  ASSERT_TRUE(out["metabolite_ng_per_ml"].is_array());
  EXPECT_GT(out["metabolite_ng_per_ml"][100].get<double>(), 0.0);
}

TEST(PkApiSimulate, RegularGridEndsAtEndMin) {
  json req = domino_request();
  req["end_min"] = 10;
  req["step_min"] = 3;
  const json out = handle_pk_simulate(req);
  EXPECT_EQ(out["times_min"], json({0.0, 3.0, 6.0, 9.0, 10.0}));
}

TEST(PkApiSimulate, RefusalsNameTheField) {
  auto with = [](const std::string& ptr, json v) {
    json r = domino_request();
    r[json::json_pointer(ptr)] = std::move(v);
    return r;
  };
  auto without = [](const std::string& ptr) {
    json r = domino_request();
    const json::json_pointer p(ptr);
    r[p.parent_pointer()].erase(p.back());
    return r;
  };
  EXPECT_EQ(simulate_refuses(with("/model", "nope")), "model");
  EXPECT_EQ(simulate_refuses(with("/modle", "x")), "modle");
  EXPECT_EQ(simulate_refuses(with("/doses/0/amount_mgg", 1)), "doses[0].amount_mgg");
  EXPECT_EQ(simulate_refuses(with("/patient/wieght_kg", 70)), "patient.wieght_kg");
  EXPECT_EQ(simulate_refuses(without("/patient/weight_kg")), "patient.weight_kg");
  EXPECT_EQ(simulate_refuses(with("/patient/weight_kg", "70")), "patient.weight_kg");
  EXPECT_EQ(simulate_refuses(with("/patient/weight_kg", 1000)), "patient.weight_kg");
  EXPECT_EQ(simulate_refuses(with("/patient/age_y", 10)), "patient.age_y");  // adult model
  EXPECT_EQ(simulate_refuses(with("/patient/sex", "m")), "patient.sex");
  EXPECT_EQ(simulate_refuses(with("/doses/0/amount_mg_per_kg", -0.5)), "doses[0].amount_mg_per_kg");
  EXPECT_EQ(simulate_refuses(with("/doses/0/amount_mg_per_kg", 25)), "doses[0].amount_mg_per_kg");
  EXPECT_EQ(simulate_refuses(with("/doses/0/amount_mg", 10)), "doses[0].amount_mg_per_kg");
  EXPECT_EQ(simulate_refuses(with("/doses/0/duration_min", -1)), "doses[0].duration_min");
  EXPECT_EQ(simulate_refuses(without("/doses/0/start_min")), "doses[0].start_min");
  EXPECT_EQ(simulate_refuses(with("/doses", json::array())), "doses");
  EXPECT_EQ(simulate_refuses(with("/end_min", 1e9)), "end_min");
  EXPECT_EQ(simulate_refuses(with("/step_min", 0)), "step_min");
  EXPECT_EQ(simulate_refuses(with("/step_min", 1e-5)), "step_min");          // > 2,000,000 samples
  EXPECT_EQ(simulate_refuses(with("/times_min", json({0, 1}))), "end_min");  // both given
  EXPECT_EQ(simulate_refuses(with("/threshold_ng_per_ml", 0)), "threshold_ng_per_ml");
  EXPECT_EQ(simulate_refuses(with("/ke0_per_min", -1)), "ke0_per_min");
  EXPECT_EQ(simulate_refuses(with("/include_amounts", 1)), "include_amounts");
  EXPECT_EQ(simulate_refuses(json::array()), "input");
  json t = without("/end_min");
  t.erase("step_min");
  t["times_min"] = {0, 5, 3};
  EXPECT_EQ(simulate_refuses(t), "times_min[2]");
}

TEST(PkApiSimulate, AllowExtrapolationOptsOutOfTheModelRangeOnly) {
  json req = domino_request();
  req["patient"]["age_y"] = 12;
  EXPECT_EQ(simulate_refuses(req), "patient.age_y");
  req["allow_extrapolation"] = true;
  const json out = handle_pk_simulate(req);
  EXPECT_TRUE(out["extrapolation"].is_string());
  req["patient"]["weight_kg"] = 500;  // physically impossible: never waived
  EXPECT_EQ(simulate_refuses(req), "patient.weight_kg");
}

TEST(PkApiSimulate, CsvHasTheContractHeader) {
  json req = domino_request();
  req["end_min"] = 2;
  std::ostringstream csv;
  kit::contract::write_simulate_csv(csv, handle_pk_simulate(req));
  const std::string text = csv.str();
  EXPECT_EQ(text.substr(0, text.find('\n')), "time_min,plasma_ng_per_ml,effect_ng_per_ml");
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 4);
}

json tci_request() {
  return json::parse(R"({"model":"domino1982","patient":{"weight_kg":70,"age_y":40},
    "target":"plasma","steps":[{"at_min":0,"target_ng_per_ml":200}],"end_min":60})");
}

TEST(PkApiTci, PlasmaTargetIsReachedAndHeld) {
  const json out = handle_pk_tci(tci_request());
  EXPECT_EQ(out["interval_s"], 10.0);
  EXPECT_DOUBLE_EQ(out["max_rate_mg_per_h"].get<double>(), 0.75 * 70 * 60);
  EXPECT_EQ(out["schedule"].size(), 360u);
  EXPECT_EQ(out["times_s"].size(), 361u);
  EXPECT_NEAR(out["plasma_ng_per_ml"].back().get<double>(), 200.0, 2.0);
  EXPECT_GT(out["total_mg"].get<double>(), 0.0);
  for (const auto& row : out["schedule"]) {
    EXPECT_GE(row["rate_mg_per_h"].get<double>(), 0.0);
    EXPECT_LE(row["rate_mg_per_h"].get<double>(), 3150.0 + 1e-9);
  }
}

TEST(PkApiTci, Refusals) {
  auto refuses = [](json r) { return refused_field([&] { handle_pk_tci(r); }); };
  json r = tci_request();
  r["target"] = "brain";
  EXPECT_EQ(refuses(r), "target");
  r = tci_request();
  r["steps"][0]["target_ng_per_ml"] = 20000;
  EXPECT_EQ(refuses(r), "steps[0].target_ng_per_ml");
  r["steps"][0]["target_ng_per_ml"] = 0;
  EXPECT_EQ(refuses(r), "steps[0].target_ng_per_ml");
  r = tci_request();
  r["model"] = "sherwin2015";
  r["patient"] = {{"weight_kg", 30}, {"age_y", 8}};
  r["target"] = "effect";
  EXPECT_EQ(refuses(r), "target");
  r["ke0_per_min"] = 0.5;  // with a ke0 from the request, effect targeting runs
  EXPECT_EQ(refuses(r), "");
  r = tci_request();
  r["interval_s"] = 0;
  EXPECT_EQ(refuses(r), "interval_s");
  r = tci_request();
  r["max_rate_mg_per_h"] = -5;
  EXPECT_EQ(refuses(r), "max_rate_mg_per_h");
}

json population_request() {
  return json::parse(R"({"model":"herd2007","n":2000,"seed":7,
    "patient":{"weight_kg":{"mean":30,"sd":10,"min":11,"max":70},"age_y":8,"sex":{"p_male":0.5}},
    "doses":[{"start_min":0,"duration_min":1,"amount_mg_per_kg":1.5}],
    "end_min":120,"step_min":1,"threshold_ng_per_ml":500})");
}

TEST(PkApiPopulation, SummaryFieldsAndRows) {
  const auto out = handle_pk_population(population_request(), {}, true);
  const json& r = out.response;
  for (const char* k : {"cmax_ng_per_ml", "auc_ng_min_per_ml", "time_above_threshold_min"}) {
    EXPECT_LE(r[k]["p5"].get<double>(), r[k]["p50"].get<double>()) << k;
    EXPECT_LE(r[k]["p50"].get<double>(), r[k]["p95"].get<double>()) << k;
  }
  EXPECT_EQ(r["curve_times_min"].size(), r["curve_p50_ng_per_ml"].size());
  EXPECT_TRUE(r["curve_method"].is_string());
  EXPECT_EQ(r["iiv_origin"], "model");
  ASSERT_EQ(out.patients.size(), 2000u);
  std::ostringstream csv;
  kit::contract::write_per_patient_csv(csv, out);
  const std::string text = csv.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2001);
}

TEST(PkApiPopulation, Refusals) {
  auto refuses = [](json r) { return refused_field([&] { handle_pk_population(r); }); };
  json r = population_request();
  r["model"] = "domino1982";
  r["patient"] = {{"weight_kg", 70}, {"age_y", 40}};
  EXPECT_EQ(refuses(r), "iiv_cv");
  r["iiv_cv"] = {{"CL", 0.3}, {"V1", 0.3}};
  EXPECT_EQ(refuses(r), "");
  r["iiv_cv"] = {{"CLX", 0.3}};
  EXPECT_EQ(refuses(r), "iiv_cv.CLX");
  r = population_request();
  r["n"] = 0;
  EXPECT_EQ(refuses(r), "n");
  r["n"] = 1.5;
  EXPECT_EQ(refuses(r), "n");
  r = population_request();
  r["patient"]["weight_kg"]["max"] = 100;  // Herd range 10.8-74.8 kg
  EXPECT_EQ(refuses(r), "patient.weight_kg.max");
  r["allow_extrapolation"] = true;
  EXPECT_EQ(refuses(r), "");
  r = population_request();
  r["patient"]["weight_kg"]["sdd"] = 1;
  EXPECT_EQ(refuses(r), "patient.weight_kg.sdd");
  r = population_request();
  r["patient"]["sex"] = "x";
  EXPECT_EQ(refuses(r), "patient.sex");
}

}  // namespace
