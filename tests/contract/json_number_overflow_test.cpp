// A JSON number beyond the range of a double (1e400) is bad input naming its field, like any other
// malformed request (found by the fuzz targets fuzz/contract_*: nlohmann::json throws
// out_of_range 406 "number overflow", which escaped the reader as an exception of another type:
// `kit` answered "error: input: [json.exception...]" without the field, and the server 500).
// The inputs that found it: fuzz/regressions/contract_*/number-overflow-*.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "contract/json_reader.h"
#include "contract/mme_api.h"
#include "core/common/error.h"

namespace kit::contract {
namespace {

std::string field_of(const std::string& text) {
  try {
    parse_request(text);
  } catch (const InputError& e) {
    return e.field();
  }
  return "(no InputError)";
}

TEST(JsonNumberOverflow, IsBadInputNamingTheField) {
  EXPECT_EQ(field_of(R"({"weight_kg": 1e400})"), "weight_kg");
  EXPECT_EQ(field_of(R"({"patient": {"height_cm": -2e308}})"), "height_cm");
  EXPECT_EQ(field_of(R"({"doses": [1, 2, 1e999]})"), "doses");
  EXPECT_EQ(field_of("1e400"), "input");
}

TEST(JsonNumberOverflow, LargeButFiniteNumbersStillParse) {
  EXPECT_EQ(parse_request(R"({"a": 1e308})")["a"].get<double>(), 1e308);
  EXPECT_EQ(parse_request(R"({"a": 18446744073709551616})")["a"].get<double>(),
            18446744073709551616.0);
}

TEST(JsonNumberOverflow, ACommandAnswersItAsBadInput) {
  try {
    handle_mme(parse_request(R"({"medications": 1e388})"));
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "medications");
  }
}

}  // namespace
}  // namespace kit::contract
