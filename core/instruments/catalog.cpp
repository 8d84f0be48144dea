// The instrument catalogue. Every number is from docs/reference/pharmacology.md §5 unless a comment
// says it was found later (search) or that it is a clinic policy (reference: NOT FOUND).
#include <string_view>

#include "core/instruments/instrument.h"

namespace kit::instruments {

namespace {

// A missing-item rule for instruments whose rule is NOT FOUND: refusing to score is the
// conservative choice (no silent imputation of a clinical score).
constexpr Source kAllItemsPolicy{
    "policy: no published missing-item rule found (reference §5); every item is required", true};
constexpr Source kNoLoinc{"NOT FOUND in reference §5 (no LOINC code published there)", false};

InstrumentDefinition phq9() {
  InstrumentDefinition d;
  d.id = "phq9";
  d.name = "PHQ-9";
  d.item_count = 9;  // (+1 unscored difficulty item, not taken)
  d.item_min = 0;
  d.item_max = 3;
  d.items_source = {"LOINC 44249-1/44261-6 (loinc.org); CamCOPS phq9.py"};
  d.total_min = 0;
  d.total_max = 27;
  d.band_sets = {{"default",
                  {{0, 4, "none_minimal"},
                   {5, 9, "mild"},
                   {10, 14, "moderate"},
                   {15, 19, "moderately_severe"},
                   {20, 27, "severe"}},
                  {"LOINC answer list LL358-3 (loinc.org); CamCOPS phq9.py"}}};
  d.loinc_total = "44261-6";
  d.loinc_panel = "44249-1";
  d.loinc_source = {"loinc.org 44261-6, 44249-1"};
  // NHS Data Dictionary, "Patient Health Questionnaire-9": one or two missing values may be
  // replaced by the mean of the answered items; more than two missing: disregard the sheet.
  // (Found by search; the reference gives no PHQ-9 missing-item rule.)
  d.missing = {MissingRuleKind::prorate_up_to,
               2,
               0,
               {"NHS Data Dictionary, Patient Health Questionnaire-9 (<=2 missing: mean "
                "substitution; >2: disregard)"}};
  d.safety = SafetyItem{
      9,
      1,
      "suicidal_ideation",
      "44260-8",
      {"PHQ-9 item 9 (thoughts of death/self-harm), LOINC 44260-8"},
      {"policy: item 9 action rule NOT FOUND (reference §5); any non-zero answer flags, as the "
       "PHQ-9 algorithm counts item 9 if >=1 (CamCOPS phq9.py)",
       true},
      3,
      {"policy: item 9 urgency rule NOT FOUND (reference §5); the item's highest answer (3 of "
       "0-3) is urgent, lower answers are for review",
       true}};
  return d;
}

InstrumentDefinition gad7() {
  InstrumentDefinition d;
  d.id = "gad7";
  d.name = "GAD-7";
  d.item_count = 7;
  d.item_min = 0;
  d.item_max = 3;
  d.items_source = {"Spitzer 2006 (via pbpsychiatricservices/jotform); CamCOPS gad7.py"};
  d.total_min = 0;
  d.total_max = 21;
  d.band_sets = {{"default",
                  {{0, 4, "minimal"}, {5, 9, "mild"}, {10, 14, "moderate"}, {15, 21, "severe"}},
                  {"Spitzer 2006 (via pbpsychiatricservices/jotform); CamCOPS gad7.py"}}};
  d.loinc_total = "70274-6";
  d.loinc_panel = "69737-5";
  d.loinc_source = {"LOINC 69729-2 panel listing (loinc.org)"};
  d.missing = {MissingRuleKind::all_required, 0, 0, kAllItemsPolicy};
  return d;
}

InstrumentDefinition pcl5() {
  InstrumentDefinition d;
  d.id = "pcl5";
  d.name = "PCL-5";
  d.item_count = 20;
  d.item_min = 0;
  d.item_max = 4;
  d.items_source = {"comorbidityguidelines.org.au PCL-5 scoring; CamCOPS pcl5.py"};
  d.total_min = 0;
  d.total_max = 80;
  d.no_bands_reason = {
      "no empirically derived severity bands for the PCL-5 (comorbidityguidelines.org.au)"};
  d.loinc_total = "101698-9";
  d.loinc_panel = "101697-1";
  d.loinc_source = {"findacode/healthassure LOINC pages (secondary)"};
  d.missing = {MissingRuleKind::all_required, 0, 0, kAllItemsPolicy};
  const Source clusters{"DSM-5 clusters, comorbidityguidelines.org.au; CamCOPS pcl5.py"};
  d.subscales = {{"cluster_b", 1, 5, std::nullopt, clusters},
                 {"cluster_c", 6, 7, std::nullopt, clusters},
                 {"cluster_d", 8, 14, std::nullopt, clusters},
                 {"cluster_e", 15, 20, std::nullopt, clusters}};
  return d;
}

InstrumentDefinition ybocs() {
  InstrumentDefinition d;
  d.id = "ybocs";
  d.name = "Y-BOCS";
  d.item_count = 10;
  d.item_min = 0;
  d.item_max = 4;
  d.items_source = {"Goodman 1989 (via brainphysics.com); CamCOPS ybocs.py (MAX_TOTAL 40)"};
  d.total_min = 0;
  d.total_max = 40;
  d.band_sets = {{"default",
                  {{0, 7, "subclinical"},
                   {8, 15, "mild"},
                   {16, 23, "moderate"},
                   {24, 31, "severe"},
                   {32, 40, "extreme"}},
                  {"Goodman 1989 (via brainphysics.com)"}}};
  d.loinc_source = kNoLoinc;
  d.missing = {MissingRuleKind::all_required, 0, 0, kAllItemsPolicy};
  const Source halves{"Y-BOCS: 5 obsession + 5 compulsion items, subscales 0-20 (reference §5)"};
  d.subscales = {{"obsessions", 1, 5, std::nullopt, halves},
                 {"compulsions", 6, 10, std::nullopt, halves}};
  return d;
}

InstrumentDefinition madrs() {
  InstrumentDefinition d;
  d.id = "madrs";
  d.name = "MADRS";
  d.item_count = 10;
  d.item_min = 0;
  d.item_max = 6;
  d.items_source = {"progress.im; code docstrings citing Snaith 1986"};
  d.total_min = 0;
  d.total_max = 60;
  d.band_sets = {{"default",
                  {{0, 6, "normal"}, {7, 19, "mild"}, {20, 34, "moderate"}, {35, 60, "severe"}},
                  {"progress.im; code docstrings citing Snaith 1986"}}};
  d.loinc_source = kNoLoinc;
  d.missing = {MissingRuleKind::all_required, 0, 0, kAllItemsPolicy};
  // Item 10 = suicidal thoughts (0-6): found by search, PMC3025994 Table 1 and GENDEP
  // (BMC Med 2009;7:60, Table 1).
  d.safety = SafetyItem{
      10,
      1,
      "suicidal_ideation",
      std::nullopt,
      {"MADRS item 10 (suicidal thoughts): PMC3025994 Table 1; GENDEP, BMC Med 2009;7:60 Table 1"},
      {"policy: MADRS item 10 action rule NOT FOUND; any non-zero rating flags", true},
      4,
      {"policy: MADRS item 10 urgency rule NOT FOUND; ratings 4-6 (the upper part of the 0-6 "
       "item) are urgent, 1-3 are for review",
       true}};
  return d;
}

InstrumentDefinition qids_sr16() {
  InstrumentDefinition d;
  d.id = "qids_sr16";
  d.name = "QIDS-SR16";
  d.item_count = 16;
  d.item_min = 0;
  d.item_max = 3;
  d.items_source = {"Cambio CKM QIDS model; ids-qids.org (items 0-3)"};
  d.total_min = 0;
  d.total_max = 27;
  d.scoring = Scoring::domain_max;
  d.band_sets = {{"default",
                  {{0, 5, "none"},
                   {6, 10, "mild"},
                   {11, 15, "moderate"},
                   {16, 20, "severe"},
                   {21, 27, "very_severe"}},
                  {"ids-qids.org interpretation table"}}};
  d.loinc_source = kNoLoinc;
  d.missing = {MissingRuleKind::domain_any_item,
               0,
               0,
               {"policy: QIDS missing-item rule NOT FOUND; a domain scores its highest answered "
                "item and every one of the 9 domains needs at least one answer",
                true}};
  // Domain grouping: reference §5 (highest of 1-4, of 6-9, of 15-16). Domain names and item 12
  // (thoughts of death or suicide): found by search, guidelinecentral.com QIDS calculator citing
  // Rush 2003 Biol Psychiatry 54:573.
  const Source domains{"reference §5 (Cambio CKM); Rush 2003 via guidelinecentral.com"};
  d.domains = {{"sleep", 1, 4, std::nullopt, domains},
               {"sad_mood", 5, 5, std::nullopt, domains},
               {"appetite_weight", 6, 9, std::nullopt, domains},
               {"concentration", 10, 10, std::nullopt, domains},
               {"view_of_self", 11, 11, std::nullopt, domains},
               {"suicidal_ideation", 12, 12, std::nullopt, domains},
               {"general_interest", 13, 13, std::nullopt, domains},
               {"energy", 14, 14, std::nullopt, domains},
               {"psychomotor", 15, 16, std::nullopt, domains}};
  d.safety = SafetyItem{
      12,
      1,
      "suicidal_ideation",
      std::nullopt,
      {"QIDS-SR16 item 12 (thoughts of death or suicide): Rush 2003 via guidelinecentral.com"},
      {"policy: QIDS-SR16 item 12 action rule NOT FOUND; any non-zero answer flags", true},
      3,
      {"policy: QIDS-SR16 item 12 urgency rule NOT FOUND; the item's highest answer (3 of 0-3) "
       "is urgent, lower answers are for review",
       true}};
  return d;
}

InstrumentDefinition nrs() {
  InstrumentDefinition d;
  d.id = "nrs";
  d.name = "Numeric pain rating scale (NRS 0-10)";
  d.item_count = 1;
  d.item_min = 0;
  d.item_max = 10;
  d.items_source = {"11-point NRS 0-10 (reference §5; Farrar 2001 Pain 94:149)"};
  d.total_min = 0;
  d.total_max = 10;
  // physiotherapy.ca bands start at 1; 0 is the "no pain" anchor, so it gets its own band.
  d.band_sets = {{"default",
                  {{0, 0, "none"}, {1, 3, "mild"}, {4, 6, "moderate"}, {7, 10, "severe"}},
                  {"physiotherapy.ca (1-3 mild, 4-6 moderate, 7-10 severe); 0 = no pain"}},
                 {"boonstra_2016",
                  {{0, 5, "mild"}, {6, 7, "moderate"}, {8, 10, "severe"}},
                  {"Boonstra 2016, chronic musculoskeletal pain cut-points (reference §5)"}}};
  d.loinc_total = "72514-3";
  d.loinc_source = {"LOINC 72514-3 (0-10 verbal numeric rating); IHE template uses 38208-5"};
  d.missing = {MissingRuleKind::all_required, 0, 0, {"single-item scale: the item is the score"}};
  return d;
}

InstrumentDefinition bpi() {
  InstrumentDefinition d;
  d.id = "bpi";
  d.name = "Brief Pain Inventory (short form), severity and interference";
  // Items taken: 4 severity items (worst, least, average, now) then the 7 interference items,
  // in form order. The number of severity items is NOT FOUND in the reference; four items whose
  // mean is the severity score was found by search (ePPOC/AHSRI BPI page; 21docs thesis, both
  // secondary).
  d.item_count = 11;
  d.item_min = 0;
  d.item_max = 10;
  d.items_source = {"SRAlab rehab-measures (items 0-10); ePPOC/AHSRI BPI page (4 severity items)"};
  d.total_min = 0;
  d.total_max = 10;
  d.total_is_whole = false;
  d.scoring = Scoring::bpi_severity;
  // No bands: the 0-4 / 5-6 / 7-10 bands were defined for single 0-10 items, not for the mean
  // of the severity items (docs/reference/pharmacology.md §10).
  d.no_bands_reason = {
      "none for the severity mean: the BPI bands (0-4 mild, 5-6 moderate, 7-10 severe) are for "
      "single items, not the mean (reference §10)"};
  d.loinc_source = {
      "BPI panel and severity score LOINC NOT FOUND (reference §5); interference "
      "score 77565-0"};
  d.missing = {MissingRuleKind::bpi_subscales,
               0,
               4,
               {"interference valid if >=4 of 7 answered (SRAlab; ePPOC); severity: policy, all 4 "
                "items required (rule NOT FOUND)",
                true}};
  d.subscales = {
      {"severity", 1, 4, std::nullopt, {"mean of the 4 severity items (ePPOC/AHSRI; secondary)"}},
      {"interference",
       5,
       11,
       "77565-0",
       {"mean of the 7 interference items (SRAlab; LOINC 77565-0)"}}};
  return d;
}

InstrumentDefinition cadss() {
  InstrumentDefinition d;
  d.id = "cadss";
  d.name = "CADSS (23-item subjective total)";
  // 28 items = 23 subjective + 5 observer; ketamine trials report the 23-item subjective total
  // (Bremner CADSS instructions 2014; researcher.life abstract). Observer items are not taken.
  d.item_count = 23;
  d.item_min = 0;
  // Item range NOT FOUND in the reference nor by search: 0-4 is a policy default that the clinic
  // must confirm against its licensed form (overridable per request: policy.item_max).
  d.item_max = 4;
  d.items_source = {
      "policy: CADSS item range NOT FOUND (reference §5); 0-4 assumed, clinic must "
      "confirm against its form (request policy.item_max)",
      true};
  d.total_min = 0;
  d.total_max = 23 * 4;  // derived from the policy item range
  d.no_bands_reason = {"CADSS is a state measure; no severity bands published (reference §5)"};
  d.loinc_source = kNoLoinc;
  d.missing = {MissingRuleKind::all_required, 0, 0, kAllItemsPolicy};
  return d;
}

std::vector<InstrumentDefinition> build() {
  return {phq9(), gad7(), pcl5(), ybocs(), madrs(), qids_sr16(), nrs(), bpi(), cadss()};
}

}  // namespace

const std::vector<InstrumentDefinition>& all_instruments() {
  static const std::vector<InstrumentDefinition> list = build();
  return list;
}

const InstrumentDefinition* find_instrument(std::string_view id) {
  for (const auto& d : all_instruments()) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

std::string_view known_instrument_ids() {
  return "phq9, gad7, pcl5, ybocs, madrs, qids_sr16, nrs, bpi, cadss";
}

}  // namespace kit::instruments
