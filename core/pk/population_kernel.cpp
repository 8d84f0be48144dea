// Compiled with -O3 -march=native (core/CMakeLists.txt). The hot loop (run_steps) is written with
// GCC vector extensions, eight doubles per vector (one AVX-512 register; two AVX2 or four SSE2
// registers elsewhere), so that the per-lane state stays in registers for the whole run instead
// of going through memory every step (store-to-load forwarding on the y = y*d + u recurrence
// would otherwise set the pace). The arithmetic per lane and step is the same as the scalar
// reference in the same order, so results are bit-for-bit those of the plain loop:
//   y_k = y_k*d_k + u_k (one FMA each), cp = (y_0 + y_1) + y_2,
//   if (cp > cmax) { cmax = cp; tmax = t }, above += cp >= threshold.
#include "core/pk/population_kernel.h"

#include <cmath>
#include <cstring>
#include <limits>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace kit::pk::detail {

namespace {

constexpr int kWidth = 8;                // doubles per vector
constexpr int kVecs = kLanes / kWidth;   // vectors per block
static_assert(kLanes % kWidth == 0);
typedef double Vec __attribute__((vector_size(kWidth * sizeof(double))));

inline void load(Vec& v, const double* p) { std::memcpy(&v, p, sizeof(Vec)); }
inline void store(double* p, const Vec& v) { std::memcpy(p, &v, sizeof(Vec)); }

// Running maximum and the step index of its last rise: if (cp > cmax) { cmax = cp; idx = s }.
// Written as a compare + masked move for both, the compiler puts the compare on cmax's
// loop-carried chain (compare into a mask register, then the move: about 8 cycles a step on Zen,
// twice the FMA latency). With AVX-512 the maximum is a plain vmaxpd (2-cycle chain; MAXPD(a, b) is
// exactly a > b ? a : b, NaN and ties included) and the compare only feeds idx, off the chain.
inline void update_max(Vec& cmax, Vec& idx, const Vec& cp, const Vec& s) {
#if defined(__AVX512F__)
  static_assert(sizeof(Vec) == sizeof(__m512d));
  const __m512d c = reinterpret_cast<const __m512d&>(cp);  // __m512d is declared may_alias
  const __m512d m = reinterpret_cast<const __m512d&>(cmax);
  const __mmask8 higher = _mm512_cmp_pd_mask(c, m, _CMP_GT_OQ);
  // All lanes; the merge source is m itself (the unmasked form reads an undefined source that
  // g++ 12 flags as maybe-uninitialized).
  const __m512d new_max = _mm512_mask_max_pd(m, static_cast<__mmask8>(0xFF), c, m);
  const __m512d new_idx = _mm512_mask_mov_pd(reinterpret_cast<const __m512d&>(idx), higher,
                                             reinterpret_cast<const __m512d&>(s));
  cmax = reinterpret_cast<const Vec&>(new_max);
  idx = reinterpret_cast<const Vec&>(new_idx);
#else
  const auto higher = cp > cmax;
  cmax = higher ? cp : cmax;
  idx = higher ? s : idx;
#endif
}

// `kCount`: whether a threshold is set (otherwise cp >= +inf never holds and the count is skipped).
template <bool kCount>
void run_steps_impl(LaneBlock& blk, std::size_t steps, double t_start_min, double h_min, double threshold) {
  Vec d[kKernelModes][kVecs], u[kKernelModes][kVecs], y[kKernelModes][kVecs];
  Vec cmax[kVecs], above[kVecs];
  for (int v = 0; v < kVecs; ++v) {
    Vec rate;
    load(rate, blk.rate + v * kWidth);
    for (int k = 0; k < kKernelModes; ++k) {
      Vec g;
      load(g, blk.g[k] + v * kWidth);
      load(d[k][v], blk.d[k] + v * kWidth);
      load(y[k][v], blk.y[k] + v * kWidth);
      u[k][v] = g * rate;
    }
    load(cmax[v], blk.cmax + v * kWidth);
    load(above[v], blk.above_steps + v * kWidth);
  }
  // tmax is tracked as the step index of the last new maximum within this run (-1: none yet) and
  // turned into a time once at the end, with the same t = t_start + s*h as the per-step form.
  const Vec zero{};
  const Vec one = zero + 1.0;
  const Vec thr = zero + threshold;
  Vec idx[kVecs];
  for (int v = 0; v < kVecs; ++v) idx[v] = zero - 1.0;
  Vec sv = zero;
  for (std::size_t s = 1; s <= steps; ++s) {
    sv += one;  // = s, exact
    for (int v = 0; v < kVecs; ++v) {
      y[0][v] = y[0][v] * d[0][v] + u[0][v];
      y[1][v] = y[1][v] * d[1][v] + u[1][v];
      y[2][v] = y[2][v] * d[2][v] + u[2][v];
      const Vec cp = y[0][v] + y[1][v] + y[2][v];
      update_max(cmax[v], idx[v], cp, sv);
      if constexpr (kCount) above[v] += cp >= thr ? one : zero;
    }
  }
  for (int v = 0; v < kVecs; ++v) {
    alignas(64) double ix[kWidth];
    store(ix, idx[v]);
    for (int i = 0; i < kWidth; ++i) {
      if (ix[i] >= 0) {
#if defined(__FMA__)  // g++ contracts t_start + s*h into an FMA when it can; do the same
        blk.tmax[v * kWidth + i] = std::fma(ix[i], h_min, t_start_min);
#else
        blk.tmax[v * kWidth + i] = t_start_min + ix[i] * h_min;
#endif
      }
    }
  }
  alignas(64) double y0[kKernelModes][kLanes];
  for (int k = 0; k < kKernelModes; ++k) std::memcpy(y0[k], blk.y[k], sizeof(y0[k]));
  for (int v = 0; v < kVecs; ++v) {
    for (int k = 0; k < kKernelModes; ++k) store(blk.y[k] + v * kWidth, y[k][v]);
    store(blk.cmax + v * kWidth, cmax[v]);
    store(blk.above_steps + v * kWidth, above[v]);
  }
  // Exact AUC of the run: integral of y_k = q_k R T + (y_k(start) - y_k(end)) / lambda_k.
  const double span = static_cast<double>(steps) * h_min;
  for (int k = 0; k < kKernelModes; ++k) {
    for (int i = 0; i < kLanes; ++i) {
      blk.auc[i] += blk.q[k][i] * blk.rate[i] * span + (y0[k][i] - blk.y[k][i]) * blk.inv_l[k][i];
    }
  }
}

}  // namespace

void run_steps(LaneBlock& blk, std::size_t steps, double t_start_min, double h_min, double threshold) {
  // cp >= +inf is never true for a finite concentration: without a threshold nothing is counted.
  if (threshold == std::numeric_limits<double>::infinity()) {
    run_steps_impl<false>(blk, steps, t_start_min, h_min, threshold);
  } else {
    run_steps_impl<true>(blk, steps, t_start_min, h_min, threshold);
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
