#pragma once
// The body of a correction of an entry of the patient's record kept outside a session (an
// assessment, a medication list): {"action": "entered_in_error" | "amend", "reason", "values"?},
// read with the same rules and messages as the corrections of a session's entries
// (docs/api-chair.md, Corrections). Internal to server/resources.
#include <nlohmann/json.hpp>
#include <string>

#include "core/common/error.h"

namespace kit::server::corrections {

struct CorrectionRequest {
  std::string action;     // entered_in_error | amend
  std::string reason;     // trimmed, never blank
  nlohmann::json values;  // amend: the corrected entry as first posted (an object); else null

  bool amend() const { return action == "amend"; }
  // The status the corrected entry takes.
  std::string corrected_status() const { return amend() ? "amended" : "entered_in_error"; }
};

// kit::InputError naming `action`, `reason` or `values` when the body breaks a rule.
CorrectionRequest read_correction_request(const nlohmann::json& body);

// Runs `read`, which reads an amendment's `values` as a new entry's body, and names bad input in it
// under "values" (answers[4] -> values.answers[4]), so the caller sees which part of the
// correction is wrong. Other errors pass unchanged.
template <class Read>
auto within_values(Read&& read) -> decltype(read()) {
  try {
    return read();
  } catch (const kit::Error& e) {
    if (e.kind() != kit::ErrorKind::invalid_input) throw;
    const std::string& inner = e.field();
    throw kit::InputError(inner.empty() ? "values" : "values." + inner, e.message());
  }
}

}  // namespace kit::server::corrections
