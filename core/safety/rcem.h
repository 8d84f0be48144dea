#pragma once
// RCEM ED procedural sedation discharge criteria as a checklist (RCEM [P];
// docs/reference/pharmacology.md §4.3).
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kit::safety {

struct RcemCriterion {
  std::string_view id;  // JSON key in "rcem"
  std::string_view text;
};
std::span<const RcemCriterion> rcem_criteria();
inline constexpr std::string_view kRcemSource =
    "RCEM ED procedural sedation discharge criteria [P] (docs/reference/pharmacology.md §4.3)";
// "2 h after any reversal agent" (RCEM [P]).
inline constexpr double kRcemHoursAfterReversalAgent = 2.0;

struct RcemAnswers {
  std::set<std::string, std::less<>> met;            // ids of the criteria answered true
  std::optional<double> hours_since_reversal_agent;  // nullopt: no reversal agent given
};

struct RcemAssessment {
  bool ready = false;
  std::vector<std::string_view> met;
  std::vector<std::string_view> unmet;
};

// Refuses a negative hours_since_reversal_agent (field "rcem.hours_since_reversal_agent").
RcemAssessment assess_rcem(const RcemAnswers& answers);

}  // namespace kit::safety
