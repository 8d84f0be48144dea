// The OpenAPI document is true: every route is in it with its method, and every operation in it is
// a route.
#include <functional>

#include "server/api/api_schemas.h"
#include "server/resources/modules.h"
#include "tests/server/api_fixture.h"
#include "tests/support/run_process.h"

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
    std::size_t path_params = 0;
    for (const auto& p : op.value("parameters", nlohmann::json::array())) {
      path_params += p["in"] == "path" ? 1 : 0;
    }
    EXPECT_EQ(path_params, params);
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

// Every $ref in a JSON value, as the component name it points to.
void collect_refs(const nlohmann::json& v, std::set<std::string>& out) {
  if (v.is_object()) {
    for (const auto& [k, child] : v.items()) {
      if (k == "$ref" && child.is_string()) {
        out.insert(child.get<std::string>());
      } else {
        collect_refs(child, out);
      }
    }
  } else if (v.is_array()) {
    for (const auto& child : v) collect_refs(child, out);
  }
}

// Every route declares its response schema (and, taking a body, its request schema) in
// server/api/schemas/*.json; every name resolves; no entry names a route that does not exist.
TEST_F(OpenApiTest, EveryRouteDeclaresItsSchemasAndEveryNameResolves) {
  const ApiSchemas& schemas = api_schemas();
  ASSERT_TRUE(schemas.components.contains("Error"));
  std::set<std::string> keys;
  for (const Route& route : router_.routes()) {
    const std::string key = route.method + " " + route.pattern;
    keys.insert(key);
    SCOPED_TRACE(key);
    auto it = schemas.operations.find(key);
    if (it == schemas.operations.end()) {
      ADD_FAILURE() << key << " has no entry in server/api/schemas/*.json (\"operations\")";
      continue;
    }
    const OperationSchemas& op = it->second;
    EXPECT_TRUE(op.has_response) << "no \"response\" (a schema name, or \"\" for no body)";
    const bool body_method =
        route.method == "POST" || route.method == "PUT" || route.method == "PATCH";
    if (body_method) {
      EXPECT_TRUE(op.has_request) << "no \"request\" (a schema name, or \"\" for no body)";
    } else {
      EXPECT_TRUE(op.request.empty()) << route.method << " takes no body";
    }
    for (const std::string& name : {op.request, op.response}) {
      if (!name.empty()) {
        EXPECT_TRUE(schemas.components.contains(name)) << "no schema " << name;
      }
    }
    for (const auto& [status, name] : op.other) {
      EXPECT_TRUE(schemas.components.contains(name)) << "no schema " << name;
      EXPECT_NE(status, std::to_string(route.success_status)) << "use \"response\"";
    }
    for (const auto& [name, q] : op.query.items()) {
      EXPECT_TRUE(q.is_object() && q.contains("schema")) << "query " << name << " needs a schema";
      EXPECT_EQ(route.pattern.find("{" + name + "}"), std::string::npos)
          << name << " is a path parameter";
    }
  }
  for (const auto& [key, op] : schemas.operations) {
    EXPECT_TRUE(keys.count(key)) << op.file << ": " << key << " is not a route";
  }
  // Every $ref, in the components and in the served document, points at a component.
  std::set<std::string> refs;
  collect_refs(schemas.components, refs);
  collect_refs(openapi_document(router_)["paths"], refs);
  for (const std::string& ref : refs) {
    const std::string prefix = "#/components/schemas/";
    ASSERT_EQ(ref.rfind(prefix, 0), 0u) << ref;
    EXPECT_TRUE(schemas.components.contains(ref.substr(prefix.size()))) << "dangling " << ref;
  }
}

// The served document carries the declared schemas, not placeholders.
TEST_F(OpenApiTest, OperationsCarryTheirSchemas) {
  const nlohmann::json doc = openapi_document(router_);
  EXPECT_EQ(doc["openapi"], "3.1.0");
  const nlohmann::json& get_patient = doc["paths"]["/api/v1/patients/{id}"]["get"];
  EXPECT_EQ(get_patient["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Patient");
  const nlohmann::json& post_patient = doc["paths"]["/api/v1/patients"]["post"];
  const std::string req_ref =
      post_patient["requestBody"]["content"]["application/json"]["schema"]["$ref"];
  const nlohmann::json& req = doc["components"]["schemas"][req_ref.substr(21)];
  EXPECT_EQ(req["additionalProperties"], false);  // the handler refuses unknown fields
  EXPECT_TRUE(req["required"].is_array());
  // A GET has query parameters where the handler reads them.
  bool has_limit = false;
  for (const auto& p : doc["paths"]["/api/v1/patients"]["get"]["parameters"]) {
    has_limit = has_limit || (p["name"] == "limit" && p["in"] == "query");
  }
  EXPECT_TRUE(has_limit);
  // A calculator's refusal answers 422 with its own JSON or an Error.
  EXPECT_TRUE(doc["paths"]["/api/v1/calculators/dose"]["post"]["responses"]["422"]["content"]
                 ["application/json"]["schema"]
                     .contains("anyOf"));
}

// `kit openapi` prints the served document without a server (tools/openapi/check.sh reads it).
TEST_F(OpenApiTest, KitOpenapiPrintsTheServedDocument) {
  const auto r = kit::test::run_kit({"openapi"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out), body(anon("GET", "/api/v1/openapi.json")));
}

// Malformed or duplicated declarations are refused when the files are read.
TEST(ApiSchemasParse, RefusesDuplicatesAndUnknownKeys) {
  const std::string a = R"({"schemas": {"X": {"type": "object"}}})";
  EXPECT_THROW(parse_api_schemas({{"a.json", a}, {"b.json", a}}), std::runtime_error);
  EXPECT_THROW(parse_api_schemas({{"a.json", R"({"operation": {}})"}}), std::runtime_error);
  EXPECT_THROW(parse_api_schemas({{"a.json", R"({"operations": {"GET /x": {"respons": "X"}}})"}}),
               std::runtime_error);
  EXPECT_THROW(parse_api_schemas({{"a.json", "{"}}), std::runtime_error);
  const ApiSchemas ok = parse_api_schemas(
      {{"a.json", R"({"operations": {"GET /x": {"response": ""}, "POST /x": {"request": "X",
                    "response": "X"}}, "schemas": {"X": {}}})"}});
  EXPECT_TRUE(ok.operations.at("GET /x").has_response);
  EXPECT_FALSE(ok.operations.at("GET /x").has_request);
  EXPECT_EQ(ok.operations.at("POST /x").request, "X");
}

}  // namespace
}  // namespace kit::server::testing
