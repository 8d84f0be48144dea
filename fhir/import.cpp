// A FHIR R4 Bundle -> KIT records (fhir/mapping.h). Pure: JSON in, records out; every refusal an
// InputError naming the entry, the resource and the element.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include "core/common/calendar.h"
#include "core/common/error.h"
#include "core/infusion/delivery.h"
#include "core/infusion/state_machine.h"
#include "fhir/codes.h"
#include "fhir/mapping.h"
#include "fhir/mapping_common.h"

namespace kit::fhir {

using nlohmann::json;

namespace {

// One resource of the Bundle and where it is, for error messages.
struct Res {
  const json* r = nullptr;
  std::string where;  // "Bundle.entry[3](Observation/vit-2)"
  std::string type;
  std::string id;
  std::int64_t local = 0;  // its number in this import
};

[[noreturn]] void bad(const std::string& where, const std::string& message) {
  throw InputError(where, message);
}

const json& req(const json& obj, const std::string& key, const std::string& where) {
  if (!obj.is_object() || !obj.contains(key) || obj.at(key).is_null())
    bad(where + "." + key, "is required");
  return obj.at(key);
}

std::string req_str(const json& obj, const std::string& key, const std::string& where) {
  const json& v = req(obj, key, where);
  if (!v.is_string() || v.get<std::string>().empty())
    bad(where + "." + key, "must be a non-empty string");
  return v.get<std::string>();
}

std::optional<std::string> opt_str(const json& obj, const std::string& key,
                                   const std::string& where) {
  if (!obj.contains(key) || obj.at(key).is_null()) return std::nullopt;
  if (!obj.at(key).is_string()) bad(where + "." + key, "must be a string");
  return obj.at(key).get<std::string>();
}

std::int64_t instant_ms(const std::string& text, const std::string& where) {
  const auto dt = calendar::parse_datetime(text);
  if (!dt || !dt->offset_min)
    bad(where, "must be a FHIR instant with its zone (\"2026-11-24T14:56:10.123Z\")");
  return dt->wall_ms - static_cast<std::int64_t>(*dt->offset_min) * 60000;
}

std::int64_t req_instant(const json& obj, const std::string& key, const std::string& where) {
  return instant_ms(req_str(obj, key, where), where + "." + key);
}

std::string date_of(const json& obj, const std::string& key, const std::string& where) {
  const std::string d = req_str(obj, key, where);
  if (d.size() != 10 || !calendar::parse_iso_date(d))
    bad(where + "." + key, "must be a date YYYY-MM-DD");
  return d;
}

void one_of(const std::string& value, std::initializer_list<const char*> allowed,
            const std::string& where) {
  for (const char* a : allowed) {
    if (value == a) return;
  }
  std::string list;
  for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  bad(where, "'" + value + "' is not one of " + list);
}

// KIT extensions by name.
const json* find_ext(const json& r, std::string_view name) {
  if (!r.contains("extension")) return nullptr;
  const json& e = r.at("extension");
  if (!e.is_array()) return nullptr;
  const std::string url = kit_extension(name);
  for (const auto& x : e) {
    if (x.is_object() && x.value("url", "") == url) return &x;
  }
  return nullptr;
}

std::string ext_where(const std::string& where, std::string_view name) {
  return where + ".extension(" + std::string(name) + ")";
}

const json& ext_value(const json& r, std::string_view name, const char* type,
                      const std::string& where) {
  const json* x = find_ext(r, name);
  if (x == nullptr)
    bad(ext_where(where, name), "is required (KIT extension " + kit_extension(name) + ")");
  if (!x->contains(type)) bad(ext_where(where, name) + "." + type, "is required");
  return x->at(type);
}

std::string ext_str(const json& r, std::string_view name, const char* type,
                    const std::string& where) {
  const json& v = ext_value(r, name, type, where);
  if (!v.is_string()) bad(ext_where(where, name) + "." + type, "must be a string");
  return v.get<std::string>();
}

std::optional<std::string> opt_ext_str(const json& r, std::string_view name, const char* type,
                                       const std::string& where) {
  if (find_ext(r, name) == nullptr) return std::nullopt;
  return ext_str(r, name, type, where);
}

std::int64_t ext_int(const json& r, std::string_view name, const std::string& where) {
  const json& v = ext_value(r, name, "valueInteger", where);
  if (!v.is_number_integer()) bad(ext_where(where, name) + ".valueInteger", "must be an integer");
  return v.get<std::int64_t>();
}

double quantity_value(const json& q, std::string_view unit, const std::string& where) {
  if (!q.is_object()) bad(where, "must be a Quantity");
  const json& v = req(q, "value", where);
  if (!v.is_number()) bad(where + ".value", "must be a number");
  if (q.value("code", "") != unit)
    bad(where + ".code", "must be the UCUM unit '" + std::string(unit) + "'");
  const double d = v.get<double>();
  if (!std::isfinite(d)) bad(where + ".value", "must be finite");
  return d;
}

double ext_qty(const json& r, std::string_view name, std::string_view unit,
               const std::string& where) {
  return quantity_value(ext_value(r, name, "valueQuantity", where), unit,
                        ext_where(where, name) + ".valueQuantity");
}

// The code of `system` in a CodeableConcept, if any.
std::optional<std::string> code_in(const json& cc, std::string_view system) {
  if (!cc.is_object() || !cc.contains("coding") || !cc.at("coding").is_array()) return std::nullopt;
  for (const auto& c : cc.at("coding")) {
    if (c.is_object() && c.value("system", "") == system && c.contains("code") &&
        c.at("code").is_string()) {
      return c.at("code").get<std::string>();
    }
  }
  return std::nullopt;
}

std::string kit_system(std::string_view name) {
  return std::string(codes::kKitBase) + "CodeSystem/" + std::string(name);
}

std::string req_kit_code(const json& cc, std::string_view system_name, const std::string& where) {
  auto c = code_in(cc, kit_system(system_name));
  if (!c) bad(where + ".coding", "needs a coding of " + kit_system(system_name));
  return *c;
}

std::string status_of_entry(const json& r, const std::string& where) {
  const std::string s = ext_str(r, "entry-status", "valueCode", where);
  one_of(s, {"active", "entered_in_error", "amended"},
         ext_where(where, "entry-status") + ".valueCode");
  return s;
}

class Reader {
 public:
  explicit Reader(const json& bundle) {
    if (!bundle.is_object() || bundle.value("resourceType", "") != "Bundle") {
      bad("Bundle.resourceType", "must be \"Bundle\"");
    }
    if (!bundle.contains("entry")) return;
    const json& entries = bundle.at("entry");
    if (!entries.is_array()) bad("Bundle.entry", "must be an array");
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const std::string at = "Bundle.entry[" + std::to_string(i) + "]";
      const json& r = req(entries[i], "resource", at);
      if (!r.is_object()) bad(at + ".resource", "must be an object");
      Res res;
      res.r = &r;
      res.type = req_str(r, "resourceType", at + ".resource");
      res.id = req_str(r, "id", at + ".resource");
      res.where = at + "(" + res.type + "/" + res.id + ")";
      static const std::set<std::string> known = {"Patient",
                                                  "Observation",
                                                  "Condition",
                                                  "Consent",
                                                  "CarePlan",
                                                  "Location",
                                                  "Appointment",
                                                  "MedicationAdministration",
                                                  "QuestionnaireResponse",
                                                  "AdverseEvent"};
      if (!known.contains(res.type)) {
        bad(at + ".resource.resourceType", "'" + res.type + "' is not a resource KIT imports");
      }
      auto& ids = ids_[res.type];
      if (ids.contains(res.id)) bad(res.where + ".id", "is repeated in the Bundle");
      res.local = static_cast<std::int64_t>(ids.size()) + 1;
      ids[res.id] = res.local;
      by_type_[res.type].push_back(res);
    }
  }

