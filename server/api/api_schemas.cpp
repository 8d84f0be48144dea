#include "server/api/api_schemas.h"

#include <stdexcept>

namespace kit::server {

namespace {

std::string name_at(const nlohmann::json& op, const char* key, const std::string& where) {
  const nlohmann::json& v = op.at(key);
  if (!v.is_string()) throw std::runtime_error(where + ": \"" + key + "\" must be a schema name");
  return v.get<std::string>();
}

}  // namespace

ApiSchemas parse_api_schemas(const std::map<std::string, std::string>& files) {
  ApiSchemas out;
  for (const auto& [file, text] : files) {
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error("server/api/schemas/" + file + ": " + e.what());
    }
    for (const auto& [key, value] : doc.items()) {
      if (key != "schemas" && key != "operations" && key != "$comment") {
        throw std::runtime_error(file + ": unknown key \"" + key + "\"");
      }
    }
    const nlohmann::json components = doc.value("schemas", nlohmann::json::object());
    const nlohmann::json operations = doc.value("operations", nlohmann::json::object());
    for (const auto& [name, schema] : components.items()) {
      if (out.components.contains(name)) {
        throw std::runtime_error(file + ": schema " + name + " is declared twice");
      }
      if (!schema.is_object()) throw std::runtime_error(file + ": schema " + name + " is not {}");
      out.components[name] = schema;
    }
    for (const auto& [key, op] : operations.items()) {
      const std::string where = file + ": " + key;
      if (out.operations.count(key)) throw std::runtime_error(where + " is declared twice");
      if (!op.is_object()) throw std::runtime_error(where + " is not {}");
      OperationSchemas s;
      s.file = file;
      for (const auto& [k, v] : op.items()) {
        if (k == "request") {
          s.has_request = true;
          s.request = name_at(op, "request", where);
        } else if (k == "response") {
          s.has_response = true;
          s.response = name_at(op, "response", where);
        } else if (k == "responses") {
          for (const auto& [status, name] : v.items()) {
            if (!name.is_string()) throw std::runtime_error(where + ": responses." + status);
            s.other[status] = name.get<std::string>();
          }
        } else if (k == "response_media") {
          if (!v.is_string()) throw std::runtime_error(where + ": response_media is not a string");
          s.response_media = v.get<std::string>();
        } else if (k == "query") {
          if (!v.is_object()) throw std::runtime_error(where + ": query is not {}");
          s.query = v;
        } else if (k == "media") {
          if (!v.is_object()) throw std::runtime_error(where + ": media is not {}");
          s.media = v;
        } else if (k != "$comment") {
          throw std::runtime_error(where + ": unknown key \"" + k + "\"");
        }
      }
      out.operations.emplace(key, std::move(s));
    }
  }
  return out;
}

const ApiSchemas& api_schemas() {
  static const ApiSchemas schemas = parse_api_schemas(embedded_api_schema_files());
  return schemas;
}

}  // namespace kit::server
