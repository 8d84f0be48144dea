#pragma once
// The hot loop of the population simulation (internal to core/pk). Sixteen patients advance
// together in SIMD lanes on a uniform grid with the exact propagator: per step and mode one fused
// multiply-add (y = y*d + u), no exponential per sample.
#include <cstddef>
#include <vector>

namespace kit::pk::detail {

inline constexpr int kLanes = 16;
inline constexpr int kKernelModes = 3;

// Per-lane constants of one block of patients. Modes a model does not have are zero.
struct alignas(64) LaneBlock {
  double d[kKernelModes][kLanes];      // e^{-lambda h}
  double g[kKernelModes][kLanes];      // plasma after 1 mg/min for one step, from zero
  double b[kKernelModes][kLanes];      // plasma per 1 mg bolus (c_k w_k)
  double q[kKernelModes][kLanes];      // c_k w_k / lambda_k: plasma at steady state per 1 mg/min
  double inv_l[kKernelModes][kLanes];  // 1 / lambda_k
  double l[kKernelModes][kLanes];      // lambda_k, for sub-steps across off-grid events
  // State and running reductions.
  double y[kKernelModes][kLanes];      // modal plasma components; Cp = sum_k y_k
  double rate[kLanes];                 // current input, mg/min
  double cmax[kLanes], tmax[kLanes], auc[kLanes], above_steps[kLanes];
};

// What happens at a grid point or between two of them; shared by every patient.
struct Op {
  enum Kind { run, bolus, rate_change, sample, advance_off_grid, record } kind;
  std::size_t steps = 0;        // run: number of (advance one step, sample) pairs
  double t_start_min = 0;       // run: time of the grid point the run starts from
  int dose = -1;                // bolus / rate_change: which dose
  double sign = 0;              // rate_change: +1 start, -1 stop
  double dt_min = 0;            // advance_off_grid: exact sub-step length
  std::size_t point = 0;        // record: percentile grid index
};

// Advances `steps` grid steps of length h from t_start, sampling after each.
void run_steps(LaneBlock& blk, std::size_t steps, double t_start_min, double h_min, double threshold);
// Samples the current concentration at grid time t into cmax/tmax, and counts the step ending
// here as above threshold when it is (runs do both for their own steps).
void sample_now(LaneBlock& blk, double t_min, double threshold, bool count_step);
// Exact advance by an arbitrary dt (exp per lane and mode; used only around off-grid events).
void advance_exact(LaneBlock& blk, double dt_min);
// Current plasma concentration per lane.
void plasma_now(const LaneBlock& blk, double* out);

}  // namespace kit::pk::detail
