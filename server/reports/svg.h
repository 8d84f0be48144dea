#pragma once
// Inline SVG plots for printed reports: no script, no style attribute (presentation attributes
// only, so the page's Content-Security-Policy holds), every label escaped, every number through
// format_number. Sized in user units; the page scales them to the column. Pure functions.
#include <optional>
#include <string>
#include <vector>

namespace kit::reports {

// A dated series: x is the day number (days since 1970-01-01), y the value.
struct DatedPoint {
  long long day = 0;
  double value = 0;
};

struct ReferenceLine {
  double value = 0;
  std::string label;  // e.g. "response (≤ 10.5)"
};

// A line over time with its points marked, the y axis from y_min to y_max, horizontal reference
// lines (dashed) with their labels, dates on the x axis (ISO). `aria_label` describes it in words.
std::string trajectory_svg(const std::vector<DatedPoint>& points, double y_min, double y_max,
                           const std::vector<ReferenceLine>& lines, const std::string& y_label,
                           const std::string& aria_label);

// Horizontal bars of shares (0..1) with their confidence intervals as whiskers; the label on the
// left, "count/n share (lower-upper)" on the right.
struct ShareBar {
  std::string label;
  int count = 0;
  int n = 0;
  std::optional<double> share;
  std::optional<double> lower;
  std::optional<double> upper;
};
std::string share_bars_svg(const std::vector<ShareBar>& bars, const std::string& aria_label);

// A step curve (Kaplan-Meier): S(t) from 1 at t = 0, with an optional band (lower/upper per step,
// drawn as a shaded step area) and censoring ticks. x in days.
struct StepPoint {
  double time = 0;
  double survival = 1;
  std::optional<double> lower;
  std::optional<double> upper;
  int censored = 0;
};
std::string step_curve_svg(const std::vector<StepPoint>& steps, const std::string& x_label,
                           const std::string& aria_label);

// Vertical bars of counts over labelled categories (e.g. infusion number 1..12).
struct CountBar {
  std::string label;
  double value = 0;
};
std::string count_bars_svg(const std::vector<CountBar>& bars, const std::string& y_label,
                           const std::string& aria_label);

}  // namespace kit::reports
