#pragma once
// The request and response schemas of the routes, kept as data: server/api/schemas/*.json, one file
// per area, embedded into the library when CMake configures (server/CMakeLists.txt). Each file is
//   {"schemas":    {"Name": <JSON Schema 2020-12>, ...},          -> #/components/schemas/Name
//    "operations": {"METHOD /api/v1/pattern": {
//                      "request":  "Name" | "",                  ("" = no body; POST/PUT/PATCH)
//                      "response": "Name" | "",                  (the success status; "" = none)
//                      "responses": {"422": "Name", ...},        (optional: other statuses)
//                      "response_media": "text/csv",            (optional: a non-JSON body)
//                      "query": {"param": {"schema": <schema>, "required": true|false,
//                                          "description": "..."}, ...},   (optional)
//                      "media": {"text/html": <schema>, ...}}}}  (optional: a success body that
//                                  is not JSON, by media type; "response" is then "")
// The route table stays the source of truth for which routes exist; tests/server/openapi_test.cpp
// fails when a route has no entry here, an entry names no route, or a name resolves to nothing.
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace kit::server {

struct OperationSchemas {
  bool has_request = false;  // "request" given (required for POST/PUT/PATCH)
  std::string request;       // component name, "" = the route takes no body
  bool has_response = false;
  std::string response;  // component name, "" = no body
  // A body that is not JSON (e.g. "text/csv"), documented as a string of that media type.
  std::string response_media;
  std::map<std::string, std::string> other;         // status -> component name
  nlohmann::json query = nlohmann::json::object();  // name -> {schema, required, description}
  nlohmann::json media = nlohmann::json::object();  // media type -> schema (a non-JSON success)
  std::string file;                                 // which schemas/*.json declared it
};

struct ApiSchemas {
  nlohmann::json components = nlohmann::json::object();  // name -> schema, all files merged
  std::map<std::string, OperationSchemas> operations;    // "METHOD pattern" -> schemas
};

// Parsed once from the embedded files; throws std::runtime_error naming the file on malformed JSON,
// a component or an operation declared twice.
const ApiSchemas& api_schemas();
// Parses the given files (name -> text); api_schemas() is this over the embedded files.
ApiSchemas parse_api_schemas(const std::map<std::string, std::string>& files);
// The embedded files, name -> text (generated: embedded_api_schemas.cpp).
const std::map<std::string, std::string>& embedded_api_schema_files();

}  // namespace kit::server