  const std::vector<Res>& of(const std::string& type) { return by_type_[type]; }

  // The local number of the resource a Reference names; `type` is the one expected.
  std::int64_t resolve(const json& reference, const std::string& type, const std::string& where) {
    const std::string ref = req_str(reference, "reference", where);
    const std::string prefix = type + "/";
    if (ref.rfind(prefix, 0) != 0)
      bad(where + ".reference", "must name a " + type + " (\"" + prefix + "id\")");
    const std::string id = ref.substr(prefix.size());
    auto& ids = ids_[type];
    auto it = ids.find(id);
    if (it == ids.end()) bad(where + ".reference", "names " + ref + ", which is not in the Bundle");
    return it->second;
  }

  const Res& get(const std::string& type, std::int64_t local) {
    return by_type_[type].at(local - 1);
  }

 private:
  std::map<std::string, std::map<std::string, std::int64_t>> ids_;
  std::map<std::string, std::vector<Res>> by_type_;
};

// The first reference of type `type` in the array r[key], if any.
std::optional<std::int64_t> ref_in_array(Reader& rd, const json& r, const std::string& key,
                                         const std::string& type, const std::string& where) {
  if (!r.contains(key)) return std::nullopt;
  const json& a = r.at(key);
  if (!a.is_array()) bad(where + "." + key, "must be an array");
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string ref = a[i].is_object() ? a[i].value("reference", "") : "";
    if (ref.rfind(type + "/", 0) == 0)
      return rd.resolve(a[i], type, where + "." + key + "[" + std::to_string(i) + "]");
  }
  return std::nullopt;
}

std::optional<std::int64_t> ext_ref(Reader& rd, const json& r, std::string_view name,
                                    const std::string& type, const std::string& where) {
  if (find_ext(r, name) == nullptr) return std::nullopt;
  return rd.resolve(ext_value(r, name, "valueReference", where), type,
                    ext_where(where, name) + ".valueReference");
}

double quantity_of(const json& r, std::string_view unit, const std::string& where) {
  return quantity_value(req(r, "valueQuantity", where), unit, where + ".valueQuantity");
}

}  // namespace

namespace {
std::vector<PatientRecord> read_bundle(const json& bundle);
}  // namespace

std::vector<PatientRecord> records_from_bundle(const json& bundle) {
  try {
    return read_bundle(bundle);
  } catch (const nlohmann::json::exception& e) {
    // An element of an unexpected JSON type the checks above did not name (e.g. a number where a
    // string belongs): still a bad Bundle, refused, never a crash.
    throw InputError("Bundle",
                     std::string("an element has the wrong JSON type (") + e.what() + ")");
  }
}

