// TCI behaviour: reach the target as fast as the pump allows, never overshoot, hold, and step down
// by stopping until the prediction falls. Checked by re-simulating the produced rate schedule on a
// fine grid with the exact solver.
#include "core/pk/tci.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/common/error.h"
#include "core/pk/model.h"

namespace kit::pk {
namespace {

Parameters domino70() {
  Parameters p = individual_parameters(*find_model("domino1982"), Patient{.weight_kg = 70});
  return p;
}

// Re-simulates a TCI schedule as a sequence of infusions, sampled every second.
SimulationResult replay(const Parameters& p, const TciRun& run, double end_min) {
  std::vector<Dose> doses;
  for (std::size_t i = 0; i < run.start_s.size(); ++i) {
    const double start = run.start_s[i] / 60.0;
    const double next = i + 1 < run.start_s.size() ? run.start_s[i + 1] / 60.0 : end_min;
    if (run.rate_mg_per_min[i] > 0) {
      doses.push_back({start, next - start, run.rate_mg_per_min[i] * (next - start)});
    }
  }
  std::vector<double> times;
  for (double t = 0; t <= end_min + 1e-9; t += 1.0 / 60.0) times.push_back(t);
  return simulate(p, doses, times);
}

TEST(Tci, PlasmaTargetReachedWithoutOvershootAndHeld) {
  const Parameters p = domino70();
  const double target = 0.2;  // 200 ng/mL
  const TciRun run = run_tci(p, TciTarget::plasma, {{0, target}}, 30, 1200.0 / 60.0, 10);
  // The exact predicted plasma concentration at each update never exceeds the target.
  for (double c : run.plasma_mg_per_l) EXPECT_LE(c, target * (1 + 1e-9));
  // After the loading phase it sits on the target at every update.
  EXPECT_NEAR(run.plasma_mg_per_l.back(), target, 1e-9);
  // Cumulative dose equals the integral of the schedule, and the replay agrees.
  const SimulationResult r = replay(p, run, 30);
  EXPECT_NEAR(r.plasma_mg_per_l.back(), target, 1e-9);
  EXPECT_LE(*std::max_element(r.plasma_mg_per_l.begin(), r.plasma_mg_per_l.end()), target * 1.02);
}

TEST(Tci, MaxRateLimitsTheLoadingPhase) {
  const Parameters p = domino70();
  const double max_rate = 2.0;  // mg/min: too slow to load 200 ng/mL in one interval
  const TciRun run = run_tci(p, TciTarget::plasma, {{0, 0.2}}, 10, max_rate, 10);
  EXPECT_DOUBLE_EQ(run.rate_mg_per_min[0], max_rate);
  for (double r : run.rate_mg_per_min) EXPECT_LE(r, max_rate);
}

TEST(Tci, StepDownStopsTheInfusionUntilPredictionFalls) {
  const Parameters p = domino70();
  const TciRun run = run_tci(p, TciTarget::plasma, {{0, 0.4}, {20, 0.1}}, 60, 20, 10);
  const auto first_after = static_cast<std::size_t>(20 * 6);
  EXPECT_DOUBLE_EQ(run.rate_mg_per_min[first_after], 0.0);
  // Once the prediction is down, the rate resumes and holds the new target.
  EXPECT_GT(run.rate_mg_per_min.back(), 0.0);
  EXPECT_NEAR(run.plasma_mg_per_l.back(), 0.1, 1e-9);
}

TEST(Tci, EffectTargetPeaksAtTargetWithoutOvershoot) {
  const Parameters p = domino70();  // with Navarrete's published ke0 0.238 /min
  ASSERT_TRUE(p.ke0_per_min);
  const double target = 0.2;
  const TciRun run = run_tci(p, TciTarget::effect, {{0, target}}, 40, 1200.0 / 60.0, 10);
  const SimulationResult r = replay(p, run, 40);
  const double ce_max = *std::max_element(r.effect_mg_per_l.begin(), r.effect_mg_per_l.end());
  EXPECT_LE(ce_max, target * (1 + 1e-6));
  EXPECT_NEAR(r.effect_mg_per_l.back(), target, 1e-3 * target);
  // Effect targeting overshoots in plasma on purpose, to drive the effect site faster.
  const double cp_max = *std::max_element(r.plasma_mg_per_l.begin(), r.plasma_mg_per_l.end());
  EXPECT_GT(cp_max, target);
}

TEST(Tci, EffectTargetingNeedsAKe0) {
  Parameters p = domino70();
  p.ke0_per_min.reset();
  EXPECT_THROW(run_tci(p, TciTarget::effect, {{0, 0.2}}, 10, 20, 10), InputError);
}

// Pure Shafer-Gregg effect targeting (no hybrid switch, no plasma cap) toggles the pump between a
// rate (about 97 mg/h, Domino 70 kg, 200 ng/mL) and zero at the 10-s updates after minute 10
// (docs/reference/pharmacology.md §13 on §2.5). This pins the problem the hybrid switch solves.
int toggles_after(const TciRun& run, double from_s) {
  int n = 0;
  for (std::size_t i = 1; i < run.start_s.size(); ++i) {
    if (run.start_s[i] < from_s) continue;
    if ((run.rate_mg_per_min[i] > 0) != (run.rate_mg_per_min[i - 1] > 0)) ++n;
  }
  return n;
}

TEST(Tci, PureEffectTargetingTogglesThePump) {
  TciOptions pure;
  pure.hybrid = false;
  pure.plasma_cap_factor.reset();
  const TciRun run =
      run_tci(domino70(), TciTarget::effect, {{0, 0.2}}, 60, 1200.0 / 60.0, 10, pure);
  EXPECT_GT(toggles_after(run, 600), 100);
}

// tci_comb hybrid: plasma targeting once |Ct-Cp|/Ct <= 0.2 and |Ct-Ce|/Ct <= 0.05 (code
// tolerances, jarretrt/tci [C]; §13 on §2.5). After the switch the pump never stops, and the
// effect site still reaches the target.
TEST(Tci, HybridSwitchStopsTheToggling) {
  const Parameters p = domino70();
  const double target = 0.2;
  const TciRun run = run_tci(p, TciTarget::effect, {{0, target}}, 60, 1200.0 / 60.0, 10);
  const auto first = std::find(run.plasma_mode.begin(), run.plasma_mode.end(), true);
  ASSERT_NE(first, run.plasma_mode.end());
  const auto k = static_cast<std::size_t>(first - run.plasma_mode.begin());
  EXPECT_LT(run.start_s[k], 600.0);  // switched within the first 10 minutes
  // At the switch plasma is above target (up to the 1.2 x cap): the pump stops once while it falls
  // to the target, then runs at every update; the mode never switches back.
  std::size_t resumed = k;
  while (resumed < run.rate_mg_per_min.size() && run.rate_mg_per_min[resumed] == 0) ++resumed;
  ASSERT_LT(run.start_s[resumed], run.start_s[k] + 120.0);
  for (std::size_t i = k; i < run.plasma_mode.size(); ++i) {
    EXPECT_TRUE(run.plasma_mode[i]) << i;
    if (i >= resumed) {
      EXPECT_GT(run.rate_mg_per_min[i], 0.0) << i;
    }
  }
  EXPECT_EQ(toggles_after(run, run.start_s[resumed] + 1.0), 0);  // after the resumption
  const SimulationResult r = replay(p, run, 60);
  EXPECT_NEAR(r.effect_mg_per_l.back(), target, 1e-3 * target);
  const double ce_max = *std::max_element(r.effect_mg_per_l.begin(), r.effect_mg_per_l.end());
  EXPECT_LE(ce_max, target * (1 + 1e-3));
}

// Without a cap, Domino effect-site targeting (ke0 0.238/min) for 0.2 mg/L at the old default
// maximum (STANPUMP 0.75 mg/kg/min x 70 kg = 52.5 mg/min, §2.6) drives plasma to about 1.58 mg/L
// (1,576 ng/mL, §10 on §1.8); the default cap holds it at 1.2 x target (opentiva "revised" [C]).
TEST(Tci, EffectTargetingPlasmaOvershootIsCapped) {
  const Parameters p = domino70();
  TciOptions uncapped;
  uncapped.plasma_cap_factor.reset();
  const TciRun wild = run_tci(p, TciTarget::effect, {{0, 0.2}}, 30, 0.75 * 70, 10, uncapped);
  const SimulationResult w = replay(p, wild, 30);
  EXPECT_GT(*std::max_element(w.plasma_mg_per_l.begin(), w.plasma_mg_per_l.end()), 1.5);
  const TciRun run = run_tci(p, TciTarget::effect, {{0, 0.2}}, 30, 1200.0 / 60.0, 10);
  const SimulationResult r = replay(p, run, 30);
  EXPECT_LE(*std::max_element(r.plasma_mg_per_l.begin(), r.plasma_mg_per_l.end()),
            1.2 * 0.2 * (1 + 1e-6));
  EXPECT_NEAR(r.effect_mg_per_l.back(), 0.2, 1e-3 * 0.2);
}

// Rates are rounded down to whole pump steps (0.1 mL/h at 1 mg/mL = 0.1 mg/h = 1/600 mg/min).
TEST(Tci, RatesAreWholePumpSteps) {
  TciOptions o;
  o.rate_step_mg_per_min = 0.1 / 60.0;
  const TciRun run = run_tci(domino70(), TciTarget::plasma, {{0, 0.2}}, 30, 150.0 / 60.0, 10, o);
  for (double r : run.rate_mg_per_min) {
    const double steps = r / o.rate_step_mg_per_min;
    EXPECT_NEAR(steps, std::round(steps), 1e-6) << r;
    EXPECT_LE(r, 150.0 / 60.0 + 1e-12);
  }
  EXPECT_NEAR(run.plasma_mg_per_l.back(), 0.2, 0.002);
}

}  // namespace
}  // namespace kit::pk
