#include "contract/mme_api.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "contract/json_reader.h"
#include "core/common/error.h"
#include "core/opioids/mme.h"

namespace kit::contract {

namespace {

using opioids::DoseBasis;

constexpr const char* kMmeCaution =
    "MME/day is a risk measure, not a conversion tool: do not use it to switch opioids (a new "
    "opioid is dosed substantially lower). Factors are estimates (CDC 2022 table notes [S]).";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

void refuse_if_present(const ObjectReader& r, const char* key, const std::string& why) {
  if (r.has(key)) throw InputError(r.path_of(key), why);
}

struct ReadItem {
  std::optional<opioids::MmeItem> item;  // nullopt: listed, not convertible
  Json json;
};

ReadItem read_medication(const Json& value, const std::string& path) {
  ObjectReader r(value, path);
  const std::string drug = lower(r.string("drug"));
  const std::string route = opioids::canonical_route(r.string("route"));
  if (const auto why = opioids::not_convertible_reason(drug); !why.empty()) {
    // Listed, not converted: the amounts are echoed as given, and checked only for shape.
    Json out = {{"field", path}, {"drug", drug}, {"route", route}, {"reason", std::string(why)}};
    for (const char* key : {"dose_mg", "doses_per_day", "mcg_per_h"}) {
      if (auto v = r.optional_number(key)) {
        if (!(*v > 0)) throw InputError(r.path_of(key), "must be greater than 0");
        out[key] = *v;
      }
    }
    r.finish();
    return {std::nullopt, std::move(out)};
  }
  const auto& factor = opioids::require_factor(drug, route, r.path_of("drug"), r.path_of("route"));
  Json out = {{"drug", drug}, {"route", route}, {"conversion_factor", factor.mme_per_unit}};
  opioids::MmeItem item;
  if (factor.basis == DoseBasis::kTransdermalMcgPerHour) {
    const std::string why = "not used for transdermal " + drug + " (give mcg_per_h)";
    refuse_if_present(r, "dose_mg", why);
    refuse_if_present(r, "doses_per_day", why);
    const double mcg_per_h = r.number("mcg_per_h");
    item = opioids::mme_item(factor, mcg_per_h, r.path_of("mcg_per_h"));
    out["mcg_per_h"] = mcg_per_h;
    out["factor_unit"] = "MME/day per mcg/h";
  } else {
    refuse_if_present(r, "mcg_per_h",
                      "only for transdermal fentanyl (give dose_mg and doses_per_day)");
    const double dose_mg = r.number("dose_mg");
    const double doses_per_day = r.number("doses_per_day");
    const double daily_mg = opioids::oral_daily_dose_mg(
        dose_mg, doses_per_day, r.path_of("dose_mg"), r.path_of("doses_per_day"));
    item = opioids::mme_item(factor, daily_mg, r.path_of("dose_mg"));
    out["dose_mg"] = dose_mg;
    out["doses_per_day"] = doses_per_day;
    out["daily_dose_mg"] = daily_mg;
    out["factor_unit"] = "MME/day per mg/day";
  }
  r.finish();
  out["mme_per_day"] = item.mme_per_day;
  return {item, std::move(out)};
}

struct ReadList {
  opioids::MmeSummary summary;
  Json items = Json::array();
  Json not_convertible = Json::array();
};

ReadList read_list(const Json& array, const std::string& path, bool benzodiazepine) {
  ReadList list;
  std::vector<opioids::MmeItem> items;
  opioids::MmeContext context;
  context.benzodiazepine = benzodiazepine;
  for (std::size_t i = 0; i < array.size(); ++i) {
    ReadItem read = read_medication(array[i], element_path(path, i));
    if (read.item) {
      items.push_back(*read.item);
      list.items.push_back(std::move(read.json));
    } else {
      context.not_converted.push_back(read.json.at("drug").get<std::string>());
      list.not_convertible.push_back(std::move(read.json));
    }
  }
  list.summary = opioids::summarize(std::move(items), context);
  return list;
}

Json flags_json(const std::vector<opioids::MmeFlag>& flags) {
  Json out = Json::array();
  for (const auto& f : flags) {
    out.push_back(
        {{"code", f.code}, {"message", f.message}, {"source", f.source}, {"status", f.status}});
  }
  return out;
}

}  // namespace

Json handle_mme(const Json& request) {
  ObjectReader r(request, "");
  const Json& medications = r.array("medications");
  // Opioid + benzodiazepine (CDC 2022 Recommendation 11, docs/reference/pharmacology.md §10).
  const bool benzodiazepine = r.optional_boolean("benzodiazepine").value_or(false);
  ReadList current = read_list(medications, "medications", benzodiazepine);
  const Json* previous_array = r.optional_array("previous_medications");
  std::optional<ReadList> previous;
  if (previous_array != nullptr) {
    previous = read_list(*previous_array, "previous_medications", benzodiazepine);
  }
  r.finish();

  Json out = {{"total_mme_per_day", current.summary.total_mme_per_day},
              {"items", std::move(current.items)},
              {"not_convertible", std::move(current.not_convertible)},
              {"benzodiazepine", benzodiazepine},
              {"flags", flags_json(current.summary.flags)},
              {"factor_source", std::string(opioids::kFactorSource)},
              {"caution", kMmeCaution}};
  if (previous) {
    const opioids::MmeChange change = opioids::compare(previous->summary, current.summary);
    out["previous_total_mme_per_day"] = change.previous_total_mme_per_day;
    out["previous_items"] = std::move(previous->items);
    out["previous_not_convertible"] = std::move(previous->not_convertible);
    out["change_mme_per_day"] = change.change_mme_per_day;
    out["thresholds_crossed_upward"] = change.thresholds_crossed_upward;
    out["thresholds_crossed_downward"] = change.thresholds_crossed_downward;
  }
  return out;
}

}  // namespace kit::contract
