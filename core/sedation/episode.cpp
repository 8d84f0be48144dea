#include "core/sedation/episode.h"

namespace kit::sedation {

std::string_view to_string(State s) {
  switch (s) {
    case State::open:
      return "open";
    case State::sedated:
      return "sedated";
    case State::recovering:
      return "recovering";
    case State::discharged:
      return "discharged";
    case State::voided:
      return "voided";
  }
  return "open";
}

std::string_view to_string(Action a) {
  switch (a) {
    case Action::dose:
      return "dose";
    case Action::end_procedure:
      return "end_procedure";
    case Action::discharge:
      return "discharge";
    case Action::void_episode:
      return "void";
  }
  return "dose";
}

std::optional<State> parse_state(std::string_view text) {
  for (State s : kAllStates) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

}  // namespace kit::sedation
