#pragma once
// What a vital-sign reading asks the infusion nurse to do, ordered from least to most severe so
// that the worst of several readings is simply the maximum.
//   continue        keep going at the current rate
//   slow            reduce the rate per clinic protocol
//   pause           stop the pump, recheck; resume only when back within limits
//   stop            end today's infusion
//   call_physician  stop the infusion and call the physician now
#include <optional>
#include <string_view>

namespace kit::safety {

enum class Action { kContinue = 0, kSlow = 1, kPause = 2, kStop = 3, kCallPhysician = 4 };

std::string_view to_string(Action action);
std::optional<Action> parse_action(std::string_view text);
constexpr Action worst(Action a, Action b) { return a < b ? b : a; }

}  // namespace kit::safety
