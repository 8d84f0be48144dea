// ISMP formatting of quantities in printed reports (docs/reference/pharmacology.md §11): the same
// table of cases as web/src/format/quantity.test.ts, so the browser and the printout agree.
#include "server/reports/quantity_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <regex>
#include <string>

namespace {

using kit::reports::format_number;
using kit::reports::format_quantity;
using kit::reports::Unit;

const std::string NB = "\xC2\xA0";

struct Case {
  std::optional<double> value;
  Unit unit;
  std::optional<int> max_decimals;
  std::string expected;
};

TEST(QuantityFormat, MirrorsTheWebTable) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const Case cases[] = {
      // leading zero below one
      {0.5, Unit::mg_per_kg, {}, "0.5" + NB + "mg/kg"},
      {0.05, Unit::mg, {}, "0.05" + NB + "mg"},
      {0.875, Unit::mg_per_min, {}, "0.875" + NB + "mg/min"},
      {0.75, Unit::mg_per_kg_per_h, {}, "0.75" + NB + "mg/kg/h"},
      // no trailing zero after a whole number
      {35, Unit::mg, {}, "35" + NB + "mg"},
      {35.0, Unit::mg, {}, "35" + NB + "mg"},
      {1.0, Unit::mg, {}, "1" + NB + "mg"},
      {2.5, Unit::mL, {}, "2.5" + NB + "mL"},
      {12.25, Unit::mL, {}, "12.25" + NB + "mL"},
      {10, Unit::mg_per_mL, {}, "10" + NB + "mg/mL"},
      // thousands separators
      {1200, Unit::mL_per_h, {}, "1,200" + NB + "mL/h"},
      {1000, Unit::mg, {}, "1,000" + NB + "mg"},
      {999, Unit::mg, {}, "999" + NB + "mg"},
      {1234567.5, Unit::mL, {}, "1,234,567.5" + NB + "mL"},
      // rounding to the unit's precision, then dropping zeros
      {52.5, Unit::mL_per_h, {}, "52.5" + NB + "mL/h"},
      {4.17, Unit::mL_per_h, {}, "4.2" + NB + "mL/h"},
      {41.7, Unit::mL_per_h, {}, "41.7" + NB + "mL/h"},
      {52.04, Unit::mL_per_h, {}, "52" + NB + "mL/h"},
      {0.04, Unit::mL_per_h, {}, "0" + NB + "mL/h"},
      {4.17, Unit::mL_per_h, 2, "4.17" + NB + "mL/h"},
      {185, Unit::ng_per_mL, {}, "185" + NB + "ng/mL"},
      {0.2404, Unit::mcg_per_mL, {}, "0.24" + NB + "mcg/mL"},
      {70, Unit::kg, {}, "70" + NB + "kg"},
      {70.55, Unit::kg, {}, "70.6" + NB + "kg"},
      {120, Unit::mmHg, {}, "120" + NB + "mmHg"},
      {97, Unit::percent, {}, "97%"},
      {5, Unit::units, {}, "5" + NB + "units"},
      {90, Unit::MME_per_day, {}, "90" + NB + "MME/day"},
      // signs and zero
      {0, Unit::mg, {}, "0" + NB + "mg"},
      {-0.0, Unit::mg, {}, "0" + NB + "mg"},
      {-16, Unit::mmHg, {}, "-16" + NB + "mmHg"},
      {-0.001, Unit::mg, {}, "0" + NB + "mg"},
      {-1500.25, Unit::mg, {}, "-1,500.25" + NB + "mg"},
      // nothing to show
      {std::nullopt, Unit::mg, {}, "\xE2\x80\x94"},
      {std::nullopt, Unit::mL_per_h, {}, "\xE2\x80\x94"},
      {nan, Unit::mg, {}, "\xE2\x80\x94"},
      {inf, Unit::mL_per_h, {}, "\xE2\x80\x94"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(format_quantity(c.value, c.unit, c.max_decimals), c.expected)
        << (c.value ? std::to_string(*c.value) : "null");
  }
}

TEST(QuantityFormat, FormatNumberGroupsThousandsAndKeepsTheLeadingZero) {
  EXPECT_EQ(format_number(0.5, 2), "0.5");
  EXPECT_EQ(format_number(12000, 0), "12,000");
  EXPECT_EQ(format_number(12000.5, 0), "12,001");
  EXPECT_EQ(format_number(999.995, 2), "1,000");  // the carry reaches the thousands
  EXPECT_EQ(format_number(9.96, 1), "10");
}

TEST(QuantityFormat, NeverABareDecimalPointATrailingZeroOrAForbiddenUnit) {
  const Unit units[] = {Unit::mg,       Unit::mcg,       Unit::mL,
                        Unit::mL_per_h, Unit::mg_per_kg, Unit::mg_per_kg_per_h,
                        Unit::units};
  const std::regex bare_point("(^|[^0-9])\\.\\d");
  const std::regex trailing_zero("\\.\\d*0(\xC2\xA0|$)");
  const std::regex forbidden("\xC2\xB5g|cc\\b|\\bU\\b|\\bIU\\b");
  const std::regex ungrouped("(^|[^\\d,.])\\d{4,}");
  std::mt19937_64 rng(20261126);
  std::uniform_real_distribution<double> unit_interval(0.0, 1.0);
  for (int i = 0; i < 2000; ++i) {
    const double value =
        std::round(unit_interval(rng) * std::pow(10.0, 1 + (i % 7))) / std::pow(10.0, i % 5);
    for (Unit unit : units) {
      const std::string text = format_quantity(value, unit);
      EXPECT_FALSE(std::regex_search(text, bare_point)) << text;
      EXPECT_FALSE(std::regex_search(text, trailing_zero)) << text;
      EXPECT_FALSE(std::regex_search(text, forbidden)) << text;
      EXPECT_FALSE(std::regex_search(text, ungrouped)) << text;
    }
  }
}

}  // namespace