namespace {
std::vector<PatientRecord> read_bundle(const json& bundle) {
  Reader rd(bundle);
  std::vector<PatientRecord> out;
  auto patient_of = [&](const json& r, const std::string& key,
                        const std::string& where) -> PatientRecord& {
    const std::int64_t n = rd.resolve(req(r, key, where), "Patient", where + "." + key);
    return out.at(static_cast<std::size_t>(n - 1));
  };

  // Patients.
  for (const Res& x : rd.of("Patient")) {
    const json& r = *x.r;
    storage::Patient p;
    p.id = x.local;
    const json& ids = req(r, "identifier", x.where);
    const std::string mrn_system = std::string(codes::kKitBase) + "mrn";
    for (const auto& i : ids.is_array() ? ids : json::array()) {
      if (i.is_object() && i.value("system", "") == mrn_system) p.mrn = i.value("value", "");
    }
    if (p.mrn.empty())
      bad(x.where + ".identifier", "needs the medical record number (system " + mrn_system + ")");
    const json& names = req(r, "name", x.where);
    if (!names.is_array() || names.empty()) bad(x.where + ".name", "needs one HumanName");
    p.family_name = req_str(names[0], "family", x.where + ".name[0]");
    const json& given = req(names[0], "given", x.where + ".name[0]");
    if (!given.is_array() || given.empty() || !given[0].is_string())
      bad(x.where + ".name[0].given", "needs a given name");
    p.given_name = given[0].get<std::string>();
    p.sex = req_str(r, "gender", x.where);
    one_of(p.sex, {"female", "male"}, x.where + ".gender");
    p.date_of_birth = date_of(r, "birthDate", x.where);
    if (r.contains("telecom")) {
      const json& t = r.at("telecom");
      if (!t.is_array()) bad(x.where + ".telecom", "must be an array");
      for (std::size_t i = 0; i < t.size(); ++i) {
        const std::string w = x.where + ".telecom[" + std::to_string(i) + "]";
        const std::string system = req_str(t[i], "system", w);
        const std::string value = req_str(t[i], "value", w);
        if (system == "phone")
          p.phone = value;
        else if (system == "email")
          p.email = value;
        else
          bad(w + ".system", "'" + system + "' is not phone or email");
      }
    }
    p.status = ext_str(r, "patient-status", "valueCode", x.where);
    one_of(p.status,
           {"intake", "approved", "declined", "in_treatment", "maintenance", "discharged"},
           ext_where(x.where, "patient-status") + ".valueCode");
    p.created_at_ms =
        instant_ms(ext_str(r, "recorded", "valueInstant", x.where), ext_where(x.where, "recorded"));
    p.updated_at_ms = req_instant(req(r, "meta", x.where), "lastUpdated", x.where + ".meta");
    p.indication.clear();
    PatientRecord pr;
    pr.patient = p;
    out.push_back(std::move(pr));
  }

  // Conditions: the indication.
  for (const Res& x : rd.of("Condition")) {
    PatientRecord& pr = patient_of(*x.r, "subject", x.where);
    const std::string ind =
        req_kit_code(req(*x.r, "code", x.where), "indication", x.where + ".code");
    one_of(ind, {"depression", "ptsd", "ocd", "chronic_pain", "other"}, x.where + ".code.coding");
    pr.patient.indication = ind;
  }
  for (const auto& pr : out) {
    if (pr.patient.indication.empty()) {
      bad("Bundle(Patient/" + patient_id(pr.patient.id) + ")",
          "no Condition in the Bundle gives the patient's indication");
    }
  }

  // Locations: clinics first, then chairs (partOf a clinic).
  std::map<std::int64_t, Place> chairs;
  for (const Res& x : rd.of("Location")) {
    const json& r = *x.r;
    if (!r.contains("partOf")) continue;
    const std::int64_t clinic = rd.resolve(r.at("partOf"), "Location", x.where + ".partOf");
    const Res& c = rd.get("Location", clinic);
    Place p;
    p.chair_id = x.local;
    p.chair_name = req_str(r, "name", x.where);
    p.clinic_id = clinic;
    p.clinic_name = req_str(*c.r, "name", c.where);
    p.clinic_timezone = ext_str(*c.r, "timezone", "valueString", c.where);
    chairs[x.local] = p;
  }
  auto chair_place = [&](std::int64_t local, const std::string& where) -> Place {
    auto it = chairs.find(local);
    if (it == chairs.end())
      bad(where, "names a Location that is not a chair (no partOf its clinic)");
    return it->second;
  };

  // Body weight and height; vital-sign panels and members; instrument totals.
  std::map<std::int64_t, const Res*> scores_by_qr;
  for (const Res& x : rd.of("Observation")) {
    const json& r = *x.r;
    const json& code = req(r, "code", x.where);
    if (auto c = code_in(code, codes::kLoinc);
        c && (*c == codes::kBodyWeight || *c == codes::kBodyHeight)) {
      PatientRecord& pr = patient_of(r, "subject", x.where);
      if (*c == codes::kBodyWeight)
        pr.patient.weight_kg = quantity_of(r, "kg", x.where);
      else
        pr.patient.height_cm = quantity_of(r, "cm", x.where);
    } else if (r.contains("derivedFrom")) {
      const auto qr = ref_in_array(rd, r, "derivedFrom", "QuestionnaireResponse", x.where);
      if (!qr)
        bad(x.where + ".derivedFrom", "must name the QuestionnaireResponse the total comes from");
      if (scores_by_qr.contains(*qr))
        bad(x.where + ".derivedFrom", "a second total for one QuestionnaireResponse");
      scores_by_qr[*qr] = &x;
    }
  }

  // Consents.
  for (const Res& x : rd.of("Consent")) {
    const json& r = *x.r;
    PatientRecord& pr = patient_of(r, "patient", x.where);
    storage::Consent c;
    c.id = x.local;
    c.patient_id = pr.patient.id;
    const json& cats = req(r, "category", x.where);
    for (const auto& cc : cats.is_array() ? cats : json::array()) {
      if (auto k = code_in(cc, kit_system("consent-type"))) c.consent_type = *k;
    }
    if (c.consent_type.empty())
      bad(x.where + ".category", "needs a coding of " + kit_system("consent-type"));
    one_of(c.consent_type, {"treatment", "off_label_use", "privacy", "research"},
           x.where + ".category");
    c.signed_at_ms = req_instant(r, "dateTime", x.where);
    c.form_version = ext_str(r, "form-version", "valueString", x.where);
    c.recorded_at_ms =
        instant_ms(ext_str(r, "recorded", "valueInstant", x.where), ext_where(x.where, "recorded"));
    c.note = opt_ext_str(r, "note", "valueString", x.where).value_or("");
    if (auto w = opt_ext_str(r, "withdrawn", "valueInstant", x.where)) {
      c.withdrawn_at_ms = instant_ms(*w, ext_where(x.where, "withdrawn"));
      c.withdrawal_reason = ext_str(r, "withdrawal-reason", "valueString", x.where);
    }
    const std::string status = req_str(r, "status", x.where);
    if ((status == "inactive") != c.withdrawn_at_ms.has_value()) {
      bad(x.where + ".status", "must be inactive exactly when the consent was withdrawn");
    }
    pr.consents.push_back(c);
  }

  // Courses.
  for (const Res& x : rd.of("CarePlan")) {
    const json& r = *x.r;
    PatientRecord& pr = patient_of(r, "subject", x.where);
    storage::Course c;
    c.id = x.local;
    c.patient_id = pr.patient.id;
    c.state = ext_str(r, "course-state", "valueCode", x.where);
    one_of(c.state, {"planned", "induction", "maintenance", "completed", "stopped"},
           ext_where(x.where, "course-state"));
    c.protocol_id = ext_str(r, "protocol", "valueString", x.where);
    c.planned_infusions = ext_int(r, "planned-infusions", x.where);
    c.extension_infusions = ext_int(r, "extension-infusions", x.where);
    c.notes = opt_str(r, "description", x.where).value_or("");
    c.created_at_ms = req_instant(r, "created", x.where);
    c.updated_at_ms = req_instant(req(r, "meta", x.where), "lastUpdated", x.where + ".meta");
    pr.courses.push_back(c);
  }

  // Appointments.
  for (const Res& x : rd.of("Appointment")) {
    const json& r = *x.r;
    const json& parts = req(r, "participant", x.where);
    if (!parts.is_array()) bad(x.where + ".participant", "must be an array");
    std::optional<std::int64_t> patient, chair;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const std::string w = x.where + ".participant[" + std::to_string(i) + "].actor";
      const json& actor =
          req(parts[i], "actor", x.where + ".participant[" + std::to_string(i) + "]");
      const std::string ref = actor.value("reference", "");
      if (ref.rfind("Patient/", 0) == 0)
        patient = rd.resolve(actor, "Patient", w);
      else if (ref.rfind("Location/", 0) == 0)
        chair = rd.resolve(actor, "Location", w);
    }
    if (!patient) bad(x.where + ".participant", "needs the Patient");
    if (!chair) bad(x.where + ".participant", "needs the chair (a Location)");
    PatientRecord& pr = out.at(static_cast<std::size_t>(*patient - 1));
    AppointmentRecord ar;
    storage::Appointment& a = ar.appointment;
    a.id = x.local;
    a.patient_id = pr.patient.id;
    ar.place = chair_place(*chair, x.where + ".participant");
    a.chair_id = ar.place.chair_id;
    a.kind = req_kit_code(req(r, "appointmentType", x.where), "appointment-kind",
                          x.where + ".appointmentType");
    one_of(a.kind, {"infusion", "booster", "consult"}, x.where + ".appointmentType");
    a.starts_ms = req_instant(r, "start", x.where);
    a.ends_ms = req_instant(r, "end", x.where);
    if (a.ends_ms <= a.starts_ms) bad(x.where + ".end", "must be after start");
    a.created_at_ms = req_instant(r, "created", x.where);
    a.updated_at_ms = req_instant(req(r, "meta", x.where), "lastUpdated", x.where + ".meta");
    a.status = ext_str(r, "appointment-status", "valueCode", x.where);
    one_of(a.status, {"booked", "completed", "cancelled", "no_show"},
           ext_where(x.where, "appointment-status"));
    a.on_date = ext_str(r, "local-date", "valueDate", x.where);
    if (!calendar::parse_iso_date(a.on_date))
      bad(ext_where(x.where, "local-date"), "must be a date");
    a.notes = opt_str(r, "comment", x.where).value_or("");
    if (r.contains("cancelationReason"))
      a.status_reason =
          opt_str(r.at("cancelationReason"), "text", x.where + ".cancelationReason").value_or("");
    a.booking_reason = opt_ext_str(r, "booking-reason", "valueString", x.where).value_or("");
    a.course_id = ref_in_array(rd, r, "supportingInformation", "CarePlan", x.where);
    pr.appointments.push_back(ar);
  }

