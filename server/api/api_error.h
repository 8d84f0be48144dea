#pragma once
// Every error the API answers with: {"error":{"code":"...","message":"...","field":"..."}}.
#include <stdexcept>
#include <string>

namespace kit::server {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, std::string message, std::string field = "")
      : std::runtime_error(message), status_(status), code_(std::move(code)), field_(std::move(field)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const std::string& field() const { return field_; }

  static ApiError bad_request(std::string field, std::string message) {
    return ApiError(400, "invalid_input", std::move(message), std::move(field));
  }
  static ApiError unauthorized() { return ApiError(401, "unauthenticated", "log in first"); }
  static ApiError forbidden(std::string why = "your role may not do this") {
    return ApiError(403, "forbidden", std::move(why));
  }
  static ApiError not_found(std::string what) { return ApiError(404, "not_found", what + " not found"); }
  static ApiError conflict(std::string message, std::string field = "") {
    return ApiError(409, "conflict", std::move(message), std::move(field));
  }
  static ApiError precondition_failed() {
    return ApiError(412, "stale_write", "the record changed since you read it (If-Match does not match its ETag)");
  }
  static ApiError precondition_required() {
    return ApiError(428, "if_match_required", "updates need an If-Match header with the record's ETag", "If-Match");
  }
  static ApiError rule_refused(std::string message, std::string field = "") {
    return ApiError(422, "rule_refused", std::move(message), std::move(field));
  }

 private:
  int status_;
  std::string code_;
  std::string field_;
};

}  // namespace kit::server
