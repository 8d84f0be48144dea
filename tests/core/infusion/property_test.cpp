// Property: no sequence of pump events records more than the hard limit without the stop signal.
// Random sequences of starts, pauses, resumes, rate changes and stops, at random times (some
// back-dated, some in the future) and random rates (some unsafe), for random patients and
// protocols, go through check_pump_event exactly as the server sends them; refused events are
// dropped, accepted ones recorded. After every step and at random later instants:
//   1. the events recorded replay through the state machine and are in time order, never before
//      planning and never in the future;
//   2. whenever the delivered dose exceeds the hard limit, the status is hard_limit_reached (the
//      server answers stop_pump and raises a critical alert from it);
//   3. a pump that follows its accepted program (stops when the planned time has run) never
//      gives more than the hard limit.
#include <gtest/gtest.h>

#include <random>

#include "core/common/error.h"
#include "infusion_fixture.h"

namespace kit::infusion {
namespace {

using testing::kMin;
using testing::kT0;

InfusionRecord random_session(std::mt19937_64& rng) {
  const auto& lib = dosing::builtin_library();
  static const char* protocols[] = {"depression-standard", "depression-escalation-1.0",
                                    "ptsd-standard", "crps-outpatient-4h"};
  std::uniform_real_distribution<double> weight(40, 150);
  std::uniform_real_distribution<double> conc(0.5, 10);
  std::uniform_int_distribution<int> pick(0, 3);
  for (;;) {
    dosing::PlanRequest q;
    q.protocol_id = protocols[pick(rng)];
    q.patient = {units::Kg(std::round(weight(rng))), units::Cm(170), dosing::Sex::kFemale,
                 units::Years(45)};
    q.preparation.concentration = units::MgPerMl(std::round(conc(rng) * 10) / 10);
    const dosing::Plan plan = dosing::compute_plan(lib, q);
    if (plan.status != dosing::PlanStatus::kAccepted || !plan.pump_rate ||
        plan.pump_rate->value() <= 0)
      continue;
    InfusionRecord r;
    r.created_at_ms = kT0;
    r.plan_request = q;
    r.planned_duration = *plan.duration;
    r.concentration = plan.concentration;
    r.dosing_weight = plan.dosing_weight.weight;
    r.planned_rate = *plan.pump_rate;
    r.planned_dose = plan.dose;
    r.limits = session_dose_limits(*lib.find(q.protocol_id), r.dosing_weight, r.planned_duration,
                                   plan.dose);
    return r;
  }
}

void check_invariants(const InfusionRecord& r, std::int64_t now_ms) {
  ASSERT_EQ(replay(r.events, r.created_at_ms), r.state);
  for (const PumpEvent& e : r.events) {
    ASSERT_GE(e.at_ms, r.created_at_ms);
    ASSERT_LE(e.at_ms, now_ms + GatePolicy{}.clock_skew_ms);
  }
  const Delivery d = deliver(r.events, r.concentration, r.dosing_weight, now_ms);
  ASSERT_TRUE(r.limits.hard_max);
  if (d.mg > *r.limits.hard_max) {
    ASSERT_EQ(limit_status(d.mg, r.limits), LimitStatus::hard_limit_reached)
        << d.mg.value() << " mg delivered";
  }
  // Following the program: the pump runs at its current rate until the planned time is used up.
  if (d.current_rate) {
    const units::Mg end =
        programmed_total(d, *d.current_rate, r.planned_duration, r.concentration);
    const double planned_ms = r.planned_duration.value() * 60'000.0;
    if (static_cast<double>(d.infused_ms) <= planned_ms) {
      ASSERT_LE(end.value(), r.limits.hard_max->value() + 1e-6)
          << "an accepted program exceeds the hard limit";
    }
  }
}

TEST(InfusionProperty, NoEventSequenceExceedsTheHardLimitUnsignalled) {
  const auto& lib = dosing::builtin_library();
  std::mt19937_64 rng(20261125);
  std::uniform_int_distribution<int> kind(0, 4);
  std::uniform_int_distribution<int> step_min(-30, 90);
  std::uniform_real_distribution<double> rate_factor(0.1, 4.0);
  std::uniform_int_distribution<int> coin(0, 9);
  int accepted = 0;
  int refused_hard = 0;
  int signalled = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    InfusionRecord r = random_session(rng);
    std::int64_t now = kT0;
    for (int step = 0; step < 12; ++step) {
      now += std::max(0, step_min(rng)) * kMin;
      PumpEventRequest q;
      q.kind = static_cast<PumpEventKind>(kind(rng));
      const int c = coin(rng);
      if (c < 7) q.at_ms = now + step_min(rng) * kMin / 10;  // late charting, or future
      if (carries_rate(q.kind) && c < 8) {
        const double raw = r.planned_rate.value() * rate_factor(rng);
        q.rate = units::MlPerH(std::floor(raw * 10) / 10);
      }
      q.by_physician = coin(rng) < 5;
      if (coin(rng) < 5) q.override_reason = "documented";
      try {
        const PumpEventOutcome o = check_pump_event(r, q, now, GatePolicy{}, lib);
        r.events.push_back(o.event);
        r.state = o.next;
        ++accepted;
      } catch (const RuleRefused& e) {
        if (e.field() == "hard_limit") ++refused_hard;
      } catch (const Error&) {
        // conflict (state) or invalid input (time, rate): refused, nothing recorded
      }
      check_invariants(r, now);
      const Delivery later = deliver(r.events, r.concentration, r.dosing_weight,
                                     now + coin(rng) * 30 * kMin);
      if (limit_status(later.mg, r.limits) == LimitStatus::hard_limit_reached) ++signalled;
      if (later.mg > *r.limits.hard_max) {
        ASSERT_EQ(limit_status(later.mg, r.limits), LimitStatus::hard_limit_reached);
      }
    }
  }
  // The generator must reach the interesting cases, or the property says nothing.
  EXPECT_GT(accepted, 2500) << refused_hard << " " << signalled;
  EXPECT_GT(refused_hard, 50) << accepted << " " << signalled;
  EXPECT_GT(signalled, 50);
}

}  // namespace
}  // namespace kit::infusion