  // Infusion sessions (MedicationAdministration without partOf) and their delivered intervals.
  std::map<std::int64_t, std::pair<std::size_t, std::size_t>>
      session_at;  // local -> (patient, index)
  std::map<std::int64_t, std::vector<const Res*>> intervals;
  for (const Res& x : rd.of("MedicationAdministration")) {
    const json& r = *x.r;
    if (code_in(req(r, "medicationCodeableConcept", x.where), codes::kRxNorm) !=
        std::string(codes::kKetamineRxcui)) {
      bad(x.where + ".medicationCodeableConcept", "must be ketamine (RxNorm 6130)");
    }
    if (r.contains("partOf")) {
      const auto parent = ref_in_array(rd, r, "partOf", "MedicationAdministration", x.where);
      if (!parent) bad(x.where + ".partOf", "must name the session's MedicationAdministration");
      intervals[*parent].push_back(&x);
      continue;
    }
    PatientRecord& pr = patient_of(r, "subject", x.where);
    SessionRecord sr;
    storage::InfusionSession& s = sr.session;
    s.id = x.local;
    s.patient_id = pr.patient.id;
    s.state = ext_str(r, "session-state", "valueCode", x.where);
    one_of(s.state, {"planned", "running", "paused", "stopped", "discharged", "voided"},
           ext_where(x.where, "session-state"));
    s.protocol_id = ext_str(r, "protocol", "valueString", x.where);
    s.plan_request_json = ext_str(r, "plan-request", "valueString", x.where);
    s.plan_json = ext_str(r, "plan", "valueString", x.where);
    s.concentration_mg_per_ml = ext_qty(r, "concentration", "mg/mL", x.where);
    s.dosing_weight_kg = ext_qty(r, "dosing-weight", "kg", x.where);
    s.planned_dose_mg = ext_qty(r, "planned-dose", "mg", x.where);
    const double step = ext_qty(r, "pump-step", "uL/h", x.where);
    s.pump_step_ul_per_h = std::llround(step);
    if (s.pump_step_ul_per_h <= 0 ||
        std::fabs(step - static_cast<double>(s.pump_step_ul_per_h)) > 1e-9) {
      bad(ext_where(x.where, "pump-step"), "must be a positive whole number of uL/h");
    }
    s.planned_rate_steps = ext_int(r, "planned-rate-steps", x.where);
    s.planned_duration_min = ext_qty(r, "planned-duration", "min", x.where);
    s.delivered_mg = ext_qty(r, "delivered", "mg", x.where);
    s.created_at_ms =
        instant_ms(ext_str(r, "recorded", "valueInstant", x.where), ext_where(x.where, "recorded"));
    s.updated_at_ms = req_instant(req(r, "meta", x.where), "lastUpdated", x.where + ".meta");
    s.unscheduled_reason = opt_ext_str(r, "unscheduled-reason", "valueString", x.where);
    s.override_reason = opt_ext_str(r, "override-reason", "valueString", x.where);
    if (s.concentration_mg_per_ml <= 0 || s.dosing_weight_kg <= 0 || s.planned_dose_mg <= 0 ||
        s.planned_rate_steps <= 0 || s.planned_duration_min <= 0 || s.delivered_mg < 0) {
      bad(x.where + ".extension", "the plan's quantities must be positive");
    }
    if (r.contains("effectivePeriod")) {
      const json& p = r.at("effectivePeriod");
      s.started_at_ms = req_instant(p, "start", x.where + ".effectivePeriod");
      if (p.contains("end")) s.stopped_at_ms = req_instant(p, "end", x.where + ".effectivePeriod");
    } else if (!r.contains("effectiveDateTime")) {
      bad(x.where + ".effective[x]", "is required");
    }
    if (r.contains("statusReason")) {
      const json& sr0 = r.at("statusReason");
      if (!sr0.is_array() || sr0.empty())
        bad(x.where + ".statusReason", "must be a non-empty array");
      s.void_reason = req_str(sr0[0], "text", x.where + ".statusReason[0]");
    }
    if ((s.state == "voided") != s.void_reason.has_value()) {
      bad(x.where + ".statusReason", "gives why exactly when the session was voided");
    }
    const json& dose = req(req(r, "dosage", x.where), "dose", x.where + ".dosage");
    if (std::fabs(quantity_value(dose, "mg", x.where + ".dosage.dose") - s.delivered_mg) >
        0.0005 + 1e-9) {
      bad(x.where + ".dosage.dose", "differs from the delivered dose in the extension");
    }
    s.course_id = ref_in_array(rd, r, "supportingInformation", "CarePlan", x.where);
    s.appointment_id = ref_in_array(rd, r, "supportingInformation", "Appointment", x.where);
    if (!s.course_id && !s.unscheduled_reason) {
      bad(x.where + ".supportingInformation",
          "needs the course (CarePlan) or an unscheduled-reason extension");
    }
    if (auto chair = ext_ref(rd, r, "chair", "Location", x.where))
      sr.place = chair_place(*chair, ext_where(x.where, "chair"));
    // Pump events.
    std::map<std::string, std::int64_t> event_ids;
    if (r.contains("extension")) {
      const std::string url = kit_extension("pump-event");
      int n = 0;
      for (const auto& e : r.at("extension")) {
        if (!e.is_object() || e.value("url", "") != url) continue;
        const std::string w = x.where + ".extension(pump-event)[" + std::to_string(n++) + "]";
        std::map<std::string, const json*> parts;
        for (const auto& part : req(e, "extension", w)) {
          if (part.is_object() && part.contains("url")) parts[part.value("url", "")] = &part;
        }
        auto part = [&](const char* name, const char* type) -> const json* {
          auto it = parts.find(name);
          if (it == parts.end()) return nullptr;
          if (!it->second->contains(type)) bad(w + "." + name + "." + type, "is required");
          return &it->second->at(type);
        };
        auto part_str = [&](const char* name, const char* type) -> std::string {
          const json* v = part(name, type);
          if (v == nullptr) bad(w + "." + name, "is required");
          if (!v->is_string()) bad(w + "." + name + "." + type, "must be a string");
          return v->get<std::string>();
        };
        auto opt_part_str = [&](const char* name) -> std::optional<std::string> {
          if (!parts.contains(name)) return std::nullopt;
          return part_str(name, "valueString");
        };
        storage::StoredPumpEvent ev;
        const std::string own = part_str("id", "valueString");
        ev.id = static_cast<std::int64_t>(event_ids.size()) + 1;
        if (event_ids.contains(own)) bad(w + ".id", "is repeated");
        ev.kind = part_str("kind", "valueCode");
        if (!infusion::parse_pump_event(ev.kind))
          bad(w + ".kind", "'" + ev.kind + "' is not a pump event");
        ev.at_ms = instant_ms(part_str("at", "valueInstant"), w + ".at");
        ev.recorded_at_ms = instant_ms(part_str("recorded", "valueInstant"), w + ".recorded");
        ev.status = part_str("status", "valueCode");
        one_of(ev.status, {"active", "entered_in_error", "amended"}, w + ".status");
        if (const json* rs = part("rate-steps", "valueInteger")) {
          if (!rs->is_number_integer() || rs->get<std::int64_t>() <= 0)
            bad(w + ".rate-steps", "must be a positive integer");
          ev.rate_steps = rs->get<std::int64_t>();
        }
        const bool needs_rate =
            ev.kind == "start" || ev.kind == "resume" || ev.kind == "rate_change";
        if (needs_rate != ev.rate_steps.has_value())
          bad(w + ".rate-steps", "is given exactly for start, resume and rate_change");
        ev.checks_json = opt_part_str("checks");
        ev.override_reason = opt_part_str("override-reason");
        ev.gate_override_reason = opt_part_str("gate-override-reason");
        ev.note = opt_part_str("note").value_or("");
        if (auto am = opt_part_str("amends")) {
          auto it = event_ids.find(*am);
          if (it == event_ids.end())
            bad(w + ".amends", "names an event not before it in the session");
          ev.amends_id = it->second;
        }
        event_ids[own] = ev.id;
        sr.events.push_back(ev);
      }
    }
    session_at[x.local] = {static_cast<std::size_t>(pr.patient.id - 1), pr.sessions.size()};
    pr.sessions.push_back(std::move(sr));
  }
  // Each session's delivered intervals must be the ones its active pump events give.
  for (auto& [local, at] : session_at) {
    SessionRecord& sr = out[at.first].sessions[at.second];
    const storage::InfusionSession& s = sr.session;
    std::vector<infusion::PumpEvent> events;
    for (const auto& e : sr.events) {
      if (e.status != "active") continue;
      infusion::PumpEvent p;
      p.kind = *infusion::parse_pump_event(e.kind);
      if (e.rate_steps)
        p.rate = units::MlPerH(static_cast<double>(*e.rate_steps * s.pump_step_ul_per_h) / 1000.0);
      p.at_ms = e.at_ms;
      events.push_back(p);
    }
    const std::vector<const Res*>& given = intervals[local];
    const std::string where = rd.get("MedicationAdministration", local).where;
    std::vector<infusion::DeliveryInterval> derived;
    if (!events.empty()) {
      // A running infusion's last interval is open (exported up to "now", status in-progress): 1 ms
      // past the last event gives the same intervals, whose starts and rates are compared.
      const std::int64_t until = s.stopped_at_ms.value_or(events.back().at_ms + 1);
      derived = infusion::deliver(events, units::MgPerMl(s.concentration_mg_per_ml),
                                  units::Kg(s.dosing_weight_kg), until)
                    .intervals;
    }
    if (given.size() != derived.size()) {
      bad(where, "has " + std::to_string(given.size()) +
                     " delivered-interval MedicationAdministration(s) but its pump events give " +
                     std::to_string(derived.size()));
    }
    for (std::size_t i = 0; i < given.size(); ++i) {
      const Res& iv = *given[i];
      const json& period = req(*iv.r, "effectivePeriod", iv.where);
      if (req_instant(period, "start", iv.where + ".effectivePeriod") != derived[i].from_ms) {
        bad(iv.where + ".effectivePeriod.start", "does not match the session's pump events");
      }
      const json& dosage = req(*iv.r, "dosage", iv.where);
      const double rate = quantity_value(req(dosage, "rateQuantity", iv.where + ".dosage"), "mL/h",
                                         iv.where + ".dosage.rateQuantity");
      if (std::fabs(rate - derived[i].rate.value()) > 0.0005 + 1e-9) {
        bad(iv.where + ".dosage.rateQuantity", "does not match the session's pump events");
      }
    }
  }
  auto session_ref = [&](std::int64_t local,
                         const std::string& where) -> std::pair<std::size_t, std::size_t> {
    auto it = session_at.find(local);
    if (it == session_at.end()) bad(where, "names a delivered interval, not an infusion session");
    return it->second;
  };

