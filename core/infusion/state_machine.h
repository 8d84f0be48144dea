#pragma once
// The infusion's life as a table: states, the actions that move between them, and next_state,
// which is total over (state, action). A missing row is a refusal, never an undefined move.
//
//   planned --start--> running --pause--> paused --resume--> running
//   running|paused --rate_change (running only)--> running
//   running|paused --stop--> stopped --discharge--> discharged
//   planned --void--> voided
#include <array>
#include <optional>
#include <string_view>

namespace kit::infusion {

enum class State { planned, running, paused, stopped, discharged, voided };
enum class Action { start, pause, resume, rate_change, stop, discharge, void_plan };

// Pump events are the actions a pump performs (stored append-only, in order).
enum class PumpEventKind { start, pause, resume, rate_change, stop };

inline constexpr std::array<State, 6> kAllStates = {State::planned, State::running,
                                                    State::paused,  State::stopped,
                                                    State::discharged, State::voided};
inline constexpr std::array<Action, 7> kAllActions = {
    Action::start, Action::pause,     Action::resume,   Action::rate_change,
    Action::stop,  Action::discharge, Action::void_plan};

struct Transition {
  State from;
  Action action;
  State to;
};

// Every allowed move; anything else is refused.
inline constexpr std::array<Transition, 8> kTransitions = {{
    {State::planned, Action::start, State::running},
    {State::planned, Action::void_plan, State::voided},
    {State::running, Action::pause, State::paused},
    {State::running, Action::rate_change, State::running},
    {State::running, Action::stop, State::stopped},
    {State::paused, Action::resume, State::running},
    {State::paused, Action::stop, State::stopped},
    {State::stopped, Action::discharge, State::discharged},
}};

constexpr std::optional<State> next_state(State from, Action action) {
  for (const Transition& t : kTransitions) {
    if (t.from == from && t.action == action) return t.to;
  }
  return std::nullopt;
}

// Pump events, infusing (the pump runs after it) and carrying a programmed rate.
constexpr Action action_of(PumpEventKind k) {
  switch (k) {
    case PumpEventKind::start: return Action::start;
    case PumpEventKind::pause: return Action::pause;
    case PumpEventKind::resume: return Action::resume;
    case PumpEventKind::rate_change: return Action::rate_change;
    case PumpEventKind::stop: return Action::stop;
  }
  return Action::stop;
}
constexpr bool carries_rate(PumpEventKind k) {
  return k == PumpEventKind::start || k == PumpEventKind::resume ||
         k == PumpEventKind::rate_change;
}
// States in which clinical entries (vitals, adverse events, CADSS, pump events) may be added.
// After discharge (or a void) only corrections are accepted.
constexpr bool accepts_clinical_entries(State s) {
  return s != State::discharged && s != State::voided;
}
constexpr bool pump_active(State s) { return s == State::running || s == State::paused; }

std::string_view to_string(State s);
std::string_view to_string(Action a);
std::string_view to_string(PumpEventKind k);
std::optional<State> parse_state(std::string_view text);
std::optional<PumpEventKind> parse_pump_event(std::string_view text);

}  // namespace kit::infusion
