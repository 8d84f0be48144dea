// Pump rounding: down to the pump's 0.1 mL/h step, never up. How soft and hard limits, age limits,
// the obesity weight rule and rounding reach a plan are clinical cases in tests/cases/dosing.cases.
#include <gtest/gtest.h>

#include "core/dosing/dose_calculator.h"

namespace kit::dosing {
namespace {

TEST(PumpRounding, RoundsDownToPointOne) {
  struct Row {
    double exact_ml_per_h, expected;
  };
  // Down to the 0.1 mL/h step; an exact step stays on it (no float drift).
  const Row rows[] = {{52.5, 52.5}, {78.75, 78.7}, {106.95, 106.9},  {0.09, 0.0},
                      {0.1, 0.1},   {0.3, 0.3},    {1199.99, 1199.9}};
  for (const auto& r : rows) {
    EXPECT_DOUBLE_EQ(round_pump_rate(units::MlPerH(r.exact_ml_per_h), units::MlPerH(0.1)).value(),
                     r.expected)
        << r.exact_ml_per_h;
  }
}

}  // namespace
}  // namespace kit::dosing
