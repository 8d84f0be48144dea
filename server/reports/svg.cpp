#include "server/reports/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/common/calendar.h"
#include "server/reports/html.h"
#include "server/reports/quantity_format.h"

namespace kit::reports {

namespace {

// Coordinates are written with one decimal (the drawing needs no more).
std::string n1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string open_svg(double width, double height, const std::string& aria_label) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 " + n1(width) + " " +
         n1(height) + "\" width=\"" + n1(width) + "\" height=\"" + n1(height) +
         "\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"10\" aria-label=\"" +
         escape(aria_label) + "\"><title>" + escape(aria_label) + "</title>";
}

std::string text_at(double x, double y, const std::string& text,
                    const std::string& anchor = "start", const std::string& extra = "") {
  return "<text x=\"" + n1(x) + "\" y=\"" + n1(y) + "\" text-anchor=\"" + anchor + "\"" + extra +
         ">" + escape(text) + "</text>";
}

std::string line(double x1, double y1, double x2, double y2, const std::string& stroke,
                 const std::string& extra = "") {
  return "<line x1=\"" + n1(x1) + "\" y1=\"" + n1(y1) + "\" x2=\"" + n1(x2) + "\" y2=\"" + n1(y2) +
         "\" stroke=\"" + stroke + "\"" + extra + "/>";
}

// Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten.
std::vector<double> ticks(double lo, double hi, int target) {
  std::vector<double> out;
  if (!(hi > lo)) return {lo};
  const double raw = (hi - lo) / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * mag) {
      step = m * mag;
      break;
    }
  }
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push_back(v);
  return out;
}

std::string iso_of_day(long long day) { return calendar::format_day(day); }

}  // namespace

std::string trajectory_svg(const std::vector<DatedPoint>& points, double y_min, double y_max,
                           const std::vector<ReferenceLine>& lines, const std::string& y_label,
                           const std::string& aria_label) {
  const double W = 520, H = 210, L = 44, R = 150, T = 12, B = 34;
  const double pw = W - L - R, ph = H - T - B;
  std::string s = open_svg(W, H, aria_label);
  if (points.empty()) return s + text_at(L, T + 20, "no readings") + "</svg>";
  long long d0 = points.front().day, d1 = points.front().day;
  for (const auto& p : points) {
    d0 = std::min(d0, p.day);
    d1 = std::max(d1, p.day);
  }
  if (d1 == d0) ++d1;
  if (!(y_max > y_min)) y_max = y_min + 1;
  auto X = [&](long long day) {
    return L + pw * static_cast<double>(day - d0) / static_cast<double>(d1 - d0);
  };
  auto Y = [&](double v) {
    return T + ph * (1.0 - (std::clamp(v, y_min, y_max) - y_min) / (y_max - y_min));
  };
  // Axes and grid.
  for (double v : ticks(y_min, y_max, 5)) {
    s += line(L, Y(v), L + pw, Y(v), "#ddd");
    s += text_at(L - 4, Y(v) + 3.5, format_number(v, 1), "end");
  }
  s += line(L, T, L, T + ph, "#333") + line(L, T + ph, L + pw, T + ph, "#333");
  s += text_at(12, T + ph / 2, y_label, "middle",
               " transform=\"rotate(-90 12 " + n1(T + ph / 2) + ")\"");
  s += text_at(L, H - 8, iso_of_day(d0), "start");
  s += text_at(L + pw, H - 8, iso_of_day(d1), "end");
  // Reference lines, labelled on the right.
  for (const auto& r : lines) {
    const double y = Y(r.value);
    s += line(L, y, L + pw, y, "#555", " stroke-dasharray=\"5 3\"");
    s += text_at(L + pw + 4, y + 3.5, r.label, "start", " font-size=\"9\"");
  }
  // The series.
  std::string pts;
  for (const auto& p : points) pts += n1(X(p.day)) + "," + n1(Y(p.value)) + " ";
  s += "<polyline fill=\"none\" stroke=\"#000\" stroke-width=\"1.8\" points=\"" + pts + "\"/>";
  for (const auto& p : points) {
    s += "<circle cx=\"" + n1(X(p.day)) + "\" cy=\"" + n1(Y(p.value)) +
         "\" r=\"3\" fill=\"#000\"><title>" +
         escape(iso_of_day(p.day) + ": " + format_number(p.value, 1)) + "</title></circle>";
  }
  return s + "</svg>";
}

std::string share_bars_svg(const std::vector<ShareBar>& bars, const std::string& aria_label) {
  const double W = 520, row = 22, L = 150, R = 150, T = 8;
  const double H = T + row * static_cast<double>(bars.size()) + 24;
  const double pw = W - L - R;
  std::string s = open_svg(W, H, aria_label);
  auto X = [&](double share) { return L + pw * std::clamp(share, 0.0, 1.0); };
  for (double v : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    s += line(X(v), T, X(v), H - 20, "#ddd");
    s += text_at(X(v), H - 8, format_quantity(v * 100, Unit::percent), "middle");
  }
  double y = T;
  for (const auto& b : bars) {
    s += text_at(L - 6, y + row / 2 + 3.5, b.label, "end");
    if (b.share) {
      s += "<rect x=\"" + n1(L) + "\" y=\"" + n1(y + 4) + "\" width=\"" + n1(X(*b.share) - L) +
           "\" height=\"" + n1(row - 8) + "\" fill=\"#9aa\" stroke=\"#344\"/>";
      if (b.lower && b.upper) {
        const double cy = y + row / 2;
        s += line(X(*b.lower), cy, X(*b.upper), cy, "#000", " stroke-width=\"1.4\"");
        s += line(X(*b.lower), cy - 4, X(*b.lower), cy + 4, "#000", " stroke-width=\"1.4\"");
        s += line(X(*b.upper), cy - 4, X(*b.upper), cy + 4, "#000", " stroke-width=\"1.4\"");
      }
    }
    std::string right = std::to_string(b.count) + "/" + std::to_string(b.n);
    if (b.share) right += "  " + format_quantity(*b.share * 100, Unit::percent);
    if (b.lower && b.upper) {
      right += " (" + format_number(*b.lower * 100, 0) + "-" +
               format_quantity(*b.upper * 100, Unit::percent) + ")";
    }
    s += text_at(L + pw + 6, y + row / 2 + 3.5, right);
    y += row;
  }
  return s + line(L, T, L, H - 20, "#333") + "</svg>";
}

