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
  // Relapse (loss of response after a response). A reading counts towards relapse when it no
  // longer meets the response rule, reaches `relapse_min_total` (where a source defines relapse
  // by a level) and has risen from the best total by at least the clinically meaningful change
  // (`meaningful_change_points`, or `relapse_min_rise_pct_of_baseline` where no points value is
  // in the reference). It is relapse only when `relapse_confirm_readings` consecutive readings
  // count, spanning at least `relapse_sustained_months` calendar months where a source asks for
  // a sustained period; one reading alone is "loss_of_response_unconfirmed"
  // (docs/reference/pharmacology.md §10).
  Threshold relapse_min_total;
  Threshold meaningful_change_points;  // also required of a remission (drop from baseline)
  Threshold relapse_min_rise_pct_of_baseline;
  Threshold relapse_confirm_readings;
  Threshold relapse_sustained_months;
  // Pain: the IMMPACT "substantial" tier beside the >=30% "moderate" response (Dworkin 2008).
  Threshold substantial_reduction_pct;
};

const std::vector<OutcomeCriteria>& all_outcome_criteria();
const OutcomeCriteria* find_outcome_criteria(std::string_view instrument_id);

// The rules on one post-baseline total, shared by evaluate_outcome (outcome.h) and the outcome
// analytics (analytics.h) so both judge a reading the same way. `baseline` must be > 0.
// Response: reduction from baseline >= response_reduction_pct, or (where enabled) the total below
// response_final_below. A remission cut-off never stands in for a response.
bool meets_response(const OutcomeCriteria& c, double baseline, double total);
// Remission: the baseline above the cut-off (otherwise remission cannot be judged), the total at
// or below it and, where the instrument has a clinically meaningful change in points, a drop from
// baseline of at least that.
bool meets_remission(const OutcomeCriteria& c, double baseline, double total);

}  // namespace kit::outcomes
