#pragma once
// The actions a screen can ask for, as data: a code, what to do, and on whose authority.
#include <span>
#include <string_view>

#include "core/screening/policy.h"

namespace kit::screening {

struct ActionInfo {
  std::string_view code;
  std::string_view text;
  Basis basis;
  std::string_view source;
};

std::span<const ActionInfo> action_catalogue();
// The catalogue entry for `code`; every code the rules emit is in the catalogue (tested).
const ActionInfo* find_action(std::string_view code);

}  // namespace kit::screening
