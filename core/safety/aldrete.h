#pragma once
// Discharge readiness by the modified Aldrete score (5 items x 0-2 = 0-10;
// docs/reference/pharmacology.md §4.3, Kim et al. World J Gastroenterol 2015 Table 2 [P], ASJA
// 2022 Table 5 [P]). The reference shows several discharge cut-offs; each is a rule here, one is
// the default, and the one applied is always reported. The cut-off can be overridden (policy).
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace kit::safety {

struct AldreteItems {
  int activity = 0;
  int respiration = 0;
  int circulation = 0;
  int consciousness = 0;
  int o2_saturation = 0;
  int total() const { return activity + respiration + circulation + consciousness + o2_saturation; }
};

struct AldreteRule {
  std::string_view id;
  std::string_view text;
  std::string_view source;
  int minimum_score;                 // total must be >= this
  bool require_respiration_2;        // respiration item must score 2
  bool require_o2_saturation_2;      // O2 saturation item must score 2 (SpO2 > 92% on room air)
  bool pre_sedation_score_suffices;  // "or return to the pre-sedation score"
};

std::span<const AldreteRule> aldrete_rules();
const AldreteRule& default_aldrete_rule();
const AldreteRule* find_aldrete_rule(std::string_view id);

struct AldreteAssessment {
  int score = 0;
  bool ready = false;
  const AldreteRule* rule = nullptr;
  int minimum_score = 0;  // the rule's, or the policy override
  bool minimum_overridden = false;
  std::vector<std::string_view> unmet;  // which parts of the rule are not met
};

// Refuses an item outside 0-2 (field "aldrete.<item>") or a cut-off outside 0-10.
AldreteAssessment assess_aldrete(const AldreteItems& items, const AldreteRule& rule,
                                 std::optional<int> minimum_score_override = std::nullopt,
                                 std::optional<int> pre_sedation_score = std::nullopt);

}  // namespace kit::safety
