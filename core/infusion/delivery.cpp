#include "core/infusion/delivery.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kit::infusion {

namespace {

constexpr double kMsPerHour = 3'600'000.0;

// Reported at 1e-6 of the unit so that floating-point noise never flips a comparison.
double round6(double v) { return std::round(v * 1e6) / 1e6; }

units::Ml volume(units::MlPerH rate, std::int64_t from_ms, std::int64_t to_ms) {
  // Multiply before dividing: 52.5 mL/h for 2,400,000 ms is exactly 35 mL.
  return units::Ml(rate.value() * static_cast<double>(to_ms - from_ms) / kMsPerHour);
}

void tighten(std::optional<units::Mg>& bound, std::string& source, units::Mg candidate,
             const std::string& candidate_source) {
  if (!bound || candidate < *bound) {
    bound = candidate;
    source = candidate_source;
  }
}

}  // namespace

Delivery deliver(const std::vector<PumpEvent>& events, units::MgPerMl concentration,
                 units::Kg dosing_weight, std::int64_t now_ms) {
  Delivery d;
  bool running = false;
  units::MlPerH rate;
  std::int64_t since = 0;
  auto close = [&](std::int64_t until, bool open) {
    if (!running || until <= since) return;
    const units::Ml ml = volume(rate, since, until);
    d.intervals.push_back({since, until, rate, units::Ml(round6(ml.value())),
                           units::Mg(round6(ml.value() * concentration.value())), open});
    d.ml += ml;
    d.infused_ms += until - since;
  };
  for (const PumpEvent& e : events) {
    close(e.at_ms, false);
    running = carries_rate(e.kind);
    if (running) {
      rate = e.rate.value_or(units::MlPerH(0));
      since = e.at_ms;
    }
  }
  close(std::max(now_ms, since), true);
  if (running) d.current_rate = rate;
  d.mg = units::Mg(round6(d.ml.value() * concentration.value()));
  d.ml = units::Ml(round6(d.ml.value()));
  d.mg_per_kg = units::MgPerKg(round6(d.mg.value() / dosing_weight.value()));
  return d;
}

DoseLimits session_dose_limits(const dosing::Protocol& protocol, units::Kg dosing_weight,
                               units::Minutes planned_duration, units::Mg approved_dose) {
  using Q = dosing::LimitQuantity;
  const double hours = planned_duration.value() / 60.0;
  // The lowest maximum of one level over the quantities `wanted`, in mg for this patient.
  auto lowest = [&](dosing::LimitLevel level, bool per_session_dose, std::string& source) {
    std::optional<units::Mg> best;
    for (const dosing::Limit& l : protocol.limits) {
      if (l.type != dosing::BoundType::kMax || l.level != level) continue;
      std::optional<double> mg;
      if (per_session_dose && l.quantity == Q::kDoseMg) mg = l.bound;
      if (per_session_dose && l.quantity == Q::kDoseMgPerKg) mg = l.bound * dosing_weight.value();
      if (!per_session_dose && l.quantity == Q::kRateMgPerH) mg = l.bound * hours;
      if (!per_session_dose && l.quantity == Q::kRateMgPerKgPerH)
        mg = l.bound * dosing_weight.value() * hours;
      if (!mg) continue;
      tighten(best, source, units::Mg(round6(*mg)),
              std::string(per_session_dose ? "per-session dose limit: "
                                           : "rate limit x planned time: ") +
                  l.source);
    }
    return best;
  };
  DoseLimits out;
  for (auto level : {dosing::LimitLevel::kSoft, dosing::LimitLevel::kHard}) {
    std::string source;
    std::optional<units::Mg> mg = lowest(level, true, source);
    if (!mg) mg = lowest(level, false, source);
    if (level == dosing::LimitLevel::kSoft) {
      out.soft_max = mg;
      out.soft_source = source;
    } else {
      out.hard_max = mg;
      out.hard_source = source;
    }
  }
  if (out.soft_max && approved_dose > *out.soft_max) {
    out.soft_max = approved_dose;
    out.soft_source = "the dose a physician approved above the soft limit, with a documented reason";
  }
  return out;
}

std::string_view to_string(LimitStatus s) {
  switch (s) {
    case LimitStatus::ok: return "ok";
    case LimitStatus::soft_limit_reached: return "soft_limit_reached";
    case LimitStatus::hard_limit_reached: return "hard_limit_reached";
  }
  return "ok";
}

LimitStatus limit_status(units::Mg delivered, const DoseLimits& limits) {
  // "Reached" at the limit itself: a pump that has given the whole hard maximum must stop now.
  if (limits.hard_max && delivered >= *limits.hard_max) return LimitStatus::hard_limit_reached;
  if (limits.soft_max && delivered >= *limits.soft_max) return LimitStatus::soft_limit_reached;
  return LimitStatus::ok;
}

units::Mg programmed_total(const Delivery& so_far, units::MlPerH rate,
                           units::Minutes planned_duration, units::MgPerMl concentration) {
  const double planned_ms = planned_duration.value() * 60'000.0;
  const double left_ms = std::max(0.0, planned_ms - static_cast<double>(so_far.infused_ms));
  const double ml = rate.value() * left_ms / kMsPerHour;
  return units::Mg(round6(so_far.mg.value() + ml * concentration.value()));
}

}  // namespace kit::infusion
