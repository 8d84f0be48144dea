#include "core/infusion/pump_program.h"

#include <cmath>
#include <sstream>

#include "core/common/error.h"

namespace kit::infusion {

namespace {

std::string number(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

std::string failed(const dosing::Plan& plan, dosing::LimitLevel level) {
  std::string out;
  for (const dosing::CheckResult& c : plan.checks) {
    if (c.passed || c.limit.level != level) continue;
    out += (out.empty() ? "" : "; ") + number(c.value) +
           (c.limit.type == dosing::BoundType::kMax ? " above " : " below ") + "the " +
           (level == dosing::LimitLevel::kHard ? "hard" : "soft") + " limit " +
           number(c.limit.bound);
  }
  return out;
}

std::int64_t resolve_time(const InfusionRecord& r, const PumpEventRequest& q, std::int64_t now_ms,
                          const GatePolicy& policy) {
  const std::int64_t at = q.at_ms.value_or(now_ms);
  if (at < r.created_at_ms) {
    throw InputError("at_ms", "must not be before the session was planned (" +
                                  std::to_string((r.created_at_ms - at) / 60'000) +
                                  " min earlier than its planning)");
  }
  if (!r.events.empty() && at < r.events.back().at_ms) {
    throw InputError("at_ms", "must not be before the previous pump event");
  }
  if (at > now_ms + policy.clock_skew_ms) {
    throw InputError("at_ms", "must not be in the future (more than " +
                                  std::to_string(policy.clock_skew_ms / 1000) + " s ahead)");
  }
  return at;
}

units::MlPerH resolve_rate(const InfusionRecord& r, const PumpEventRequest& q) {
  if (q.rate) return *q.rate;
  if (q.kind == PumpEventKind::rate_change) throw InputError("rate_ml_per_h", "is required");
  if (q.kind == PumpEventKind::start) return r.planned_rate;
  units::MlPerH last = r.planned_rate;  // resume: the last programmed rate
  for (const PumpEvent& e : r.events) {
    if (e.rate) last = *e.rate;
  }
  return last;
}

}  // namespace

dosing::Plan plan_at_rate(const InfusionRecord& r, units::MlPerH rate,
                          const dosing::DrugLibrary& library) {
  if (!(rate.value() > 0) || !std::isfinite(rate.value())) {
    throw InputError("rate_ml_per_h", "must be > 0");
  }
  const dosing::Protocol* p = library.find(r.plan_request.protocol_id);
  if (p == nullptr) {
    throw Error(ErrorKind::internal,
                "stored protocol '" + r.plan_request.protocol_id + "' is not in the library");
  }
  dosing::PlanRequest q = r.plan_request;
  q.dose_per_kg.reset();
  q.rate_per_kg.reset();
  q.rate.reset();
  q.override_reason.reset();
  const units::MgPerH mg_per_h(rate.value() * r.concentration.value());
  switch (p->dose.kind) {
    case dosing::DoseKind::kPerKg:
      q.dose_per_kg = units::MgPerKg(mg_per_h.value() * r.planned_duration.value() / 60.0 /
                                     r.dosing_weight.value());
      break;
    case dosing::DoseKind::kPerKgPerHour:
      q.rate_per_kg = units::MgPerKgPerH(mg_per_h.value() / r.dosing_weight.value());
      break;
    case dosing::DoseKind::kFixedRatePerH:
      q.rate = mg_per_h;
      break;
  }
  dosing::Plan plan = dosing::compute_plan(library, q);
  if (!plan.pump_rate || std::fabs(plan.pump_rate->value() - rate.value()) > 1e-6) {
    throw InputError("rate_ml_per_h", "must be a positive multiple of the pump's " +
                                          number(library.pump().resolution.value()) +
                                          " mL/h step");
  }
  return plan;
}

PumpEventOutcome check_pump_event(const InfusionRecord& r, const PumpEventRequest& q,
                                  std::int64_t now_ms, const GatePolicy& policy,
                                  const dosing::DrugLibrary& library) {
  const std::optional<State> next = next_state(r.state, action_of(q.kind));
  if (!next) {
    throw Error(ErrorKind::conflict,
                "cannot " + std::string(to_string(q.kind)) + " a session that is " +
                    std::string(to_string(r.state)),
                "kind");
  }
  if (!carries_rate(q.kind) && q.rate) {
    throw InputError("rate_ml_per_h", "is only for start, resume and rate_change");
  }
  PumpEventOutcome out;
  out.next = *next;
  out.event.kind = q.kind;
  out.event.at_ms = resolve_time(r, q, now_ms, policy);
  if (!carries_rate(q.kind)) return out;  // pausing and stopping are always allowed

  const units::MlPerH rate = resolve_rate(r, q);
  out.event.rate = rate;
  const dosing::Plan plan = plan_at_rate(r, rate, library);
  if (plan.status == dosing::PlanStatus::kRefused) {
    throw RuleRefused("hard_limit", "rate " + number(rate.value()) +
                                        " mL/h breaks a hard limit: " +
                                        failed(plan, dosing::LimitLevel::kHard));
  }
  // A soft breach at or below the approved rate is fine (slowing down is a safety action); above
  // it a physician documents the reason.
  if (plan.status == dosing::PlanStatus::kNeedsOverride &&
      rate.value() > r.planned_rate.value() + 1e-9) {
    const std::string soft = failed(plan, dosing::LimitLevel::kSoft);
    if (!q.override_reason || q.override_reason->empty()) {
      throw RuleRefused("override_reason", "rate " + number(rate.value()) +
                                               " mL/h is outside a soft limit (" + soft +
                                               "): a physician must give override_reason");
    }
    if (!q.by_physician) {
      throw RuleRefused("override_reason",
                        "only a physician may approve a soft-limit override (" + soft + ")");
    }
    out.override_applied = true;
  }
  // The running total: what has run until this event, plus this rate for the planned time left.
  const Delivery so_far = deliver(r.events, r.concentration, r.dosing_weight, out.event.at_ms);
  const units::Mg total = programmed_total(so_far, rate, r.planned_duration, r.concentration);
  out.programmed_total = total;
  if (r.limits.hard_max && (total > *r.limits.hard_max || so_far.mg >= *r.limits.hard_max)) {
    throw RuleRefused("hard_limit",
                      std::string(to_string(q.kind)) + " at " + number(rate.value()) +
                          " mL/h would bring this session to " + number(total.value()) +
                          " mg (" + number(so_far.mg.value()) + " mg given so far), above the " +
                          "hard limit of " + number(r.limits.hard_max->value()) + " mg (" +
                          r.limits.hard_source + ")");
  }
  out.rate_plan = plan;
  return out;
}

State replay(const std::vector<PumpEvent>& events, std::int64_t created_at_ms) {
  State s = State::planned;
  std::int64_t last = created_at_ms;
  for (const PumpEvent& e : events) {
    const std::optional<State> next = next_state(s, action_of(e.kind));
    if (!next || e.at_ms < last || carries_rate(e.kind) != e.rate.has_value()) {
      throw Error(ErrorKind::conflict,
                  "the pump events would no longer make sense: " +
                      std::string(to_string(e.kind)) + " (event " + std::to_string(e.id) +
                      ") cannot follow a session that is " + std::string(to_string(s)) +
                      "; correct the later events first",
                  "events");
    }
    s = *next;
    last = e.at_ms;
  }
  return s;
}

}  // namespace kit::infusion
