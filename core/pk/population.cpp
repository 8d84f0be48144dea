#include "core/pk/population.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <limits>
#include <thread>

#include "core/common/error.h"
#include "core/pk/modal_system.h"
#include "core/pk/population_kernel.h"
#include "core/pk/random.h"

namespace kit::pk {

using detail::kKernelModes;
using detail::kLanes;
using detail::LaneBlock;
using detail::Op;

double omega_from_cv(double cv) { return std::sqrt(std::log1p(cv * cv)); }

namespace {

constexpr std::uint64_t kMaxPatients = 10'000'000;
constexpr std::size_t kMaxCurvePoints = 481;
// Exact percentile curves keep every value; above this many (8 bytes each) a log histogram is used.
constexpr std::size_t kExactCurveValues = 4'000'000;

// ---- validation ----------------------------------------------------------------------------

void check_distribution(const Distribution& d, const Range& model_range, const std::string& field,
                        double phys_min, double phys_max, const ModelDefinition& m, bool extrapolate) {
  if (!(d.sd >= 0)) throw InputError(field + ".sd", "must be >= 0");
  if (!(d.min <= d.max)) throw InputError(field + ".min", "must not exceed max");
  if (!(d.mean >= d.min && d.mean <= d.max)) throw InputError(field + ".mean", "must lie within min..max");
  if (d.min < phys_min || d.max > phys_max) {
    throw InputError(field, "must lie within " + std::to_string(phys_min) + ".." + std::to_string(phys_max));
  }
  if (extrapolate) return;
  if ((model_range.min && d.min < *model_range.min) || (model_range.max && d.max > *model_range.max)) {
    throw InputError(field, "range reaches outside what model " + m.id + " was built on (" +
                                model_range.source + "); set \"allow_extrapolation\":true to simulate anyway");
  }
}

void validate(const PopulationSpec& s, bool extrapolate) {
  if (s.model == nullptr) throw InputError("model", "is required");
  if (s.n < 1 || s.n > kMaxPatients) throw InputError("n", "must be between 1 and 10000000");
  if (!(s.step_min > 0)) throw InputError("step_min", "must be positive");
  if (!(s.end_min > 0)) throw InputError("end_min", "must be positive");
  if (s.end_min / s.step_min > 5e6) throw InputError("step_min", "too many grid points (more than 5,000,000)");
  if (s.percentile_step_min < 0) throw InputError("percentile_step_min", "must be >= 0");
  check_distribution(s.weight_kg, s.model->weight_kg, "patient.weight_kg", 0.2, 400, *s.model, extrapolate);
  if (s.model->age_y.min || s.model->age_y.max) {
    if (!s.age_y) throw InputError("patient.age_y", "is required: model " + s.model->id + " has an age range");
  }
  if (s.age_y) check_distribution(*s.age_y, s.model->age_y, "patient.age_y", 0, 120, *s.model, extrapolate);
  if (!(s.p_male >= 0 && s.p_male <= 1)) throw InputError("patient.sex.p_male", "must be between 0 and 1");
  for (const auto& v : s.iiv) {
    if (!(v.omega >= 0 && v.omega <= 3)) throw InputError("iiv_cv", "variability out of range");
  }
  for (std::size_t i = 0; i < s.doses.size(); ++i) {
    const auto& d = s.doses[i];
    const std::string f = "doses[" + std::to_string(i) + "]";
    if (!(d.start_min >= 0)) throw InputError(f + ".start_min", "must be >= 0");
    if (!(d.duration_min >= 0)) throw InputError(f + ".duration_min", "must be >= 0");
    if (!(d.amount_mg >= 0 && d.amount_mg_per_kg >= 0)) throw InputError(f, "amount must be >= 0");
  }
}

// ---- patients --------------------------------------------------------------------------------

double draw(PatientRng& rng, const Distribution& d) {
  if (d.sd == 0 || d.min == d.max) return std::clamp(d.mean, d.min, d.max);
  for (int i = 0; i < 1000; ++i) {
    const double x = d.mean + d.sd * rng.normal();
    if (x >= d.min && x <= d.max) return x;
  }
  return d.mean;  // mean lies within [min, max] (validated); reached only for absurdly narrow ranges
}

PatientRow draw_patient(const PopulationSpec& s, std::uint64_t index) {
  PatientRng rng(s.seed, index);
  PatientRow row;
  row.index = index;
  row.weight_kg = draw(rng, s.weight_kg);
  row.age_y = s.age_y ? draw(rng, *s.age_y) : std::numeric_limits<double>::quiet_NaN();
  row.male = rng.uniform() < s.p_male;
  Patient pt;
  pt.weight_kg = row.weight_kg;
  if (s.age_y) pt.age_y = row.age_y;
  pt.sex = row.male ? Sex::male : Sex::female;
  row.params = s.model->typical(pt);
  // Log-normal variability; correlated pairs share a standard normal (2x2 Cholesky).
  std::array<double, 8> z{};
  for (std::size_t i = 0; i < s.iiv.size() && i < z.size(); ++i) z[i] = rng.normal();
  auto index_of = [&](ParamId id) -> int {
    for (std::size_t i = 0; i < s.iiv.size(); ++i) {
      if (s.iiv[i].param == id) return static_cast<int>(i);
    }
    return -1;
  };
  for (const auto& c : s.correlations) {
    const int a = index_of(c.a), b = index_of(c.b);
    if (a >= 0 && b >= 0) z[b] = c.r * z[a] + std::sqrt(1 - c.r * c.r) * z[b];
  }
  for (std::size_t i = 0; i < s.iiv.size() && i < z.size(); ++i) {
    param_ref(row.params, s.iiv[i].param) *= std::exp(s.iiv[i].omega * z[i]);
  }
  return row;
}

void load_lane(LaneBlock& blk, int lane, const Parameters& p, double h) {
  Parameters parent = p;  // the population kernel follows plasma only
  parent.ke0_per_min.reset();
  parent.has_metabolite = false;
  const ModalSystem sys = build_modal_system(parent);
  for (int k = 0; k < kKernelModes; ++k) {
    if (k < sys.n_parent) {
      const double l = sys.lambda[k];
      const double cw = sys.plasma[k] * sys.input[k];
      blk.l[k][lane] = l;
      blk.d[k][lane] = std::exp(-l * h);
      blk.g[k][lane] = cw * -std::expm1(-l * h) / l;
      blk.b[k][lane] = cw;
      blk.q[k][lane] = cw / l;
      blk.inv_l[k][lane] = 1.0 / l;
    } else {
      blk.l[k][lane] = blk.d[k][lane] = blk.g[k][lane] = blk.b[k][lane] = 0;
      blk.q[k][lane] = blk.inv_l[k][lane] = 0;
    }
    blk.y[k][lane] = 0;
  }
  blk.rate[lane] = 0;
  blk.cmax[lane] = blk.tmax[lane] = blk.auc[lane] = blk.above_steps[lane] = 0;
}

// ---- the shared plan -------------------------------------------------------------------------

struct Plan {
  std::vector<Op> ops;
  std::vector<double> point_times;
};

Plan build_plan(const PopulationSpec& s) {
  const double h = s.step_min;
  const auto n_steps = static_cast<std::size_t>(std::floor(s.end_min / h + 1e-9));
  std::size_t every = 1;
  if (s.percentile_step_min > 0) {
    every = std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(s.percentile_step_min / h)));
  } else {
    every = std::max<std::size_t>(1, (n_steps + kMaxCurvePoints - 2) / (kMaxCurvePoints - 1));
  }
  struct Ev {
    double t;
    int dose;
    Op::Kind kind;
    double sign;
  };
  std::vector<Ev> evs;
  for (std::size_t i = 0; i < s.doses.size(); ++i) {
    const auto& d = s.doses[i];
    const int di = static_cast<int>(i);
    if (d.duration_min <= 0) {
      evs.push_back({d.start_min, di, Op::bolus, 0});
    } else {
      evs.push_back({d.start_min, di, Op::rate_change, +1});
      evs.push_back({d.start_min + d.duration_min, di, Op::rate_change, -1});
    }
  }
  // By time, then input position (as mrgsolve orders dose records).
  std::stable_sort(evs.begin(), evs.end(), [](const Ev& a, const Ev& b) { return a.t < b.t; });

