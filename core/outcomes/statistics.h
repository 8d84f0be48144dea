#pragma once
// Descriptive statistics for the outcome analytics: a binomial proportion with its Wilson score
// interval, the Kaplan-Meier estimator with Greenwood's variance and a log-log pointwise band, and
// sample quantiles. Pure functions; the formulas and their sources are in
// docs/clinical-rules/outcome-analytics.md §1.
#include <optional>
#include <vector>

namespace kit::outcomes::stats {

// z = the 0.975 quantile of the standard normal distribution (two-sided 95 %), to double
// precision: Phi^-1(0.975) = 1.959963984540054.
inline constexpr double kZ95 = 1.959963984540054;

// A count out of n with its share and 95 % Wilson score interval (Wilson 1927, JASA 22:209;
// recommended for a single proportion by Newcombe 1998, Stat Med 17:857, method 3). Share and
// bounds are empty when n is 0.
struct Proportion {
  int count = 0;
  int n = 0;
  std::optional<double> share;
  std::optional<double> lower;
  std::optional<double> upper;
};
// Refuses (std::invalid_argument) count < 0, n < 0 or count > n: a programmer error, since every
// caller counts its own records.
Proportion wilson(int count, int n, double z = kZ95);

// One subject's follow-up: time from the origin (days) and whether it ended in the event (true)
// or was censored (false).
struct Observation {
  double time = 0;
  bool event = false;
};

// The Kaplan-Meier estimate at one distinct observed time (Kaplan & Meier 1958, JASA 53:457).
// Ties: events at a time are counted before the censorings at that time (a subject censored at t
// was at risk at t).
struct KmStep {
  double time = 0;
  int at_risk = 0;  // n_i: subjects with time >= t
  int events = 0;   // d_i
  int censored = 0;
  double survival = 1;  // S(t) = prod over t_j <= t of (1 - d_j / n_j)
  // Greenwood 1926: Var S(t) = S(t)^2 * sum_{t_j <= t} d_j / (n_j (n_j - d_j)). The standard
  // error is empty once S(t) = 0 (a term with n_j = d_j is infinite).
  std::optional<double> std_error;
  // Pointwise 95 % interval on the log-log scale ("exponential Greenwood"; Kalbfleisch & Prentice
  // 1980; Sawyer, "The Greenwood and exponential Greenwood confidence intervals"): with
  // v = sum d_j / (n_j (n_j - d_j)) and s = sqrt(v) / |ln S|, lower = S^exp(z s),
  // upper = S^exp(-z s). Empty where S is 1 or 0 (the transform is undefined there).
  std::optional<double> lower;
  std::optional<double> upper;
};

struct KmCurve {
  int subjects = 0;
  int events = 0;
  int censored = 0;
  std::vector<KmStep> steps;  // one per distinct time, ascending
  // The smallest time with S(t) <= 0.5 (an S of exactly one half counts; no midpoint rule);
  // empty when the curve stays above one half ("not reached").
  std::optional<double> median_time;
};
// Refuses (std::invalid_argument) a negative or non-finite time.
KmCurve kaplan_meier(std::vector<Observation> observations, double z = kZ95);

// Sample quantiles by linear interpolation between order statistics (Hyndman & Fan 1996,
// Am Stat 50:361, definition 7: h = (n - 1) p, Q = x[floor h] + (h - floor h)(x[floor h + 1] -
// x[floor h]), 0-based on the sorted sample); the median is the usual one (middle value, or the
// mean of the two middle values).
struct Summary {
  int n = 0;
  std::optional<double> min;
  std::optional<double> q1;
  std::optional<double> median;
  std::optional<double> q3;
  std::optional<double> max;
};
double quantile(std::vector<double> values, double p);  // values non-empty, p in [0, 1]
Summary summarize(std::vector<double> values);

}  // namespace kit::outcomes::stats
