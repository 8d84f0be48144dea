// The state table is total: every (state, action) pair is either a listed move or a refusal, and
// the pump-event path through check_pump_event agrees with it.
#include <gtest/gtest.h>

#include <set>

#include "core/common/error.h"
#include "core/infusion/state_machine.h"
#include "infusion_fixture.h"

namespace kit::infusion {
namespace {

TEST(InfusionStateMachine, OnlyTheListedMovesAreAllowed) {
  int allowed = 0;
  for (State s : kAllStates) {
    for (Action a : kAllActions) {
      const auto next = next_state(s, a);
      if (next) ++allowed;
    }
  }
  EXPECT_EQ(allowed, static_cast<int>(kTransitions.size()));
  EXPECT_EQ(next_state(State::planned, Action::start), State::running);
  EXPECT_EQ(next_state(State::running, Action::stop), State::stopped);
  EXPECT_EQ(next_state(State::stopped, Action::discharge), State::discharged);
  EXPECT_FALSE(next_state(State::running, Action::start));
  EXPECT_FALSE(next_state(State::stopped, Action::resume));
  EXPECT_FALSE(next_state(State::discharged, Action::start));
  EXPECT_FALSE(next_state(State::voided, Action::start));
  EXPECT_FALSE(next_state(State::running, Action::void_plan));  // only a planned session is voided
  EXPECT_FALSE(next_state(State::running, Action::discharge));  // stop first
}

TEST(InfusionStateMachine, NamesRoundTrip) {
  std::set<std::string_view> names;
  for (State s : kAllStates) {
    names.insert(to_string(s));
    EXPECT_EQ(parse_state(to_string(s)), s);
  }
  EXPECT_EQ(names.size(), kAllStates.size());
  EXPECT_FALSE(parse_state("completed"));
  EXPECT_EQ(parse_pump_event("rate_change"), PumpEventKind::rate_change);
  EXPECT_FALSE(parse_pump_event("bolus"));
}

TEST(InfusionStateMachine, ClinicalEntriesEndAtDischarge) {
  EXPECT_TRUE(accepts_clinical_entries(State::stopped));
  EXPECT_FALSE(accepts_clinical_entries(State::discharged));
  EXPECT_FALSE(accepts_clinical_entries(State::voided));
}

TEST(InfusionStateMachine, PumpEventsFollowTheTable) {
  using testing::kMin;
  using testing::kT0;
  const auto& lib = dosing::builtin_library();
  for (State s : kAllStates) {
    for (PumpEventKind k : {PumpEventKind::start, PumpEventKind::pause, PumpEventKind::resume,
                            PumpEventKind::rate_change, PumpEventKind::stop}) {
      InfusionRecord r = testing::planned_depression_session();
      r.state = s;
      if (pump_active(s) || s == State::stopped) {
        r.events.push_back({0, PumpEventKind::start, r.planned_rate, kT0});
      }
      PumpEventRequest q;
      q.kind = k;
      q.at_ms = kT0 + kMin;
      if (k == PumpEventKind::rate_change) q.rate = units::MlPerH(10.0);
      const bool allowed = next_state(s, action_of(k)).has_value();
      if (allowed) {
        EXPECT_NO_THROW(check_pump_event(r, q, kT0 + kMin, GatePolicy{}, lib))
            << to_string(s) << " " << to_string(k);
      } else {
        try {
          check_pump_event(r, q, kT0 + kMin, GatePolicy{}, lib);
          ADD_FAILURE() << to_string(s) << " " << to_string(k) << " was accepted";
        } catch (const Error& e) {
          EXPECT_EQ(e.kind(), ErrorKind::conflict);
          EXPECT_EQ(e.field(), "kind");
        }
      }
    }
  }
}

}  // namespace
}  // namespace kit::infusion
