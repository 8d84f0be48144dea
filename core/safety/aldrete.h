#pragma once
// Discharge readiness by the modified Aldrete score (5 items x 0-2 = 0-10;
// docs/reference/pharmacology.md §4.3, Kim et al. World J Gastroenterol 2015 Table 2 [P], ASJA
// 2022 Table 5 [P]; cut-off corrected in §10). The reference shows more than one discharge
// cut-off; each is a rule here, one is the default, and the one applied is always reported. Two
// floors hold under every rule: no item at 0 and consciousness fully awake. A clinic may only be
// stricter than the rule (a higher minimum).
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
  bool require_o2_saturation_2;      // O2 saturation item must score 2 (SpO2 > 92% on room air)
  bool pre_sedation_score_suffices;  // "or return to the pre-sedation score"
};

std::span<const AldreteRule> aldrete_rules();
const AldreteRule& default_aldrete_rule();
const AldreteRule* find_aldrete_rule(std::string_view id);

// The rule the reference says must not be applied to Aldrete's items: "minimum 8 with >= 2 in
// respiration and O2 saturation" comes from a different modified scale (circulation by absolute
// systolic, SpO2 >= 92 % on oxygen scores 1; docs/reference/pharmacology.md §10). Its id is
// refused by name so an old caller learns why.
inline constexpr std::string_view kWithdrawnAldreteRule = "min8_with_respiration_and_o2_2";

// Floors under every rule, reported in `unmet` by these names.
// "absence of 0 score in any of the 5 subcategories" (BMC Anesthesiology 2015,
// s12871-015-0040-x [P]; docs/reference/pharmacology.md §10).
inline constexpr std::string_view kNoItemAt0 = "no_item_at_0";
// Consciousness 2 ("fully awake"): policy, anchor RCEM discharge "alert & orientated" [P]
// (docs/reference/pharmacology.md §4.3); with a cut-off of 9 alone, a patient only "arousable on
// calling" with every other item at 2 would score 9.
inline constexpr std::string_view kConsciousnessFullyAwake = "consciousness_fully_awake";

struct AldreteAssessment {
  int score = 0;
  bool ready = false;
  const AldreteRule* rule = nullptr;
  int minimum_score = 0;  // the rule's, or the clinic's stricter minimum
  bool minimum_overridden = false;
  std::vector<std::string_view> unmet;  // which parts of the rule or the floors are not met
};

// Refuses an item outside 0-2 (field "aldrete.<item>"), a clinic minimum below the rule's or
// above 10 ("policy.minimum_score": a clinic may only be stricter), a pre-sedation score outside
// 0-10.
AldreteAssessment assess_aldrete(const AldreteItems& items, const AldreteRule& rule,
                                 std::optional<int> minimum_score_override = std::nullopt,
                                 std::optional<int> pre_sedation_score = std::nullopt);

}  // namespace kit::safety