std::string step_curve_svg(const std::vector<StepPoint>& steps, const std::string& x_label,
                           const std::string& aria_label) {
  const double W = 520, H = 210, L = 44, R = 20, T = 12, B = 36;
  const double pw = W - L - R, ph = H - T - B;
  std::string s = open_svg(W, H, aria_label);
  double t_max = 1;
  for (const auto& st : steps) t_max = std::max(t_max, st.time);
  auto X = [&](double t) { return L + pw * t / t_max; };
  auto Y = [&](double v) { return T + ph * (1.0 - std::clamp(v, 0.0, 1.0)); };
  for (double v : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    s += line(L, Y(v), L + pw, Y(v), "#ddd");
    s += text_at(L - 4, Y(v) + 3.5, format_quantity(v * 100, Unit::percent), "end");
  }
  for (double t : ticks(0, t_max, 6))
    s += text_at(X(t), T + ph + 12, format_number(t, 0), "middle");
  s += text_at(L + pw / 2, H - 6, x_label, "middle");
  s += line(L, T, L, T + ph, "#333") + line(L, T + ph, L + pw, T + ph, "#333");
  // Band: a step area between the lower and upper bounds.
  std::string band_top, band_bottom;
  double prev_t = 0;
  std::optional<double> lo_prev, hi_prev;
  std::vector<std::pair<double, double>> upper_pts, lower_pts;
  for (const auto& st : steps) {
    if (lo_prev && hi_prev) {
      upper_pts.push_back({X(st.time), Y(*hi_prev)});
      lower_pts.push_back({X(st.time), Y(*lo_prev)});
    }
    if (st.lower && st.upper) {
      upper_pts.push_back({X(st.time), Y(*st.upper)});
      lower_pts.push_back({X(st.time), Y(*st.lower)});
      lo_prev = st.lower;
      hi_prev = st.upper;
    }
    prev_t = st.time;
  }
  if (lo_prev && hi_prev) {
    upper_pts.push_back({X(t_max), Y(*hi_prev)});
    lower_pts.push_back({X(t_max), Y(*lo_prev)});
  }
  if (!upper_pts.empty()) {
    std::string pts;
    for (const auto& [x, y] : upper_pts) pts += n1(x) + "," + n1(y) + " ";
    for (auto it = lower_pts.rbegin(); it != lower_pts.rend(); ++it) {
      pts += n1(it->first) + "," + n1(it->second) + " ";
    }
    s += "<polygon fill=\"#ccd\" stroke=\"none\" points=\"" + pts + "\"/>";
  }
  // The curve.
  std::string pts = n1(X(0)) + "," + n1(Y(1)) + " ";
  double surv = 1;
  for (const auto& st : steps) {
    pts += n1(X(st.time)) + "," + n1(Y(surv)) + " ";
    surv = st.survival;
    pts += n1(X(st.time)) + "," + n1(Y(surv)) + " ";
  }
  pts += n1(X(std::max(prev_t, t_max))) + "," + n1(Y(surv));
  s += "<polyline fill=\"none\" stroke=\"#000\" stroke-width=\"1.8\" points=\"" + pts + "\"/>";
  for (const auto& st : steps) {
    if (st.censored > 0) {
      s += line(X(st.time), Y(st.survival) - 4, X(st.time), Y(st.survival) + 4, "#000");
    }
  }
  return s + "</svg>";
}

std::string count_bars_svg(const std::vector<CountBar>& bars, const std::string& y_label,
                           const std::string& aria_label) {
  const double W = 520, H = 190, L = 44, R = 12, T = 12, B = 32;
  const double pw = W - L - R, ph = H - T - B;
  std::string s = open_svg(W, H, aria_label);
  double y_max = 1;
  for (const auto& b : bars) y_max = std::max(y_max, b.value);
  auto Y = [&](double v) { return T + ph * (1.0 - v / y_max); };
  for (double v : ticks(0, y_max, 4)) {
    s += line(L, Y(v), L + pw, Y(v), "#ddd");
    s += text_at(L - 4, Y(v) + 3.5, format_number(v, 1), "end");
  }
  const double slot = bars.empty() ? pw : pw / static_cast<double>(bars.size());
  double x = L;
  for (const auto& b : bars) {
    s += "<rect x=\"" + n1(x + slot * 0.15) + "\" y=\"" + n1(Y(b.value)) + "\" width=\"" +
         n1(slot * 0.7) + "\" height=\"" + n1(T + ph - Y(b.value)) +
         "\" fill=\"#9aa\" stroke=\"#344\"/>";
    s += text_at(x + slot / 2, T + ph + 12, b.label, "middle");
    x += slot;
  }
  s += line(L, T, L, T + ph, "#333") + line(L, T + ph, L + pw, T + ph, "#333");
  s += text_at(12, T + ph / 2, y_label, "middle",
               " transform=\"rotate(-90 12 " + n1(T + ph / 2) + ")\"");
  return s + "</svg>";
}

}  // namespace kit::reports
