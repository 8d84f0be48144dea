#pragma once
// The PK commands accept requests that are large on purpose (2,000,000 samples, 10,000,000
// simulated patients: contract/pk_api.h PkLimits); running one is a load test, not a parse test,
// and would stall a fuzzing run for minutes. The PK targets skip a request whose well-formed
// numbers ask for more than this work; every other request (malformed fields included) runs.
#include <nlohmann/json.hpp>
#include <string_view>

namespace kit::fuzz {

inline double number_or(const nlohmann::json& j, const char* key, double fallback) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

// Samples per simulated patient (end / step, or the times listed) times patients times doses,
// from the request's own fields.
inline bool over_pk_budget(std::string_view text, double max_work = 200'000) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return false;
  const double end_min = number_or(j, "end_min", 0);
  const double step_min = number_or(j, "step_min", 1);
  const double interval_s = number_or(j, "interval_s", 10);
  double samples = step_min > 0 ? end_min / step_min : 1e18;
  if (j.contains("interval_s")) samples = interval_s > 0 ? end_min * 60 / interval_s : 1e18;
  const double n = number_or(j, "n", 1);
  if (const auto t = j.find("times"); t != j.end() && t->is_array())
    samples = static_cast<double>(t->size());
  double doses = 1;
  if (const auto d = j.find("doses"); d != j.end() && d->is_array() && !d->empty()) {
    doses = static_cast<double>(d->size());
  }
  return samples * (n > 1 ? n : 1) * doses > max_work;
}

}  // namespace kit::fuzz
