#pragma once
// Outcome of a course of treatment from a dated series of totals on one instrument: baseline
// (earliest date), latest, change, and a status (response, partial response, remission, no
// response; after a response: loss_of_response_unconfirmed = one reading meets the relapse
// criteria, relapse = confirmed on consecutive readings), plus a booster recommendation with
// its reason in words. Pure function; refusals are kit::InputError naming "series[i]..." or
// "policy...." as in the JSON request.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/calendar.h"
#include "core/instruments/instrument.h"
#include "core/outcomes/criteria.h"

namespace kit::outcomes {

struct Assessment {
  std::string date;  // ISO YYYY-MM-DD, validated here
  double total = 0;
};

// Clinic overrides of the thresholds (each reported as "clinic policy (request)").
struct OutcomeOverrides {
  std::optional<double> response_reduction_pct;
  std::optional<double> partial_response_reduction_pct;
  std::optional<double> remission_max_total;
  std::optional<double> response_final_below;
  std::optional<double> booster_rise_pct_of_baseline;
};

enum class Status {
  response,
  partial_response,
  remission,
  no_response,
  relapse,
  loss_of_response_unconfirmed,
};
std::string_view status_name(Status s);

struct DatedTotal {
  calendar::Date date;
  double total = 0;
};

struct OutcomeResult {
  const instruments::InstrumentDefinition* instrument = nullptr;
  OutcomeCriteria criteria;        // resolved: defaults with request overrides applied
  std::vector<DatedTotal> series;  // sorted by date
  DatedTotal baseline;
  DatedTotal latest;
  std::optional<DatedTotal> best;  // lowest post-baseline total (earliest if tied)
  double change = 0;               // latest - baseline (negative = improvement)
  double change_pct = 0;           // change / baseline * 100
  double reduction_pct = 0;        // -change_pct: the figure response rules use
  Status status = Status::no_response;
  bool responded_before_latest = false;
  bool booster_recommended = false;
  // A single reading suggests worsening: reassess sooner than planned, before any booster.
  bool reassess_sooner = false;
  // Consecutive readings, ending at the latest, that meet the relapse criteria (0 if none).
  int relapse_readings = 0;
  // Pain instruments: IMMPACT tier of the latest reduction ("substantial", "moderate",
  // "below_moderate"); empty for other instruments.
  std::optional<std::string> improvement;
  std::string reason;
  std::vector<std::string> policies;
};

OutcomeResult evaluate_outcome(const instruments::InstrumentDefinition& instrument,
                               const std::vector<Assessment>& series,
                               const OutcomeOverrides& overrides = {});

}  // namespace kit::outcomes
