#pragma once
// Strict reading of JSON requests. Every field is looked up by name, type-checked and, once the
// reader is finished, any field that was never asked for is refused: in dosing a misspelt field
// must never be silently ignored. Every error is a kit::InputError naming the field's full path.
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace kit::contract {

using Json = nlohmann::json;

class ObjectReader {
 public:
  // `path` is the location of this object in the request ("" for the top level).
  ObjectReader(const Json& object, std::string path);

  double number(std::string_view key);
  std::optional<double> optional_number(std::string_view key);
  // Numbers that must be whole (counts, seeds).
  long long integer(std::string_view key);
  std::optional<long long> optional_integer(std::string_view key);
  std::string string(std::string_view key);
  std::optional<std::string> optional_string(std::string_view key);
  bool boolean(std::string_view key);
  std::optional<bool> optional_boolean(std::string_view key);
  ObjectReader object(std::string_view key);
  std::optional<ObjectReader> optional_object(std::string_view key);
  // The raw value, for fields whose shape varies (a number or a distribution object).
  const Json& value(std::string_view key);
  const Json* optional_value(std::string_view key);
  // Arrays: returns the elements; their paths are path_of(key) + "[i]".
  const Json& array(std::string_view key);
  const Json* optional_array(std::string_view key);
  std::vector<double> number_array(std::string_view key);

  bool has(std::string_view key) const;
  std::string path_of(std::string_view key) const;
  const std::string& path() const { return path_; }
  // Refuses the first field that was present but never read.
  void finish() const;

 private:
  const Json* find(std::string_view key);
  const Json& require(std::string_view key);

  const Json* object_;
  std::string path_;
  std::set<std::string, std::less<>> read_;
};

// Helpers for array elements and standalone values.
double as_number(const Json& value, const std::string& path);
std::string element_path(const std::string& array_path, std::size_t index);
// Parses request text; malformed JSON becomes an InputError on field "input".
Json parse_request(std::string_view text);

// The one JSON reader for every request body (CLI stdin and HTTP): refuses, naming `field`,
// malformed JSON, nesting deeper than kMaxJsonDepth (checked while parsing, before any deep
// structure exists: a deeply nested body must never reach recursive code), and an object with the
// same key twice (last-wins would let {"username":"nobody","username":"admin"} mean two things).
inline constexpr int kMaxJsonDepth = 32;
Json parse_json_text(std::string_view text, const std::string& field);

}  // namespace kit::contract
