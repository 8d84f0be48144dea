// The dose contract for an ED protocol without a measured height (height_cm 0): the plan is dosed
// on actual weight and prints no BMI (null), rather than a BMI of 0 or infinity.
#include <gtest/gtest.h>

#include "contract/dosing_api.h"

namespace kit::contract {
namespace {

TEST(DoseContract, UnmeasuredHeightPrintsNoBmi) {
  const nlohmann::json request = {
      {"protocol", "ed-sedation-pediatric-iv"},
      {"patient", {{"weight_kg", 20}, {"height_cm", 0}, {"sex", "female"}, {"age_y", 6}}},
      {"preparation", {{"concentration_mg_per_ml", 10}}}};
  const DoseResponse r = handle_dose(request);
  EXPECT_TRUE(r.accepted);
  EXPECT_TRUE(r.body.at("bmi_kg_per_m2").is_null()) << r.body.dump();
  EXPECT_DOUBLE_EQ(r.body.at("dose_mg").get<double>(), 30.0);
}

}  // namespace
}  // namespace kit::contract
