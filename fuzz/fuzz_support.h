#pragma once
// Shared by the fuzz targets (fuzz/*.cpp). A target returns normally for every input the code
// refuses the way the contract says (a kit::Error: bad input naming its field, a rule refusing);
// anything else is a finding and stops the run: an exception of another type escapes (libFuzzer
// reports it as a crash, the replay driver aborts), and an answer breaking the contract calls
// finding(), which prints the reason and aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "contract/json_reader.h"
#include "core/common/error.h"

namespace kit::fuzz {

[[noreturn]] inline void finding(const std::string& what) {
  std::cerr << "FUZZ FINDING: " << what << std::endl;
  std::abort();
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// One JSON command of the contract (contract/*_api.h), as `kit <command>` runs it
// (cli/json_command.cpp): the text is parsed strictly, then handed to the command's handler. A
// kit::Error is the answer the contract promises (exit 2 naming the field, or 3); any other
// exception is a finding, including a nlohmann::json exception (a request of the wrong shape that
// got past the strict reader: the CLI would answer "error: input" without naming the field). The
// answer must serialise as JSON.
template <class Handler>
int run_json_command(const std::uint8_t* data, std::size_t size, Handler&& handler) {
  nlohmann::json response;
  try {
    const nlohmann::json request = contract::parse_request(as_text(data, size));
    response = handler(request);
  } catch (const kit::Error&) {
    return 0;
  }
  (void)response.dump();  // throws (a finding) on text that is not UTF-8
  return 0;
}

}  // namespace kit::fuzz
