#pragma once
// One error taxonomy for every layer (in the manner of DuckDB's one exception class per category).
// An operation that cannot be done ends with a kit::Error: a kind, the field or gate it concerns,
// and one line an operator understands. The shells map the kind to an answer exactly once, through
// the table in core/common/error_kinds.h (HTTP status, CLI exit code). Anything that is not a
// kit::Error is a programming or environment fault and is reported as `internal`, never as bad input.
#include <stdexcept>
#include <string>

namespace kit {

enum class ErrorKind {
  invalid_input,          // the request is malformed or a value is out of its domain (names the field)
  not_found,              // the record named does not exist
  conflict,               // the record's state does not allow this now (e.g. stopping a stopped pump)
  stale_write,            // If-Match names an older version of the record
  precondition_required,  // the write needs If-Match (or another header) and it is missing
  unsupported_media_type, // the body is not in the media type the operation reads (JSON)
  rule_refused,           // a clinical rule or gate refuses it (names the gate or the field)
  unauthenticated,        // no valid login
  forbidden,              // the caller's role or identity may not do this
  rate_limited,           // too many attempts; try later
  unavailable,            // the service cannot do it now (overloaded, shutting down)
  internal,               // a fault of the software; never the caller's input
};

class Error : public std::runtime_error {
 public:
  // `code` refines the kind on the wire (e.g. "locked", "csrf"); empty means the kind's own name.
  Error(ErrorKind kind, std::string message, std::string field = "", std::string code = "")
      : std::runtime_error(message),
        kind_(kind),
        message_(std::move(message)),
        field_(std::move(field)),
        code_(std::move(code)) {}

  ErrorKind kind() const noexcept { return kind_; }
  const std::string& message() const noexcept { return message_; }
  const std::string& field() const noexcept { return field_; }
  const std::string& code() const noexcept { return code_; }

  // Named constructors for the common cases, so call sites read as what they mean.
  static Error bad_request(std::string field, std::string message) {
    return Error(ErrorKind::invalid_input, std::move(message), std::move(field));
  }
  static Error unauthorized() { return Error(ErrorKind::unauthenticated, "log in first"); }
  static Error forbidden(std::string why = "your role may not do this") {
    return Error(ErrorKind::forbidden, std::move(why));
  }
  static Error not_found(const std::string& what) {
    return Error(ErrorKind::not_found, what + " not found");
  }
  static Error conflict(std::string message, std::string field = "") {
    return Error(ErrorKind::conflict, std::move(message), std::move(field));
  }
  static Error precondition_failed() {
    return Error(ErrorKind::stale_write,
                 "the record changed since you read it (If-Match does not match its ETag)");
  }
  static Error precondition_required() {
    return Error(ErrorKind::precondition_required,
                 "updates need an If-Match header with the record's ETag", "If-Match",
                 "if_match_required");
  }
  static Error rule_refused(std::string message, std::string field = "") {
    return Error(ErrorKind::rule_refused, std::move(message), std::move(field));
  }

 private:
  ErrorKind kind_;
  std::string message_;
  std::string field_;
  std::string code_;
};

// Input the core refuses: always names the field (a JSON-style path such as "doses[2].amount_mg")
// and says why, so every shell can report "field: reason" without guessing.
class InputError : public Error {
 public:
  InputError(std::string field, std::string reason)
      : Error(ErrorKind::invalid_input, reason, field), reason_(std::move(reason)) {
    what_ = this->field() + ": " + reason_;
  }
  const std::string& reason() const noexcept { return reason_; }
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  std::string reason_;
  std::string what_;
};

// A clinical rule or gate refuses the operation. `gate` names the rule (e.g. "patient_approved")
// or the field it concerns; the message says why in one line.
class RuleRefused : public Error {
 public:
  RuleRefused(std::string gate, std::string message)
      : Error(ErrorKind::rule_refused, std::move(message), std::move(gate)) {}
};

}  // namespace kit
