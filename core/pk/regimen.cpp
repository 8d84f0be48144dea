#include "core/pk/regimen.h"

#include <algorithm>

namespace kit::pk {

std::vector<Event> build_events(const std::vector<Dose>& doses) {
  std::vector<Event> raw;
  raw.reserve(doses.size() * 2);
  for (const Dose& d : doses) {
    if (d.duration_min <= 0) {
      raw.push_back({d.start_min, d.amount_mg, 0});
    } else {
      const double rate = d.amount_mg / d.duration_min;
      raw.push_back({d.start_min, 0, rate});
      raw.push_back({d.start_min + d.duration_min, 0, -rate});
    }
  }
  std::stable_sort(raw.begin(), raw.end(), [](const Event& a, const Event& b) { return a.t_min < b.t_min; });
  std::vector<Event> merged;
  for (const Event& e : raw) {
    if (!merged.empty() && merged.back().t_min == e.t_min) {
      merged.back().bolus_mg += e.bolus_mg;
      merged.back().rate_change_mg_per_min += e.rate_change_mg_per_min;
    } else {
      merged.push_back(e);
    }
  }
  return merged;
}

double last_input_time_min(const std::vector<Dose>& doses) {
  double t = 0;
  for (const Dose& d : doses) t = std::max(t, d.start_min + std::max(0.0, d.duration_min));
  return t;
}

}  // namespace kit::pk
