// Compiled with -O3 -march=native (core/CMakeLists.txt): the lane loops below vectorise to the
// machine's widest registers. Each loop body is branch-free so that it does.
#include "core/pk/population_kernel.h"

#include <cmath>

namespace kit::pk::detail {

void run_steps(LaneBlock& blk, std::size_t steps, double t_start_min, double h_min, double threshold) {
  alignas(64) double u[kKernelModes][kLanes];
  alignas(64) double y0[kKernelModes][kLanes];
  for (int k = 0; k < kKernelModes; ++k) {
    for (int i = 0; i < kLanes; ++i) {
      u[k][i] = blk.g[k][i] * blk.rate[i];
      y0[k][i] = blk.y[k][i];
    }
  }
  alignas(64) double y_0[kLanes], y_1[kLanes], y_2[kLanes], cmax[kLanes], tmax[kLanes], above[kLanes];
  for (int i = 0; i < kLanes; ++i) {
    y_0[i] = blk.y[0][i];
    y_1[i] = blk.y[1][i];
    y_2[i] = blk.y[2][i];
    cmax[i] = blk.cmax[i];
    tmax[i] = blk.tmax[i];
    above[i] = blk.above_steps[i];
  }
  for (std::size_t s = 1; s <= steps; ++s) {
    const double t = t_start_min + static_cast<double>(s) * h_min;
#pragma GCC ivdep
    for (int i = 0; i < kLanes; ++i) {
      y_0[i] = y_0[i] * blk.d[0][i] + u[0][i];
      y_1[i] = y_1[i] * blk.d[1][i] + u[1][i];
      y_2[i] = y_2[i] * blk.d[2][i] + u[2][i];
      const double cp = y_0[i] + y_1[i] + y_2[i];
      const bool higher = cp > cmax[i];
      cmax[i] = higher ? cp : cmax[i];
      tmax[i] = higher ? t : tmax[i];
      above[i] += cp >= threshold ? 1.0 : 0.0;
    }
  }
  const double span = static_cast<double>(steps) * h_min;
  for (int i = 0; i < kLanes; ++i) {
    blk.y[0][i] = y_0[i];
    blk.y[1][i] = y_1[i];
    blk.y[2][i] = y_2[i];
    blk.cmax[i] = cmax[i];
    blk.tmax[i] = tmax[i];
    blk.above_steps[i] = above[i];
  }
  // Exact AUC of the run: integral of y_k = q_k R T + (y_k(start) - y_k(end)) / lambda_k.
  for (int k = 0; k < kKernelModes; ++k) {
    for (int i = 0; i < kLanes; ++i) {
      blk.auc[i] += blk.q[k][i] * blk.rate[i] * span + (y0[k][i] - blk.y[k][i]) * blk.inv_l[k][i];
    }
  }
}

void plasma_now(const LaneBlock& blk, double* out) {
  for (int i = 0; i < kLanes; ++i) out[i] = blk.y[0][i] + blk.y[1][i] + blk.y[2][i];
}

void sample_now(LaneBlock& blk, double t_min, double threshold, bool count_step) {
  alignas(64) double cp[kLanes];
  plasma_now(blk, cp);
  for (int i = 0; i < kLanes; ++i) {
    const bool higher = cp[i] > blk.cmax[i];
    blk.cmax[i] = higher ? cp[i] : blk.cmax[i];
    blk.tmax[i] = higher ? t_min : blk.tmax[i];
    if (count_step && cp[i] >= threshold) blk.above_steps[i] += 1.0;
  }
}

void advance_exact(LaneBlock& blk, double dt) {
  for (int k = 0; k < kKernelModes; ++k) {
    for (int i = 0; i < kLanes; ++i) {
      const double l = blk.l[k][i];
      if (l == 0) continue;  // absent mode
      const double e = std::exp(-l * dt);
      const double ss = blk.q[k][i] * blk.rate[i];  // steady-state value of y_k at this rate
      const double y_new = ss + (blk.y[k][i] - ss) * e;
      blk.auc[i] += ss * dt + (blk.y[k][i] - y_new) * blk.inv_l[k][i];
      blk.y[k][i] = y_new;
    }
  }
}

}  // namespace kit::pk::detail
