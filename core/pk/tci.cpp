#include "core/pk/tci.h"

#include <algorithm>
#include <cmath>

#include "core/common/error.h"

namespace kit::pk {

namespace {

// f(t) = sum a_k e^{-l_k t}; its peak on [lo, inf) by safeguarded Newton on f'(t) = 0.
struct ExpSum {
  const ModeArray& a;
  const ModeArray& l;
  int n;
  double value(double t) const {
    double y = 0;
    for (int k = 0; k < n; ++k) y += a[k] * std::exp(-l[k] * t);
    return y;
  }
  // f' and f'' together (they share the exponentials).
  void derivatives(double t, double& d1, double& d2) const {
    d1 = d2 = 0;
    for (int k = 0; k < n; ++k) {
      const double e = a[k] * std::exp(-l[k] * t);
      d1 -= l[k] * e;
      d2 += l[k] * l[k] * e;
    }
  }
};

// `guess` (e.g. the previous update's answer) starts the search when it is useful.
double peak_time(const ExpSum& f, double lo, double guess = -1) {
  double d1, d2;
  f.derivatives(lo, d1, d2);
  if (d1 <= 0) return lo;  // already falling at the end of the interval
  double hi = guess > lo ? guess : lo + 1.0;
  for (f.derivatives(hi, d1, d2); d1 > 0 && hi < 1e5; f.derivatives(hi, d1, d2)) {
    lo = hi;
    hi *= 2.0;
  }
  double t = guess > lo && guess < hi ? guess : 0.5 * (lo + hi);
  for (int it = 0; it < 100 && hi - lo > 1e-9; ++it) {
    f.derivatives(t, d1, d2);
    if (d1 > 0) lo = t; else hi = t;
    double next = (d2 != 0) ? t - d1 / d2 : 0.5 * (lo + hi);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::fabs(next - t) < 1e-10) return next;
    t = next;
  }
  return t;
}

}  // namespace

TciController::TciController(const Parameters& p, TciTarget target, double interval_min,
                             double max_rate_mg_per_min, TciOptions options)
    : target_(target),
      dt_(interval_min),
      max_rate_(max_rate_mg_per_min),
      options_(options),
      sys_(build_modal_system(p)) {
  if (options_.plasma_cap_factor && !(*options_.plasma_cap_factor >= 1.0)) {
    throw InputError("plasma_cap_factor", "must be at least 1 (a cap below the target)");
  }
  if (!(options_.rate_step_mg_per_min >= 0)) {
    throw InputError("rate_step_mg_per_min", "must not be negative");
  }
  if (!(interval_min > 0)) throw InputError("interval_s", "must be positive");
  if (!(max_rate_mg_per_min > 0)) throw InputError("max_rate_mg_per_h", "must be positive");
  if (target == TciTarget::effect && !sys_.has_effect()) {
    throw InputError("target", "effect-site targeting needs a ke0; this model publishes none");
  }
  for (int k = 0; k < sys_.n_modes; ++k) {
    const double l = sys_.lambda[k];
    decay_[k] = std::exp(-l * dt_);
    // Plasma after a unit rate for dt from zero: c_k w_k (1 - e^{-l dt}) / l.
    unit_plasma_[k] = sys_.plasma[k] * sys_.input[k] * (-std::expm1(-l * dt_)) / l;
    unit_plasma_sum_ += unit_plasma_[k];
    // Effect site after the unit infusion has stopped, as coefficients of e^{-l t} (t from now).
    unit_effect_after_[k] = sys_.effect[k] * sys_.input[k] * std::expm1(l * dt_) / l;
  }
  if (sys_.has_effect()) {
    unit_effect_peak_time_ = peak_time(ExpSum{unit_effect_after_, sys_.lambda, sys_.n_modes}, dt_);
  }
}

double TciController::plasma_rate(const Simulator& sim, double target) const {
  double free = 0;
  const auto& z = sim.state();
  for (int k = 0; k < sys_.n_modes; ++k) free += sys_.plasma[k] * z[k] * decay_[k];
  return (target - free) / unit_plasma_sum_;
}

