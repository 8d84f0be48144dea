#pragma once
// Runs the real kit binary as a child process: the contract tests see exactly what a script sees.
#include <string>
#include <vector>

namespace kit::test {

struct ProcessResult {
  int exit_code = -1;  // -1 if killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
};

// Runs `program` with `args`, feeding `stdin_text`, capturing stdout and stderr.
ProcessResult run_process(const std::string& program, const std::vector<std::string>& args,
                          const std::string& stdin_text = "");

// Runs the kit binary built alongside the tests.
inline ProcessResult run_kit(const std::vector<std::string>& args, const std::string& stdin_text = "") {
  return run_process(KIT_BINARY, args, stdin_text);
}

}  // namespace kit::test
