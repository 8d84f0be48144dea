// Questionnaire wording for the patient portal (server/resources/questionnaire_text.h).
#include "server/resources/questionnaire_text.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "core/instruments/instrument.h"
#include "server/api/services.h"

namespace kit::server {

namespace {

using nlohmann::json;

std::string check_options(const json& options, const instruments::InstrumentDefinition& def,
                          const std::string& where) {
  if (!options.is_array()) return where + ": must be an array of {value, label}";
  const std::size_t want = static_cast<std::size_t>(def.item_max - def.item_min + 1);
  if (options.size() != want) {
    return where + ": " + std::string(def.id) + " answers take " + std::to_string(want) +
           " values (" + std::to_string(def.item_min) + " to " + std::to_string(def.item_max) +
           "), not " + std::to_string(options.size());
  }
  for (std::size_t i = 0; i < options.size(); ++i) {
    const json& o = options[i];
    const std::string at = where + "[" + std::to_string(i) + "]";
    if (!o.is_object() || !o.contains("value") || !o.at("value").is_number_integer() ||
        !o.contains("label") || !o.at("label").is_string() ||
        o.at("label").get<std::string>().empty()) {
      return at + ": must be {\"value\": integer, \"label\": non-empty text}";
    }
    if (o.at("value").get<long long>() != def.item_min + static_cast<long long>(i)) {
      return at + ".value: must be " + std::to_string(def.item_min + static_cast<int>(i)) +
             " (the catalogue's answer values, in order)";
    }
  }
  return "";
}

std::string text_member(const json& doc, const char* key) {
  if (!doc.contains(key) || !doc.at(key).is_string() || doc.at(key).get<std::string>().empty()) {
    return std::string(key) + ": must be non-empty text";
  }
  return "";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("'" + path + "' cannot be read");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

bool is_portal_language(std::string_view language) {
  for (const char* l : kPortalLanguages) {
    if (language == l) return true;
  }
  return false;
}

std::string check_questionnaire_text(const json& doc) {
  if (!doc.is_object()) return "must be an object";
  static const std::set<std::string> known = {"instrument",   "language", "title",
                                              "instructions", "options",  "items",
                                              "attribution",  "source"};
  for (const auto& [key, _] : doc.items()) {
    if (!known.count(key)) return key + ": unknown member";
  }
  for (const char* key :
       {"instrument", "language", "title", "instructions", "attribution", "source"}) {
    if (std::string e = text_member(doc, key); !e.empty()) return e;
  }
  const std::string id = doc.at("instrument").get<std::string>();
  const instruments::InstrumentDefinition* def = instruments::find_instrument(id);
  if (!def) return "instrument: '" + id + "' is not in the catalogue";
  if (!is_portal_language(doc.at("language").get<std::string>())) {
    return "language: must be en or es";
  }
  if (!doc.contains("items") || !doc.at("items").is_array()) return "items: must be an array";
  const json& items = doc.at("items");
  if (items.size() != static_cast<std::size_t>(def->item_count)) {
    return "items: " + id + " has " + std::to_string(def->item_count) +
           " items in the catalogue, the text has " + std::to_string(items.size());
  }
  const bool shared = doc.contains("options");
  if (shared) {
    if (std::string e = check_options(doc.at("options"), *def, "options"); !e.empty()) return e;
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string at = "items[" + std::to_string(i) + "]";
    const json& item = items[i];
    if (!item.is_object()) return at + ": must be an object";
    for (const auto& [key, _] : item.items()) {
      if (key != "text" && key != "options") return at + "." + key + ": unknown member";
    }
    if (std::string e = text_member(item, "text"); !e.empty()) return at + "." + e;
    if (item.contains("options")) {
      if (std::string e = check_options(item.at("options"), *def, at + ".options"); !e.empty()) {
        return e;
      }
    } else if (!shared) {
      return at + ".options: missing (and the text has no shared options)";
    }
  }
  return "";
}

const std::vector<json>& shipped_questionnaire_texts() {
  static const std::vector<json> texts = [] {
    std::vector<json> out;
    for (const auto& [name, text] : embedded_questionnaire_files()) {
      json doc = json::parse(text);
      if (std::string e = check_questionnaire_text(doc); !e.empty()) {
        throw std::logic_error("server/questionnaires/" + name + ": " + e);
      }
      const std::string want = doc.at("instrument").get<std::string>() + "." +
                               doc.at("language").get<std::string>() + ".json";
      if (name != want) {
        throw std::logic_error("server/questionnaires/" + name + ": must be named " + want);
      }
      out.push_back(std::move(doc));
    }
    return out;
  }();
  return texts;
}

std::string load_clinic_questionnaire_texts(const std::string& path) {
  const std::string what = "questionnaire_texts_file: '" + path + "'";
  json doc;
  try {
    doc = json::parse(read_file(path));
  } catch (const json::exception& e) {
    throw std::runtime_error(what + " is not valid JSON: " + e.what());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("questionnaire_texts_file: " + std::string(e.what()));
  }
  if (!doc.is_array()) throw std::runtime_error(what + ": must be a JSON array of texts");
  std::set<std::string> seen;
  for (const json& t : shipped_questionnaire_texts()) {
    seen.insert(t.at("instrument").get<std::string>() + "." + t.at("language").get<std::string>());
  }
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const std::string at = what + " [" + std::to_string(i) + "]";
    if (std::string e = check_questionnaire_text(doc[i]); !e.empty()) {
      throw std::runtime_error(at + ": " + e);
    }
    const std::string key =
        doc[i].at("instrument").get<std::string>() + "." + doc[i].at("language").get<std::string>();
    if (!seen.insert(key).second) {
      throw std::runtime_error(at + ": " + key +
                               " is already there (KIT ships it, or the file has it twice)");
    }
  }
  return doc.dump();
}

std::vector<json> questionnaire_texts(const ServerConfig& config) {
  std::vector<json> out = shipped_questionnaire_texts();
  if (!config.clinic_questionnaire_texts.empty()) {
    for (const json& t : json::parse(config.clinic_questionnaire_texts)) out.push_back(t);
  }
  return out;
}

std::optional<json> questionnaire_text(const ServerConfig& config, std::string_view instrument,
                                       std::string_view language) {
  std::optional<json> english;
  for (json& t : questionnaire_texts(config)) {
    if (t.at("instrument") != instrument) continue;
    if (t.at("language") == language) return std::move(t);
    if (t.at("language") == "en") english = std::move(t);
  }
  return english;
}

}  // namespace kit::server
