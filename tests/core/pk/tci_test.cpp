// TCI behaviour: reach the target as fast as the pump allows, never overshoot, hold, and step down
// by stopping until the prediction falls. Checked by re-simulating the produced rate schedule on a
// fine grid with the exact solver.
#include "core/pk/tci.h"

#include <gtest/gtest.h>

#include <algorithm>

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

}  // namespace
}  // namespace kit::pk
