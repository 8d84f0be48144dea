#pragma once
// The one table that maps an error kind to every shell's answer: the HTTP status and the `kit`
// command's exit code. Shells never choose a status or an exit code for an error themselves.
#include <array>
#include <string_view>

#include "core/common/error.h"

namespace kit {

struct ErrorKindInfo {
  ErrorKind kind;
  std::string_view name;  // the wire name: {"error":{"kind": name, ...}}
  int http_status;
  int exit_code;  // kit CLI: 0 ok; 2 bad input and 3 refused are part of the published contract
};

inline constexpr std::array<ErrorKindInfo, 12> kErrorKinds = {{
    {ErrorKind::invalid_input, "invalid_input", 400, 2},
    {ErrorKind::not_found, "not_found", 404, 4},
    {ErrorKind::conflict, "conflict", 409, 5},
    {ErrorKind::stale_write, "stale_write", 412, 5},
    {ErrorKind::precondition_required, "precondition_required", 428, 2},
    {ErrorKind::unsupported_media_type, "unsupported_media_type", 415, 2},
    {ErrorKind::rule_refused, "rule_refused", 422, 3},
    {ErrorKind::unauthenticated, "unauthenticated", 401, 6},
    {ErrorKind::forbidden, "forbidden", 403, 6},
    {ErrorKind::rate_limited, "rate_limited", 429, 7},
    {ErrorKind::unavailable, "unavailable", 503, 8},
    {ErrorKind::internal, "internal", 500, 70},  // 70: EX_SOFTWARE (sysexits.h)
}};

constexpr const ErrorKindInfo& info(ErrorKind kind) {
  for (const ErrorKindInfo& i : kErrorKinds) {
    if (i.kind == kind) return i;
  }
  return kErrorKinds.back();  // unreachable: every kind is in the table (tested)
}

// The wire code of an error: its own refinement, else the kind's name.
inline std::string_view wire_code(const Error& e) {
  return e.code().empty() ? info(e.kind()).name : std::string_view(e.code());
}

}  // namespace kit
