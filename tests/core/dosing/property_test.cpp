// Property: over thousands of random requests (any protocol, patient, preparation, dose, with or
// without an override reason), an accepted plan never exceeds a hard limit, and a plan accepted
// without a reason never breaches a soft one. Limits are re-evaluated here from the plan's own
// numbers, independently of the calculator's check list.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/common/error.h"
#include "tests/core/dosing/plan_fixtures.h"

namespace kit::dosing {
namespace {

double log_uniform(std::mt19937_64& rng, double lo, double hi) {
  std::uniform_real_distribution<double> u(std::log(lo), std::log(hi));
  return std::exp(u(rng));
}

// The plan's value for a quantity, recomputed from its primary numbers.
std::optional<double> recomputed(const Plan& p, LimitQuantity q, const PlanRequest& r) {
  const double w = p.dosing_weight.weight.value();
  switch (q) {
    case LimitQuantity::kDoseMgPerKg:
      return p.dose.value() / w;
    case LimitQuantity::kDoseMg:
      return p.dose.value();
    case LimitQuantity::kRateMgPerKgPerH:
      if (!p.pump_rate) return std::nullopt;
      return p.pump_rate->value() * p.concentration.value() / w;
    case LimitQuantity::kRateMgPerH:
      if (!p.pump_rate) return std::nullopt;
      return p.pump_rate->value() * p.concentration.value();
    case LimitQuantity::kRateMlPerH:
      if (!p.pump_rate) return std::nullopt;
      return p.pump_rate->value();
    case LimitQuantity::kConcentrationMgPerMl:
      return p.concentration.value();
    case LimitQuantity::kAgeY:
      return r.patient.age.value();
    case LimitQuantity::kVolumeMl:
      return p.dose.value() / p.concentration.value();
    case LimitQuantity::kCumulativeDoseMgPerKg:
      return (r.previous_total ? r.previous_total->value() : 0.0) / w + p.dose.value() / w;
  }
  return std::nullopt;
}

bool within(double v, const Limit& l) {
  // 1e-6 of the unit: the reporting precision (report_precision), far below clinical meaning.
  return l.type == BoundType::kMax ? v <= l.bound + 1e-6 : v >= l.bound - 1e-6;
}

TEST(DosePlanProperty, AcceptedPlansNeverExceedAHardLimit) {
  std::mt19937_64 rng(20240603);
  const auto& lib = builtin_library();
  const auto& protocols = lib.protocols();
  std::uniform_int_distribution<std::size_t> pick(0, protocols.size() - 1);
  std::bernoulli_distribution coin(0.5);
  const double concentrations[] = {0.5, 1, 2, 5, 10, 50, 100};
  std::uniform_int_distribution<std::size_t> pick_conc(0, std::size(concentrations) - 1);

  int accepted = 0, overridden = 0, needs = 0, refused = 0;
  constexpr int kCases = 20000;
  for (int i = 0; i < kCases; ++i) {
    const Protocol& proto = protocols[pick(rng)];
    PlanRequest r;
    r.protocol_id = proto.id;
    r.patient = Patient{units::Kg(log_uniform(rng, 2, 500)),
                        units::Cm(std::uniform_real_distribution<double>(45, 230)(rng)),
                        coin(rng) ? Sex::kFemale : Sex::kMale,
                        units::Years(std::uniform_real_distribution<double>(0, 100)(rng))};
    if (coin(rng)) {
      r.preparation.concentration =
          units::MgPerMl(coin(rng) ? concentrations[pick_conc(rng)] : log_uniform(rng, 0.01, 1000));
    } else {
      r.preparation.bag_drug = units::Mg(log_uniform(rng, 1, 5000));
      r.preparation.bag_volume = units::Ml(log_uniform(rng, 1, 1000));
    }
    if (coin(rng)) {  // a typed dose anywhere from 1/1000 to 1000x the default
      const double k = log_uniform(rng, 1e-3, 1e3);
      switch (proto.dose.kind) {
        case DoseKind::kPerKg:
          r.dose_per_kg = *proto.dose.default_dose * k;
          break;
        case DoseKind::kPerKgPerHour:
          r.rate_per_kg = *proto.dose.default_rate_per_kg * k;
          break;
        case DoseKind::kFixedRatePerH:
          r.rate = *proto.dose.default_rate * k;
          break;
      }
    }
    if (coin(rng)) r.override_reason = "documented reason";
    // A repeat dose carries the episode's earlier doses: 0.1 to 10 mg/kg of the actual weight.
    if (proto.repeat_dose) {
      r.previous_total = units::Mg(log_uniform(rng, 0.1, 10) * r.patient.weight.value());
    }

    const Plan p = compute_plan(lib, r);
    SCOPED_TRACE(proto.id + " case " + std::to_string(i));
    ASSERT_EQ(p.checks.size(),
              proto.limits.size() +
                  (proto.route == AdministrationRoute::kIvInfusion ? lib.pump().limits.size() : 0));
    // Delivered never exceeds prescribed (pump rounds down).
    ASSERT_LE(p.dose.value(), p.prescribed_dose.value() * (1 + 1e-12));
    if (p.pump_rate) {
      const double steps = p.pump_rate->value() / 0.1;
      ASSERT_NEAR(steps, std::round(steps), 1e-6);
    }
    switch (p.status) {
      case PlanStatus::kAccepted:
        ++accepted;
        if (p.override_applied) ++overridden;
        break;
      case PlanStatus::kNeedsOverride:
        ++needs;
        ASSERT_FALSE(r.override_reason.has_value());
        break;
      case PlanStatus::kRefused:
        ++refused;
        break;
    }
    if (p.status != PlanStatus::kAccepted) continue;
    std::vector<Limit> limits = proto.limits;
    if (proto.route == AdministrationRoute::kIvInfusion) {
      limits.insert(limits.end(), lib.pump().limits.begin(), lib.pump().limits.end());
    }
    for (const Limit& l : limits) {
      const auto v = recomputed(p, l.quantity, r);
      ASSERT_TRUE(v.has_value());
      if (l.level == LimitLevel::kHard) {
        ASSERT_TRUE(within(*v, l))
            << "hard limit exceeded on accepted plan: value " << *v << " bound " << l.bound;
      } else if (!r.override_reason) {
        ASSERT_TRUE(within(*v, l)) << "soft limit breached without a reason";
      }
    }
  }
  // The generator must exercise every outcome, or the property proves little.
  EXPECT_GT(accepted - overridden, kCases / 50);
  EXPECT_GT(overridden, kCases / 50);
  EXPECT_GT(needs, kCases / 50);
  EXPECT_GT(refused, kCases / 50);
}

}  // namespace
}  // namespace kit::dosing
