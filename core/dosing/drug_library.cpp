#include "core/dosing/drug_library.h"

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "core/common/error.h"

namespace kit::dosing {

namespace {

std::string at(const std::string& base, const char* field) { return base + "." + field; }

bool is_rate(LimitQuantity q) {
  return q == LimitQuantity::kRateMgPerKgPerH || q == LimitQuantity::kRateMgPerH ||
         q == LimitQuantity::kRateMlPerH;
}

bool uses_lean_weight(WeightRuleKind k) { return k != WeightRuleKind::kActual; }

void validate_dose_rule(const Protocol& p, const std::string& path,
                        std::vector<LibraryProblem>& out) {
  const DoseRule& d = p.dose;
  const int defaults = int(d.default_dose.has_value()) + int(d.default_rate_per_kg.has_value()) +
                       int(d.default_rate.has_value());
  const bool matches = (d.kind == DoseKind::kPerKg && d.default_dose) ||
                       (d.kind == DoseKind::kPerKgPerHour && d.default_rate_per_kg) ||
                       (d.kind == DoseKind::kFixedRatePerH && d.default_rate);
  if (defaults != 1 || !matches) {
    out.push_back({at(path, "dose"), "needs exactly one default, matching its dose kind"});
  }
  const double v = d.default_dose          ? d.default_dose->value()
                   : d.default_rate_per_kg ? d.default_rate_per_kg->value()
                   : d.default_rate        ? d.default_rate->value()
                                           : 0.0;
  if (!(std::isfinite(v) && v > 0)) out.push_back({at(path, "dose"), "default must be > 0"});
  if (d.rate_cap && !(d.rate_cap->value() > 0)) {
    out.push_back({at(path, "dose.rate_cap"), "must be > 0"});
  }
  if (d.source.empty()) out.push_back({at(path, "dose.source"), "must cite a source"});
  if (d.kind != DoseKind::kPerKg && p.route != AdministrationRoute::kIvInfusion) {
    out.push_back({at(path, "dose"), "rate-based doses need an IV infusion"});
  }
}

void validate_administration(const Protocol& p, const std::string& path,
                             std::vector<LibraryProblem>& out) {
  if (p.route == AdministrationRoute::kIntramuscular) {
    if (p.duration) out.push_back({at(path, "duration"), "IM injection has no duration"});
  } else if (!p.duration || !(p.duration->value() > 0)) {
    out.push_back({at(path, "duration"), "IV protocols need a duration > 0"});
  }
  if (p.route != AdministrationRoute::kIntramuscular && p.duration_source.empty()) {
    out.push_back({at(path, "duration_source"), "must cite a source"});
  }
  if (p.weight.source.empty()) out.push_back({at(path, "weight.source"), "must cite a source"});
  if (uses_lean_weight(p.weight.kind) && !(p.weight.bmi_threshold_kg_per_m2 > 0)) {
    out.push_back({at(path, "weight.bmi_threshold_kg_per_m2"), "must be > 0"});
  }
}

void validate_limits(const Protocol& p, const std::string& path, std::vector<LibraryProblem>& out) {
  // (quantity, type) -> bound per level, to check soft inside hard.
  std::map<std::pair<LimitQuantity, BoundType>, std::map<LimitLevel, double>> bounds;
  bool has_adult_age_floor = false;
  for (std::size_t i = 0; i < p.limits.size(); ++i) {
    const Limit& l = p.limits[i];
    const std::string lp = path + ".limits[" + std::to_string(i) + "]";
    if (!std::isfinite(l.bound) || l.bound < 0) out.push_back({lp, "bound must be finite, >= 0"});
    if (l.source.empty()) out.push_back({lp, "must cite a source"});
    if (is_rate(l.quantity) && p.route != AdministrationRoute::kIvInfusion) {
      out.push_back({lp, "rate limits apply only to pumped IV infusions"});
    }
    if (l.quantity == LimitQuantity::kRateMlPerH) {
      out.push_back({lp, "mL/h limits belong to the pump, not a protocol"});
    }
    if (l.quantity == LimitQuantity::kVolumeMl && p.route == AdministrationRoute::kIvInfusion) {
      out.push_back({lp, "volume limits apply to one injection or push, not to an infusion"});
    }
    if (l.quantity == LimitQuantity::kCumulativeDoseMgPerKg && !p.repeat_dose) {
      out.push_back({lp, "cumulative limits need a repeat-dose protocol (with its dose history)"});
    }
    if (!bounds[{l.quantity, l.type}].emplace(l.level, l.bound).second) {
      out.push_back({lp, "duplicate limit (same quantity, level and bound type)"});
    }
    if (l.quantity == LimitQuantity::kAgeY && l.type == BoundType::kMin &&
        l.level == LimitLevel::kHard && l.bound >= 18.0) {
      has_adult_age_floor = true;
    }
  }
  for (const auto& [key, levels] : bounds) {
    auto soft = levels.find(LimitLevel::kSoft);
    auto hard = levels.find(LimitLevel::kHard);
    if (soft == levels.end() || hard == levels.end()) continue;
    const bool inside =
        key.second == BoundType::kMax ? soft->second <= hard->second : soft->second >= hard->second;
    if (!inside) out.push_back({path + ".limits", "a soft limit lies outside its hard limit"});
  }
  // Every protocol must bound the dose both per kg and absolutely, with a hard maximum.
  for (LimitQuantity q : {LimitQuantity::kDoseMgPerKg, LimitQuantity::kDoseMg}) {
    auto it = bounds.find({q, BoundType::kMax});
    if (it == bounds.end() || !it->second.count(LimitLevel::kHard)) {
      out.push_back({path + ".limits", "needs hard maxima for dose per kg and absolute dose"});
      break;
    }
  }
  // A repeat dose is only safe against a cumulative ceiling it cannot pass.
  if (p.repeat_dose) {
    auto it = bounds.find({LimitQuantity::kCumulativeDoseMgPerKg, BoundType::kMax});
    if (it == bounds.end() || !it->second.count(LimitLevel::kHard)) {
      out.push_back({path + ".limits", "a repeat-dose protocol needs a hard cumulative maximum"});
    }
  }
  // The Devine formula is an adult formula (not validated in children: calcfyi.com [S]).
  if (uses_lean_weight(p.weight.kind) && !has_adult_age_floor) {
    out.push_back({at(path, "weight"), "ideal/adjusted weight needs a hard minimum age >= 18"});
  }
}

}  // namespace

std::vector<LibraryProblem> validate_library(const std::vector<Protocol>& protocols,
                                             const Pump& pump) {
  std::vector<LibraryProblem> out;
  if (protocols.empty()) out.push_back({"protocols", "library has no protocol"});
  std::set<std::string> ids;
  for (std::size_t i = 0; i < protocols.size(); ++i) {
    const Protocol& p = protocols[i];
    const std::string path = "protocols[" + std::to_string(i) + "]";
    if (p.id.empty()) out.push_back({at(path, "id"), "must not be empty"});
    if (!ids.insert(p.id).second) out.push_back({at(path, "id"), "duplicate id '" + p.id + "'"});
    validate_dose_rule(p, path, out);
    validate_administration(p, path, out);
    validate_limits(p, path, out);
  }
  if (!(pump.resolution.value() > 0)) out.push_back({"pump.resolution", "must be > 0"});
  for (std::size_t i = 0; i < pump.limits.size(); ++i) {
    const Limit& l = pump.limits[i];
    const std::string lp = "pump.limits[" + std::to_string(i) + "]";
    if (l.quantity != LimitQuantity::kRateMlPerH) out.push_back({lp, "pump limits are mL/h"});
    if (l.source.empty()) out.push_back({lp, "must cite a source"});
  }
  return out;
}

DrugLibrary::DrugLibrary(std::vector<Protocol> protocols, Pump pump)
    : protocols_(std::move(protocols)), pump_(std::move(pump)) {
  const auto problems = validate_library(protocols_, pump_);
  if (!problems.empty()) {
    throw InputError("library." + problems.front().path, problems.front().reason);
  }
}

const Protocol* DrugLibrary::find(const std::string& id) const {
  for (const auto& p : protocols_) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

const DrugLibrary& builtin_library() {
  static const DrugLibrary library = [] {
    std::vector<Protocol> all = builtin_psychiatry_protocols();
    for (auto part : {builtin_pain_protocols(), builtin_ed_sedation_protocols()}) {
      all.insert(all.end(), part.begin(), part.end());
    }
    return DrugLibrary(std::move(all), builtin_pump());
  }();
  return library;
}

}  // namespace kit::dosing