  // Vital-sign panels (hasMember gives the values).
  for (const Res& x : rd.of("Observation")) {
    const json& r = *x.r;
    if (code_in(req(r, "code", x.where), codes::kLoinc) != std::string(codes::kVitalsPanel))
      continue;
    const auto session = ref_in_array(rd, r, "partOf", "MedicationAdministration", x.where);
    if (!session)
      bad(x.where + ".partOf", "must name the infusion session (MedicationAdministration)");
    const auto [pi, si] = session_ref(*session, x.where + ".partOf");
    SessionRecord& sr = out[pi].sessions[si];
    storage::StoredVital v;
    v.id = x.local;
    v.session_id = sr.session.id;
    v.at_ms = req_instant(r, "effectiveDateTime", x.where);
    v.point = ext_str(r, "reading-point", "valueCode", x.where);
    one_of(v.point, {"baseline", "interval", "end_of_infusion", "recovery", "discharge"},
           ext_where(x.where, "reading-point"));
    v.action = ext_str(r, "vitals-action", "valueCode", x.where);
    one_of(v.action, {"continue", "slow", "pause", "stop", "call_physician"},
           ext_where(x.where, "vitals-action"));
    v.reasons_json = ext_str(r, "vitals-reasons", "valueString", x.where);
    v.status = status_of_entry(r, x.where);
    v.consciousness = opt_ext_str(r, "consciousness", "valueString", x.where);
    v.amends_id = ext_ref(rd, r, "amends", "Observation", x.where);
    if (r.contains("hasMember")) {
      const json& members = r.at("hasMember");
      if (!members.is_array()) bad(x.where + ".hasMember", "must be an array");
      for (std::size_t i = 0; i < members.size(); ++i) {
        const std::string w = x.where + ".hasMember[" + std::to_string(i) + "]";
        const Res& m = rd.get("Observation", rd.resolve(members[i], "Observation", w));
        const json& mr = *m.r;
        const auto c = code_in(req(mr, "code", m.where), codes::kLoinc);
        if (c == std::string(codes::kBpPanel)) {
          for (const auto& comp : req(mr, "component", m.where)) {
            const auto cc = code_in(req(comp, "code", m.where + ".component"), codes::kLoinc);
            const double value = quantity_value(req(comp, "valueQuantity", m.where + ".component"),
                                                "mm[Hg]", m.where + ".component.valueQuantity");
            if (cc == std::string(codes::kSystolic))
              v.sbp_mmhg = value;
            else if (cc == std::string(codes::kDiastolic))
              v.dbp_mmhg = value;
            else
              bad(m.where + ".component.code", "must be systolic (8480-6) or diastolic (8462-4)");
          }
        } else if (c == std::string(codes::kHeartRate)) {
          v.hr_bpm = quantity_of(mr, "/min", m.where);
        } else if (c == std::string(codes::kSpO2) || c == std::string(codes::kSpO2Pulse)) {
          v.spo2_percent = quantity_of(mr, "%", m.where);
        } else if (c == std::string(codes::kRespRate)) {
          v.rr_per_min = quantity_of(mr, "/min", m.where);
        } else {
          bad(m.where + ".code",
              "is not a vital sign KIT records (85354-9, 8867-4, 2708-6, 9279-1)");
        }
      }
    }
    sr.vitals.push_back(v);
  }

