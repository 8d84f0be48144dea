#pragma once
// An emergency-department procedural sedation episode as a table: states, the actions that move
// between them, and next_state, total over (state, action). A missing row is a refusal.
//
//   open --dose--> sedated --dose--> sedated --end_procedure--> recovering --discharge-->
//   discharged open|sedated --void--> voided   (sedated only when no dose is in force: see
//   void_gate)
//
// open: screened (age, contraindications), no ketamine given yet. sedated: at least one dose given;
// repeat doses are accepted. recovering: the procedure is over; no more doses, monitoring and
// adverse events still accepted, discharge readiness is assessed. After discharge or a void only
// corrections are accepted.
#include <array>
#include <optional>
#include <string_view>

namespace kit::sedation {

enum class State { open, sedated, recovering, discharged, voided };
enum class Action { dose, end_procedure, discharge, void_episode };

inline constexpr std::array<State, 5> kAllStates = {State::open, State::sedated, State::recovering,
                                                    State::discharged, State::voided};
inline constexpr std::array<Action, 4> kAllActions = {Action::dose, Action::end_procedure,
                                                      Action::discharge, Action::void_episode};

struct Transition {
  State from;
  Action action;
  State to;
};

inline constexpr std::array<Transition, 6> kTransitions = {{
    {State::open, Action::dose, State::sedated},
    {State::open, Action::void_episode, State::voided},
    {State::sedated, Action::dose, State::sedated},
    {State::sedated, Action::end_procedure, State::recovering},
    {State::sedated, Action::void_episode, State::voided},
    {State::recovering, Action::discharge, State::discharged},
}};

constexpr std::optional<State> next_state(State from, Action action) {
  for (const Transition& t : kTransitions) {
    if (t.from == from && t.action == action) return t.to;
  }
  return std::nullopt;
}

// Monitoring and adverse events may be added while the patient is in the department's care.
constexpr bool accepts_entries(State s) {
  return s == State::open || s == State::sedated || s == State::recovering;
}

std::string_view to_string(State s);
std::string_view to_string(Action a);
std::optional<State> parse_state(std::string_view text);

}  // namespace kit::sedation
