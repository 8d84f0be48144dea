// GET /api/v1/openapi.json: the OpenAPI 3 document, generated from the route table itself, so it
// cannot drift from what the router serves (tests/server/openapi_test.cpp checks both ways).
#include <nlohmann/json.hpp>

#include "server/api/api_schemas.h"
#include "server/resources/modules.h"

namespace kit::server {

namespace {

nlohmann::json ref(const std::string& name) { return {{"$ref", "#/components/schemas/" + name}}; }

nlohmann::json json_content(const nlohmann::json& schema) {
  return {{"application/json", {{"schema", schema}}}};
}

nlohmann::json error_ref(const std::string& description) {
  return {{"description", description}, {"content", json_content(ref("Error"))}};
}

// A response that is either the named body or an Error (a calculator's refusal answers 422 with
// its own JSON; other 422s are errors).
nlohmann::json body_or_error(const std::string& name, const std::string& description) {
  return {{"description", description},
          {"content", json_content({{"anyOf", {ref(name), ref("Error")}}})}};
}

std::string operation_id(const Route& r) {
  std::string id = r.method;
  for (char c : r.pattern) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      id.push_back(c);
    } else if (!id.empty() && id.back() != '_') {
      id.push_back('_');
    }
  }
  while (!id.empty() && id.back() == '_') id.pop_back();
  return id;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

}  // namespace

nlohmann::json openapi_document(const Router& router) {
  const ApiSchemas& schemas = api_schemas();
  nlohmann::json paths = nlohmann::json::object();
  std::set<std::string> tags;
  for (const Route& r : router.routes()) {
    nlohmann::json op;
    op["summary"] = r.summary;
    op["operationId"] = operation_id(r);
    if (!r.tag.empty()) {
      op["tags"] = {r.tag};
      tags.insert(r.tag);
    }
    // Path parameters.
    nlohmann::json params = nlohmann::json::array();
    std::size_t pos = 0;
    while ((pos = r.pattern.find('{', pos)) != std::string::npos) {
      const std::size_t end = r.pattern.find('}', pos);
      const std::string name = r.pattern.substr(pos + 1, end - pos - 1);
      params.push_back({{"name", name},
                        {"in", "path"},
                        {"required", true},
                        {"schema", {{"type", "integer"}, {"format", "int64"}, {"minimum", 1}}}});
      pos = end;
    }
    // Request, response and query schemas (server/api/schemas/*.json). A route without an entry
    // is described with an open object (tests/server/openapi_test.cpp fails on it).
    const auto found = schemas.operations.find(r.method + " " + r.pattern);
    const OperationSchemas* s = found == schemas.operations.end() ? nullptr : &found->second;
    if (s != nullptr) {
      for (const auto& [name, q] : s->query.items()) {
        nlohmann::json p = {{"name", name},
                            {"in", "query"},
                            {"required", q.value("required", false)},
                            {"schema", q.value("schema", nlohmann::json::object())}};
        if (q.contains("description")) p["description"] = q["description"];
        params.push_back(p);
      }
    }
    if (!params.empty()) op["parameters"] = params;
    const bool body_method = r.method == "POST" || r.method == "PUT" || r.method == "PATCH";
    if (s == nullptr ? body_method : !s->request.empty()) {
      op["requestBody"] = {
          {"required", true},
          {"content",
           json_content(s == nullptr ? nlohmann::json{{"type", "object"}} : ref(s->request))}};
    }
    // Access rule.
    nlohmann::json roles = nlohmann::json::array();
    for (Role role : r.access.roles) roles.push_back(std::string(role_name(role)));
    if (r.access.is_public) {
      op["security"] = nlohmann::json::array();
    } else {
      op["security"] = {{{"bearerAuth", nlohmann::json::array()}},
                        {{"cookieAuth", nlohmann::json::array()}}};
    }
    op["x-kit-access"] = {
        {"public", r.access.is_public}, {"roles", roles}, {"patient_self", r.access.patient_self}};
    op["x-kit-audited"] = r.patient_data;
    // Reachable before a required second factor is enrolled (docs/security.md, Second factor).
    if (r.before_second_factor) op["x-kit-before-second-factor"] = true;

    nlohmann::json responses = nlohmann::json::object();
    nlohmann::json& success = responses[std::to_string(r.success_status)];
    success = {{"description", "success"}};
    if (s == nullptr) {
      success["content"] = json_content(nlohmann::json::object());
    } else if (!s->media.empty()) {
      for (const auto& [media_type, schema] : s->media.items()) {
        success["content"][media_type] = {{"schema", schema}};
      }
    } else if (!s->response_media.empty()) {
      success["content"] = {{s->response_media, {{"schema", {{"type", "string"}}}}}};
    } else if (!s->response.empty()) {
      success["content"] = json_content(ref(s->response));
    }
    responses["400"] = error_ref("bad input; error.field names the field");
    if (!r.access.is_public) {
      responses["401"] = error_ref("not logged in");
      responses["403"] = error_ref("the role may not do this, or CSRF token missing (code csrf)");
    }
    if (r.pattern.find('{') != std::string::npos) responses["404"] = error_ref("not found");
    if (r.method == "PATCH" || r.method == "PUT") {
      responses["412"] = error_ref("stale write: If-Match does not match the current ETag");
      responses["428"] = error_ref("If-Match header required");
    }
    if (r.method != "GET") {
      responses["409"] = error_ref("conflict with existing data");
      responses["422"] = error_ref("refused by a clinical rule");
    }
    responses["429"] = error_ref("rate limited or locked out");
    responses["default"] = error_ref("unexpected error");
    if (s != nullptr) {
      for (const auto& [status, name] : s->other) {
        const std::string description = responses.contains(status)
                                            ? responses[status]["description"].get<std::string>()
                                            : std::string("see the summary");
        responses[status] = body_or_error(name, description);
      }
    }
    op["responses"] = responses;
    paths[r.pattern][lower(r.method)] = op;
  }

  nlohmann::json tag_list = nlohmann::json::array();
  for (const std::string& t : tags) tag_list.push_back({{"name", t}});

  return {
      // 3.1: the schemas are plain JSON Schema 2020-12 (type ["string", "null"], not nullable).
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "KIT clinic API"},
        {"version", "1"},
        {"license", {{"name", "Apache-2.0"}, {"identifier", "Apache-2.0"}}},
        {"description",
         "HTTP/1.1 JSON API of KIT. Errors are {\"error\":{\"code\",\"message\",\"field\"}}. "
         "Updates "
         "need If-Match with the record's ETag. Cookie sessions send X-CSRF-Token on writes."}}},
      {"servers", {{{"url", "/"}}}},
      {"tags", tag_list},
      {"paths", paths},
      {"components",
       {{"securitySchemes",
         {{"bearerAuth", {{"type", "http"}, {"scheme", "bearer"}}},
          {"cookieAuth", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "kit_session"}}}}},
        {"schemas", schemas.components}}}};
}

void register_openapi_routes(Router& router) {
  // The handler reads the router it is registered in; the router owns the handler, so it lives as
  // long as the router (do not copy a Router after registering this route).
  const Router* self = &router;
  router.add({"GET", "/api/v1/openapi.json", "This OpenAPI 3 document", "meta", access_public(),
              false, [self](RouteContext&) { return json_response(openapi_document(*self)); },
              200});
}

}  // namespace kit::server
