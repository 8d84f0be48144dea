#include "contract/instruments_api.h"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "contract/json_reader.h"
#include "core/common/error.h"
#include "core/instruments/instrument.h"
#include "core/instruments/scoring.h"
#include "core/outcomes/outcome.h"

namespace kit::contract {

namespace {

using instruments::InstrumentDefinition;
using nlohmann::json;

// Whole numbers print as integers ("total":14), others rounded to `decimals`.
json number_json(double v, int decimals = 2) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return static_cast<long long>(v);
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

json optional_text(const std::optional<std::string_view>& s) {
  return s ? json(std::string(*s)) : json(nullptr);
}

json source_json(const instruments::Source& s) {
  return {{"source", std::string(s.citation)}, {"policy", s.policy}};
}

const InstrumentDefinition& read_instrument(ObjectReader& r) {
  const std::string id = r.string("instrument");
  const InstrumentDefinition* d = instruments::find_instrument(id);
  if (d == nullptr) {
    throw InputError("instrument", "unknown instrument '" + id + "'; known: " +
                                       std::string(instruments::known_instrument_ids()));
  }
  return *d;
}

std::optional<int> optional_small_int(ObjectReader& r, std::string_view key) {
  auto v = r.optional_integer(key);
  if (!v) return std::nullopt;
  if (*v < -1000000 || *v > 1000000) throw InputError(r.path_of(key), "is out of range");
  return static_cast<int>(*v);
}

std::vector<std::optional<int>> read_answers(ObjectReader& r) {
  const json& arr = r.array("answers");
  const std::string path = r.path_of("answers");
  std::vector<std::optional<int>> answers;
  answers.reserve(arr.size());
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string p = element_path(path, i);
    if (arr[i].is_null()) {
      answers.emplace_back(std::nullopt);
      continue;
    }
    if (!arr[i].is_number()) throw InputError(p, "must be a whole number or null");
    const double v = as_number(arr[i], p);
    if (v != std::floor(v)) throw InputError(p, "must be a whole number or null");
    if (std::fabs(v) > 1000000) throw InputError(p, "is out of range");
    answers.emplace_back(static_cast<int>(v));
  }
  return answers;
}

json score_json(const instruments::ScoreResult& s) {
  const InstrumentDefinition& d = *s.instrument;
  json out;
  out["instrument"] = std::string(d.id);
  out["name"] = std::string(d.name);
  out["total"] = number_json(s.total);
  out["min"] = number_json(s.total_min);
  out["max"] = number_json(s.total_max);
  out["band"] = optional_text(s.band);
  out["band_set"] = s.band_set ? json(std::string(s.band_set->id)) : json(nullptr);
  out["band_source"] = s.band_set ? std::string(s.band_set->source.citation)
                                  : std::string(d.no_bands_reason.citation);
  out["flags"] = s.flags;
  out["flag_urgency"] = optional_text(s.flag_urgency);
  out["safety_item"] = s.safety_item ? json(*s.safety_item) : json(nullptr);
  out["safety_answer"] = s.safety_answer ? json(*s.safety_answer) : json(nullptr);
  out["crisis_guidance"] = optional_text(s.crisis_guidance);
  out["crisis_guidance_source"] =
      s.crisis_guidance ? json(std::string(instruments::kCrisisGuidanceSource.citation))
                        : json(nullptr);
  out["loinc"] = optional_text(d.loinc_total);
  out["loinc_panel"] = optional_text(d.loinc_panel);
  out["loinc_source"] = std::string(d.loinc_source.citation);
  out["answered"] = s.answered;
  out["missing"] = s.missing;
  out["prorated"] = s.prorated;
  json subs = json::array();
  for (const auto& sub : s.subscales) {
    subs.push_back({{"name", std::string(sub.name)},
                    {"score", sub.score ? number_json(*sub.score) : json(nullptr)},
                    {"min", number_json(sub.min)},
                    {"max", number_json(sub.max)},
                    {"answered", sub.answered},
                    {"loinc", optional_text(sub.loinc)},
                    {"note", sub.note}});
  }
  out["subscales"] = subs;
  json inds = json::array();
  for (const auto& ind : s.indicators) {
    inds.push_back({{"name", std::string(ind.name)},
                    {"met", ind.met ? json(*ind.met) : json(nullptr)},
                    {"rule", ind.rule},
                    {"source", std::string(ind.source.citation)}});
  }
  out["indicators"] = inds;
  out["policies"] = s.policies;
  return out;
}

json threshold_json(const outcomes::Threshold& t, const char* unit) {
  json j = source_json(t.source);
  j["value"] = t.value ? number_json(*t.value) : json(nullptr);
  j["unit"] = unit;
  return j;
}

json thresholds_json(const outcomes::OutcomeCriteria& c) {
  constexpr const char* kReduction = "% reduction from baseline";
  return {{"response_reduction_pct", threshold_json(c.response_reduction_pct, kReduction)},
          {"partial_response_reduction_pct",
           threshold_json(c.partial_response_reduction_pct, kReduction)},
          {"remission_max_total", threshold_json(c.remission_max_total, "total, at or below")},
          {"response_final_below", threshold_json(c.response_final_below, "total, below")},
          {"booster_rise_pct_of_baseline",
           threshold_json(c.booster_rise_pct_of_baseline,
                          "% of baseline risen above the best post-baseline total")},
          {"relapse_min_total", threshold_json(c.relapse_min_total, "total, at or above")},
          {"meaningful_change_points",
           threshold_json(c.meaningful_change_points, "points of change (drop or climb)")},
          {"relapse_min_rise_pct_of_baseline",
           threshold_json(c.relapse_min_rise_pct_of_baseline,
                          "% of baseline risen above the best total")},
          {"relapse_confirm_readings",
           threshold_json(c.relapse_confirm_readings, "consecutive readings")},
          {"relapse_sustained_months",
           threshold_json(c.relapse_sustained_months, "calendar months, first to latest reading")},
          {"substantial_reduction_pct", threshold_json(c.substantial_reduction_pct, kReduction)}};
}

std::vector<outcomes::Assessment> read_series(ObjectReader& r) {
  const json& arr = r.array("series");
  const std::string path = r.path_of("series");
  std::vector<outcomes::Assessment> series;
  series.reserve(arr.size());
  for (std::size_t i = 0; i < arr.size(); ++i) {
    ObjectReader item(arr[i], element_path(path, i));
    outcomes::Assessment a;
    a.date = item.string("date");
    a.total = item.number("total");
    item.finish();
    series.push_back(std::move(a));
  }
  return series;
}

outcomes::OutcomeOverrides read_outcome_policy(ObjectReader& r) {
  outcomes::OutcomeOverrides o;
  auto p = r.optional_object("policy");
  if (!p) return o;
  o.response_reduction_pct = p->optional_number("response_reduction_pct");
  o.partial_response_reduction_pct = p->optional_number("partial_response_reduction_pct");
  o.remission_max_total = p->optional_number("remission_max_total");
  o.response_final_below = p->optional_number("response_final_below");
  o.booster_rise_pct_of_baseline = p->optional_number("booster_rise_pct_of_baseline");
  p->finish();
  return o;
}

json dated_json(const outcomes::DatedTotal& p) {
  return {{"date", p.date.iso()}, {"total", number_json(p.total)}};
}

}  // namespace