  Plan plan;
  std::size_t e = 0;
  const double snap = 1e-9 * h;  // events this close to a grid point are on it
  auto emit_events_at_or_before = [&](double t) {
    while (e < evs.size() && evs[e].t <= t + snap) {
      plan.ops.push_back(Op{.kind = evs[e].kind, .dose = evs[e].dose, .sign = evs[e].sign});
      ++e;
    }
  };
  auto maybe_record = [&](std::size_t i) {
    if (i % every == 0) {
      plan.ops.push_back(Op{.kind = Op::record, .point = plan.point_times.size()});
      plan.point_times.push_back(static_cast<double>(i) * h);
    }
  };
  emit_events_at_or_before(0);
  plan.ops.push_back(Op{.kind = Op::sample, .t_start_min = 0});
  maybe_record(0);
  std::size_t pending = 0, run_from = 0;
  auto flush = [&]() {
    if (pending > 0) {
      plan.ops.push_back(Op{.kind = Op::run, .steps = pending, .t_start_min = static_cast<double>(run_from) * h});
      pending = 0;
    }
  };
  for (std::size_t i = 0; i < n_steps; ++i) {
    const double t0 = static_cast<double>(i) * h, t1 = static_cast<double>(i + 1) * h;
    const bool events_here = e < evs.size() && evs[e].t <= t1 + snap;
    if (!events_here) {
      if (pending == 0) run_from = i;
      ++pending;
      if ((i + 1) % every == 0) {
        flush();
        maybe_record(i + 1);
      }
      continue;
    }
    flush();
    double t = t0;
    while (e < evs.size() && evs[e].t < t1 - snap) {
      plan.ops.push_back(Op{.kind = Op::advance_off_grid, .dt_min = evs[e].t - t});
      t = evs[e].t;
      emit_events_at_or_before(t);
    }
    plan.ops.push_back(Op{.kind = Op::advance_off_grid, .dt_min = t1 - t});
    emit_events_at_or_before(t1);
    plan.ops.push_back(Op{.kind = Op::sample, .t_start_min = t1});
    maybe_record(i + 1);
  }
  flush();
  return plan;
}

