#include "core/safety/aldrete.h"

#include <array>
#include <string>

#include "core/common/error.h"

namespace kit::safety {

namespace {

// docs/reference/pharmacology.md §4.3 "Discharge cut-offs seen", corrected by §10.
constexpr std::array<AldreteRule, 2> kRules{{
    // Aldrete's own cut-off, in the 1970 and the 1995 (SpO2) versions (§10).
    {"aldrete_9_no_zero_fully_awake",
     "Total >= 9 of 10, no item at 0, consciousness fully awake (2)",
     "Aldrete's own discharge cut-off >= 9 (Wikipedia 'Aldrete's scoring system'; StatPearls; "
     "R package cliot aldrete_score) [S]; no item at 0 (BMC Anesthesiology 2015, "
     "s12871-015-0040-x) [P]; consciousness 2 is policy, anchor RCEM 'alert & orientated' [P] "
     "(docs/reference/pharmacology.md §10, §4.3)",
     9, false, false},
    {"above8_or_pre_sedation_and_spo2_room_air",
     "Total above 8 (or back to the pre-sedation score) and SpO2 > 92% on room air (O2 item 2); "
     "no item at 0 and consciousness fully awake (2)",
     "Hospital sedation policy (info.5y1.org) [S] (docs/reference/pharmacology.md §4.3); the "
     "floors as for the default rule (§10)",
     9, true, true},
}};

void require_item(int v, const char* field) {
  if (v < 0 || v > 2) throw InputError(field, "must be 0, 1 or 2");
}

}  // namespace

std::span<const AldreteRule> aldrete_rules() { return kRules; }
const AldreteRule& default_aldrete_rule() { return kRules[0]; }

const AldreteRule* find_aldrete_rule(std::string_view id) {
  for (const auto& r : kRules) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

AldreteAssessment assess_aldrete(const AldreteItems& items, const AldreteRule& rule,
                                 std::optional<int> minimum_override,
                                 std::optional<int> pre_sedation_score) {
  require_item(items.activity, "aldrete.activity");
  require_item(items.respiration, "aldrete.respiration");
  require_item(items.circulation, "aldrete.circulation");
  require_item(items.consciousness, "aldrete.consciousness");
  require_item(items.o2_saturation, "aldrete.o2_saturation");
  if (minimum_override && (*minimum_override < rule.minimum_score || *minimum_override > 10)) {
    throw InputError("policy.minimum_score", "must be between the rule's minimum " +
                                                 std::to_string(rule.minimum_score) +
                                                 " and 10 (a clinic may only be stricter)");
  }
  if (pre_sedation_score && (*pre_sedation_score < 0 || *pre_sedation_score > 10)) {
    throw InputError("pre_sedation_score", "must be between 0 and 10");
  }

  AldreteAssessment a;
  a.score = items.total();
  a.rule = &rule;
  a.minimum_score = minimum_override.value_or(rule.minimum_score);
  a.minimum_overridden = minimum_override.has_value();
  const bool back_to_pre_sedation =
      rule.pre_sedation_score_suffices && pre_sedation_score && a.score >= *pre_sedation_score;
  if (a.score < a.minimum_score && !back_to_pre_sedation) a.unmet.push_back("minimum_score");
  if (rule.require_o2_saturation_2 && items.o2_saturation != 2) {
    a.unmet.push_back("o2_saturation_2");
  }
  if (items.activity == 0 || items.respiration == 0 || items.circulation == 0 ||
      items.consciousness == 0 || items.o2_saturation == 0) {
    a.unmet.push_back(kNoItemAt0);
  }
  if (items.consciousness != 2) a.unmet.push_back(kConsciousnessFullyAwake);
  a.ready = a.unmet.empty();
  return a;
}

}  // namespace kit::safety
