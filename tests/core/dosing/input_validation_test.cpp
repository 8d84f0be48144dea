// Values no JSON request can carry (NaN, infinity) are refused by the core naming the field. Every
// other ill-formed request, refused naming the field, is a clinical case in
// tests/cases/dosing.cases.
#include <gtest/gtest.h>

#include <limits>

#include "core/common/error.h"
#include "tests/core/dosing/plan_fixtures.h"

namespace kit::dosing {
namespace {

using test::plan;
using test::request;

TEST(InputValidation, NonFiniteWeightNamesTheField) {
  for (double w :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity()}) {
    SCOPED_TRACE(w);
    PlanRequest r = request("depression-standard", 70, 1);
    r.patient.weight = units::Kg(w);
    try {
      plan(r);
      ADD_FAILURE() << "no error";
    } catch (const InputError& e) {
      EXPECT_EQ(e.field(), "patient.weight_kg");
      EXPECT_FALSE(e.reason().empty());
    }
  }
}

}  // namespace
}  // namespace kit::dosing