double TciController::effect_rate(const Simulator& sim, double target) const {
  const auto& z = sim.state();
  const int n = sys_.n_modes;
  ModeArray b{};     // free effect-site trajectory: sum b_k e^{-l_k t}
  ModeArray ramp{};  // effect response to a unit rate while it runs: sum ramp_k (1 - e^{-l_k t})
  double ce_now = 0;
  for (int k = 0; k < n; ++k) {
    b[k] = sys_.effect[k] * z[k];
    ramp[k] = sys_.effect[k] * sys_.input[k] / sys_.lambda[k];
    ce_now += b[k];
  }
  if (ce_now >= target) return 0;
  const ExpSum free{b, sys_.lambda, n};
  const ExpSum after{unit_effect_after_, sys_.lambda, n};
  auto unit = [&](double t) {  // unit-rate-for-dt response at time t
    if (t >= dt_) return after.value(t);
    double u = 0;
    for (int k = 0; k < n; ++k) u += ramp[k] * -std::expm1(-sys_.lambda[k] * t);
    return u;
  };
  // Peak time of free + rate * unit over [0, inf). Ce is smooth at dt, so the sign of the slope
  // there tells which side the peak is on.
  ModeArray after_c{}, during_c{};
  auto combined_peak = [&](double rate) {
    for (int k = 0; k < n; ++k) {
      after_c[k] = b[k] + rate * unit_effect_after_[k];
      during_c[k] = b[k] - rate * ramp[k];  // the constant part rate*sum(ramp) has no slope
    }
    const ExpSum after_f{after_c, sys_.lambda, n};
    double d1, d2;
    after_f.derivatives(dt_, d1, d2);
    if (d1 > 0) return peak_time(after_f, dt_, last_peak_min_ * 1.05);
    const ExpSum during_f{during_c, sys_.lambda, n};
    const double t = std::min(peak_time(during_f, 0.0), dt_);
    // A peak at 0 means this rate cannot lift the curve yet; aim at the end of the interval.
    return t < 1e-9 ? dt_ : t;
  };
  // Shafer & Gregg 1992: guess the peak time, solve for the rate that puts the peak on target,
  // recompute the peak time of the combined curve, until it stops moving.
  // Warm start: while holding a target the peak time barely moves between updates.
  double t_peak = last_peak_min_ > dt_ ? last_peak_min_ : unit_effect_peak_time_;
  double rate = 0;
  for (int it = 0; it < 100; ++it) {
    rate = (target - free.value(t_peak)) / unit(t_peak);
    if (rate <= 0) return 0;
    const double next = combined_peak(rate);
    if (std::fabs(next - t_peak) < 1e-9) break;
    t_peak = next;
  }
  last_peak_min_ = t_peak;
  return rate;
}

double TciController::next_rate(const Simulator& sim, double target_mg_per_l) const {
  double r = 0;
  if (target_ == TciTarget::plasma) {
    last_plasma_ = true;
    r = plasma_rate(sim, target_mg_per_l);
  } else {
    // tci_comb: plasma targeting once both are near the target (tolerances 0.2 and 0.05, §13).
    const double ct = target_mg_per_l;
    last_plasma_ = options_.hybrid && ct > 0 &&
                   std::fabs(ct - sim.plasma_mg_per_l()) <= options_.hybrid_plasma_tol * ct &&
                   std::fabs(ct - sim.effect_mg_per_l()) <= options_.hybrid_effect_tol * ct;
    if (last_plasma_) {
      r = plasma_rate(sim, ct);
    } else {
      r = effect_rate(sim, ct);
      // opentiva "revised": plasma never predicted above cap x target (1.2, §10 on §1.8).
      if (options_.plasma_cap_factor) {
        r = std::min(r, plasma_rate(sim, *options_.plasma_cap_factor * ct));
      }
    }
  }
  r = std::clamp(r, 0.0, max_rate_);
  if (options_.rate_step_mg_per_min > 0) {
    // Down to a whole pump step (the 1e-9 absorbs round-off of a rate that is a whole step).
    const double steps = std::floor(r / options_.rate_step_mg_per_min + 1e-9);
    r = std::min(steps * options_.rate_step_mg_per_min, max_rate_);
  }
  return r;
}

TciRun run_tci(const Parameters& p, TciTarget target, const std::vector<TargetStep>& steps,
               double end_min, double max_rate_mg_per_min, double interval_s,
               const TciOptions& options) {
  if (!(end_min > 0)) throw InputError("end_min", "must be positive");
  if (!(interval_s > 0)) throw InputError("interval_s", "must be positive");
  for (std::size_t i = 1; i < steps.size(); ++i) {
    if (steps[i].at_min < steps[i - 1].at_min) {
      throw InputError("steps[" + std::to_string(i) + "].at_min", "steps must be in time order");
    }
  }
  const double dt_min = interval_s / 60.0;
  TciController ctl(p, target, dt_min, max_rate_mg_per_min, options);
  Simulator sim(p);
  TciRun run;
  const bool effect = sim.system().has_effect();
  auto target_at = [&](double t_min) {
    double c = 0;  // before the first step: no target, no drug
    for (const auto& s : steps) {
      if (s.at_min <= t_min + 1e-9) c = s.target_mg_per_l;
    }
    return c;
  };
  auto record = [&](double t_min, double target_now) {
    run.times_s.push_back(t_min * 60.0);
    run.plasma_mg_per_l.push_back(sim.plasma_mg_per_l());
    if (effect) run.effect_mg_per_l.push_back(sim.effect_mg_per_l());
    run.target_mg_per_l.push_back(target_now);
  };
  const auto n = static_cast<std::size_t>(std::ceil(end_min / dt_min - 1e-9));
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) * dt_min;
    const double c_target = target_at(t);
    const double rate = ctl.next_rate(sim, c_target);
    record(t, c_target);
    run.start_s.push_back(t * 60.0);
    run.rate_mg_per_min.push_back(rate);
    run.plasma_mode.push_back(ctl.last_was_plasma());
    const double step = std::min(dt_min, end_min - t);
    sim.set_rate(rate);
    sim.advance(step);
    run.total_mg += rate * step;
  }
  record(sim.time_min(), target_at(sim.time_min()));
  return run;
}

}  // namespace kit::pk
