// Delivered dose from pump events, the session's dose limits and the event checks.
#include <gtest/gtest.h>

#include "core/common/error.h"
#include "infusion_fixture.h"

namespace kit::infusion {
namespace {

using testing::apply;
using testing::kMin;
using testing::kT0;

TEST(Delivery, PlannedInfusionGivesThePlannedDose) {
  const InfusionRecord r = testing::planned_depression_session();
  ASSERT_DOUBLE_EQ(r.planned_rate.value(), 52.5);  // 35 mg at 1 mg/mL over 40 min
  const std::vector<PumpEvent> ev = {{0, PumpEventKind::start, units::MlPerH(52.5), kT0},
                                     {0, PumpEventKind::stop, std::nullopt, kT0 + 40 * kMin}};
  const Delivery d = deliver(ev, r.concentration, r.dosing_weight, kT0 + 90 * kMin);
  EXPECT_DOUBLE_EQ(d.ml.value(), 35.0);
  EXPECT_DOUBLE_EQ(d.mg.value(), 35.0);
  EXPECT_DOUBLE_EQ(d.mg_per_kg.value(), 0.5);
  EXPECT_EQ(d.infused_ms, 40 * kMin);
  EXPECT_FALSE(d.current_rate);
  ASSERT_EQ(d.intervals.size(), 1u);
  EXPECT_FALSE(d.intervals[0].still_running);
}

TEST(Delivery, PausesDoNotCountAndARunningPumpCountsToNow) {
  const InfusionRecord r = testing::planned_depression_session();
  const std::vector<PumpEvent> ev = {
      {0, PumpEventKind::start, units::MlPerH(52.5), kT0},
      {0, PumpEventKind::pause, std::nullopt, kT0 + 10 * kMin},
      {0, PumpEventKind::resume, units::MlPerH(52.5), kT0 + 20 * kMin},
      {0, PumpEventKind::rate_change, units::MlPerH(105), kT0 + 30 * kMin}};
  const Delivery d = deliver(ev, r.concentration, r.dosing_weight, kT0 + 50 * kMin);
  // 10 min at 52.5 + 10 min at 52.5 + 20 min (still running) at 105 mL/h = 8.75 + 8.75 + 35 mL.
  EXPECT_DOUBLE_EQ(d.ml.value(), 52.5);
  EXPECT_DOUBLE_EQ(d.mg.value(), 52.5);
  EXPECT_DOUBLE_EQ(d.mg_per_kg.value(), 0.75);
  EXPECT_EQ(d.infused_ms, 40 * kMin);
  ASSERT_TRUE(d.current_rate);
  EXPECT_DOUBLE_EQ(d.current_rate->value(), 105);
  EXPECT_TRUE(d.intervals.back().still_running);
}

TEST(DoseLimits, DepressionSessionLimitsFollowTheLibrary) {
  const InfusionRecord r = testing::planned_depression_session();
  // depression-standard: hard 1.0 mg/kg and 100 mg; soft 0.75 mg/kg and 75 mg (library policy).
  ASSERT_TRUE(r.limits.hard_max && r.limits.soft_max);
  EXPECT_DOUBLE_EQ(r.limits.hard_max->value(), 70.0);
  EXPECT_DOUBLE_EQ(r.limits.soft_max->value(), 52.5);
  const InfusionRecord heavy = testing::planned_depression_session(120.0);
  EXPECT_LE(heavy.limits.hard_max->value(), 100.0);  // the mg cap wins for heavy patients
  EXPECT_EQ(limit_status(units::Mg(52.4), r.limits), LimitStatus::ok);
  EXPECT_EQ(limit_status(units::Mg(52.5), r.limits), LimitStatus::soft_limit_reached);
  EXPECT_EQ(limit_status(units::Mg(70.0), r.limits), LimitStatus::hard_limit_reached);
}

TEST(PumpEvents, TimesAreMonotonicNotBeforePlanningNotInTheFuture) {
  const auto& lib = dosing::builtin_library();
  InfusionRecord r = testing::planned_depression_session();
  PumpEventRequest start{PumpEventKind::start, std::nullopt, kT0 - 6 * 1440 * kMin, {}, false};
  try {
    check_pump_event(r, start, kT0 + kMin, GatePolicy{}, lib);
    FAIL() << "a start six days before planning was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "at_ms");
  }
  start.at_ms = kT0 + 5 * kMin;
  EXPECT_THROW(check_pump_event(r, start, kT0 + kMin, GatePolicy{}, lib), InputError);  // future
  start.at_ms = kT0 + kMin;
  apply(r, check_pump_event(r, start, kT0 + kMin, GatePolicy{}, lib));
  PumpEventRequest pause{PumpEventKind::pause, std::nullopt, kT0, {}, false};
  EXPECT_THROW(check_pump_event(r, pause, kT0 + 2 * kMin, GatePolicy{}, lib), InputError);
}

TEST(PumpEvents, APumpThatRanPastTheHardLimitCannotBeSpedUpOrResumed) {
  const auto& lib = dosing::builtin_library();
  InfusionRecord r = testing::planned_depression_session();
  auto event = [](PumpEventKind k, std::int64_t at, std::optional<double> rate = std::nullopt) {
    PumpEventRequest q;
    q.kind = k;
    q.at_ms = at;
    if (rate) q.rate = units::MlPerH(*rate);
    return q;
  };
  apply(r, check_pump_event(r, event(PumpEventKind::start, kT0), kT0, GatePolicy{}, lib));
  // Left running 60 min instead of 40: 52.5 mg, the soft limit.
  apply(r, check_pump_event(r, event(PumpEventKind::pause, kT0 + 60 * kMin), kT0 + 60 * kMin,
                            GatePolicy{}, lib));
  apply(r, check_pump_event(r, event(PumpEventKind::resume, kT0 + 61 * kMin), kT0 + 61 * kMin,
                            GatePolicy{}, lib));
  // 29 more minutes: 77.875 mg, past the 70 mg (1 mg/kg) hard limit.
  const Delivery d = deliver(r.events, r.concentration, r.dosing_weight, kT0 + 90 * kMin);
  EXPECT_DOUBLE_EQ(d.mg.value(), 77.875);
  EXPECT_EQ(limit_status(d.mg, r.limits), LimitStatus::hard_limit_reached);
  try {
    check_pump_event(r, event(PumpEventKind::rate_change, kT0 + 90 * kMin, 10.0),
                     kT0 + 90 * kMin, GatePolicy{}, lib);
    FAIL() << "accepted";
  } catch (const RuleRefused& e) {
    EXPECT_EQ(e.field(), "hard_limit");
  }
  // Stopping is always possible.
  EXPECT_NO_THROW(check_pump_event(r, event(PumpEventKind::stop, kT0 + 90 * kMin),
                                   kT0 + 90 * kMin, GatePolicy{}, lib));
}

TEST(PumpEvents, ASoftBreachAboveThePlanIsThePhysiciansAlone) {
  const auto& lib = dosing::builtin_library();
  InfusionRecord r = testing::planned_depression_session();
  apply(r, check_pump_event(r, {PumpEventKind::start, std::nullopt, kT0, {}, false}, kT0,
                            GatePolicy{}, lib));
  // 84 mL/h -> 0.8 mg/kg over 40 min: above the 0.75 soft limit, below the 1.0 hard limit.
  PumpEventRequest q{PumpEventKind::rate_change, units::MlPerH(84), kT0 + kMin, {}, false};
  try {
    check_pump_event(r, q, kT0 + kMin, GatePolicy{}, lib);
    FAIL() << "accepted without a reason";
  } catch (const RuleRefused& e) {
    EXPECT_EQ(e.field(), "override_reason");
  }
  q.override_reason = "partial response at 0.5 mg/kg";
  EXPECT_THROW(check_pump_event(r, q, kT0 + kMin, GatePolicy{}, lib), RuleRefused);  // a nurse
  q.by_physician = true;
  const PumpEventOutcome o = check_pump_event(r, q, kT0 + kMin, GatePolicy{}, lib);
  EXPECT_TRUE(o.override_applied);
}

TEST(PumpEvents, RatesMustBePumpSteps) {
  const auto& lib = dosing::builtin_library();
  InfusionRecord r = testing::planned_depression_session();
  PumpEventRequest q{PumpEventKind::start, units::MlPerH(20.55), kT0, {}, false};
  try {
    check_pump_event(r, q, kT0, GatePolicy{}, lib);
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.field(), "rate_ml_per_h");
  }
}

TEST(PumpEvents, ReplayRefusesASequenceTheStateMachineRefuses) {
  const std::vector<PumpEvent> ok = {{1, PumpEventKind::start, units::MlPerH(21), kT0},
                                     {2, PumpEventKind::stop, std::nullopt, kT0 + kMin}};
  EXPECT_EQ(replay(ok, kT0), State::stopped);
  const std::vector<PumpEvent> no_start = {{2, PumpEventKind::stop, std::nullopt, kT0 + kMin}};
  EXPECT_THROW(replay(no_start, kT0), Error);
  EXPECT_EQ(replay({}, kT0), State::planned);
}

}  // namespace
}  // namespace kit::infusion
