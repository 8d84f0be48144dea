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
  req["enantiomer"] = "S";  // an S-ketamine model takes S-ketamine doses only
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
  // No protocol named: the library's psychiatric hard limit, 150 mg/h (builtin_psychiatry.cpp).
  EXPECT_DOUBLE_EQ(out["max_rate_mg_per_h"].get<double>(), 150.0);
  EXPECT_EQ(out["schedule"].size(), 360u);
  EXPECT_EQ(out["times_s"].size(), 361u);
  EXPECT_NEAR(out["plasma_ng_per_ml"].back().get<double>(), 200.0, 2.0);
  EXPECT_GT(out["total_mg"].get<double>(), 0.0);
  for (const auto& row : out["schedule"]) {
    EXPECT_GE(row["rate_mg_per_h"].get<double>(), 0.0);
    EXPECT_LE(row["rate_mg_per_h"].get<double>(), 150.0 + 1e-9);
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

// docs/reference/pharmacology.md §13 on §1.2/§1.3: Clements and Hijazi central volumes were not
// identified from early samples; a plasma TCI on them orders an anaesthetic-range bolus.
TEST(PkApiTci, RefusedOnModelsWithoutIdentifiedEarlyKinetics) {
  for (const char* id : {"clements1981", "hijazi2003"}) {
    SCOPED_TRACE(id);
    json r = tci_request();
    r["model"] = id;
    EXPECT_EQ(refused_field([&] { handle_pk_tci(r); }), "model");
  }
  const json models = handle_pk_models();
  for (const auto& m : models) {
    const bool refused = m["id"] == "clements1981" || m["id"] == "hijazi2003";
    EXPECT_EQ(m["tci_refused"].is_string(), refused) << m["id"];
  }
}

// No protocol: the library's psychiatric hard limit (150 mg/h), not STANPUMP's 0.75 mg/kg/min
// (3,150 mg/h at 70 kg, 21 times higher; §13 on §1.2/§1.3).
TEST(PkApiTci, DefaultMaxRateIsThePsychiatricHardLimit) {
  const json out = handle_pk_tci(tci_request());
  EXPECT_DOUBLE_EQ(out["max_rate_mg_per_h"].get<double>(), 150.0);
  EXPECT_NE(out["max_rate_source"].get<std::string>().find("psychiatric hard limit"),
            std::string::npos);
  EXPECT_TRUE(out["warnings"].empty());
  json r = tci_request();
  r["max_rate_mg_per_h"] = 1000;  // explicit, no protocol: runs, with a warning
  const json w = handle_pk_tci(r);
  ASSERT_EQ(w["warnings"].size(), 1u);
  EXPECT_NE(w["warnings"][0].get<std::string>().find("psychiatric hard limit"), std::string::npos);
}

// A named protocol's hard limits hold the schedule: depression-standard hard 150 mg/h and
// 1.5 mg/kg/h (= 105 mg/h at 70 kg, the lower; core/dosing/builtin_psychiatry.cpp).
TEST(PkApiTci, ProtocolHardLimitHoldsTheSchedule) {
  json r = tci_request();
  r["protocol"] = "depression-standard";
  r["steps"][0]["target_ng_per_ml"] = 2000;  // far above what 105 mg/h can reach quickly
  const json out = handle_pk_tci(r);
  EXPECT_DOUBLE_EQ(out["max_rate_mg_per_h"].get<double>(), 105.0);  // 1.5 mg/kg/h x 70 kg
  EXPECT_EQ(out["protocol"], "depression-standard");
  for (const auto& row : out["schedule"]) EXPECT_LE(row["rate_mg_per_h"].get<double>(), 105.0);
  r["max_rate_mg_per_h"] = 1000;
  EXPECT_EQ(refused_field([&] { handle_pk_tci(r); }), "max_rate_mg_per_h");
  // BMI 35 (100 kg, 169 cm): depression-standard doses by ideal weight at BMI >= 30 (Sanacora);
  // the mg/kg/h hard limit follows the protocol's dosing weight, below 1.5 x 100 = 150 mg/h.
  json obese = tci_request();
  obese["protocol"] = "depression-standard";
  obese["patient"] = {{"weight_kg", 100}, {"height_cm", 169}, {"sex", "male"}, {"age_y", 40}};
  const json o = handle_pk_tci(obese);
  EXPECT_LT(o["max_rate_mg_per_h"].get<double>(), 150.0);
  EXPECT_NE(o["max_rate_source"].get<std::string>().find("protocol dosing weight"),
            std::string::npos);
  r = tci_request();
  r["protocol"] = "no-such-protocol";
  EXPECT_EQ(refused_field([&] { handle_pk_tci(r); }), "protocol");
  r = tci_request();
  r["protocol"] = "depression-standard";
  r["concentration_mg_per_ml"] = 60;  // protocol hard limit 50 mg/mL (label dilution)
  EXPECT_EQ(refused_field([&] { handle_pk_tci(r); }), "concentration_mg_per_ml");
}

bool whole_tenths(double v) { return std::fabs(v * 10 - std::round(v * 10)) < 1e-9; }

// Every rate is a whole pump step: 0.1 mL/h at the given concentration (builtin pump resolution),
// or 0.1 mg/h without one (said in rate_rounding).
TEST(PkApiTci, RatesAreWholePumpSteps) {
  json r = tci_request();
  r["concentration_mg_per_ml"] = 2;  // 0.1 mL/h = 0.2 mg/h
  const json out = handle_pk_tci(r);
  for (const auto& row : out["schedule"]) {
    const double ml = row["rate_ml_per_h"].get<double>();
    EXPECT_TRUE(whole_tenths(ml)) << ml;
    EXPECT_NEAR(row["rate_mg_per_h"].get<double>(), ml * 2, 1e-9);
  }
  EXPECT_NEAR(out["plasma_ng_per_ml"].back().get<double>(), 200.0, 2.0);
  const json plain = handle_pk_tci(tci_request());
  EXPECT_NE(plain["rate_rounding"].get<std::string>().find("0.1 mg/h"), std::string::npos);
  for (const auto& row : plain["schedule"]) {
    EXPECT_FALSE(row.contains("rate_ml_per_h"));
    EXPECT_TRUE(whole_tenths(row["rate_mg_per_h"].get<double>())) << row;
  }
}

// Domino effect-site TCI (ke0 0.238/min, analgesia endpoint) for 200 ng/mL predicted a 1,576 ng/mL
// plasma peak; the overshoot is capped at 1.2 x target (opentiva "revised" [C], §10 on §1.8), and
// the peak is shown with the schedule.
TEST(PkApiTci, EffectSitePlasmaPeakIsCappedAndShown) {
  json r = tci_request();
  r["target"] = "effect";
  r["max_rate_mg_per_h"] = 1200;
  const json out = handle_pk_tci(r);
  const double peak = out["predicted_plasma_peak_ng_per_ml"].get<double>();
  EXPECT_LE(peak, 240.0 + 1e-6);  // 1.2 x 200
  EXPECT_GT(peak, 200.0);
  EXPECT_DOUBLE_EQ(out["effect_guards"]["plasma_cap_factor"].get<double>(), 1.2);
  EXPECT_NEAR(out["effect_ng_per_ml"].back().get<double>(), 200.0, 2.0);
  EXPECT_TRUE(handle_pk_tci(tci_request())["effect_guards"].is_null());
}

// Hijazi 2003: brain or spinal-cord injured ICU patients (§10 on §1.3); Kamp 2020 predicts
// arterial concentrations with an unconfirmed clearance exponent (§13 on §1.6).
TEST(PkApiModels, SpecialPopulationArterialAndCitationLabels) {
  json h = domino_request();
  h["model"] = "hijazi2003";
  json out = handle_pk_simulate(h);
  ASSERT_EQ(out["warnings"].size(), 1u);
  EXPECT_NE(out["warnings"][0].get<std::string>().find("special population"), std::string::npos);
  json k = domino_request();
  k["model"] = "kamp2020";
  out = handle_pk_simulate(k);
  EXPECT_EQ(out["sampling_site"], "arterial");
  ASSERT_EQ(out["warnings"].size(), 2u);
  EXPECT_NE(out["warnings"][0].get<std::string>().find("arterial"), std::string::npos);
  EXPECT_NE(out["warnings"][1].get<std::string>().find("exponent unconfirmed"), std::string::npos);
  out = handle_pk_simulate(domino_request());
  EXPECT_TRUE(out["warnings"].empty());
  EXPECT_TRUE(out["sampling_site"].is_null());
  for (const auto& m : handle_pk_models()) {
    if (m["id"] != "domino1982") continue;
    const std::string c = m["citation"].get<std::string>();
    EXPECT_NE(c.find("Anesth Analg 1982"), std::string::npos);
    EXPECT_NE(c.find("Clin Pharmacol Ther 1984;36(5):645-653"), std::string::npos);
  }
}

// Flint 2017 is an S-ketamine model (PICU children, §1.7): racemic doses are refused unless the
// request says enantiomer "S"; a racemic model refuses "S".
TEST(PkApiSimulate, SKetamineModelNeedsAnExplicitEnantiomer) {
  json req = domino_request();
  req["model"] = "flint2017";
  req["patient"] = {{"weight_kg", 20}, {"age_y", 5}};
  EXPECT_EQ(refused_field([&] { handle_pk_simulate(req); }), "enantiomer");
  req["enantiomer"] = "racemic";
  EXPECT_EQ(refused_field([&] { handle_pk_simulate(req); }), "enantiomer");
  req["enantiomer"] = "S";
  EXPECT_EQ(refused_field([&] { handle_pk_simulate(req); }), "");
  json d = domino_request();
  d["enantiomer"] = "S";
  EXPECT_EQ(refused_field([&] { handle_pk_simulate(d); }), "enantiomer");
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
