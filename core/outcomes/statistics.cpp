#include "core/outcomes/statistics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace kit::outcomes::stats {

Proportion wilson(int count, int n, double z) {
  if (count < 0 || n < 0 || count > n) {
    throw std::invalid_argument("wilson: need 0 <= count <= n");
  }
  Proportion p{count, n, std::nullopt, std::nullopt, std::nullopt};
  if (n == 0) return p;
  // Wilson 1927: the p0 solving |p_hat - p0| = z sqrt(p0 (1 - p0) / n), i.e.
  // (p_hat + z^2/2n +- z sqrt(p_hat (1 - p_hat) / n + z^2 / 4n^2)) / (1 + z^2/n).
  const double nn = n;
  const double ph = count / nn;
  const double z2 = z * z;
  const double denom = 1.0 + z2 / nn;
  const double centre = (ph + z2 / (2.0 * nn)) / denom;
  const double half = z * std::sqrt(ph * (1.0 - ph) / nn + z2 / (4.0 * nn * nn)) / denom;
  p.share = ph;
  // At count 0 (or n) the lower (upper) bound is 0 (1) exactly; rounding must not move it.
  p.lower = count == 0 ? 0.0 : std::clamp(centre - half, 0.0, 1.0);
  p.upper = count == n ? 1.0 : std::clamp(centre + half, 0.0, 1.0);
  return p;
}

KmCurve kaplan_meier(std::vector<Observation> obs, double z) {
  for (const auto& o : obs) {
    if (!std::isfinite(o.time) || o.time < 0) {
      throw std::invalid_argument("kaplan_meier: times must be finite and >= 0");
    }
  }
  std::sort(obs.begin(), obs.end(),
            [](const Observation& a, const Observation& b) { return a.time < b.time; });
  KmCurve curve;
  curve.subjects = static_cast<int>(obs.size());
  double s = 1.0;
  double greenwood_sum = 0.0;
  bool infinite = false;  // a term with n = d: S is 0 from here on
  std::size_t i = 0;
  int at_risk = curve.subjects;
  while (i < obs.size()) {
    KmStep step;
    step.time = obs[i].time;
    step.at_risk = at_risk;
    while (i < obs.size() && obs[i].time == step.time) {
      (obs[i].event ? step.events : step.censored) += 1;
      ++i;
    }
    if (step.events > 0) {
      const double n = step.at_risk;
      const double d = step.events;
      s *= 1.0 - d / n;
      if (step.at_risk == step.events) {
        infinite = true;
        s = 0.0;
      } else {
        greenwood_sum += d / (n * (n - d));
      }
    }
    step.survival = s;
    if (!infinite) step.std_error = s * std::sqrt(greenwood_sum);
    if (s > 0.0 && s < 1.0 && !infinite) {
      const double se_loglog = std::sqrt(greenwood_sum) / std::abs(std::log(s));
      step.lower = std::pow(s, std::exp(z * se_loglog));
      step.upper = std::pow(s, std::exp(-z * se_loglog));
    }
    // S = 0.5 exactly is "at or below one half"; the tolerance keeps a product such as
    // 0.75 x 2/3 from missing it by rounding.
    if (!curve.median_time && step.events > 0 && s <= 0.5 + 1e-12) curve.median_time = step.time;
    curve.events += step.events;
    curve.censored += step.censored;
    at_risk -= step.events + step.censored;
    curve.steps.push_back(step);
  }
  return curve;
}

double quantile(std::vector<double> v, double p) {
  if (v.empty() || !(p >= 0.0 && p <= 1.0)) {
    throw std::invalid_argument("quantile: need values and 0 <= p <= 1");
  }
  std::sort(v.begin(), v.end());
  const double h = (static_cast<double>(v.size()) - 1.0) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= v.size()) return v[lo];
  return v[lo] + (h - static_cast<double>(lo)) * (v[lo + 1] - v[lo]);
}

Summary summarize(std::vector<double> values) {
  Summary s;
  s.n = static_cast<int>(values.size());
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  s.min = values.front();
  s.max = values.back();
  s.q1 = quantile(values, 0.25);
  s.median = quantile(values, 0.5);
  s.q3 = quantile(values, 0.75);
  return s;
}

}  // namespace kit::outcomes::stats
