// The escort's written instructions (core/infusion/escort.h): only sourced statements.
#include "core/infusion/escort.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace kit::infusion {
namespace {

bool has(const std::vector<EscortStatement>& s, std::string_view id) {
  return std::any_of(s.begin(), s.end(), [&](const EscortStatement& e) { return e.id == id; });
}

TEST(EscortStatements, EveryStatementNamesItsSourceAndTag) {
  for (int age : {8, 17, 18, 45}) {
    for (const EscortStatement& e : escort_statements({.age_years = age})) {
      EXPECT_FALSE(e.text.empty()) << e.id;
      EXPECT_FALSE(e.source.empty()) << e.id;
      const bool tagged = e.source.find("[P]") != std::string_view::npos ||
                          e.source.find("[S]") != std::string_view::npos;
      EXPECT_TRUE(tagged) << e.id << ": " << e.source;
    }
  }
}

TEST(EscortStatements, AdultsGetTheEscortDrivingFallsAndPhone) {
  const auto adult = escort_statements({.age_years = 45});
  EXPECT_TRUE(has(adult, "responsible_adult_home"));
  // SPRAVATO PI §17: no driving "until the next day after a restful sleep" [P].
  EXPECT_TRUE(has(adult, "no_driving_until_next_day"));
  EXPECT_TRUE(has(adult, "unsteady_for_hours"));
  EXPECT_TRUE(has(adult, "emergency_phone"));
  EXPECT_FALSE(has(adult, "child_no_food_or_drink_2_h"));
}

TEST(EscortStatements, ChildrenAlsoWaitTwoHoursToEatOrDrink) {
  // RCEM: children "should not eat or drink for two hours after discharge"
  // (docs/reference/pharmacology.md §13) [S]; policy age limit kEscortChildUnderYears = 18.
  EXPECT_TRUE(has(escort_statements({.age_years = 17}), "child_no_food_or_drink_2_h"));
  EXPECT_FALSE(has(escort_statements({.age_years = 18}), "child_no_food_or_drink_2_h"));
  const auto child = escort_statements({.age_years = 8});
  EXPECT_EQ(child.back().id, "emergency_phone");
}

}  // namespace
}  // namespace kit::infusion
