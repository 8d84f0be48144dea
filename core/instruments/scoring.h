#pragma once
// Scoring one completed sheet of an instrument. Pure function: answers in, total/band/flags out.
// Every refusal is a kit::InputError naming "answers" or "answers[i]" (0-based, as in the JSON).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/instruments/instrument.h"

namespace kit::instruments {

// Clinic policy choices a request may override (each one is reported back as a policy in use).
struct ScoringOptions {
  std::optional<int> safety_flag_min;  // answer on the safety item that raises its flag
  std::optional<int> item_max;         // only where the item range itself is a policy (CADSS)
  std::string band_set;                // empty: the instrument's default band set
};

struct SubscaleScore {
  std::string_view name;
  std::optional<double> score;  // empty when the subscale cannot be scored
  double min = 0;
  double max = 0;
  int answered = 0;
  std::optional<std::string_view> loinc;
  std::string note;  // why it was not scored, or how it was computed
};

// A published yes/no rule evaluated on the sheet (e.g. PHQ-9 major depressive syndrome).
struct Indicator {
  std::string_view name;
  std::optional<bool> met;  // empty when missing items make it undecidable
  std::string rule;
  Source source;
};

struct ScoreResult {
  const InstrumentDefinition* instrument = nullptr;
  double total = 0;
  double total_min = 0;
  double total_max = 0;
  std::optional<std::string_view> band;
  const BandSet* band_set = nullptr;  // null when the instrument has no bands
  std::vector<std::string> flags;
  // With any flag: "urgent" or "review" (SafetyItem::urgent_min), the item and its answer, and
  // the crisis guidance (kCrisisGuidance). Empty without a flag.
  std::optional<std::string_view> flag_urgency;
  std::optional<int> safety_item;
  std::optional<int> safety_answer;
  std::optional<std::string_view> crisis_guidance;
  int answered = 0;
  int missing = 0;
  bool prorated = false;
  std::vector<SubscaleScore> subscales;
  std::vector<Indicator> indicators;
  std::vector<std::string> policies;  // every clinic-policy choice this result depends on
};

// Looks up the band of a total (last band whose min the total reaches).
std::optional<std::string_view> band_of(const BandSet& set, double total);

ScoreResult score_sheet(const InstrumentDefinition& instrument,
                        const std::vector<std::optional<int>>& answers,
                        const ScoringOptions& options = {});

}  // namespace kit::instruments
