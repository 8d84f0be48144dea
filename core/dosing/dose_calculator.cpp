#include "core/dosing/dose_calculator.h"

#include <cmath>
#include <string>

#include "core/common/error.h"

namespace kit::dosing {

namespace {

using units::Kg;
using units::Mg;
using units::MgPerH;
using units::MgPerKg;
using units::MgPerKgPerH;
using units::MgPerMl;
using units::Minutes;
using units::Ml;
using units::MlPerH;

// Plausibility bounds for patient fields: values outside them are typing errors (grams for kg,
// metres for cm), refused as bad input. Policy, not clinical limits: clinical limits are checks.
constexpr double kMaxWeightKg = 500.0;
constexpr double kMinHeightCm = 30.0;
constexpr double kMaxHeightCm = 300.0;
constexpr double kMaxAgeY = 150.0;

void require_positive(double v, const char* field) {
  if (!std::isfinite(v)) throw InputError(field, "must be a finite number");
  if (v <= 0) throw InputError(field, "must be greater than 0");
}

// A height of exactly 0 is "not measured" (patient.height_cm absent in the ED): accepted only by a
// protocol dosed on actual body weight, which never reads it.
bool height_not_measured(const Patient& p, const Protocol& protocol) {
  return p.height.value() == 0.0 && protocol.weight.kind == WeightRuleKind::kActual;
}

void validate_patient(const Patient& p, const Protocol& protocol) {
  require_positive(p.weight.value(), "patient.weight_kg");
  if (p.weight.value() > kMaxWeightKg) {
    throw InputError("patient.weight_kg", "must be at most 500 kg (is it in grams or pounds?)");
  }
  const double h = p.height.value();
  if (!height_not_measured(p, protocol) &&
      (!std::isfinite(h) || h < kMinHeightCm || h > kMaxHeightCm)) {
    throw InputError("patient.height_cm", "must be between 30 and 300 cm");
  }
  const double a = p.age.value();
  if (!std::isfinite(a) || a < 0 || a > kMaxAgeY) {
    throw InputError("patient.age_y", "must be between 0 and 150 years");
  }
}

MgPerMl resolve_concentration(const Preparation& prep) {
  const bool has_conc = prep.concentration.has_value();
  const bool has_bag = prep.bag_drug.has_value() || prep.bag_volume.has_value();
  if (has_conc && has_bag) {
    throw InputError("preparation",
                     "give either concentration_mg_per_ml or drug_mg with volume_ml, not both");
  }
  if (has_conc) {
    require_positive(prep.concentration->value(), "preparation.concentration_mg_per_ml");
    return *prep.concentration;
  }
  if (!prep.bag_drug) throw InputError("preparation.drug_mg", "is required with volume_ml");
  if (!prep.bag_volume) throw InputError("preparation.volume_ml", "is required with drug_mg");
  require_positive(prep.bag_drug->value(), "preparation.drug_mg");
  require_positive(prep.bag_volume->value(), "preparation.volume_ml");
  return MgPerMl(prep.bag_drug->value() / prep.bag_volume->value());
}

const char* dose_field(DoseKind kind) {
  switch (kind) {
    case DoseKind::kPerKg:
      return "dose_mg_per_kg";
    case DoseKind::kPerKgPerHour:
      return "rate_mg_per_kg_per_h";
    case DoseKind::kFixedRatePerH:
      return "rate_mg_per_h";
  }
  return "dose_mg_per_kg";
}

// A dose field the protocol does not use would be silently ignored otherwise: refuse it.
void refuse_foreign_dose_fields(const PlanRequest& r, const Protocol& p) {
  const DoseKind kind = p.dose.kind;
  auto refuse = [&](const char* field) {
    throw InputError(field, std::string("is not used by protocol '") + p.id + "'; give " +
                                dose_field(kind) + " instead");
  };
  if (r.dose_per_kg && kind != DoseKind::kPerKg) refuse("dose_mg_per_kg");
  if (r.rate_per_kg && kind != DoseKind::kPerKgPerHour) refuse("rate_mg_per_kg_per_h");
  if (r.rate && kind != DoseKind::kFixedRatePerH) refuse("rate_mg_per_h");
  if (r.dose_per_kg) require_positive(r.dose_per_kg->value(), "dose_mg_per_kg");
  if (r.rate_per_kg) require_positive(r.rate_per_kg->value(), "rate_mg_per_kg_per_h");
  if (r.rate) require_positive(r.rate->value(), "rate_mg_per_h");
}

// A repeat dose is checked with the doses before it; a first dose or an infusion has none.
void check_dose_history(const PlanRequest& r, const Protocol& p) {
  if (!p.repeat_dose) {
    if (r.previous_total) {
      throw InputError("previous_total_mg",
                       "is only for repeat-dose protocols; protocol '" + p.id + "' is not one");
    }
    return;
  }
  if (!r.previous_total) {
    throw InputError("previous_total_mg",
                     "is required by repeat-dose protocol '" + p.id +
                         "': the ketamine already given in this episode, in mg");
  }
  require_positive(r.previous_total->value(), "previous_total_mg");
}

units::Hours hours(Minutes m) { return units::Hours(m.value() / 60.0); }

// The prescribed amount for the whole administration (before any pump rounding).
Mg prescribed_dose(const Protocol& p, const PlanRequest& r, Kg w) {
  const DoseRule& rule = p.dose;
  switch (rule.kind) {
    case DoseKind::kPerKg:
      return units::dose_for(r.dose_per_kg.value_or(*rule.default_dose), w);
    case DoseKind::kPerKgPerHour: {
      MgPerH rate = units::rate_for(r.rate_per_kg.value_or(*rule.default_rate_per_kg), w);
      // The protocol's own cap shapes its default; a typed dose is checked, never silently cut.
      if (!r.rate_per_kg && rule.rate_cap && rate > *rule.rate_cap) rate = *rule.rate_cap;
      return Mg(rate.value() * hours(*p.duration).value());
    }
    case DoseKind::kFixedRatePerH:
      return Mg(r.rate.value_or(*rule.default_rate).value() * hours(*p.duration).value());
  }
  return Mg(0);
}

double value_of(LimitQuantity q, const Plan& plan, const Patient& patient) {
  switch (q) {
    case LimitQuantity::kDoseMgPerKg:
      return plan.dose_per_kg.value();
    case LimitQuantity::kDoseMg:
      return plan.dose.value();
    case LimitQuantity::kRateMgPerKgPerH:
      return plan.rate_per_kg ? plan.rate_per_kg->value() : 0.0;
    case LimitQuantity::kRateMgPerH:
      return plan.rate ? plan.rate->value() : 0.0;
    case LimitQuantity::kRateMlPerH:
      return plan.pump_rate ? plan.pump_rate->value() : 0.0;
    case LimitQuantity::kConcentrationMgPerMl:
      return plan.concentration.value();
    case LimitQuantity::kAgeY:
      return patient.age.value();
    case LimitQuantity::kVolumeMl:
      return plan.volume.value();
    case LimitQuantity::kCumulativeDoseMgPerKg:
      return plan.cumulative_dose_per_kg ? plan.cumulative_dose_per_kg->value()
                                         : plan.dose_per_kg.value();
  }
  return 0.0;
}

CheckResult check(const Limit& limit, const Plan& plan, const Patient& patient) {
  const double v = report_precision(value_of(limit.quantity, plan, patient));
  const bool passed = (limit.type == BoundType::kMax) ? v <= limit.bound : v >= limit.bound;
  return CheckResult{limit, v, passed};
}

PlanStatus status_of(const std::vector<CheckResult>& checks, bool has_reason, bool* overridden) {
  bool soft_failed = false;
  for (const auto& c : checks) {
    if (c.passed) continue;
    if (c.limit.level == LimitLevel::kHard) return PlanStatus::kRefused;
    soft_failed = true;
  }
  if (!soft_failed) return PlanStatus::kAccepted;
  if (!has_reason) return PlanStatus::kNeedsOverride;
  *overridden = true;
  return PlanStatus::kAccepted;
}

bool is_blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

}  // namespace

double report_precision(double value) { return std::round(value * 1e6) / 1e6; }

MlPerH round_pump_rate(MlPerH exact, MlPerH resolution) {
  // The small epsilon keeps an exact step (52.5 computed as 52.4999999999) on its step.
  const double steps = std::floor(exact.value() / resolution.value() + 1e-9);
  return MlPerH(report_precision(steps * resolution.value()));
}

Plan compute_plan(const DrugLibrary& library, const PlanRequest& request) {
  const Protocol* protocol = library.find(request.protocol_id);
  if (protocol == nullptr) {
    throw InputError(
        "protocol", "unknown protocol '" + request.protocol_id + "' (kit protocols lists the ids)");
  }
  const Protocol& p = *protocol;
  validate_patient(request.patient, p);
  const MgPerMl concentration = resolve_concentration(request.preparation);
  refuse_foreign_dose_fields(request, p);
  check_dose_history(request, p);
  if (request.override_reason && is_blank(*request.override_reason)) {
    throw InputError("override_reason", "must document the reason (empty text given)");
  }

  Plan plan;
  plan.protocol_id = p.id;
  plan.route = p.route;
  plan.concentration = concentration;
  plan.duration = p.duration;
  plan.override_reason = request.override_reason;
  plan.warnings = p.warnings;
  plan.schedule = p.schedule;
  if (height_not_measured(request.patient, p)) {
    plan.dosing_weight.weight = request.patient.weight;
    plan.dosing_weight.basis = WeightBasis::kActual;
    plan.dosing_weight.ideal_note = "no height measured: no BMI or ideal weight";
    plan.dosing_weight.reason = "actual body weight: the protocol's rule (" + p.weight.source + ")";
  } else {
    plan.dosing_weight = dosing_weight(p.weight, request.patient.weight, request.patient.height,
                                       request.patient.sex, request.patient.age);
  }
  const Kg w = plan.dosing_weight.weight;
  plan.prescribed_dose = prescribed_dose(p, request, w);

  if (p.route == AdministrationRoute::kIvInfusion) {
    const units::Hours h = hours(*p.duration);
    const MgPerH exact_rate(plan.prescribed_dose.value() / h.value());
    plan.pump_rate =
        round_pump_rate(units::pump_rate(exact_rate, concentration), library.pump().resolution);
    // Delivered = programmed mL/h x concentration (x duration): the rounding is reflected back.
    plan.rate = MgPerH(plan.pump_rate->value() * concentration.value());
    plan.rate_per_kg = MgPerKgPerH(plan.rate->value() / w.value());
    plan.dose = Mg(plan.rate->value() * h.value());
    plan.volume = Ml(plan.pump_rate->value() * h.value());
  } else {
    // IV push and IM: drawn up in a syringe, nothing is pumped or rounded.
    plan.dose = plan.prescribed_dose;
    plan.volume = units::volume_for(plan.dose, concentration);
  }
  plan.dose_per_kg = MgPerKg(plan.dose.value() / w.value());
  if (request.previous_total) {
    plan.previous_total = request.previous_total;
    plan.cumulative_dose_per_kg =
        MgPerKg((request.previous_total->value() + plan.dose.value()) / w.value());
  }
  if (request.preparation.bag_volume) {
    plan.bags_needed =
        static_cast<int>(std::ceil(plan.volume / *request.preparation.bag_volume - 1e-9));
  }

  for (const Limit& limit : p.limits) plan.checks.push_back(check(limit, plan, request.patient));
  if (p.route == AdministrationRoute::kIvInfusion) {
    for (const Limit& limit : library.pump().limits) {
      plan.checks.push_back(check(limit, plan, request.patient));
    }
  }
  plan.status = status_of(plan.checks, request.override_reason.has_value(), &plan.override_applied);
  return plan;
}

}  // namespace kit::dosing
