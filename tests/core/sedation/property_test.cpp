// Property: no sequence of doses records a cumulative dose above the hard limit. Random patients
// (age 3 months to 90 years, 3 to 150 kg), random routes, amounts (some far above any limit),
// times (some too soon, some back-dated), concentrations, callers and overrides go through
// decide_dose exactly as the server sends them; refused doses are dropped, accepted ones recorded.
// After every accepted dose:
//   1. the running total per kg never exceeds the episode's hard cumulative limit, which is never
//      above the library's largest (IM, 13 mg/kg) nor, once IV was given, the IV one (5 mg/kg);
//   2. the running total is the sum of the recorded doses;
//   3. a soft breach is only ever recorded with a physician's reason;
//   4. doses are recorded in time order, repeats no sooner than the protocol's interval.
#include <gtest/gtest.h>

#include <random>

#include "core/common/error.h"
#include "core/sedation/rules.h"

namespace kit::sedation {
namespace {

constexpr std::int64_t kT0 = 1'790'000'000'000;
constexpr std::int64_t kMin = 60'000;

TEST(SedationProperty, NoSequenceOfDosesExceedsTheHardLimit) {
  const auto& lib = dosing::builtin_library();
  std::mt19937_64 rng(20261126);
  std::uniform_real_distribution<double> age_y(0.25, 90), weight(3, 150), unit(0, 1);
  std::uniform_real_distribution<double> per_kg(0.05, 9.0);
  std::uniform_int_distribution<int> gap_min(-3, 20), steps(1, 12);
  const double conc_iv[] = {10, 50}, conc_im[] = {50, 100};
  int accepted = 0, refused = 0, soft_overridden = 0, hard_refused = 0;
  for (int episode = 0; episode < 4000; ++episode) {
    EpisodeFacts e;
    e.age = units::Years(std::round(age_y(rng) * 100) / 100);
    e.weight = units::Kg(std::round(weight(rng) * 10) / 10);
    e.opened_at_ms = kT0;
    std::int64_t t = kT0;
    bool iv_given = false;
    const int n = steps(rng);
    for (int i = 0; i < n; ++i) {
      DoseOrder o;
      o.route = unit(rng) < 0.6 ? Route::iv_push : Route::intramuscular;
      o.concentration =
          units::MgPerMl(o.route == Route::iv_push ? conc_iv[rng() % 2] : conc_im[rng() % 2]);
      if (unit(rng) < 0.8) o.dose_per_kg = units::MgPerKg(std::round(per_kg(rng) * 20) / 20);
      o.by_physician = unit(rng) < 0.7;
      if (!o.by_physician && unit(rng) < 0.8) o.ordered_by = "Dr Order";
      if (unit(rng) < 0.5) o.override_reason = "clinical need";
      o.at_ms = t + gap_min(rng) * kMin;
      DoseDecision d;
      try {
        d = decide_dose(lib, e, o);
      } catch (const Error& err) {
        // Only bad input may throw, never a clinical refusal.
        ASSERT_EQ(err.kind(), ErrorKind::invalid_input) << err.what();
        ++refused;
        continue;
      }
      if (!d.accepted()) {
        ++refused;
        if (d.limit_status == "hard_limit_exceeded") ++hard_refused;
        continue;
      }
      ++accepted;
      if (d.limit_status == "soft_limit_overridden") {
        ++soft_overridden;
        ASSERT_TRUE(o.by_physician && o.override_reason);
      }
      ASSERT_NE(d.limit_status, "hard_limit_exceeded");
      ASSERT_NE(d.limit_status, "soft_limit_exceeded");
      if (!e.doses.empty()) {
        ASSERT_GE(o.at_ms, e.doses.back().at_ms);
        const auto* rep = lib.find(protocol_id(e.age, o.route, true));
        ASSERT_GE(o.at_ms - e.doses.back().at_ms,
                  static_cast<std::int64_t>(rep->schedule.repeat_after_min->value() * kMin));
      }
      e.doses.push_back({i + 1, o.route, d.plan.dose, o.at_ms});
      e.state = State::sedated;
      t = o.at_ms;
      iv_given = iv_given || o.route == Route::iv_push;
      double total = 0;
      for (const auto& g : e.doses) total += g.mg.value();
      ASSERT_NEAR(total, d.running_total.value(), 1e-6);
      const double total_per_kg = dosing::report_precision(total / e.weight.value());
      ASSERT_LE(total_per_kg, d.cumulative.hard_mg_per_kg);
      ASSERT_LE(total_per_kg, 13.0);  // the largest hard cumulative limit in the library (IM)
      if (iv_given) {
        ASSERT_LE(total_per_kg, 5.0);  // ACEP IV total 5.0 mg/kg
      }
    }
  }
  // The generator reaches every branch it is meant to test.
  EXPECT_GT(accepted, 2000);
  EXPECT_GT(hard_refused, 500);
  EXPECT_GT(soft_overridden, 50);
  EXPECT_GT(refused, 2000);
}

}  // namespace
}  // namespace kit::sedation