  // Adverse events.
  for (const Res& x : rd.of("AdverseEvent")) {
    const json& r = *x.r;
    const json& suspects = req(r, "suspectEntity", x.where);
    if (!suspects.is_array() || suspects.empty())
      bad(x.where + ".suspectEntity", "must name the infusion session");
    const std::int64_t session =
        rd.resolve(req(suspects[0], "instance", x.where + ".suspectEntity[0]"),
                   "MedicationAdministration", x.where + ".suspectEntity[0].instance");
    const auto [pi, si] = session_ref(session, x.where + ".suspectEntity[0].instance");
    SessionRecord& sr = out[pi].sessions[si];
    storage::StoredAdverseEvent a;
    a.id = x.local;
    a.session_id = sr.session.id;
    a.patient_id = sr.session.patient_id;
    a.kind = req_kit_code(req(r, "event", x.where), "adverse-event-kind", x.where + ".event");
    one_of(a.kind,
           {"hypertension", "hypotension", "tachycardia", "bradycardia", "desaturation",
            "respiratory_depression", "nausea", "vomiting", "emergence_reaction",
            "excessive_dissociation", "headache", "dizziness", "anxiety", "allergic_reaction",
            "laryngospasm", "hypoxia", "other"},
           x.where + ".event");
    a.severity = ext_str(r, "kit-severity", "valueCode", x.where);
    one_of(a.severity, {"mild", "moderate", "severe", "life_threatening"},
           ext_where(x.where, "kit-severity"));
    a.at_ms = req_instant(r, "date", x.where);
    a.description = opt_ext_str(r, "description", "valueString", x.where).value_or("");
    a.action_taken = opt_ext_str(r, "action-taken", "valueString", x.where).value_or("");
    a.status = status_of_entry(r, x.where);
    a.amends_id = ext_ref(rd, r, "amends", "AdverseEvent", x.where);
    sr.adverse_events.push_back(a);
  }

