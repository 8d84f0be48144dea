#pragma once
// Outcome rules per instrument, as data with their sources: response and partial response
// (percentage reduction from baseline), remission (a total at or below a cut-off), an optional
// alternative response rule (final total below a cut-off, Keith et al. for PHQ-9), and the rise
// that makes a responder's climb-back worth a booster. All scales here: lower total = better.
#include <optional>
#include <string_view>
#include <vector>

#include "core/instruments/instrument.h"

namespace kit::outcomes {

using instruments::Source;

struct Threshold {
  std::optional<double> value;  // empty: the rule is not used for this instrument
  Source source;
};

struct OutcomeCriteria {
  std::string_view instrument_id;
  // Instruments without outcome rules (e.g. CADSS, a state measure) say why.
  std::optional<std::string_view> not_applicable;
  Threshold response_reduction_pct;
  Threshold partial_response_reduction_pct;
  Threshold remission_max_total;
  Threshold response_final_below;
  Threshold booster_rise_pct_of_baseline;
};

const std::vector<OutcomeCriteria>& all_outcome_criteria();
const OutcomeCriteria* find_outcome_criteria(std::string_view instrument_id);

}  // namespace kit::outcomes
