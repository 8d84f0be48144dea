#include "core/safety/action.h"

#include <array>
#include <utility>

namespace kit::safety {

namespace {
constexpr std::array<std::pair<std::string_view, Action>, 5> kNames{{
    {"continue", Action::kContinue},
    {"slow", Action::kSlow},
    {"pause", Action::kPause},
    {"stop", Action::kStop},
    {"call_physician", Action::kCallPhysician},
}};
}  // namespace

std::string_view to_string(Action action) {
  for (const auto& [name, a] : kNames) {
    if (a == action) return name;
  }
  return "unknown";
}

std::optional<Action> parse_action(std::string_view text) {
  for (const auto& [name, a] : kNames) {
    if (name == text) return a;
  }
  return std::nullopt;
}

}  // namespace kit::safety
