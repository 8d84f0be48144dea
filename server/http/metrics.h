#pragma once
// A small thread-safe metrics registry rendered in the Prometheus text exposition format 0.0.4:
// counters and gauges (optionally labelled) and histograms with fixed buckets. No dependency
// beyond the standard library, so any layer may count things without pulling in a client library.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace kit::server {

// Label pairs in the order given, e.g. {{"method", "GET"}, {"class", "2xx"}}.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class MetricsRegistry {
 public:
  // Seconds; the Prometheus client libraries' defaults, shifted down for an API answering in ms.
  static std::vector<double> default_latency_buckets();

  // Declares a family (HELP text and TYPE); families used before being declared get an empty HELP.
  void describe_counter(const std::string& name, const std::string& help);
  void describe_gauge(const std::string& name, const std::string& help);
  void describe_histogram(const std::string& name, const std::string& help,
                          std::vector<double> upper_bounds = default_latency_buckets());

  void add_counter(const std::string& name, const MetricLabels& labels = {}, double delta = 1);
  void set_gauge(const std::string& name, double value, const MetricLabels& labels = {});
  // A counter kept elsewhere (a component's own running total), copied in when rendering.
  void set_counter(const std::string& name, double value, const MetricLabels& labels = {});
  void add_gauge(const std::string& name, double delta, const MetricLabels& labels = {});
  void observe(const std::string& name, double value, const MetricLabels& labels = {});

  // Current value of a counter or gauge series (0 if absent); for tests and health checks.
  double value(const std::string& name, const MetricLabels& labels = {}) const;

  // The whole registry, families in name order. Content-Type: text/plain; version=0.0.4
  std::string render() const;

 private:
  enum class Type { counter, gauge, histogram };
  struct Histogram {
    std::vector<std::uint64_t> bucket_counts;  // per upper bound, not cumulative
    std::uint64_t count = 0;
    double sum = 0;
  };
  struct Family {
    Type type = Type::counter;
    std::string help;
    std::vector<double> bounds;                   // histograms only
    std::map<std::string, double> values;         // rendered label set -> value
    std::map<std::string, Histogram> histograms;  // rendered label set -> histogram
  };
  Family& family(const std::string& name, Type type);

  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

// Escapes a label value for the exposition format (backslash, double quote, newline).
std::string escape_label_value(const std::string& value);

// The metrics label of a request path: the route pattern it matches, with "{name}" matching any
// one non-empty segment ("/api/v1/patients/12" -> "/api/v1/patients/{id}"), the pattern with the
// most literal segments winning; "unmatched" when none does. Labels therefore come only from the
// route table, never from the caller's path, and their number is bounded by it.
class RouteLabels {
 public:
  explicit RouteLabels(const std::vector<std::string>& patterns);
  std::string operator()(const std::string& path) const;

 private:
  std::vector<std::vector<std::string>> patterns_;  // split into segments
};

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace kit::server
