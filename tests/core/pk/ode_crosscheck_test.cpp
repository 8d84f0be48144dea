// Every registered model's exact modal solution against an independent numerical integration of
// the same compartment ODEs (Boost.Odeint, Dormand-Prince 5(4), rtol 1e-12), written directly in
// amounts as in reference §2.1. Regimen: a bolus, overlapping infusions and a late short infusion.
#include <gtest/gtest.h>

#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <iostream>

#include "core/pk/model.h"
#include "core/pk/simulator.h"

namespace kit::pk {
namespace {

using State = std::array<double, 6>;  // A1, A2, A3, Ce, Am, AUC

struct Ode {
  Parameters p;
  double rate = 0;           // mg/min
  double first_input = -1;   // time origin of the metabolite clearance drift

  void operator()(const State& x, State& dx, double t) const {
    const double k10 = p.k10();
    const double k12 = p.compartments >= 2 ? p.k12() : 0, k21 = p.compartments >= 2 ? p.k21() : 0;
    const double k13 = p.compartments >= 3 ? p.k13() : 0, k31 = p.compartments >= 3 ? p.k31() : 0;
    dx[0] = rate - (k10 + k12 + k13) * x[0] + k21 * x[1] + k31 * x[2];
    dx[1] = k12 * x[0] - k21 * x[1];
    dx[2] = k13 * x[0] - k31 * x[2];
    dx[3] = p.ke0_per_min ? *p.ke0_per_min * (x[0] / p.v1_l - x[3]) : 0.0;
    double km = 0;
    if (p.has_metabolite) {
      const double hours = first_input < 0 ? 0.0 : std::max(0.0, t - first_input) / 60.0;
      km = p.met_cl_l_per_min / p.met_v_l * (1.0 + p.met_cl_slope_per_h * hours);
    }
    dx[4] = p.has_metabolite ? k10 * x[0] - km * x[4] : 0.0;
    dx[5] = x[0] / p.v1_l;
  }
};

Patient valid_patient(const ModelDefinition& m) {
  auto mid = [](const Range& r, double fallback) {
    if (r.min && r.max) return 0.5 * (*r.min + *r.max);
    if (r.min) return std::max(*r.min, fallback);
    if (r.max) return std::min(*r.max, fallback);
    return fallback;
  };
  Patient pt;
  pt.weight_kg = mid(m.weight_kg, 70);
  pt.age_y = mid(m.age_y, 40);
  return pt;
}

double g_worst = 0;  // largest scaled difference seen in the current model, for the log

void expect_close(double exact, double ode, double scale, const std::string& what) {
  // 1e-6 relative, with an absolute floor of 1e-9 of the curve's own scale for values near zero.
  const double denom = std::max(std::fabs(ode), 1e-3 * scale);
  g_worst = std::max(g_worst, std::fabs(exact - ode) / denom);
  EXPECT_LE(std::fabs(exact - ode), 1e-6 * denom) << what;
}

class OdeCrossCheck : public ::testing::TestWithParam<std::string> {};

TEST_P(OdeCrossCheck, ExactSolutionMatchesNumericalIntegration) {
  const ModelDefinition& m = *find_model(GetParam());
  g_worst = 0;
  const Patient pt = valid_patient(m);
  Parameters p = individual_parameters(m, pt);
  if (!p.ke0_per_min) p.ke0_per_min = 0.4;  // exercise the effect-site path for every structure
  const double w = pt.weight_kg;
  const std::vector<Dose> doses = {{.start_min = 2, .duration_min = 0, .amount_mg = 0.5 * w},
                                   {.start_min = 5, .duration_min = 40, .amount_mg = 1.0 * w},
                                   {.start_min = 20, .duration_min = 60, .amount_mg = 0.5 * w},
                                   {.start_min = 300, .duration_min = 10, .amount_mg = 0.2 * w}};
  std::vector<double> times;
  for (double t = 0; t <= 600; t += 7.3) times.push_back(t);
  SimulationOptions opt;
  opt.amounts = true;
  const SimulationResult exact = simulate(p, doses, times, opt);

  // Numerical integration, restarted at every event.
  Ode ode{p};
  State x{};
  double t = 0;
  const auto events = build_events(doses);
  auto stepper = boost::numeric::odeint::make_controlled(1e-14, 1e-12,
                                                         boost::numeric::odeint::runge_kutta_dopri5<State>());
  auto integrate_to = [&](double t1) {
    if (t1 > t) boost::numeric::odeint::integrate_adaptive(stepper, ode, x, t, t1, 1e-3);
    t = std::max(t, t1);
  };
  std::size_t e = 0;
  double peak = 0;
  for (double v : exact.plasma_mg_per_l) peak = std::max(peak, v);
  for (std::size_t i = 0; i < times.size(); ++i) {
    while (e < events.size() && events[e].t_min <= times[i]) {
      integrate_to(events[e].t_min);
      x[0] += events[e].bolus_mg;
      ode.rate += events[e].rate_change_mg_per_min;
      if (std::fabs(ode.rate) < 1e-12) ode.rate = 0;
      if (ode.first_input < 0 && (events[e].bolus_mg > 0 || ode.rate > 0)) ode.first_input = t;
      ++e;
    }
    integrate_to(times[i]);
    const std::string at = m.id + " t=" + std::to_string(times[i]);
    expect_close(exact.plasma_mg_per_l[i], x[0] / p.v1_l, peak, at + " plasma");
    expect_close(exact.effect_mg_per_l[i], x[3], peak, at + " effect");
    expect_close(exact.amounts_mg[i][0], x[0], peak * p.v1_l, at + " A1");
    if (p.compartments >= 2) expect_close(exact.amounts_mg[i][1], x[1], peak * p.v1_l, at + " A2");
    if (p.compartments >= 3) expect_close(exact.amounts_mg[i][2], x[2], peak * p.v1_l, at + " A3");
    if (p.has_metabolite) {
      expect_close(exact.metabolite_amount_mg[i], x[4], peak * p.v1_l, at + " metabolite");
    }
  }
  expect_close(exact.auc_mg_min_per_l, x[5], x[5], m.id + " AUC");
  std::cout << "[ measured ] " << m.id << ": largest relative difference vs ODE " << g_worst << "\n";
  // AUC(0-inf) = total dose / CL for any regimen.
  const double total = 2.2 * w;
  EXPECT_NEAR(exact.auc_inf_mg_min_per_l, total / p.cl_l_per_min, 1e-9 * total / p.cl_l_per_min);
}

std::vector<std::string> all_model_ids() {
  std::vector<std::string> ids;
  for (const auto& m : model_registry()) ids.push_back(m.id);
  return ids;
}

INSTANTIATE_TEST_SUITE_P(EveryModel, OdeCrossCheck, ::testing::ValuesIn(all_model_ids()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace kit::pk
