#pragma once
// Clinical cases as data (tests/cases/*.cases, format in tests/cases/README.md): the parser and the
// checks of one answer against a case's expectations. The runner (cases_test.cpp) replays every
// case through the contract, the `kit` binary and the HTTP route.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace kit::cases {

using nlohmann::json;

// One step of a path: a key, an index, or a selector [key=value,...] (the first element of an
// array whose fields match).
struct PathStep {
  enum class Kind { key, index, select };
  Kind kind = Kind::key;
  std::string key;
  std::size_t index = 0;
  std::vector<std::pair<std::string, std::string>> conditions;
};

struct Expectation {
  enum class Op { equals, not_equals, absent, exists, contains, excludes, length };
  int line = 0;
  std::string text;  // the line as written, for messages
  std::string path;
  std::vector<PathStep> steps;
  Op op = Op::equals;
  json value;                       // equals, not_equals, contains, excludes, length
  std::optional<double> tolerance;  // numbers only: |actual - expected| <= tolerance
};

struct ExpectedError {
  std::string kind;     // a wire name from core/common/error_kinds.h, e.g. "invalid_input"
  std::string field;    // empty: the error names no field
  std::string message;  // empty, or a part the message must contain
};

struct Case {
  std::string area;       // the file's stem: "dosing", "screening", ...
  std::string file;       // path relative to the source tree, for messages
  int line = 0;           // the `case` line
  std::string name;       // as written
  std::string test_name;  // area_name, usable as a GoogleTest name
  std::string source;     // the citation
  std::string command;    // dose | score | outcome | screen | vitals | discharge | mme
  std::string request;    // the request text exactly as sent to every door
  std::optional<ExpectedError> error;
  bool refused = false;  // `exit 3`: a refusal that still answers with JSON
  std::vector<Expectation> expectations;
};

// The commands a case may name, in the order of the files.
const std::vector<std::string>& known_commands();

struct LoadResult {
  std::vector<Case> cases;
  std::vector<std::string> errors;  // "file:line: message"; a file with an error adds no case
};

// Parses one file's text. `file` is used in messages and in Case::file.
LoadResult parse_cases(const std::string& text, const std::string& file, const std::string& area);
// Every *.cases file in `dir`, in name order.
LoadResult load_case_dir(const std::string& dir);

// Resolves a path in an answer; nullptr when absent (a missing key, index or selector match).
const json* resolve(const json& root, const std::vector<PathStep>& steps);
// Checks one expectation; returns an empty string when it holds, else what went wrong.
std::string check(const Expectation& e, const json& answer);

}  // namespace kit::cases
