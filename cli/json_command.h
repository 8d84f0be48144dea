#pragma once
// The shape shared by every JSON command: read a request (stdin or --input FILE), run a handler,
// print the JSON response. Exit codes are part of the contract:
//   0 success; 2 bad input (one line on stderr naming the field, nothing on stdout);
//   3 a rule refused or needs an override (the JSON is still printed).
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace kit::cli {

enum ExitCode : int { kOk = 0, kBadInput = 2, kRefused = 3 };

struct JsonCommandOptions {
  std::string input_file;  // empty: stdin
};

// The handler returns the response and the exit code (kOk or kRefused); it may write extra output
// itself through `out` (for CSV modes) by returning a null JSON.
struct HandlerResult {
  std::string text;  // what goes to stdout, already formatted
  int exit_code = kOk;
};
using Handler = std::function<HandlerResult(const nlohmann::json& request)>;

// Adds a subcommand to `parent` with an --input option, running `handler` when invoked.
// Returns the subcommand so the caller can add flags of its own.
CLI::App* add_json_command(CLI::App& parent, const std::string& name, const std::string& help,
                           Handler handler);

// Formats a JSON response for stdout (one document, newline-terminated).
std::string dump(const nlohmann::json& response);

}  // namespace kit::cli
