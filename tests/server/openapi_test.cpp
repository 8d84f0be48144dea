// The OpenAPI document is true: every route is in it with its method, and every operation in it is
// a route.
#include "server/resources/modules.h"
#include "tests/server/api_fixture.h"

namespace kit::server::testing {
namespace {

class OpenApiTest : public ApiFixture {};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST_F(OpenApiTest, EveryRouteIsDocumentedAndEveryDocumentedPathIsARoute) {
  Response r = anon("GET", "/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  const nlohmann::json doc = body(r);
  EXPECT_EQ(doc, openapi_document(router_));
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  const nlohmann::json& paths = doc["paths"];

  std::set<std::pair<std::string, std::string>> routes;
  for (const Route& route : router_.routes()) {
    routes.insert({route.pattern, lower(route.method)});
    SCOPED_TRACE(route.method + " " + route.pattern);
    ASSERT_TRUE(paths.contains(route.pattern));
    ASSERT_TRUE(paths[route.pattern].contains(lower(route.method)));
    const nlohmann::json& op = paths[route.pattern][lower(route.method)];
    EXPECT_EQ(op["summary"], route.summary);
    EXPECT_TRUE(op["responses"].contains(std::to_string(route.success_status)));
    if (route.access.is_public) {
      EXPECT_TRUE(op["security"].empty());
    } else {
      EXPECT_FALSE(op["security"].empty());
      EXPECT_TRUE(op["responses"].contains("401"));
      EXPECT_TRUE(op["responses"].contains("403"));
      EXPECT_EQ(op["x-kit-access"]["roles"].size(), route.access.roles.size());
    }
    // Each {param} of the pattern is described.
    std::size_t params = 0;
    for (char c : route.pattern) params += c == '{' ? 1 : 0;
    EXPECT_EQ(op.value("parameters", nlohmann::json::array()).size(), params);
  }
  std::size_t operations = 0;
  for (auto& [path, item] : paths.items()) {
    for (auto& [method, op] : item.items()) {
      ++operations;
      EXPECT_TRUE(routes.count({path, method})) << method << " " << path << " is not a route";
    }
  }
  EXPECT_EQ(operations, router_.routes().size());
  EXPECT_TRUE(doc["components"]["schemas"].contains("Error"));
}

TEST_F(OpenApiTest, FixedInterfaceRoutesArePresent) {
  const nlohmann::json doc = openapi_document(router_);
  EXPECT_TRUE(doc["paths"]["/api/v1/auth/login"].contains("post"));
  EXPECT_TRUE(doc["paths"]["/api/v1/auth/logout"].contains("post"));
  EXPECT_TRUE(doc["paths"]["/api/v1/inquiries"].contains("post"));
  EXPECT_TRUE(doc["paths"]["/api/v1/inquiries"].contains("get"));
  EXPECT_TRUE(doc["paths"]["/api/v1/openapi.json"].contains("get"));
}

}  // namespace
}  // namespace kit::server::testing
