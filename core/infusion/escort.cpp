#include "core/infusion/escort.h"

namespace kit::infusion {

namespace {

// RCEM Learning, "Procedural sedation in emergency medicine" (2018), Recovery/discharge, Table 9
// "Guidelines for discharge", items 3 and 4 (found with search; not in
// docs/reference/pharmacology.md) [S].
constexpr std::string_view kRcemTable9 =
    "RCEM Learning, Procedural sedation in emergency medicine (2018), Recovery and discharge, "
    "Table 9 [S]";
// SPRAVATO (esketamine) US prescribing information, 17 Patient Counseling Information, "Impaired
// Ability to Drive and Operate Machinery" (Janssen 2019; found with search) [P]. Esketamine is the
// S-enantiomer of the ketamine the clinic infuses; no source for IV racemic ketamine infusions
// was found beyond clinics' own leaflets (which say 24 hours) [S].
constexpr std::string_view kEsketamineLabel =
    "SPRAVATO (esketamine) prescribing information, section 17, Janssen 2019 [P]; applied to IV "
    "ketamine (no infusion-specific source found)";
// ACEP clinical practice guideline, Green et al., Ann Emerg Med 2011;57:449-461, "Discharge
// Instructions" (verbatim copy on sciensity.blogspot.com; docs/reference/pharmacology.md §3.6,
// §13) [S].
constexpr std::string_view kAcep2011 =
    "ACEP ketamine sedation guideline, Green et al., Ann Emerg Med 2011;57:449, Discharge "
    "Instructions (docs/reference/pharmacology.md §13) [S]";
// RCEM ketamine sedation guidance: children "should not eat or drink for two hours after
// discharge" (docs/reference/pharmacology.md §13, correcting §4.3) [S].
constexpr std::string_view kRcemChildren =
    "RCEM ketamine sedation guidance (docs/reference/pharmacology.md §13, correcting §4.3) [S]";

}  // namespace

std::vector<EscortStatement> escort_statements(const EscortFacts& facts) {
  std::vector<EscortStatement> out = {
      {"responsible_adult_home",
       "A responsible adult takes the patient home and stays with them, able to report any problem "
       "after the treatment.",
       kRcemTable9},
      {"no_driving_until_next_day",
       "The patient must not drive or operate machinery until the next day, after a restful "
       "night's sleep, and needs someone to drive them home after every treatment.",
       kEsketamineLabel},
      {"unsteady_for_hours",
       "Walking can be unsteady for hours after ketamine: stay close by to prevent falls.",
       kAcep2011},
  };
  if (facts.age_years < kEscortChildUnderYears) {
    out.push_back({"child_no_food_or_drink_2_h",
                   "A child should not eat or drink for two hours after leaving the clinic.",
                   kRcemChildren});
  }
  out.push_back({"emergency_phone",
                 "In an emergency, call the clinic:",
                 kRcemTable9});
  return out;
}

}  // namespace kit::infusion
