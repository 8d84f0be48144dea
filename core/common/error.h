#pragma once
// One error type for every input the core refuses. It names the field (a JSON-style path such as
// "doses[2].amount_mg") and says why, so every shell can report "field: reason" without guessing.
#include <stdexcept>
#include <string>

namespace kit {

class InputError : public std::invalid_argument {
 public:
  InputError(std::string field, std::string reason)
      : std::invalid_argument(field + ": " + reason),
        field_(std::move(field)),
        reason_(std::move(reason)) {}
  const std::string& field() const noexcept { return field_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string field_;
  std::string reason_;
};

}  // namespace kit
