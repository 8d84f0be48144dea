#include "contract/dosing_api.h"

#include <string>

#include "contract/json_reader.h"
#include "core/common/error.h"
#include "core/dosing/names.h"

namespace kit::contract {

namespace {

using dosing::report_precision;
using nlohmann::json;

template <class Q>
json quantity_or_null(const std::optional<Q>& q) {
  return q ? json(report_precision(q->value())) : json(nullptr);
}

json limit_to_json(const dosing::Limit& l) {
  return {{"limit", dosing::to_string(l.level)},
          {"quantity", dosing::to_string(l.quantity)},
          {"bound_type", dosing::to_string(l.type)},
          {"bound", l.bound},
          {"source", l.source},
          {"policy", l.policy}};
}

json check_to_json(const dosing::CheckResult& c) {
  json j = limit_to_json(c.limit);
  j["value"] = c.value;
  j["passed"] = c.passed;
  return j;
}

json dose_rule_to_json(const dosing::DoseRule& d) {
  json j = {{"kind", dosing::to_string(d.kind)}, {"source", d.source}};
  if (d.default_dose) j["default_dose_mg_per_kg"] = d.default_dose->value();
  if (d.default_rate_per_kg) j["default_rate_mg_per_kg_per_h"] = d.default_rate_per_kg->value();
  if (d.default_rate) j["default_rate_mg_per_h"] = d.default_rate->value();
  if (d.rate_cap) j["rate_cap_mg_per_h"] = d.rate_cap->value();
  return j;
}

json schedule_to_json(const dosing::Schedule& s) {
  return {{"sessions", s.sessions},
          {"description", s.description},
          {"repeat_after_min", quantity_or_null(s.repeat_after_min)},
          {"repeat_before_min", quantity_or_null(s.repeat_before_min)},
          {"source", s.source}};
}

dosing::Patient parse_patient(ObjectReader r) {
  dosing::Patient p;
  p.weight = units::Kg(r.number("weight_kg"));
  p.height = units::Cm(r.number("height_cm"));
  const std::string sex = r.string("sex");
  const auto parsed = dosing::parse_sex(sex);
  if (!parsed) throw InputError(r.path_of("sex"), "must be \"female\" or \"male\"");
  p.sex = *parsed;
  p.age = units::Years(r.number("age_y"));
  r.finish();
  return p;
}

dosing::Preparation parse_preparation(ObjectReader r) {
  dosing::Preparation p;
  if (auto c = r.optional_number("concentration_mg_per_ml")) p.concentration = units::MgPerMl(*c);
  if (auto d = r.optional_number("drug_mg")) p.bag_drug = units::Mg(*d);
  if (auto v = r.optional_number("volume_ml")) p.bag_volume = units::Ml(*v);
  r.finish();
  if (!p.concentration && !p.bag_drug && !p.bag_volume) {
    throw InputError(r.path(), "give concentration_mg_per_ml, or drug_mg with volume_ml");
  }
  return p;
}

}  // namespace

dosing::PlanRequest parse_dose_request(const json& request) {
  ObjectReader r(request, "");
  dosing::PlanRequest out;
  out.protocol_id = r.string("protocol");
  out.patient = parse_patient(r.object("patient"));
  out.preparation = parse_preparation(r.object("preparation"));
  if (auto v = r.optional_number("dose_mg_per_kg")) out.dose_per_kg = units::MgPerKg(*v);
  if (auto v = r.optional_number("rate_mg_per_kg_per_h")) out.rate_per_kg = units::MgPerKgPerH(*v);
  if (auto v = r.optional_number("rate_mg_per_h")) out.rate = units::MgPerH(*v);
  if (auto v = r.optional_number("previous_total_mg")) out.previous_total = units::Mg(*v);
  out.override_reason = r.optional_string("override_reason");
  r.finish();
  return out;
}

json protocol_to_json(const dosing::Protocol& p, const dosing::Pump& pump) {
  json limits = json::array();
  for (const auto& l : p.limits) limits.push_back(limit_to_json(l));
  json j = {{"id", p.id},
            {"name", p.name},
            {"indication", p.indication},
            {"route", dosing::to_string(p.route)},
            {"dose", dose_rule_to_json(p.dose)},
            {"duration_min", quantity_or_null(p.duration)},
            {"duration_source", p.duration_source},
            {"weight_basis",
             {{"rule", dosing::to_string(p.weight.kind)},
              {"bmi_threshold_kg_per_m2", p.weight.bmi_threshold_kg_per_m2},
              {"source", p.weight.source}}},
            {"schedule", schedule_to_json(p.schedule)},
            {"limits", limits},
            {"notes", p.notes},
            {"warnings", p.warnings},
            {"repeat_dose", p.repeat_dose}};
  if (p.route == dosing::AdministrationRoute::kIvInfusion) {
    json pump_limits = json::array();
    for (const auto& l : pump.limits) pump_limits.push_back(limit_to_json(l));
    j["pump"] = {{"resolution_ml_per_h", pump.resolution.value()},
                 {"rounding", "down to the resolution"},
                 {"limits", pump_limits},
                 {"source", pump.source}};
  }
  return j;
}

json plan_to_json(const dosing::Plan& plan) {
  json checks = json::array();
  for (const auto& c : plan.checks) checks.push_back(check_to_json(c));
  const auto& w = plan.dosing_weight;
  json j = {{"protocol", plan.protocol_id},
            {"route", dosing::to_string(plan.route)},
            {"dosing_weight_kg", report_precision(w.weight.value())},
            {"weight_basis", dosing::to_string(w.basis)},
            {"weight_basis_reason", w.reason},
            {"ideal_body_weight_kg", quantity_or_null(w.ideal)},
            // 0: no height measured (ED sedation on actual weight), so no BMI.
            {"bmi_kg_per_m2",
             w.bmi_kg_per_m2 > 0 ? json(report_precision(w.bmi_kg_per_m2)) : json(nullptr)},
            {"concentration_mg_per_ml", report_precision(plan.concentration.value())},
            {"prescribed_dose_mg", report_precision(plan.prescribed_dose.value())},
            {"dose_mg", report_precision(plan.dose.value())},
            {"dose_mg_per_kg", report_precision(plan.dose_per_kg.value())},
            {"rate_mg_per_h", quantity_or_null(plan.rate)},
            {"rate_mg_per_kg_per_h", quantity_or_null(plan.rate_per_kg)},
            {"rate_ml_per_h", quantity_or_null(plan.pump_rate)},
            {"volume_ml", report_precision(plan.volume.value())},
            {"duration_min", quantity_or_null(plan.duration)},
            {"previous_total_mg", quantity_or_null(plan.previous_total)},
            {"cumulative_dose_mg_per_kg", quantity_or_null(plan.cumulative_dose_per_kg)},
            {"warnings", plan.warnings},
            {"schedule", schedule_to_json(plan.schedule)},
            {"checks", checks},
            {"status", dosing::to_string(plan.status)},
            {"override_applied", plan.override_applied}};
  if (!w.ideal) j["ideal_body_weight_note"] = w.ideal_note;
  if (plan.override_reason) j["override_reason"] = *plan.override_reason;
  if (plan.bags_needed) j["bags_needed"] = *plan.bags_needed;
  return j;
}

json handle_protocols(const dosing::DrugLibrary& library) {
  json out = json::array();
  for (const auto& p : library.protocols()) out.push_back(protocol_to_json(p, library.pump()));
  return out;
}

DoseResponse handle_dose(const json& request, const dosing::DrugLibrary& library) {
  const dosing::Plan plan = dosing::compute_plan(library, parse_dose_request(request));
  return DoseResponse{plan_to_json(plan), plan.status == dosing::PlanStatus::kAccepted};
}

}  // namespace kit::contract
