#pragma once
// Daily morphine milligram equivalents (MME/day) from a medication list, with the CDC 2022
// conversion factors held as data. A drug/route pair that is not in the table is refused: a
// conversion factor is never guessed, and older tables (Von Korff 2008) are not mixed in.
// Reference: docs/reference/pharmacology.md §6.
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kit::opioids {

// What the factor multiplies: an oral daily dose in mg/day, or a transdermal rate in mcg/h.
enum class DoseBasis { kOralMgPerDay, kTransdermalMcgPerHour };

struct ConversionFactor {
  std::string_view drug;
  std::string_view route;
  DoseBasis basis;
  double mme_per_unit;       // MME/day per mg/day, or per mcg/h for transdermal fentanyl
  std::string_view caution;  // empty when the table notes give none for this drug
};

// The CDC 2022 table, one row per drug/route pair.
std::span<const ConversionFactor> cdc_2022_factors();
inline constexpr std::string_view kFactorSource =
    "CDC 2022 Clinical Practice Guideline (MMWR Recomm Rep 71(3)) conversion table, as reproduced "
    "on globalrph.com [S]";

// The factor for a drug/route pair, or nullptr. Names are lower-case, e.g. "oxycodone", "oral".
const ConversionFactor* find_factor(std::string_view drug, std::string_view route);

// Like find_factor, but refuses an unknown pair with kit::InputError on `drug_field` (unknown
// drug) or `route_field` (known drug, route without a factor).
const ConversionFactor& require_factor(std::string_view drug, std::string_view route,
                                       const std::string& drug_field,
                                       const std::string& route_field);

struct MmeItem {
  const ConversionFactor* factor = nullptr;
  double daily_amount = 0;  // mg/day or mcg/h, per factor->basis
  double mme_per_day = 0;   // rounded to 1e-6 (see round_mme)
};

// One item: daily amount times factor. Refuses a non-positive amount on `amount_field`.
MmeItem mme_item(const ConversionFactor& factor, double daily_amount,
                 const std::string& amount_field);

// The table's route for a common spelling ("po" -> "oral", "patch" -> "transdermal"); the input
// lower-cased and unchanged when it is not a known spelling. Clinic policy: the spellings are
// standard prescription abbreviations, listed in docs/clinical-rules/opioids.md.
struct RouteSpelling {
  std::string_view spelling;
  std::string_view route;
};
std::span<const RouteSpelling> route_spellings();
std::string canonical_route(std::string_view route);

// Opioids that are listed but not converted: the reference's CDC 2022 table has no factor for them
// (docs/reference/pharmacology.md §6). The reason, or empty for any other drug.
std::string_view not_convertible_reason(std::string_view drug);

// Oral daily dose from a per-dose amount and doses per day (both must be > 0).
double oral_daily_dose_mg(double dose_mg, double doses_per_day, const std::string& dose_field,
                          const std::string& doses_per_day_field);

// Flags at the guideline thresholds and the drug cautions from the table notes.
struct MmeFlag {
  std::string code;
  std::string message;
  std::string source;
  std::string status;  // how firmly the wording is known ("secondary summary", ...)
};

struct MmeThreshold {
  double at_or_above_mme_per_day;
  std::string_view code;
  std::string_view message;
  std::string_view source;
  std::string_view status;
};
std::span<const MmeThreshold> mme_thresholds();

struct MmeSummary {
  std::vector<MmeItem> items;
  double total_mme_per_day = 0;  // rounded to 1e-6
  std::vector<MmeFlag> flags;
};

// What the request says beyond the convertible items.
struct MmeContext {
  bool benzodiazepine = false;             // the patient takes a benzodiazepine
  std::vector<std::string> not_converted;  // drugs listed but not converted (e.g. buprenorphine)
};

MmeSummary summarize(std::vector<MmeItem> items, const MmeContext& context = {});

// The change from a previous list to the current one.
struct MmeChange {
  double previous_total_mme_per_day = 0;
  double change_mme_per_day = 0;                    // current - previous, rounded to 1e-6
  std::vector<double> thresholds_crossed_upward;    // previous < T <= current
  std::vector<double> thresholds_crossed_downward;  // current < T <= previous
};
MmeChange compare(const MmeSummary& previous, const MmeSummary& current);

// Binary floating point turns 120 mg codeine x 0.15 into 17.999999999999996; rounding to 1e-6
// MME/day keeps boundary cases (tramadol 250 mg/day = 50 MME/day) on the right side of a threshold.
double round_mme(double mme_per_day);

}  // namespace kit::opioids
