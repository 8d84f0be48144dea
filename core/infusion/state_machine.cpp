#include "core/infusion/state_machine.h"

namespace kit::infusion {

std::string_view to_string(State s) {
  switch (s) {
    case State::planned: return "planned";
    case State::running: return "running";
    case State::paused: return "paused";
    case State::stopped: return "stopped";
    case State::discharged: return "discharged";
    case State::voided: return "voided";
  }
  return "planned";
}

std::string_view to_string(Action a) {
  switch (a) {
    case Action::start: return "start";
    case Action::pause: return "pause";
    case Action::resume: return "resume";
    case Action::rate_change: return "rate_change";
    case Action::stop: return "stop";
    case Action::discharge: return "discharge";
    case Action::void_plan: return "void";
  }
  return "stop";
}

std::string_view to_string(PumpEventKind k) { return to_string(action_of(k)); }

std::optional<State> parse_state(std::string_view text) {
  for (State s : kAllStates) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

std::optional<PumpEventKind> parse_pump_event(std::string_view text) {
  for (PumpEventKind k : {PumpEventKind::start, PumpEventKind::pause, PumpEventKind::resume,
                          PumpEventKind::rate_change, PumpEventKind::stop}) {
    if (to_string(k) == text) return k;
  }
  return std::nullopt;
}

}  // namespace kit::infusion