  // Questionnaires and their totals.
  for (const Res& x : rd.of("QuestionnaireResponse")) {
    const json& r = *x.r;
    PatientRecord& pr = patient_of(r, "subject", x.where);
    storage::Assessment a;
    a.id = x.local;
    a.patient_id = pr.patient.id;
    a.instrument = ext_str(r, "instrument", "valueCode", x.where);
    a.result_json = ext_str(r, "result", "valueString", x.where);
    a.flags_json = ext_str(r, "flags", "valueString", x.where);
    a.status = status_of_entry(r, x.where);
    a.at_ms = req_instant(r, "authored", x.where);
    a.self_report = r.contains("source");
    a.course_id = ref_in_array(rd, r, "basedOn", "CarePlan", x.where);
    if (auto s = ext_ref(rd, r, "session", "MedicationAdministration", x.where)) {
      const auto [pi, si] = session_ref(*s, ext_where(x.where, "session"));
      a.session_id = out[pi].sessions[si].session.id;
    }
    a.amends_id = ext_ref(rd, r, "amends", "QuestionnaireResponse", x.where);
    if (auto raw = opt_ext_str(r, "answers", "valueString", x.where)) {
      a.answers_json = *raw;
    } else {
      json answers = json::array();
      if (r.contains("item")) {
        const json& items = r.at("item");
        if (!items.is_array()) bad(x.where + ".item", "must be an array");
        for (std::size_t i = 0; i < items.size(); ++i) {
          const std::string w = x.where + ".item[" + std::to_string(i) + "]";
          if (req_str(items[i], "linkId", w) != std::to_string(i + 1))
            bad(w + ".linkId", "must be " + std::to_string(i + 1) + " (items in order)");
          if (!items[i].contains("answer")) {
            answers.push_back(nullptr);
            continue;
          }
          const json& ans = items[i].at("answer");
          if (!ans.is_array() || ans.size() != 1) bad(w + ".answer", "must hold one answer");
          if (ans[0].contains("valueInteger") && ans[0].at("valueInteger").is_number_integer())
            answers.push_back(ans[0].at("valueInteger"));
          else if (ans[0].contains("valueDecimal") && ans[0].at("valueDecimal").is_number())
            answers.push_back(ans[0].at("valueDecimal"));
          else
            bad(w + ".answer[0]", "must be a valueInteger or valueDecimal");
        }
      }
      a.answers_json = answers.dump();
    }
    auto it = scores_by_qr.find(x.local);
    if (it == scores_by_qr.end()) bad(x.where, "no Observation derivedFrom it gives its total");
    const Res& sc = *it->second;
    a.total = quantity_of(*sc.r, "{score}", sc.where);
    a.taken_on = date_of(*sc.r, "effectiveDateTime", sc.where);
    if (sc.r->contains("interpretation")) {
      const json& in = sc.r->at("interpretation");
      if (!in.is_array() || in.empty())
        bad(sc.where + ".interpretation", "must be a non-empty array");
      a.band = req_str(in[0], "text", sc.where + ".interpretation[0]");
    }
    if (req_kit_code(req(*sc.r, "code", sc.where), "instrument-total", sc.where + ".code") !=
        a.instrument) {
      bad(sc.where + ".code", "names another instrument than its QuestionnaireResponse");
    }
    pr.assessments.push_back(a);
  }
  // Corrections name what they amend: written after it.
  for (auto& pr : out) {
    for (auto& sr : pr.sessions) {
      std::sort(sr.vitals.begin(), sr.vitals.end(),
                [](const auto& a, const auto& b) { return a.id < b.id; });
      std::sort(sr.adverse_events.begin(), sr.adverse_events.end(),
                [](const auto& a, const auto& b) { return a.id < b.id; });
    }
    std::sort(pr.assessments.begin(), pr.assessments.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
  }
  return out;
}

}  // namespace

}  // namespace kit::fhir
