#include "core/safety/rcem.h"

#include <array>

#include "core/common/error.h"

namespace kit::safety {

namespace {
// RCEM ED sedation discharge criteria, docs/reference/pharmacology.md §4.3 [P].
constexpr std::array<RcemCriterion, 7> kCriteria{{
    {"vitals_at_baseline", "Vital signs back to baseline"},
    {"no_supplemental_oxygen", "No extra oxygen needed"},
    {"alert_and_orientated", "Alert and orientated"},
    {"tolerating_fluids", "Tolerating fluids"},
    {"adequate_analgesia", "Adequate analgesia"},
    {"minimal_nausea", "Minimal nausea"},
    {"appropriate_care_at_home", "Appropriate care at home"},
}};
}  // namespace

std::span<const RcemCriterion> rcem_criteria() { return kCriteria; }

RcemAssessment assess_rcem(const RcemAnswers& answers) {
  RcemAssessment a;
  for (const auto& c : kCriteria) {
    (answers.met.contains(c.id) ? a.met : a.unmet).push_back(c.id);
  }
  if (answers.hours_since_reversal_agent) {
    if (!(*answers.hours_since_reversal_agent >= 0)) {
      throw InputError("rcem.hours_since_reversal_agent", "must be 0 or more");
    }
    (*answers.hours_since_reversal_agent >= kRcemHoursAfterReversalAgent ? a.met : a.unmet)
        .push_back("two_hours_after_reversal_agent");
  }
  a.ready = a.unmet.empty();
  return a;
}

}  // namespace kit::safety