// ---- percentile collectors -------------------------------------------------------------------

double quantile_sorted(const std::vector<double>& v, double p) {
  // Linear interpolation between order statistics (Hyndman & Fan type 7, numpy's default).
  const double pos = p * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

Percentiles percentiles_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {quantile_sorted(v, 0.05), quantile_sorted(v, 0.50), quantile_sorted(v, 0.95)};
}

// Log-scale histogram indexed by the top bits of the IEEE-754 representation: 2^7 linear
// sub-bins per octave, so a bin spans at most 1/128 of its lower edge and its midpoint is within
// 1/256 (0.39 %) of any value in it. Range 2^-30 .. 2^10 mg/L; lower values count as zero.
struct LogHistogram {
  static constexpr int kSubBits = 7;
  static constexpr std::uint64_t kLowBits = std::bit_cast<std::uint64_t>(0x1.0p-30);
  static constexpr std::uint64_t kShift = 52 - kSubBits;
  static constexpr std::size_t kBins = (40u << kSubBits) + 1;  // bin 0: below range
  static constexpr double kRelativeError = 1.0 / 256.0;

  static std::size_t bin(double v) {
    if (!(v >= 0x1.0p-30)) return 0;
    const std::uint64_t idx = ((std::bit_cast<std::uint64_t>(v) - kLowBits) >> kShift) + 1;
    return std::min<std::uint64_t>(idx, kBins - 1);
  }
  static double midpoint(std::size_t b) {
    if (b == 0) return 0;
    const double lo = std::bit_cast<double>(kLowBits + ((b - 1) << kShift));
    const double hi = std::bit_cast<double>(kLowBits + (b << kShift));
    return 0.5 * (lo + hi);
  }
};

}  // namespace

