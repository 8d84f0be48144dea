#include "server/http/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace kit::server {

namespace {

std::string render_labels(const MetricLabels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    out += out.empty() ? "" : ",";
    out += k + "=\"" + escape_label_value(v) + "\"";
  }
  return out;
}

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

// name{labels} or name{labels,extra} or name{extra}
std::string series(const std::string& name, const std::string& labels,
                   const std::string& extra = "") {
  if (labels.empty() && extra.empty()) return name;
  std::string inner = labels;
  if (!extra.empty()) inner += (inner.empty() ? "" : ",") + extra;
  return name + "{" + inner + "}";
}

}  // namespace

std::string escape_label_value(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<double> MetricsRegistry::default_latency_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

MetricsRegistry::Family& MetricsRegistry::family(const std::string& name, Type type) {
  auto [it, inserted] = families_.try_emplace(name);
  if (inserted) {
    it->second.type = type;
    if (type == Type::histogram) it->second.bounds = default_latency_buckets();
  }
  return it->second;
}

void MetricsRegistry::describe_counter(const std::string& name, const std::string& help) {
  std::lock_guard lock(mutex_);
  family(name, Type::counter).help = help;
}

void MetricsRegistry::describe_gauge(const std::string& name, const std::string& help) {
  std::lock_guard lock(mutex_);
  family(name, Type::gauge).help = help;
}

void MetricsRegistry::describe_histogram(const std::string& name, const std::string& help,
                                         std::vector<double> upper_bounds) {
  std::sort(upper_bounds.begin(), upper_bounds.end());
  std::lock_guard lock(mutex_);
  Family& f = family(name, Type::histogram);
  f.help = help;
  if (f.histograms.empty()) f.bounds = std::move(upper_bounds);
}

void MetricsRegistry::add_counter(const std::string& name, const MetricLabels& labels,
                                  double delta) {
  const std::string key = render_labels(labels);
  std::lock_guard lock(mutex_);
  family(name, Type::counter).values[key] += delta;
}

void MetricsRegistry::set_gauge(const std::string& name, double value, const MetricLabels& labels) {
  const std::string key = render_labels(labels);
  std::lock_guard lock(mutex_);
  family(name, Type::gauge).values[key] = value;
}

void MetricsRegistry::set_counter(const std::string& name, double value,
                                  const MetricLabels& labels) {
  const std::string key = render_labels(labels);
  std::lock_guard lock(mutex_);
  family(name, Type::counter).values[key] = value;
}

void MetricsRegistry::add_gauge(const std::string& name, double delta, const MetricLabels& labels) {
  const std::string key = render_labels(labels);
  std::lock_guard lock(mutex_);
  family(name, Type::gauge).values[key] += delta;
}

void MetricsRegistry::observe(const std::string& name, double value, const MetricLabels& labels) {
  const std::string key = render_labels(labels);
  std::lock_guard lock(mutex_);
  Family& f = family(name, Type::histogram);
  Histogram& h = f.histograms[key];
  if (h.bucket_counts.size() != f.bounds.size()) h.bucket_counts.assign(f.bounds.size(), 0);
  const auto it = std::lower_bound(f.bounds.begin(), f.bounds.end(), value);
  if (it != f.bounds.end()) ++h.bucket_counts[static_cast<std::size_t>(it - f.bounds.begin())];
  ++h.count;
  h.sum += value;
}

double MetricsRegistry::value(const std::string& name, const MetricLabels& labels) const {
  const std::string key = render_labels(labels);
  std::lock_guard lock(mutex_);
  const auto f = families_.find(name);
  if (f == families_.end()) return 0;
  const auto v = f->second.values.find(key);
  return v == f->second.values.end() ? 0 : v->second;
}

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " +
           (f.type == Type::counter ? "counter"
            : f.type == Type::gauge ? "gauge"
                                    : "histogram") +
           "\n";
    if (f.type != Type::histogram) {
      for (const auto& [labels, v] : f.values) out += series(name, labels) + " " + number(v) + "\n";
      continue;
    }
    for (const auto& [labels, h] : f.histograms) {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < f.bounds.size(); ++i) {
        cumulative += i < h.bucket_counts.size() ? h.bucket_counts[i] : 0;
        out += series(name + "_bucket", labels, "le=\"" + number(f.bounds[i]) + "\"") + " " +
               std::to_string(cumulative) + "\n";
      }
      out += series(name + "_bucket", labels, "le=\"+Inf\"") + " " + std::to_string(h.count) + "\n";
      out += series(name + "_sum", labels) + " " + number(h.sum) + "\n";
      out += series(name + "_count", labels) + " " + std::to_string(h.count) + "\n";
    }
  }
  return out;
}

namespace {
std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < path.size()) {
    std::size_t slash = path.find('/', pos + 1);
    if (slash == std::string::npos) slash = path.size();
    out.push_back(path.substr(pos + 1, slash - pos - 1));
    pos = slash;
  }
  return out;
}

bool is_parameter(const std::string& segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}
}  // namespace

RouteLabels::RouteLabels(const std::vector<std::string>& patterns) {
  for (const std::string& p : patterns) patterns_.push_back(split_path(p));
}

std::string RouteLabels::operator()(const std::string& path) const {
  const std::vector<std::string> segments = split_path(path);
  const std::vector<std::string>* best = nullptr;
  int best_literals = -1;
  for (const auto& pattern : patterns_) {
    if (pattern.size() != segments.size()) continue;
    int literals = 0;
    bool match = true;
    for (std::size_t i = 0; i < pattern.size() && match; ++i) {
      if (is_parameter(pattern[i])) {
        match = !segments[i].empty();
      } else {
        match = pattern[i] == segments[i];
        ++literals;
      }
    }
    if (match && literals > best_literals) {
      best = &pattern;
      best_literals = literals;
    }
  }
  if (best == nullptr) return "unmatched";
  std::string out;
  for (const std::string& s : *best) out += "/" + s;
  return out.empty() ? "/" : out;
}

}  // namespace kit::server
