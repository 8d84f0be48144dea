#pragma once
// Outcome instruments as data: item count and range, total range, severity bands, LOINC codes,
// the missing-item rule, safety items that raise a flag, subscales. Every number carries its
// source; where the clinical reference (docs/reference/pharmacology.md §5) says NOT FOUND the value
// is a clinic policy with a conservative default and is labelled as such (`Source::policy`).
// No item wording is stored (copyright): only counts, ranges and scoring rules.
#include <optional>
#include <string_view>
#include <vector>

namespace kit::instruments {

// Where a number comes from. `policy` = not a published fact but a clinic decision (default
// chosen conservatively, overridable per request).
struct Source {
  std::string_view citation;
  bool policy = false;
};

// A severity band. Bands are ordered; a total belongs to the last band whose `min` it reaches
// (so fractional totals such as a BPI mean fall into the band whose lower bound they passed).
struct Band {
  double min = 0;
  double max = 0;  // inclusive upper bound as published (documentation; lookup uses the next min)
  std::string_view name;
};

struct BandSet {
  std::string_view id;  // "default" or a named alternative (e.g. "boonstra_2016")
  std::vector<Band> bands;
  Source source;
};

enum class Scoring {
  sum,           // total = sum of items
  domain_max,    // QIDS-SR16: each domain scores its highest item, total = sum of domains
  bpi_severity,  // BPI: total = mean of the severity items; interference mean reported apart
};

enum class MissingRuleKind {
  all_required,     // any missing item: refuse to score
  prorate_up_to,    // up to `max_missing` items replaced by the mean of the answered items
  domain_any_item,  // each domain needs at least one answered item (its highest answer counts)
  bpi_subscales,    // severity: all items; interference: valid if >= `min_answered` answered
};

struct MissingRule {
  MissingRuleKind kind = MissingRuleKind::all_required;
  int max_missing = 0;   // prorate_up_to
  int min_answered = 0;  // bpi_subscales (interference)
  Source source;
};

// A single item whose answer at or above `flag_min` raises `flag` (e.g. suicidal ideation); at
// or above `urgent_min` the flag is "urgent" (same-day clinician contact), below it "review".
struct SafetyItem {
  int item = 0;  // 1-based item number on the form
  int flag_min = 1;
  std::string_view flag;
  std::optional<std::string_view> loinc;  // LOINC code of the item itself, where published
  Source item_source;                     // why this item is the safety item
  Source threshold_source;  // why `flag_min` (policy where the action rule is NOT FOUND)
  int urgent_min = 0;
  Source urgent_source;  // why `urgent_min` (policy: the action rule is NOT FOUND)
};

// Shown with every safety flag. Clinic text, not country-specific; a clinic may configure its
// own crisis line later.
inline constexpr std::string_view kCrisisGuidance =
    "If you are in immediate danger, call your local emergency number now. If you are having "
    "thoughts of suicide or of harming yourself, contact the clinic or a crisis line today, and "
    "tell someone you trust.";
inline constexpr Source kCrisisGuidanceSource{
    "clinic text (default, not country-specific; the clinic may configure its own crisis line)",
    true};

// A contiguous group of items scored together (Y-BOCS obsessions, PCL-5 clusters, QIDS domains,
// BPI severity / interference). Items are 1-based and inclusive.
struct ItemGroup {
  std::string_view name;
  int first_item = 0;
  int last_item = 0;
  std::optional<std::string_view> loinc;
  Source source;
};

struct InstrumentDefinition {
  std::string_view id;  // "phq9", "gad7", ...
  std::string_view name;
  int item_count = 0;
  int item_min = 0;
  int item_max = 0;
  Source items_source;
  double total_min = 0;
  double total_max = 0;
  bool total_is_whole = true;  // false for mean-based totals (BPI)
  Scoring scoring = Scoring::sum;
  std::vector<BandSet> band_sets;  // first = default; empty = no published bands
  Source no_bands_reason;          // used when band_sets is empty
  std::optional<std::string_view> loinc_total;
  std::optional<std::string_view> loinc_panel;
  Source loinc_source;
  MissingRule missing;
  std::optional<SafetyItem> safety;
  std::vector<ItemGroup> subscales;  // reported alongside the total
  std::vector<ItemGroup> domains;    // Scoring::domain_max only
};

// All instruments, in a stable order.
const std::vector<InstrumentDefinition>& all_instruments();
// nullptr if the id is unknown.
const InstrumentDefinition* find_instrument(std::string_view id);
// "phq9, gad7, ..." for error messages.
std::string_view known_instrument_ids();

}  // namespace kit::instruments