PopulationResult run_population(const PopulationSpec& spec, bool allow_extrapolation,
                                 const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
  validate(spec, allow_extrapolation);
  const Plan plan = build_plan(spec);
  const std::uint64_t n = spec.n;
  const std::size_t points = plan.point_times.size();
  const bool exact_curves = static_cast<double>(n) * static_cast<double>(points) <= kExactCurveValues;
  const double threshold = spec.threshold_mg_per_l.value_or(std::numeric_limits<double>::infinity());
  const double h = spec.step_min;

  std::vector<double> cmax(n), tmax(n), auc(n), above(n);
  std::vector<PatientRow> rows(spec.keep_patients ? n : 0);
  std::vector<double> exact_values(exact_curves ? n * points : 0);

  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const unsigned threads = spec.threads > 0 ? spec.threads : hw;
  std::vector<std::vector<std::uint32_t>> hist(exact_curves ? 0 : threads);
  const std::uint64_t blocks = (n + kLanes - 1) / kLanes;
  std::atomic<std::uint64_t> next_block{0};
  std::atomic<std::uint64_t> done_blocks{0};

  auto worker = [&](unsigned id) {
    auto blk = std::make_unique<LaneBlock>();
    std::vector<std::array<double, kLanes>> amounts(spec.doses.size());
    std::vector<std::uint32_t>* my_hist = exact_curves ? nullptr : &hist[id];
    if (my_hist) my_hist->assign(points * LogHistogram::kBins, 0);
    // Histogram bins are staged per point for a chunk of blocks and counted point by point, so
    // that one point's row (20 KB) stays in L1 while it is counted; incrementing straight into
    // the 9.9 MB per-thread histogram misses the cache on almost every record.
    constexpr std::size_t kStageBlocks = 64;
    std::vector<std::uint16_t> staged(my_hist ? points * kStageBlocks * kLanes : 0);
    std::size_t staged_count = 0;  // patients staged per point
    auto flush_staged = [&]() {
      for (std::size_t p = 0; p < points && staged_count > 0; ++p) {
        std::uint32_t* row = my_hist->data() + p * LogHistogram::kBins;
        const std::uint16_t* src = staged.data() + p * kStageBlocks * kLanes;
        for (std::size_t j = 0; j < staged_count; ++j) ++row[src[j]];
      }
      staged_count = 0;
    };
    alignas(64) double cp[kLanes];
    for (std::uint64_t b = next_block++; b < blocks; b = next_block++) {
      const std::uint64_t first = b * kLanes;
      const int active = static_cast<int>(std::min<std::uint64_t>(kLanes, n - first));
      for (int lane = 0; lane < kLanes; ++lane) {
        if (lane < active) {
          PatientRow row = draw_patient(spec, first + lane);
          load_lane(*blk, lane, row.params, h);
          for (std::size_t d = 0; d < spec.doses.size(); ++d) {
            const auto& dose = spec.doses[d];
            amounts[d][lane] = dose.per_kg ? dose.amount_mg_per_kg * row.weight_kg : dose.amount_mg;
          }
          if (spec.keep_patients) rows[first + lane] = row;
        } else {
          load_lane(*blk, lane, draw_patient(spec, first).params, h);  // idle lane: any valid patient
          for (auto& a : amounts) a[lane] = 0;
        }
      }
      for (const Op& op : plan.ops) {
        switch (op.kind) {
          case Op::run:
            detail::run_steps(*blk, op.steps, op.t_start_min, h, threshold);
            break;
          case Op::sample:
            detail::sample_now(*blk, op.t_start_min, threshold, op.t_start_min > 0);
            break;
          case Op::advance_off_grid:
            detail::advance_exact(*blk, op.dt_min);
            break;
          case Op::bolus:
            for (int k = 0; k < kKernelModes; ++k) {
              for (int lane = 0; lane < kLanes; ++lane) blk->y[k][lane] += blk->b[k][lane] * amounts[op.dose][lane];
            }
            break;
          case Op::rate_change: {
            const double dur = spec.doses[op.dose].duration_min;
            for (int lane = 0; lane < kLanes; ++lane) {
              double r = blk->rate[lane] + op.sign * amounts[op.dose][lane] / dur;
              blk->rate[lane] = std::fabs(r) < 1e-12 ? 0.0 : r;
            }
            break;
          }
          case Op::record:
            detail::plasma_now(*blk, cp);
            if (exact_curves) {
              for (int lane = 0; lane < active; ++lane) exact_values[op.point * n + first + lane] = cp[lane];
            } else {
              std::uint16_t* dst = staged.data() + op.point * kStageBlocks * kLanes + staged_count;
              for (int lane = 0; lane < active; ++lane) dst[lane] = static_cast<std::uint16_t>(LogHistogram::bin(cp[lane]));
            }
            break;
        }
      }
      for (int lane = 0; lane < active; ++lane) {
        cmax[first + lane] = blk->cmax[lane];
        tmax[first + lane] = blk->tmax[lane];
        auc[first + lane] = blk->auc[lane];
        above[first + lane] = blk->above_steps[lane] * h;
        if (spec.keep_patients) {
          PatientRow& row = rows[first + lane];
          row.cmax_mg_per_l = cmax[first + lane];
          row.tmax_min = tmax[first + lane];
          row.auc_mg_min_per_l = auc[first + lane];
          row.time_above_min = above[first + lane];
        }
      }
      if (my_hist) {
        staged_count += static_cast<std::size_t>(active);
        if (staged_count + kLanes > kStageBlocks * kLanes) flush_staged();
      }
      const std::uint64_t done = ++done_blocks;
      if (id == 0 && progress && (done % 256 == 0)) progress(std::min(done * kLanes, n), n);
    }
    if (my_hist) flush_staged();
  };
  std::vector<std::thread> pool;  // (each worker flushes its staged bins before returning)
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (auto& t : pool) t.join();
  if (progress) progress(n, n);

  PopulationResult res;
  res.n = n;
  res.cmax_mg_per_l = percentiles_of(cmax);
  res.tmax_min = percentiles_of(tmax);
  res.auc_mg_min_per_l = percentiles_of(auc);
  res.time_above_min = percentiles_of(above);
  res.curve_times_min = plan.point_times;
  res.curve_mg_per_l.resize(points);
  if (exact_curves) {
    res.curve_method = "exact";
    std::vector<double> column(n);
    for (std::size_t p = 0; p < points; ++p) {
      std::copy(exact_values.begin() + static_cast<std::ptrdiff_t>(p * n),
                exact_values.begin() + static_cast<std::ptrdiff_t>((p + 1) * n), column.begin());
      res.curve_mg_per_l[p] = percentiles_of(column);
    }
  } else {
    res.curve_method = "log_histogram";
    res.curve_relative_error_bound = LogHistogram::kRelativeError;
    std::vector<std::uint64_t> merged(LogHistogram::kBins);
    for (std::size_t p = 0; p < points; ++p) {
      std::fill(merged.begin(), merged.end(), 0);
      for (const auto& hst : hist) {
        for (std::size_t bi = 0; bi < LogHistogram::kBins; ++bi) merged[bi] += hst[p * LogHistogram::kBins + bi];
      }
      auto at_rank = [&](double q) {
        const auto rank = static_cast<std::uint64_t>(std::llround(q * static_cast<double>(n - 1)));
        std::uint64_t cum = 0;
        for (std::size_t bi = 0; bi < LogHistogram::kBins; ++bi) {
          cum += merged[bi];
          if (cum > rank) return LogHistogram::midpoint(bi);
        }
        return LogHistogram::midpoint(LogHistogram::kBins - 1);
      };
      res.curve_mg_per_l[p] = {at_rank(0.05), at_rank(0.50), at_rank(0.95)};
    }
  }
  res.patients = std::move(rows);
  return res;
}

}  // namespace kit::pk
