#include "core/opioids/mme.h"

#include <array>
#include <cmath>
#include <set>
#include <string>

#include "core/common/error.h"

namespace kit::opioids {

namespace {

constexpr std::string_view kMethadoneCaution =
    "Special caution with methadone: MME factor is an estimate; do not use it to convert to or "
    "from methadone (CDC 2022 table notes [S])";
constexpr std::string_view kFentanylCaution =
    "Special caution with transdermal fentanyl: dosed in mcg/h; do not use MME to convert to or "
    "from the patch (CDC 2022 table notes [S])";

// CDC 2022 conversion factors, docs/reference/pharmacology.md §6 (CDC 2022 table via
// globalrph.com [S]).
constexpr std::array<ConversionFactor, 10> kCdc2022{{
    {"codeine", "oral", DoseBasis::kOralMgPerDay, 0.15, ""},
    {"fentanyl", "transdermal", DoseBasis::kTransdermalMcgPerHour, 2.4, kFentanylCaution},
    {"hydrocodone", "oral", DoseBasis::kOralMgPerDay, 1.0, ""},
    {"hydromorphone", "oral", DoseBasis::kOralMgPerDay, 5.0, ""},
    {"methadone", "oral", DoseBasis::kOralMgPerDay, 4.7, kMethadoneCaution},
    {"morphine", "oral", DoseBasis::kOralMgPerDay, 1.0, ""},
    {"oxycodone", "oral", DoseBasis::kOralMgPerDay, 1.5, ""},
    {"oxymorphone", "oral", DoseBasis::kOralMgPerDay, 3.0, ""},
    {"tapentadol", "oral", DoseBasis::kOralMgPerDay, 0.4, ""},
    {"tramadol", "oral", DoseBasis::kOralMgPerDay, 0.2, ""},
}};

// Thresholds, docs/reference/pharmacology.md §6 as corrected by §10: naloxone is CDC 2022
// Recommendation 8 (offer it when any overdose risk factor is present; >= 50 MME/day is one) [P];
// the 50 "reassess" and 90 "avoid" thresholds are 2016 guidance (secondary summaries), and §10
// says the 90 threshold was superseded in 2022.
constexpr std::array<MmeThreshold, 3> kThresholds{{
    {50.0, "mme_at_or_above_50_reassess",
     "CDC 2016 guidance: at or above 50 MME/day, reassess individual benefits and risks before "
     "increasing",
     "CDC 2016 guideline, as quoted by myempro and 2016 summaries [S] "
     "(docs/reference/pharmacology.md §6)",
     "2016 guidance; secondary summary of the 2016 guideline"},
    {50.0, "mme_at_or_above_50_offer_naloxone",
     "Offer naloxone: a dosage at or above 50 MME/day is itself a risk factor for overdose, and "
     "CDC 2022 Recommendation 8 is to offer naloxone when any overdose risk factor is present",
     "CDC 2022 Recommendation 8 (CDC page 'Assess Risks and Potential Harms'; a CE reprint of "
     "Recommendation 8) [P] (docs/reference/pharmacology.md §10 on §6)",
     "CDC 2022 Recommendation 8, read from the CDC page and a reprint"},
    {90.0, "mme_at_or_above_90_avoid_or_justify",
     "CDC 2016 guidance (superseded in 2022): at or above 90 MME/day, avoid, or carefully "
     "justify, this dosage",
     "CDC 2016 guideline, as quoted by myempro and 2016 summaries [S]; superseded by the CDC "
     "2022 guideline (docs/reference/pharmacology.md §10 on §6)",
     "2016 guidance, superseded in 2022; secondary summary of the 2016 guideline"},
}};

// Clinic policy: common prescription spellings of the two table routes.
constexpr std::array<RouteSpelling, 9> kRouteSpellings{{
    {"oral", "oral"},
    {"po", "oral"},
    {"p.o.", "oral"},
    {"per os", "oral"},
    {"by mouth", "oral"},
    {"transdermal", "transdermal"},
    {"td", "transdermal"},
    {"patch", "transdermal"},
    {"transdermal patch", "transdermal"},
}};

constexpr std::string_view kBuprenorphineReason =
    "buprenorphine has no conversion factor in the CDC 2022 table as reproduced in "
    "docs/reference/pharmacology.md §6: listed, not converted, and left out of the total";

// Plausibility bound against typing errors (a kilogram a day), not a clinical limit; it also keeps
// every sum far from floating-point overflow.
constexpr double kMaxDailyAmount = 1e6;

void require_positive(double value, const std::string& field) {
  if (!(value > 0.0)) throw InputError(field, "must be greater than 0");
}

}  // namespace

std::span<const ConversionFactor> cdc_2022_factors() { return kCdc2022; }
std::span<const MmeThreshold> mme_thresholds() { return kThresholds; }
std::span<const RouteSpelling> route_spellings() { return kRouteSpellings; }

std::string canonical_route(std::string_view route) {
  std::string lower;
  for (char c : route) {
    lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  for (const auto& r : kRouteSpellings) {
    if (r.spelling == lower) return std::string(r.route);
  }
  return lower;
}

std::string_view not_convertible_reason(std::string_view drug) {
  return drug == "buprenorphine" ? kBuprenorphineReason : std::string_view{};
}

double round_mme(double mme_per_day) { return std::round(mme_per_day * 1e6) / 1e6; }

const ConversionFactor* find_factor(std::string_view drug, std::string_view route) {
  for (const auto& f : kCdc2022) {
    if (f.drug == drug && f.route == route) return &f;
  }
  return nullptr;
}

const ConversionFactor& require_factor(std::string_view drug, std::string_view route,
                                       const std::string& drug_field,
                                       const std::string& route_field) {
  if (const ConversionFactor* f = find_factor(drug, route)) return *f;
  std::string routes;
  for (const auto& f : kCdc2022) {
    if (f.drug == drug) routes += (routes.empty() ? "" : ", ") + std::string(f.route);
  }
  if (routes.empty()) {
    std::string known;
    for (const auto& f : kCdc2022) known += (known.empty() ? "" : ", ") + std::string(f.drug);
    throw InputError(drug_field, "no CDC 2022 conversion factor for '" + std::string(drug) +
                                     "' (known: " + known + "); a factor is never guessed");
  }
  throw InputError(route_field, "no CDC 2022 conversion factor for " + std::string(drug) +
                                    " by route '" + std::string(route) +
                                    "' (table route: " + routes + ")");
}

double oral_daily_dose_mg(double dose_mg, double doses_per_day, const std::string& dose_field,
                          const std::string& doses_per_day_field) {
  require_positive(dose_mg, dose_field);
  require_positive(doses_per_day, doses_per_day_field);
  const double daily_mg = dose_mg * doses_per_day;
  if (!(daily_mg <= kMaxDailyAmount)) {
    throw InputError(dose_field, "daily dose above 1,000,000 mg is implausible");
  }
  return daily_mg;
}

MmeItem mme_item(const ConversionFactor& factor, double daily_amount,
                 const std::string& amount_field) {
  require_positive(daily_amount, amount_field);
  if (!(daily_amount <= kMaxDailyAmount)) {
    throw InputError(amount_field, "above 1,000,000 per day (or mcg/h) is implausible");
  }
  return MmeItem{&factor, daily_amount, round_mme(daily_amount * factor.mme_per_unit)};
}

MmeSummary summarize(std::vector<MmeItem> items, const MmeContext& context) {
  MmeSummary s;
  double total = 0;
  for (const auto& item : items) total += item.mme_per_day;
  s.total_mme_per_day = round_mme(total);
  // Threshold flags first, then the drug cautions (each drug once), so the order is stable.
  for (const auto& t : kThresholds) {
    if (s.total_mme_per_day >= t.at_or_above_mme_per_day) {
      s.flags.push_back({std::string(t.code), std::string(t.message), std::string(t.source),
                         std::string(t.status)});
    }
  }
  std::set<std::string_view> cautions_seen;
  for (const auto& item : items) {
    const auto& f = *item.factor;
    if (!f.caution.empty() && cautions_seen.insert(f.drug).second) {
      s.flags.push_back({std::string(f.drug) + "_" + std::string(f.route) + "_caution",
                         std::string(f.caution), std::string(kFactorSource),
                         "secondary summary of the CDC 2022 table notes"});
    }
  }
  if (context.benzodiazepine && (!items.empty() || !context.not_converted.empty())) {
    s.flags.push_back(
        {"opioid_with_benzodiazepine",
         "An opioid and a benzodiazepine are taken together: see CDC 2022 Recommendation 11 "
         "(its wording was not retrieved)",
         "CDC 2022 Recommendation 11 (docs/reference/pharmacology.md §10 on §6)",
         "recommendation number only; wording not retrieved (NOT FOUND)"});
  }
  std::set<std::string> not_converted_seen;
  for (const auto& drug : context.not_converted) {
    if (!not_converted_seen.insert(drug).second) continue;
    s.flags.push_back({drug + "_not_converted", std::string(not_convertible_reason(drug)),
                       std::string(kFactorSource),
                       "no factor in the reference table: the total leaves this drug out"});
  }
  s.items = std::move(items);
  return s;
}

MmeChange compare(const MmeSummary& previous, const MmeSummary& current) {
  MmeChange c;
  c.previous_total_mme_per_day = previous.total_mme_per_day;
  c.change_mme_per_day = round_mme(current.total_mme_per_day - previous.total_mme_per_day);
  std::set<double> levels;
  for (const auto& t : kThresholds) levels.insert(t.at_or_above_mme_per_day);
  for (double level : levels) {
    if (previous.total_mme_per_day < level && current.total_mme_per_day >= level) {
      c.thresholds_crossed_upward.push_back(level);
    }
    if (current.total_mme_per_day < level && previous.total_mme_per_day >= level) {
      c.thresholds_crossed_downward.push_back(level);
    }
  }
  return c;
}

}  // namespace kit::opioids
