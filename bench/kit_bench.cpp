// Google Benchmark micro-benchmarks of the PK engine (docs/performance.md):
//   BM_Simulate          one patient, the six-infusion 14-day course on the 1-minute grid (simulate())
//   BM_TciUpdatePlasma   one TciController::next_rate (plasma targeting) on a warmed-up Simulator
//   BM_TciUpdateEffect   the same with effect-site targeting (Shafer & Gregg iteration)
//   BM_PopulationPatient run_population on 16*k patients; counter s_per_patient
//   BM_KernelRunSteps    the population hot loop alone (detail::run_steps): one block of 16 typical
//                        patients advanced 20,160 steps, for the arithmetic-floor comparison
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>

#include "bench/workload.h"
#include "core/pk/modal_system.h"
#include "core/pk/population_kernel.h"
#include "core/pk/population.h"
#include "core/pk/simulator.h"
#include "core/pk/tci.h"

namespace {

using namespace kit;

void BM_Simulate(benchmark::State& state) {
  const pk::Parameters p = bench::model().typical(bench::typical_patient());  // plasma only, no ke0
  const std::vector<pk::Dose> doses = bench::course_doses();
  const std::vector<double> grid = bench::course_grid();
  double sink = 0;
  for (auto _ : state) {
    const pk::SimulationResult r = pk::simulate(p, doses, grid);
    sink += r.cmax_mg_per_l + r.auc_mg_min_per_l;
    benchmark::DoNotOptimize(sink);
  }
  state.counters["samples"] = static_cast<double>(grid.size());
  state.counters["ns_per_sample"] = benchmark::Counter(static_cast<double>(grid.size()) * 1e-9,
                                                       benchmark::Counter::kIsIterationInvariantRate |
                                                           benchmark::Counter::kInvert);
}
BENCHMARK(BM_Simulate)->Unit(benchmark::kMicrosecond);

// A TCI session in progress: 70 kg Domino 1982 with its published ke0, 10 s updates, 1 mg/L
// target run for `warm_min` minutes, then one update. range(0): 0 = hold the target (the common
// maintenance step), 1 = target stepped up to 2 mg/L (the effect-site iteration has to move).
void tci_update(benchmark::State& state, pk::TciTarget target) {
  const pk::Parameters p = pk::individual_parameters(bench::model(), bench::typical_patient());
  const double interval_min = 10.0 / 60.0;
  const double max_rate = 1200.0 / 60.0;  // 1200 mg/h pump limit
  const pk::TciController ctl(p, target, interval_min, max_rate);
  pk::Simulator sim(p);
  for (int i = 0; i < 6 * 15; ++i) {  // 15 minutes of control at 1 mg/L
    sim.set_rate(ctl.next_rate(sim, 1.0));
    sim.advance(interval_min);
  }
  const double next_target = state.range(0) == 0 ? 1.0 : 2.0;
  double sink = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(&sim);
    sink += ctl.next_rate(sim, next_target);
    benchmark::DoNotOptimize(sink);
  }
  state.counters["rate_mg_per_min"] = ctl.next_rate(sim, next_target);
}
void BM_TciUpdatePlasma(benchmark::State& state) { tci_update(state, pk::TciTarget::plasma); }
void BM_TciUpdateEffect(benchmark::State& state) { tci_update(state, pk::TciTarget::effect); }
BENCHMARK(BM_TciUpdatePlasma)->ArgName("step_up")->Arg(0)->Arg(1);
BENCHMARK(BM_TciUpdateEffect)->ArgName("step_up")->Arg(0)->Arg(1);

// range(0) = k blocks of 16 patients, range(1) = threads. Includes drawing the patients, the
// percentile curves and the summary percentiles: the whole run_population call.
void BM_PopulationPatient(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(16 * state.range(0));
  const auto threads = static_cast<unsigned>(state.range(1));
  const pk::PopulationSpec spec = bench::population_spec(n, 1, threads);
  double sink = 0;
  for (auto _ : state) {
    const pk::PopulationResult r = pk::run_population(spec, false);
    sink += r.cmax_mg_per_l.p50;
    benchmark::DoNotOptimize(sink);
  }
  state.counters["patients"] = static_cast<double>(n);
  // Seconds per patient, shown with the unit prefix Google Benchmark picks (u = microseconds).
  state.counters["s_per_patient"] = benchmark::Counter(
      static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_PopulationPatient)
    ->ArgNames({"blocks", "threads"})
    ->Args({1, 1})
    ->Args({64, 1})
    ->Args({64, 2})
    ->Args({625, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The kernel alone: 16 lanes, infusion running (rate > 0), 20,160 steps, no threshold (as in the
// benchmark workload). Counter ns_per_step = one step of all 16 lanes; s_per_patient = the
// kernel's share of one patient's 14-day course on one core.
void BM_KernelRunSteps(benchmark::State& state) {
  const pk::Parameters p = bench::model().typical(bench::typical_patient());
  const pk::ModalSystem sys = pk::build_modal_system(p);
  auto blk = std::make_unique<pk::detail::LaneBlock>();
  const double h = bench::kStepMin;
  for (int lane = 0; lane < pk::detail::kLanes; ++lane) {
    for (int k = 0; k < pk::detail::kKernelModes; ++k) {
      const double l = sys.lambda[k] * (1.0 + 0.01 * lane);
      const double cw = sys.plasma[k] * sys.input[k];
      blk->l[k][lane] = l;
      blk->d[k][lane] = std::exp(-l * h);
      blk->g[k][lane] = cw * -std::expm1(-l * h) / l;
      blk->b[k][lane] = cw;
      blk->q[k][lane] = cw / l;
      blk->inv_l[k][lane] = 1.0 / l;
      blk->y[k][lane] = 0;
    }
    blk->rate[lane] = 0.875;
    blk->cmax[lane] = blk->tmax[lane] = blk->auc[lane] = blk->above_steps[lane] = 0;
  }
  const auto steps = static_cast<std::size_t>(bench::kEndMin / h);
  const double threshold = state.range(0) == 0 ? std::numeric_limits<double>::infinity() : 0.1;
  for (auto _ : state) {
    pk::detail::run_steps(*blk, steps, 0.0, h, threshold);
    benchmark::DoNotOptimize(blk->cmax[0]);
    for (int lane = 0; lane < pk::detail::kLanes; ++lane) {  // restart from empty (keeps values finite)
      for (int k = 0; k < pk::detail::kKernelModes; ++k) blk->y[k][lane] = 0;
    }
  }
  state.counters["ns_per_step"] = benchmark::Counter(static_cast<double>(steps) * 1e-9,
                                                     benchmark::Counter::kIsIterationInvariantRate |
                                                         benchmark::Counter::kInvert);
  state.counters["s_per_patient"] = benchmark::Counter(
      pk::detail::kLanes, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_KernelRunSteps)->ArgName("threshold")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
