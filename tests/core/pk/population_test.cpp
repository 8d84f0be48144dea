// The population kernel must agree with the one-patient exact solver, patient by patient, and
// be reproducible whatever the thread count.
#include "core/pk/population.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/common/error.h"
#include "core/pk/simulator.h"

namespace kit::pk {
namespace {

PopulationSpec base_spec() {
  PopulationSpec s;
  s.model = find_model("domino1982");
  s.n = 100;
  s.seed = 7;
  s.weight_kg = {80, 15, 40, 150};
  s.age_y = Distribution{40, 10, 18, 80};
  for (ParamId id : {ParamId::cl, ParamId::v1, ParamId::q2, ParamId::v2, ParamId::q3, ParamId::v3}) {
    s.iiv.push_back({id, omega_from_cv(0.3), "test"});
  }
  // The benchmark's course: six 0.5 mg/kg/40 min infusions, plus an off-grid bolus.
  for (double day : {0, 2, 4, 7, 9, 11}) {
    s.doses.push_back({.start_min = day * 1440, .duration_min = 40, .amount_mg_per_kg = 0.5, .per_kg = true});
  }
  s.doses.push_back({.start_min = 100.25, .duration_min = 0, .amount_mg = 10});
  s.end_min = 14 * 1440;
  s.step_min = 1;
  s.threshold_mg_per_l = 0.1;
  s.keep_patients = true;
  return s;
}

TEST(Population, EveryPatientMatchesTheExactSolver) {
  const PopulationSpec s = base_spec();
  const PopulationResult r = run_population(s, false);
  ASSERT_EQ(r.patients.size(), s.n);
  std::vector<double> grid;
  for (int i = 0; i <= 14 * 1440; ++i) grid.push_back(i);
  for (std::size_t i = 0; i < 10; ++i) {
    const PatientRow& row = r.patients[i];
    std::vector<Dose> doses;
    for (const auto& d : s.doses) {
      doses.push_back({d.start_min, d.duration_min, d.per_kg ? d.amount_mg_per_kg * row.weight_kg : d.amount_mg});
    }
    Parameters p = row.params;
    p.ke0_per_min.reset();
    SimulationOptions o;
    const SimulationResult one = simulate(p, doses, grid, o);
    // Cmax on the grid (the off-grid bolus instant is not a grid sample in the population).
    double cmax = 0;
    std::size_t above = 0;
    for (std::size_t k = 0; k < grid.size(); ++k) {
      cmax = std::max(cmax, one.plasma_mg_per_l[k]);
      if (k > 0 && one.plasma_mg_per_l[k] >= 0.1) ++above;
    }
    EXPECT_NEAR(row.cmax_mg_per_l, cmax, 1e-10 * cmax) << i;
    EXPECT_NEAR(row.auc_mg_min_per_l, one.auc_mg_min_per_l, 1e-9 * one.auc_mg_min_per_l) << i;
    EXPECT_DOUBLE_EQ(row.time_above_min, static_cast<double>(above)) << i;
  }
}

TEST(Population, SameSeedSameResultWhateverTheThreads) {
  PopulationSpec s = base_spec();
  s.n = 333;
  s.keep_patients = false;
  s.threads = 1;
  const PopulationResult a = run_population(s, false);
  s.threads = 2;
  const PopulationResult b = run_population(s, false);
  EXPECT_EQ(a.cmax_mg_per_l.p50, b.cmax_mg_per_l.p50);
  EXPECT_EQ(a.auc_mg_min_per_l.p95, b.auc_mg_min_per_l.p95);
  ASSERT_EQ(a.curve_mg_per_l.size(), b.curve_mg_per_l.size());
  for (std::size_t i = 0; i < a.curve_mg_per_l.size(); ++i) EXPECT_EQ(a.curve_mg_per_l[i].p50, b.curve_mg_per_l[i].p50);
  s.seed = 8;
  const PopulationResult c = run_population(s, false);
  EXPECT_NE(a.cmax_mg_per_l.p50, c.cmax_mg_per_l.p50);
}

TEST(Population, HistogramCurvesStayWithinTheirStatedBound) {
  PopulationSpec s = base_spec();
  s.keep_patients = false;
  s.end_min = 3 * 1440;
  s.doses.resize(2);
  s.n = 5000;  // 5000 x 4321 points exceeds the exact budget -> histogram
  s.percentile_step_min = 1;
  const PopulationResult h = run_population(s, false);
  ASSERT_EQ(h.curve_method, "log_histogram");
  s.n = 5000;
  s.percentile_step_min = 360;  // few points -> exact
  const PopulationResult x = run_population(s, false);
  ASSERT_EQ(x.curve_method, "exact");
  // Compare the shared time points (every 360 min).
  for (std::size_t i = 0; i < x.curve_times_min.size(); ++i) {
    const std::size_t j = i * 360;
    ASSERT_DOUBLE_EQ(h.curve_times_min[j], x.curve_times_min[i]);
    const double e = x.curve_mg_per_l[i].p50;
    if (e > 1e-6) {
      // Bin error plus the rank difference between nearest-rank and interpolated medians.
      EXPECT_NEAR(h.curve_mg_per_l[j].p50, e, 0.01 * e) << h.curve_times_min[j];
    }
  }
}

TEST(Population, RefusesCovariatesOutsideTheModel) {
  PopulationSpec s = base_spec();
  s.age_y = Distribution{40, 10, 10, 80};  // Domino is an adult model
  EXPECT_THROW(run_population(s, false), InputError);
  EXPECT_NO_THROW(run_population(s, true));
}

}  // namespace
}  // namespace kit::pk
