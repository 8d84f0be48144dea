#include "contract/json_reader.h"

#include <set>
#include <vector>

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/common/error.h"

namespace kit::contract {

namespace {
const char* type_name(const Json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  return "an object";
}
}  // namespace

ObjectReader::ObjectReader(const Json& object, std::string path)
    : object_(&object), path_(std::move(path)) {
  if (!object.is_object()) {
    throw InputError(path_.empty() ? "input" : path_,
                     std::string("must be a JSON object, got ") + type_name(object));
  }
}

std::string ObjectReader::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

bool ObjectReader::has(std::string_view key) const {
  auto it = object_->find(std::string(key));
  return it != object_->end();
}

const Json* ObjectReader::find(std::string_view key) {
  read_.emplace(key);
  auto it = object_->find(std::string(key));
  if (it == object_->end()) return nullptr;
  return &*it;
}

const Json& ObjectReader::require(std::string_view key) {
  const Json* v = find(key);
  if (v == nullptr) throw InputError(path_of(key), "is required");
  return *v;
}

double as_number(const Json& value, const std::string& path) {
  if (!value.is_number()) {
    throw InputError(path, std::string("must be a number, got ") + type_name(value));
  }
  double d = value.get<double>();
  if (!std::isfinite(d)) throw InputError(path, "must be a finite number");
  return d;
}

std::string element_path(const std::string& array_path, std::size_t index) {
  return array_path + "[" + std::to_string(index) + "]";
}

double ObjectReader::number(std::string_view key) { return as_number(require(key), path_of(key)); }

std::optional<double> ObjectReader::optional_number(std::string_view key) {
  const Json* v = find(key);
  if (v == nullptr) return std::nullopt;
  return as_number(*v, path_of(key));
}

long long ObjectReader::integer(std::string_view key) {
  auto v = optional_integer(key);
  if (!v) throw InputError(path_of(key), "is required");
  return *v;
}

std::optional<long long> ObjectReader::optional_integer(std::string_view key) {
  const Json* v = find(key);
  if (v == nullptr) return std::nullopt;
  double d = as_number(*v, path_of(key));
  if (d != std::floor(d) || std::fabs(d) > 9.0e15) {
    throw InputError(path_of(key), "must be a whole number");
  }
  return static_cast<long long>(d);
}

std::string ObjectReader::string(std::string_view key) {
  auto v = optional_string(key);
  if (!v) throw InputError(path_of(key), "is required");
  return *v;
}

std::optional<std::string> ObjectReader::optional_string(std::string_view key) {
  const Json* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    throw InputError(path_of(key), std::string("must be a string, got ") + type_name(*v));
  }
  return v->get<std::string>();
}

bool ObjectReader::boolean(std::string_view key) {
  auto v = optional_boolean(key);
  if (!v) throw InputError(path_of(key), "is required");
  return *v;
}

std::optional<bool> ObjectReader::optional_boolean(std::string_view key) {
  const Json* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) {
    throw InputError(path_of(key), std::string("must be true or false, got ") + type_name(*v));
  }
  return v->get<bool>();
}

ObjectReader ObjectReader::object(std::string_view key) {
  return ObjectReader(require(key), path_of(key));
}

std::optional<ObjectReader> ObjectReader::optional_object(std::string_view key) {
  const Json* v = find(key);
  if (v == nullptr) return std::nullopt;
  return ObjectReader(*v, path_of(key));
}

const Json& ObjectReader::value(std::string_view key) { return require(key); }
const Json* ObjectReader::optional_value(std::string_view key) { return find(key); }

const Json& ObjectReader::array(std::string_view key) {
  const Json& v = require(key);
  if (!v.is_array()) {
    throw InputError(path_of(key), std::string("must be an array, got ") + type_name(v));
  }
  return v;
}

const Json* ObjectReader::optional_array(std::string_view key) {
  const Json* v = find(key);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) {
    throw InputError(path_of(key), std::string("must be an array, got ") + type_name(*v));
  }
  return v;
}

std::vector<double> ObjectReader::number_array(std::string_view key) {
  const Json& a = array(key);
  std::vector<double> out;
  out.reserve(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out.push_back(as_number(a[i], element_path(path_of(key), i)));
  return out;
}

void ObjectReader::finish() const {
  for (auto it = object_->begin(); it != object_->end(); ++it) {
    if (read_.find(it.key()) == read_.end()) {
      throw InputError(path_of(it.key()), "unknown field (check the spelling; unknown fields are refused)");
    }
  }
}

Json parse_request(std::string_view text) { return parse_json_text(text, "input"); }

namespace {
// Text that would hide or reorder what a reader sees: NUL (truncates C strings and log lines) and
// the bidirectional embedding, override and isolate controls U+202A-U+202E and U+2066-U+2069
// (Trojan Source, CVE-2021-42574). The parser has already validated the UTF-8, so the byte
// sequences below can only be these code points.
bool has_hidden_control(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0x00) return true;
    if (c == 0xE2 && i + 2 < s.size()) {
      const auto b1 = static_cast<unsigned char>(s[i + 1]);
      const auto b2 = static_cast<unsigned char>(s[i + 2]);
      if (b1 == 0x80 && b2 >= 0xAA && b2 <= 0xAE) return true;  // U+202A-U+202E
      if (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9) return true;  // U+2066-U+2069
    }
  }
  return false;
}
constexpr const char* kHiddenControlReason =
    "must not contain NUL or bidirectional control characters (U+202A-U+202E, U+2066-U+2069)";
}  // namespace

Json parse_json_text(std::string_view text, const std::string& field) {
  // Per open object: the keys seen, and the last one (names the field of the value that follows).
  struct OpenObject {
    std::set<std::string> keys;
    std::string last_key;
  };
  std::vector<OpenObject> objects;
  const auto current_field = [&]() -> const std::string& {
    return objects.empty() || objects.back().last_key.empty() ? field : objects.back().last_key;
  };
  const Json::parser_callback_t check = [&](int depth, Json::parse_event_t event,
                                            Json& parsed) -> bool {
    if (depth > kMaxJsonDepth) {
      throw InputError(field, "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    switch (event) {
      case Json::parse_event_t::object_start:
        objects.emplace_back();
        break;
      case Json::parse_event_t::key: {
        const std::string& key = parsed.get_ref<const std::string&>();
        if (has_hidden_control(key)) throw InputError(field, kHiddenControlReason);
        if (!objects.back().keys.insert(key).second) {
          throw InputError(field, "the key \"" + key + "\" appears twice in one object");
        }
        objects.back().last_key = key;
        break;
      }
      case Json::parse_event_t::value:
        if (parsed.is_string() && has_hidden_control(parsed.get_ref<const std::string&>())) {
          throw InputError(current_field(), kHiddenControlReason);
        }
        break;
      case Json::parse_event_t::object_end:
        objects.pop_back();
        break;
      default:
        break;
    }
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), check);
  } catch (const Json::parse_error& e) {
    throw InputError(field, std::string("malformed JSON at byte ") + std::to_string(e.byte));
  } catch (const Json::out_of_range&) {
    // A number beyond a double (1e400): nlohmann reports it as out_of_range 406, "number
    // overflow". It is the value of the key read last.
    throw InputError(current_field(), "a number is out of range (beyond +/-1.8e308)");
  }
}

}  // namespace kit::contract
