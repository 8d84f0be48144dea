// KIT records -> a FHIR R4 Bundle (fhir/mapping.h). Pure: the records in, JSON out.
#include <cmath>
#include <map>
#include <set>
#include <string>

#include "core/common/calendar.h"
#include "core/common/units.h"
#include "core/infusion/delivery.h"
#include "core/infusion/state_machine.h"
#include "core/instruments/instrument.h"
#include "fhir/codes.h"
#include "fhir/mapping.h"
#include "fhir/mapping_common.h"

namespace kit::fhir {

using nlohmann::json;

std::string kit_extension(std::string_view name) {
  return std::string(codes::kKitBase) + "StructureDefinition/" + std::string(name);
}

namespace {

std::string instant(std::int64_t ms) { return calendar::format_utc_ms(ms); }

json ext(std::string_view name, const char* type, json value) {
  return {{"url", kit_extension(name)}, {type, std::move(value)}};
}

json coding(std::string_view system, std::string_view code, std::string_view display = "") {
  json c = {{"system", system}, {"code", code}};
  if (!display.empty()) c["display"] = display;
  return c;
}

json kit_coding(std::string_view system_name, std::string_view code) {
  return coding(std::string(codes::kKitBase) + "CodeSystem/" + std::string(system_name), code);
}

json quantity(double value, std::string_view unit) {
  return {{"value", value}, {"unit", unit}, {"system", codes::kUcum}, {"code", unit}};
}

json ref(std::string_view type, const std::string& id) {
  return {{"reference", std::string(type) + "/" + id}};
}

// The patients are the search's matches; everything else is included with them.
json entry(json resource) {
  const bool match = resource["resourceType"] == "Patient";
  return {{"resource", std::move(resource)}, {"search", {{"mode", match ? "match" : "include"}}}};
}

// The entry status of a corrected record: KIT keeps it (active, entered_in_error, amended).
std::string observation_status(const std::string& kit_status) {
  if (kit_status == "entered_in_error") return "entered-in-error";
  if (kit_status == "amended") return "amended";
  return "final";
}

// SNOMED CT codes of the indications (SNOMED CT International browser, browser.ihtsdotools.org):
// 35489007 Depressive disorder, 47505003 Posttraumatic stress disorder, 191736004
// Obsessive-compulsive disorder, 82423001 Chronic pain. "other" has no code: KIT's only.
struct Indication {
  const char* kit;
  const char* snomed;
  const char* display;
};
constexpr Indication kIndications[] = {
    {"depression", "35489007", "Depressive disorder"},
    {"ptsd", "47505003", "Posttraumatic stress disorder"},
    {"ocd", "191736004", "Obsessive-compulsive disorder"},
    {"chronic_pain", "82423001", "Chronic pain"},
    {"other", nullptr, "Other indication for ketamine"},
};

json patient_resource(const storage::Patient& p) {
  json r = {{"resourceType", "Patient"},
            {"id", patient_id(p.id)},
            {"meta", {{"lastUpdated", instant(p.updated_at_ms)}}},
            {"identifier",
             json::array(
                 {{{"use", "usual"},
                   {"type",
                    {{"coding", json::array({coding("http://terminology.hl7.org/CodeSystem/v2-0203",
                                                    "MR", "Medical record number")})}}},
                   {"system", std::string(codes::kKitBase) + "mrn"},
                   {"value", p.mrn}}})},
            {"name", json::array({{{"use", "official"},
                                   {"family", p.family_name},
                                   {"given", json::array({p.given_name})}}})},
            {"gender", p.sex},
            {"birthDate", p.date_of_birth}};
  json telecom = json::array();
  if (p.phone) telecom.push_back({{"system", "phone"}, {"value", *p.phone}});
  if (p.email) telecom.push_back({{"system", "email"}, {"value", *p.email}});
  if (!telecom.empty()) r["telecom"] = telecom;
  r["extension"] = json::array({ext("patient-status", "valueCode", p.status),
                                ext("recorded", "valueInstant", instant(p.created_at_ms))});
  return r;
}

json body_measure(const storage::Patient& p, std::string_view code, std::string_view display,
                  std::string_view profile, double value, std::string_view unit) {
  const std::string prefix = code == codes::kBodyWeight ? "wt-" : "ht-";
  return {{"resourceType", "Observation"},
          {"id", prefix + patient_id(p.id)},
          {"meta",
           {{"profile", json::array({std::string("http://hl7.org/fhir/StructureDefinition/") +
                                     std::string(profile)})}}},
          {"status", "final"},
          {"category", json::array({vital_signs_category()})},
          {"code",
           {{"coding", json::array({coding(codes::kLoinc, code, display)})}, {"text", display}}},
          {"subject", ref("Patient", patient_id(p.id))},
          {"effectiveDateTime", instant(p.updated_at_ms)},
          {"valueQuantity", quantity(value, unit)}};
}

json condition_resource(const storage::Patient& p) {
  json code_codings = json::array();
  std::string text = p.indication;
  for (const auto& i : kIndications) {
    if (p.indication != i.kit) continue;
    if (i.snomed != nullptr) code_codings.push_back(coding(codes::kSnomed, i.snomed, i.display));
    text = i.display;
  }
  code_codings.push_back(kit_coding("indication", p.indication));
  return {
      {"resourceType", "Condition"},
      {"id", "ind-" + patient_id(p.id)},
      {"clinicalStatus",
       {{"coding", json::array({coding("http://terminology.hl7.org/CodeSystem/condition-clinical",
                                       "active")})}}},
      {"verificationStatus",
       {{"coding", json::array({coding("http://terminology.hl7.org/CodeSystem/condition-ver-status",
                                       "confirmed")})}}},
      {"category",
       json::array({{{"coding", json::array({coding(
                                    "http://terminology.hl7.org/CodeSystem/condition-category",
                                    "problem-list-item")})}}})},
      {"code", {{"coding", code_codings}, {"text", text}}},
      {"subject", ref("Patient", patient_id(p.id))}};
}

json consent_resource(const storage::Consent& c) {
  // HL7 consent scope (terminology.hl7.org/CodeSystem/consentscope): research, patient-privacy,
  // treatment.
  const char* scope = c.consent_type == "research"  ? "research"
                      : c.consent_type == "privacy" ? "patient-privacy"
                                                    : "treatment";
  json r = {
      {"resourceType", "Consent"},
      {"id", prefixed("consent-", c.id)},
      {"status", c.withdrawn() ? "inactive" : "active"},
      {"scope",
       {{"coding",
         json::array({coding("http://terminology.hl7.org/CodeSystem/consentscope", scope)})}}},
      {"category",
       json::array({{{"coding", json::array({coding(codes::kLoinc, codes::kConsentDocument,
                                                    "Patient Consent")})}},
                    {{"coding", json::array({kit_coding("consent-type", c.consent_type)})}}})},
      {"patient", ref("Patient", patient_id(c.patient_id))},
      {"dateTime", instant(c.signed_at_ms)}};
  json e = json::array({ext("form-version", "valueString", c.form_version),
                        ext("recorded", "valueInstant", instant(c.recorded_at_ms))});
  if (!c.note.empty()) e.push_back(ext("note", "valueString", c.note));
  if (c.withdrawn_at_ms) {
    e.push_back(ext("withdrawn", "valueInstant", instant(*c.withdrawn_at_ms)));
    e.push_back(ext("withdrawal-reason", "valueString", c.withdrawal_reason.value_or("")));
  }
  r["extension"] = e;
  return r;
}

json care_plan_resource(const storage::Course& c) {
  // HL7 request-status: draft | active | revoked | completed (CarePlan.status, R4).
  const std::string status = c.state == "planned"     ? "draft"
                             : c.state == "completed" ? "completed"
                             : c.state == "stopped"   ? "revoked"
                                                      : "active";
  json r = {{"resourceType", "CarePlan"},
            {"id", course_id(c.id)},
            {"meta", {{"lastUpdated", instant(c.updated_at_ms)}}},
            {"status", status},
            {"intent", "plan"},
            {"title", "Ketamine course: " + c.protocol_id},
            {"subject", ref("Patient", patient_id(c.patient_id))},
            {"created", instant(c.created_at_ms)},
            {"extension",
             json::array({ext("course-state", "valueCode", c.state),
                          ext("protocol", "valueString", c.protocol_id),
                          ext("planned-infusions", "valueInteger", c.planned_infusions),
                          ext("extension-infusions", "valueInteger", c.extension_infusions)})}};
  if (!c.notes.empty()) r["description"] = c.notes;
  return r;
}

json clinic_resource(const Place& p) {
  return {{"resourceType", "Location"},
          {"id", clinic_id(p.clinic_id)},
          {"mode", "instance"},
          {"name", p.clinic_name},
          {"extension", json::array({ext("timezone", "valueString", p.clinic_timezone)})}};
}

json chair_resource(const Place& p) {
  return {{"resourceType", "Location"},
          {"id", chair_id(p.chair_id)},
          {"mode", "instance"},
          {"name", p.chair_name},
          {"partOf", ref("Location", clinic_id(p.clinic_id))}};
}

json appointment_resource(const AppointmentRecord& ar) {
  const storage::Appointment& a = ar.appointment;
  // HL7 appointmentstatus (R4): booked | fulfilled | cancelled | noshow.
  const std::string status = a.status == "completed"   ? "fulfilled"
                             : a.status == "cancelled" ? "cancelled"
                             : a.status == "no_show"   ? "noshow"
                                                       : "booked";
  json r = {{"resourceType", "Appointment"},
            {"id", appointment_id(a.id)},
            {"meta", {{"lastUpdated", instant(a.updated_at_ms)}}},
            {"status", status},
            {"appointmentType",
             {{"coding", json::array({kit_coding("appointment-kind", a.kind)})}, {"text", a.kind}}},
            {"start", instant(a.starts_ms)},
            {"end", instant(a.ends_ms)},
            {"created", instant(a.created_at_ms)},
            {"participant", json::array({{{"actor", ref("Patient", patient_id(a.patient_id))},
                                          {"required", "required"},
                                          {"status", "accepted"}},
                                         {{"actor", ref("Location", chair_id(a.chair_id))},
                                          {"required", "required"},
                                          {"status", "accepted"}}})}};
  if (!a.notes.empty()) r["comment"] = a.notes;
  if (!a.status_reason.empty()) r["cancelationReason"] = {{"text", a.status_reason}};
  if (a.course_id)
    r["supportingInformation"] = json::array({ref("CarePlan", course_id(*a.course_id))});
  json e = json::array({ext("appointment-status", "valueCode", a.status),
                        ext("local-date", "valueDate", a.on_date)});
  if (!a.booking_reason.empty())
    e.push_back(ext("booking-reason", "valueString", a.booking_reason));
  r["extension"] = e;
  return r;
}

json ketamine() {
  return {{"coding", json::array({coding(codes::kRxNorm, codes::kKetamineRxcui, "ketamine")})},
          {"text", "ketamine"}};
}

json iv_route() {
  return {
      {"coding", json::array({coding(codes::kSnomed, codes::kIntravenous, "Intravenous route")})}};
}

double ml_per_h(std::int64_t steps, std::int64_t step_ul_per_h) {
  return static_cast<double>(steps * step_ul_per_h) / 1000.0;
}

// Rounded to the microgram / microlitre: the stored doubles carry binary noise beyond it.
double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

json pump_event_extension(const storage::StoredPumpEvent& e) {
  json parts = json::array({{{"url", "id"}, {"valueString", std::to_string(e.id)}},
                            {{"url", "kind"}, {"valueCode", e.kind}},
                            {{"url", "at"}, {"valueInstant", instant(e.at_ms)}},
                            {{"url", "recorded"}, {"valueInstant", instant(e.recorded_at_ms)}},
                            {{"url", "status"}, {"valueCode", e.status}}});
  if (e.rate_steps) parts.push_back({{"url", "rate-steps"}, {"valueInteger", *e.rate_steps}});
  if (e.checks_json) parts.push_back({{"url", "checks"}, {"valueString", *e.checks_json}});
  if (e.override_reason) {
    parts.push_back({{"url", "override-reason"}, {"valueString", *e.override_reason}});
  }
  if (e.gate_override_reason) {
    parts.push_back({{"url", "gate-override-reason"}, {"valueString", *e.gate_override_reason}});
  }
  if (!e.note.empty()) parts.push_back({{"url", "note"}, {"valueString", e.note}});
  if (e.amends_id)
    parts.push_back({{"url", "amends"}, {"valueString", std::to_string(*e.amends_id)}});
  return {{"url", kit_extension("pump-event")}, {"extension", parts}};
}

// HL7 medication-admin-status (R4): in-progress | not-done | on-hold | completed |
// entered-in-error | stopped | unknown.
std::string administration_status(const std::string& state) {
  if (state == "running") return "in-progress";
  if (state == "paused") return "on-hold";
  if (state == "stopped" || state == "discharged") return "completed";
  if (state == "voided") return "entered-in-error";
  return "not-done";  // planned: nothing given yet
}

std::vector<infusion::PumpEvent> active_events(const SessionRecord& sr) {
  std::vector<infusion::PumpEvent> out;
  for (const auto& e : sr.events) {
    if (e.status != "active") continue;
    infusion::PumpEvent p;
    p.id = e.id;
    p.kind = *infusion::parse_pump_event(e.kind);
    if (e.rate_steps) {
      p.rate = units::MlPerH(ml_per_h(*e.rate_steps, sr.session.pump_step_ul_per_h));
    }
    p.at_ms = e.at_ms;
    out.push_back(p);
  }
  return out;
}

void add_session(json& entries, const SessionRecord& sr, std::int64_t now_ms) {
  const storage::InfusionSession& s = sr.session;
  const std::string id = session_id(s.id);
  json r = {{"resourceType", "MedicationAdministration"},
            {"id", id},
            {"meta", {{"lastUpdated", instant(s.updated_at_ms)}}},
            {"status", administration_status(s.state)},
            {"medicationCodeableConcept", ketamine()},
            {"subject", ref("Patient", patient_id(s.patient_id))}};
  if (s.started_at_ms) {
    json period = {{"start", instant(*s.started_at_ms)}};
    if (s.stopped_at_ms) period["end"] = instant(*s.stopped_at_ms);
    r["effectivePeriod"] = period;
  } else {
    r["effectiveDateTime"] = instant(s.created_at_ms);
  }
  json support = json::array();
  if (s.course_id) support.push_back(ref("CarePlan", course_id(*s.course_id)));
  if (s.appointment_id) support.push_back(ref("Appointment", appointment_id(*s.appointment_id)));
  if (!support.empty()) r["supportingInformation"] = support;
  if (s.void_reason) r["statusReason"] = json::array({{{"text", *s.void_reason}}});
  r["dosage"] = {{"text", "delivered dose of the whole infusion; rate = the planned pump rate"},
                 {"route", iv_route()},
                 {"dose", quantity(round3(s.delivered_mg), "mg")},
                 {"rateQuantity",
                  quantity(round3(ml_per_h(s.planned_rate_steps, s.pump_step_ul_per_h)), "mL/h")}};
  json e = json::array(
      {ext("session-state", "valueCode", s.state), ext("protocol", "valueString", s.protocol_id),
       ext("plan-request", "valueString", s.plan_request_json),
       ext("plan", "valueString", s.plan_json),
       ext("concentration", "valueQuantity", quantity(s.concentration_mg_per_ml, "mg/mL")),
       ext("dosing-weight", "valueQuantity", quantity(s.dosing_weight_kg, "kg")),
       ext("planned-dose", "valueQuantity", quantity(s.planned_dose_mg, "mg")),
       ext("pump-step", "valueQuantity",
           quantity(static_cast<double>(s.pump_step_ul_per_h), "uL/h")),
       ext("planned-rate-steps", "valueInteger", s.planned_rate_steps),
       ext("planned-duration", "valueQuantity", quantity(s.planned_duration_min, "min")),
       ext("delivered", "valueQuantity", quantity(s.delivered_mg, "mg")),
       ext("recorded", "valueInstant", instant(s.created_at_ms))});
  if (sr.place)
    e.push_back(ext("chair", "valueReference", ref("Location", chair_id(sr.place->chair_id))));
  if (s.unscheduled_reason)
    e.push_back(ext("unscheduled-reason", "valueString", *s.unscheduled_reason));
  if (s.override_reason) e.push_back(ext("override-reason", "valueString", *s.override_reason));
  for (const auto& ev : sr.events) e.push_back(pump_event_extension(ev));
  r["extension"] = e;
  entries.push_back(entry(std::move(r)));

  // The delivered intervals, computed by the core from the active pump events.
  const std::vector<infusion::PumpEvent> events = active_events(sr);
  if (events.empty()) return;
  const std::int64_t until =
      (s.state == "running" || s.state == "paused") ? now_ms : s.stopped_at_ms.value_or(now_ms);
  const infusion::Delivery d = infusion::deliver(events, units::MgPerMl(s.concentration_mg_per_ml),
                                                 units::Kg(s.dosing_weight_kg), until);
  int k = 0;
  for (const auto& iv : d.intervals) {
    json period = {{"start", instant(iv.from_ms)}};
    if (!iv.still_running) period["end"] = instant(iv.to_ms);
    entries.push_back(entry({{"resourceType", "MedicationAdministration"},
                             {"id", id + "-" + std::to_string(++k)},
                             {"status", iv.still_running ? "in-progress" : "completed"},
                             {"medicationCodeableConcept", ketamine()},
                             {"subject", ref("Patient", patient_id(s.patient_id))},
                             {"partOf", json::array({ref("MedicationAdministration", id)})},
                             {"effectivePeriod", period},
                             {"dosage",
                              {{"text", "one delivered interval at a constant pump rate"},
                               {"route", iv_route()},
                               {"dose", quantity(round3(iv.mg.value()), "mg")},
                               {"rateQuantity", quantity(round3(iv.rate.value()), "mL/h")}}}}));
  }
}

json vital_member(const storage::StoredVital& v, const std::string& suffix,
                  std::string_view profile, json code) {
  return {{"resourceType", "Observation"},
          {"id", vital_id(v.id) + "-" + suffix},
          {"meta",
           {{"profile", json::array({std::string("http://hl7.org/fhir/StructureDefinition/") +
                                     std::string(profile)})}}},
          {"status", observation_status(v.status)},
          {"category", json::array({vital_signs_category()})},
          {"code", std::move(code)},
          {"effectiveDateTime", instant(v.at_ms)}};
}

void add_vital(json& entries, const storage::StoredVital& v, std::int64_t patient) {
  const json subject = ref("Patient", patient_id(patient));
  std::vector<json> members;
  auto loinc = [](std::string_view code, std::string_view display) {
    return json{{"coding", json::array({coding(codes::kLoinc, code, display)})}, {"text", display}};
  };
  if (v.sbp_mmhg || v.dbp_mmhg) {
    json m = vital_member(v, "bp", "bp", loinc(codes::kBpPanel, "Blood pressure panel"));
    json comps = json::array();
    if (v.sbp_mmhg) {
      comps.push_back({{"code", loinc(codes::kSystolic, "Systolic blood pressure")},
                       {"valueQuantity", quantity(*v.sbp_mmhg, "mm[Hg]")}});
    }
    if (v.dbp_mmhg) {
      comps.push_back({{"code", loinc(codes::kDiastolic, "Diastolic blood pressure")},
                       {"valueQuantity", quantity(*v.dbp_mmhg, "mm[Hg]")}});
    }
    m["component"] = comps;
    members.push_back(m);
  }
  if (v.hr_bpm) {
    json m = vital_member(v, "hr", "heartrate", loinc(codes::kHeartRate, "Heart rate"));
    m["valueQuantity"] = quantity(*v.hr_bpm, "/min");
    members.push_back(m);
  }
  if (v.spo2_percent) {
    json code = {
        {"coding",
         json::array({coding(codes::kLoinc, codes::kSpO2, "Oxygen saturation in Arterial blood"),
                      coding(codes::kLoinc, codes::kSpO2Pulse,
                             "Oxygen saturation in Arterial blood by Pulse "
                             "oximetry")})},
        {"text", "SpO2"}};
    json m = vital_member(v, "spo2", "oxygensat", code);
    m["valueQuantity"] = quantity(*v.spo2_percent, "%");
    members.push_back(m);
  }
  if (v.rr_per_min) {
    json m = vital_member(v, "rr", "resprate", loinc(codes::kRespRate, "Respiratory rate"));
    m["valueQuantity"] = quantity(*v.rr_per_min, "/min");
    members.push_back(m);
  }
  json panel = {
      {"resourceType", "Observation"},
      {"id", vital_id(v.id)},
      {"meta", {{"profile", json::array({"http://hl7.org/fhir/StructureDefinition/vitalspanel"})}}},
      {"status", observation_status(v.status)},
      {"category", json::array({vital_signs_category()})},
      {"code", loinc(codes::kVitalsPanel, "Vital signs panel")},
      {"subject", subject},
      {"effectiveDateTime", instant(v.at_ms)},
      {"partOf", json::array({ref("MedicationAdministration", session_id(v.session_id))})}};
  json has = json::array();
  for (auto& m : members) {
    has.push_back(ref("Observation", m["id"].get<std::string>()));
    m["subject"] = subject;
    m["partOf"] = panel["partOf"];
  }
  if (!has.empty()) panel["hasMember"] = has;
  json e = json::array({ext("reading-point", "valueCode", v.point),
                        ext("vitals-action", "valueCode", v.action),
                        ext("vitals-reasons", "valueString", v.reasons_json),
                        ext("entry-status", "valueCode", v.status)});
  if (v.consciousness) e.push_back(ext("consciousness", "valueString", *v.consciousness));
  if (v.amends_id)
    e.push_back(ext("amends", "valueReference", ref("Observation", vital_id(*v.amends_id))));
  panel["extension"] = e;
  entries.push_back(entry(std::move(panel)));
  for (auto& m : members) entries.push_back(entry(std::move(m)));
}

// The answers as FHIR items where they are a list of numbers (null: unanswered); any other shape
// travels whole in the answers extension.
json answer_items(const std::string& answers_json) {
  const json a = json::parse(answers_json, nullptr, false);
  if (!a.is_array()) return nullptr;
  json items = json::array();
  int n = 0;
  for (const auto& v : a) {
    json item = {{"linkId", std::to_string(++n)}};
    if (v.is_number_integer()) {
      item["answer"] = json::array({{{"valueInteger", v}}});
    } else if (v.is_number()) {
      item["answer"] = json::array({{{"valueDecimal", v}}});
    } else if (!v.is_null()) {
      return nullptr;
    }
    items.push_back(item);
  }
  return items;
}

void add_assessment(json& entries, const storage::Assessment& a) {
  const std::string qr = prefixed("qr-", a.id);
  const instruments::InstrumentDefinition* def = instruments::find_instrument(a.instrument);
  const std::string name = def != nullptr ? std::string(def->name) : a.instrument;
  // HL7 questionnaire-answers-status (R4): completed | amended | entered-in-error.
  const std::string qr_status = a.status == "entered_in_error" ? "entered-in-error"
                                : a.status == "amended"        ? "amended"
                                                               : "completed";
  json r = {{"resourceType", "QuestionnaireResponse"},
            {"id", qr},
            {"questionnaire", std::string(codes::kKitBase) + "Questionnaire/" + a.instrument},
            {"status", qr_status},
            {"subject", ref("Patient", patient_id(a.patient_id))},
            {"authored", instant(a.at_ms)}};
  if (a.self_report) r["source"] = ref("Patient", patient_id(a.patient_id));
  if (a.course_id) r["basedOn"] = json::array({ref("CarePlan", course_id(*a.course_id))});
  json items = answer_items(a.answers_json);
  json e = json::array(
      {ext("instrument", "valueCode", a.instrument), ext("result", "valueString", a.result_json),
       ext("flags", "valueString", a.flags_json), ext("entry-status", "valueCode", a.status)});
  if (items.is_null()) {
    e.push_back(ext("answers", "valueString", a.answers_json));
  } else if (!items.empty()) {
    r["item"] = items;
  }
  if (a.session_id) {
    e.push_back(ext("session", "valueReference",
                    ref("MedicationAdministration", session_id(*a.session_id))));
  }
  if (a.amends_id) {
    e.push_back(ext("amends", "valueReference",
                    ref("QuestionnaireResponse", prefixed("qr-", *a.amends_id))));
  }
  r["extension"] = e;
  entries.push_back(entry(std::move(r)));

  // The total: LOINC where the instrument has one (core/instruments/catalog.cpp cites each),
  // otherwise KIT's instrument-total code system (docs/fhir.md).
  json code_codings = json::array();
  if (def != nullptr && def->loinc_total) {
    code_codings.push_back(coding(codes::kLoinc, *def->loinc_total, name + " total score"));
  }
  code_codings.push_back(kit_coding("instrument-total", a.instrument));
  json score = {
      {"resourceType", "Observation"},
      {"id", prefixed("score-", a.id)},
      {"status", observation_status(a.status)},
      {"category",
       json::array({{{"coding", json::array({coding(
                                    "http://terminology.hl7.org/CodeSystem/observation-category",
                                    "survey", "Survey")})}}})},
      {"code", {{"coding", code_codings}, {"text", name + " total"}}},
      {"subject", ref("Patient", patient_id(a.patient_id))},
      {"effectiveDateTime", a.taken_on},
      {"issued", instant(a.at_ms)},
      {"valueQuantity", quantity(a.total, "{score}")},
      {"derivedFrom", json::array({ref("QuestionnaireResponse", qr)})}};
  if (a.band) score["interpretation"] = json::array({{{"text", *a.band}}});
  entries.push_back(entry(std::move(score)));
}

json adverse_event_resource(const storage::StoredAdverseEvent& a) {
  // HL7 adverse-event-severity (R4): mild | moderate | severe; life-threatening is severe and
  // serious (adverse-event-seriousness); KIT's own grade travels in the kit-severity extension.
  const std::string severity = a.severity == "life_threatening" ? "severe" : a.severity;
  json r = {
      {"resourceType", "AdverseEvent"},
      {"id", prefixed("ae-", a.id)},
      {"actuality", "actual"},
      {"event",
       {{"coding", json::array({kit_coding("adverse-event-kind", a.kind)})}, {"text", a.kind}}},
      {"subject", ref("Patient", patient_id(a.patient_id))},
      {"date", instant(a.at_ms)},
      {"seriousness",
       {{"coding",
         json::array({coding("http://terminology.hl7.org/CodeSystem/adverse-event-seriousness",
                             a.severity == "life_threatening" ? "serious" : "non-serious")})}}},
      {"severity",
       {{"coding",
         json::array(
             {coding("http://terminology.hl7.org/CodeSystem/adverse-event-severity", severity)})}}},
      {"suspectEntity",
       json::array({{{"instance", ref("MedicationAdministration", session_id(a.session_id))}}})}};
  json e = json::array(
      {ext("kit-severity", "valueCode", a.severity), ext("entry-status", "valueCode", a.status)});
  if (!a.description.empty()) e.push_back(ext("description", "valueString", a.description));
  if (!a.action_taken.empty()) e.push_back(ext("action-taken", "valueString", a.action_taken));
  if (a.amends_id) {
    e.push_back(
        ext("amends", "valueReference", ref("AdverseEvent", prefixed("ae-", *a.amends_id))));
  }
  r["extension"] = e;
  return r;
}

}  // namespace

json vital_signs_category() {
  return {{"coding",
           json::array({{{"system", "http://terminology.hl7.org/CodeSystem/observation-category"},
                         {"code", "vital-signs"},
                         {"display", "Vital Signs"}}})}};
}

json to_bundle(const std::vector<PatientRecord>& patients, std::int64_t now_ms) {
  json entries = json::array();
  std::set<std::int64_t> clinics, chairs;
  for (const PatientRecord& pr : patients) {
    const storage::Patient& p = pr.patient;
    entries.push_back(entry(patient_resource(p)));
    if (p.weight_kg) {
      entries.push_back(entry(
          body_measure(p, codes::kBodyWeight, "Body weight", "bodyweight", *p.weight_kg, "kg")));
    }
    if (p.height_cm) {
      entries.push_back(entry(
          body_measure(p, codes::kBodyHeight, "Body height", "bodyheight", *p.height_cm, "cm")));
    }
    entries.push_back(entry(condition_resource(p)));
    for (const auto& c : pr.consents) entries.push_back(entry(consent_resource(c)));
    for (const auto& c : pr.courses) entries.push_back(entry(care_plan_resource(c)));
    for (const auto& a : pr.appointments) {
      if (clinics.insert(a.place.clinic_id).second)
        entries.push_back(entry(clinic_resource(a.place)));
      if (chairs.insert(a.place.chair_id).second) entries.push_back(entry(chair_resource(a.place)));
      entries.push_back(entry(appointment_resource(a)));
    }
    for (const auto& s : pr.sessions) {
      if (s.place && clinics.insert(s.place->clinic_id).second) {
        entries.push_back(entry(clinic_resource(*s.place)));
      }
      if (s.place && chairs.insert(s.place->chair_id).second) {
        entries.push_back(entry(chair_resource(*s.place)));
      }
      add_session(entries, s, now_ms);
      for (const auto& v : s.vitals) add_vital(entries, v, p.id);
      for (const auto& a : s.adverse_events) entries.push_back(entry(adverse_event_resource(a)));
    }
    for (const auto& a : pr.assessments) add_assessment(entries, a);
  }
  return {{"resourceType", "Bundle"},
          {"type", "searchset"},
          {"timestamp", instant(now_ms)},
          {"total", patients.size()},
          {"entry", entries}};
}

}  // namespace kit::fhir
