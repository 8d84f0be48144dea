// Hand-checkable limits of the exact solver: one-compartment bolus, steady state = rate / CL,
// AUC(0-inf) = dose / CL, and the reference's derived Domino concentrations.
#include <gtest/gtest.h>

#include <cmath>

#include "core/pk/model.h"
#include "core/pk/simulator.h"

namespace kit::pk {
namespace {

Parameters one_compartment() {
  Parameters p;
  p.compartments = 1;
  p.v1_l = 20;
  p.cl_l_per_min = 0.5;
  return p;
}

TEST(SimulatorLimits, OneCompartmentBolusIsMonoExponential) {
  const Parameters p = one_compartment();
  const auto r = simulate(p, {{.start_min = 0, .duration_min = 0, .amount_mg = 100}}, {0, 10, 60});
  const double k = 0.5 / 20;
  EXPECT_NEAR(r.plasma_mg_per_l[0], 100.0 / 20, 1e-14);  // a sample at the bolus instant includes it
  EXPECT_NEAR(r.plasma_mg_per_l[1], 5.0 * std::exp(-k * 10), 1e-13);
  EXPECT_NEAR(r.plasma_mg_per_l[2], 5.0 * std::exp(-k * 60), 1e-13);
  EXPECT_NEAR(r.auc_inf_mg_min_per_l, 100.0 / 0.5, 1e-10);
}

TEST(SimulatorLimits, LongInfusionReachesRateOverClearance) {
  const Parameters p = individual_parameters(*find_model("domino1982"), Patient{.weight_kg = 70});
  // 30 mg/h for 400 h: Css = R / CL.
  const double rate_mg_per_min = 0.5;
  const auto r = simulate(p, {{.start_min = 0, .duration_min = 24000, .amount_mg = 12000}}, {23999});
  EXPECT_NEAR(r.plasma_mg_per_l[0], rate_mg_per_min / p.cl_l_per_min, 1e-9);
}

TEST(SimulatorLimits, AucToInfinityIsDoseOverClearance) {
  const Parameters p = individual_parameters(*find_model("domino1982"), Patient{.weight_kg = 70});
  const std::vector<Dose> doses = {{0, 40, 35}, {20, 0, 10}, {2880, 40, 35}};
  const auto r = simulate(p, doses, {0, 60});
  EXPECT_NEAR(r.auc_inf_mg_min_per_l, 80.0 / p.cl_l_per_min, 1e-9 * 80.0 / p.cl_l_per_min);
}

TEST(SimulatorLimits, DominoStandardDepressionInfusionMatchesReference) {
  // Reference §1.1 (derived): 0.5 mg/kg over 40 min at 70 kg -> Cp 0.240, 0.055, 0.036 ug/mL at
  // 40, 60 and 120 min.
  const Parameters p = individual_parameters(*find_model("domino1982"), Patient{.weight_kg = 70});
  const auto r = simulate(p, {{0, 40, 35}}, {40, 60, 120});
  EXPECT_NEAR(r.plasma_mg_per_l[0], 0.240, 0.0005);
  EXPECT_NEAR(r.plasma_mg_per_l[1], 0.055, 0.0005);
  EXPECT_NEAR(r.plasma_mg_per_l[2], 0.036, 0.0005);
  EXPECT_DOUBLE_EQ(r.tmax_min, 40);
}

TEST(SimulatorLimits, ResultDoesNotDependOnTheSamplingGrid) {
  const Parameters p = individual_parameters(*find_model("domino1982"), Patient{.weight_kg = 70});
  const std::vector<Dose> doses = {{0, 40, 35}, {13.37, 0, 5}, {30, 25, 10}};
  std::vector<double> fine;
  for (int i = 0; i <= 12000; ++i) fine.push_back(i * 0.01);
  const auto a = simulate(p, doses, fine);
  const auto b = simulate(p, doses, {120});
  EXPECT_NEAR(a.plasma_mg_per_l.back(), b.plasma_mg_per_l[0], 1e-14);
  EXPECT_NEAR(a.auc_mg_min_per_l, b.auc_mg_min_per_l, 1e-12 * b.auc_mg_min_per_l);
}

TEST(SimulatorLimits, TimeAboveThresholdOfOneCompartmentBolus) {
  // C(t) = 5 e^{-kt} stays above 1 mg/L until t = ln(5)/k.
  const Parameters p = one_compartment();
  SimulationOptions o;
  o.threshold_mg_per_l = 1.0;
  const auto r = simulate(p, {{0, 0, 100}}, {0, 7, 100, 1000}, o);
  EXPECT_NEAR(*r.time_above_min, std::log(5.0) / (0.5 / 20), 1e-8);
}

}  // namespace
}  // namespace kit::pk
