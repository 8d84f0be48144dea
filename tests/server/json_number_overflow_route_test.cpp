// A request body with a number beyond a double (1e400) is a 400 naming the field, not a 500 (found
// by the fuzz targets: nlohmann::json's out_of_range "number overflow" escaped parse_body as an
// exception of another type, which the router answers as internal).
#include <gtest/gtest.h>

#include "tests/server/api_fixture.h"

namespace kit::server::testing {
namespace {

class JsonNumberOverflowRoute : public ApiFixture {};

TEST_F(JsonNumberOverflowRoute, IsA400NamingTheField) {
  const Caller md = make_caller(Role::physician);
  const Response r =
      call(request("POST", "/api/v1/calculators/mme", R"({"medications": 1e388})"), &md);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(error_code(r), "invalid_input");
  EXPECT_EQ(error_field(r), "medications");
}

}  // namespace
}  // namespace kit::server::testing