json handle_score(const json& request) {
  ObjectReader r(request, "");
  const InstrumentDefinition& d = read_instrument(r);
  std::vector<std::optional<int>> answers = read_answers(r);
  instruments::ScoringOptions options;
  options.band_set = r.optional_string("band_set").value_or("");
  if (auto p = r.optional_object("policy")) {
    options.safety_flag_min = optional_small_int(*p, "safety_flag_min");
    options.item_max = optional_small_int(*p, "item_max");
    p->finish();
  }
  r.finish();
  return score_json(instruments::score_sheet(d, answers, options));
}

json handle_outcome(const json& request) {
  ObjectReader r(request, "");
  const InstrumentDefinition& d = read_instrument(r);
  std::vector<outcomes::Assessment> series = read_series(r);
  outcomes::OutcomeOverrides overrides = read_outcome_policy(r);
  r.finish();
  const outcomes::OutcomeResult o = outcomes::evaluate_outcome(d, series, overrides);

  json out;
  out["instrument"] = std::string(d.id);
  out["baseline"] = number_json(o.baseline.total);
  out["baseline_date"] = o.baseline.date.iso();
  out["latest"] = number_json(o.latest.total);
  out["latest_date"] = o.latest.date.iso();
  out["change"] = number_json(o.change);
  out["change_pct"] = number_json(o.change_pct, 1);
  out["reduction_pct"] = number_json(o.reduction_pct, 1);
  out["status"] = std::string(outcomes::status_name(o.status));
  out["booster_recommended"] = o.booster_recommended;
  out["reassess_sooner"] = o.reassess_sooner;
  out["relapse_readings"] = o.relapse_readings;
  out["improvement"] = o.improvement ? json(*o.improvement) : json(nullptr);
  out["reason"] = o.reason;
  out["best"] = o.best ? dated_json(*o.best) : json(nullptr);
  out["responded_before_latest"] = o.responded_before_latest;
  out["assessments"] = o.series.size();
  json series_out = json::array();
  for (const auto& p : o.series) series_out.push_back(dated_json(p));
  out["series"] = series_out;
  out["thresholds"] = thresholds_json(o.criteria);
  out["policies"] = o.policies;
  return out;
}

json handle_instrument_catalog(const json& request) {
  if (!request.is_null()) ObjectReader(request, "").finish();
  json list = json::array();
  for (const auto& d : instruments::all_instruments()) {
    json bands = json::array();
    for (const auto& set : d.band_sets) {
      json b = json::array();
      for (const auto& band : set.bands) {
        b.push_back({{"name", std::string(band.name)},
                     {"min", number_json(band.min)},
                     {"max", number_json(band.max)}});
      }
      bands.push_back({{"id", std::string(set.id)},
                       {"bands", b},
                       {"source", std::string(set.source.citation)}});
    }
    json entry = {{"id", std::string(d.id)},
                  {"name", std::string(d.name)},
                  {"items", d.item_count},
                  {"item_min", d.item_min},
                  {"item_max", d.item_max},
                  {"items_source", source_json(d.items_source)},
                  {"total_min", number_json(d.total_min)},
                  {"total_max", number_json(d.total_max)},
                  {"band_sets", bands},
                  {"loinc", optional_text(d.loinc_total)},
                  {"loinc_panel", optional_text(d.loinc_panel)},
                  {"missing_rule", source_json(d.missing.source)},
                  {"safety_item", nullptr}};
    if (d.safety) {
      entry["safety_item"] = {{"item", d.safety->item},
                              {"flag", std::string(d.safety->flag)},
                              {"flag_min", d.safety->flag_min},
                              {"urgent_min", d.safety->urgent_min},
                              {"urgent_source", source_json(d.safety->urgent_source)},
                              {"item_source", source_json(d.safety->item_source)},
                              {"threshold_source", source_json(d.safety->threshold_source)}};
    }
    const auto* c = outcomes::find_outcome_criteria(d.id);
    if (c != nullptr && !c->not_applicable) {
      entry["outcome_rules"] = thresholds_json(*c);
    } else {
      entry["outcome_rules"] = nullptr;
    }
    list.push_back(entry);
  }
  return {{"instruments", list}};
}

}  // namespace kit::contract
