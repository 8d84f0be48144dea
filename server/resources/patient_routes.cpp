// Patients: registration (optionally from a public inquiry), search, reading and editing the
// record with optimistic concurrency, and a patient's own record. docs/api-journey.md.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <tuple>

#include "contract/json_reader.h"
#include "core/common/error.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/resources/journey_common.h"
#include "server/resources/modules.h"
#include "server/resources/patient_record.h"
#include "storage/stores/patient_store.h"

namespace kit::server {

namespace {

using namespace journey;

constexpr std::size_t kMaxName = 200;

std::string read_sex(contract::ObjectReader& r) {
  std::string s = r.string("sex");
  if (s != "female" && s != "male")
    throw kit::InputError(r.path_of("sex"), "must be female or male");
  return s;
}

std::string read_indication(contract::ObjectReader& r) {
  std::string s = r.string("indication");
  if (s != "depression" && s != "ptsd" && s != "ocd" && s != "chronic_pain" && s != "other") {
    throw kit::InputError(r.path_of("indication"),
                          "must be depression, ptsd, ocd, chronic_pain or other");
  }
  return s;
}

std::string read_dob(contract::ObjectReader& r, std::int64_t now_ms) {
  const std::string text = r.string("date_of_birth");
  const std::int64_t day = require_date(text, r.path_of("date_of_birth"));
  if (day > now_ms / kDayMs) throw kit::InputError(r.path_of("date_of_birth"), "is in the future");
  return text;
}

std::optional<double> read_optional_range(contract::ObjectReader& r, const char* key, double lo,
                                          double hi) {
  auto v = r.optional_number(key);
  if (!v) return std::nullopt;
  if (!(*v >= lo && *v <= hi)) {
    throw kit::InputError(r.path_of(key), "must be between " +
                                              std::to_string(static_cast<int>(lo)) + " and " +
                                              std::to_string(static_cast<int>(hi)));
  }
  return *v;
}

std::optional<std::string> read_optional_text(contract::ObjectReader& r, const char* key,
                                              std::size_t max_len) {
  auto v = r.optional_string(key);
  if (!v) return std::nullopt;
  if (v->size() > max_len) {
    throw kit::InputError(r.path_of(key),
                          "must be at most " + std::to_string(max_len) + " characters");
  }
  return require_one_line(*v, r.path_of(key));
}

// A plausible e-mail address, not a full RFC 5322 parse: at most 254 characters (RFC 5321's limit
// on a path), exactly one '@', a non-empty local part, a domain with a dot that neither starts nor
// ends it, and no whitespace or control characters anywhere.
std::optional<std::string> read_optional_email(contract::ObjectReader& r) {
  auto v = r.optional_string("email");
  if (!v) return std::nullopt;
  const std::string& e = *v;
  if (e.size() > 254) throw kit::InputError("email", "must be at most 254 characters");
  const auto at = e.find('@');
  const bool one_at = at != std::string::npos && e.find('@', at + 1) == std::string::npos;
  const std::string domain = one_at ? e.substr(at + 1) : std::string();
  const auto dot = domain.find('.');
  const bool ok = one_at && at > 0 && dot != std::string::npos && dot > 0 && domain.back() != '.' &&
                  std::none_of(e.begin(), e.end(), [](char c) {
                    const auto u = static_cast<unsigned char>(c);
                    return u <= 0x20 || u == 0x7F;
                  });
  if (!ok) throw kit::InputError("email", "must be an e-mail address such as name@example.org");
  return e;
}

Response create_patient(RouteContext& ctx) {
  const nlohmann::json body = parse_body(ctx.request());
  const std::int64_t now = ctx.services().now_ms();
  contract::ObjectReader r(body, "");
  storage::NewPatient p;
  p.mrn = r.optional_string("mrn");
  p.given_name = require_line(r.string("given_name"), "given_name", kMaxName);
  p.family_name = require_line(r.string("family_name"), "family_name", kMaxName);
  p.date_of_birth = read_dob(r, now);
  p.sex = read_sex(r);
  p.indication = read_indication(r);
  p.weight_kg = read_optional_range(r, "weight_kg", 0.5, 400);
  p.height_cm = read_optional_range(r, "height_cm", 20, 260);
  p.email = read_optional_email(r);
  p.phone = read_optional_text(r, "phone", 64);
  auto inquiry = r.optional_integer("inquiry_id");
  r.finish();
  if (p.mrn) p.mrn = require_line(*p.mrn, "mrn", 64);
  p.at_ms = now;

  storage::Transaction& tx = ctx.tx();
  storage::PatientStore patients(tx);
  if (inquiry) {
    p.inquiry_id = std::int64_t{*inquiry};
    if (!patients.inquiry_exists(*p.inquiry_id)) {
      throw kit::InputError("inquiry_id", "no such inquiry");
    }
    if (patients.inquiry_patient(*p.inquiry_id)) {
      throw ApiError::conflict("this inquiry is already linked to a patient", "inquiry_id");
    }
  }
  if (p.mrn && patients.mrn_taken(*p.mrn)) {
    throw ApiError::conflict("a patient with this MRN exists", "mrn");
  }
  // Without an MRN the store assigns "KIT-<id>".
  const std::int64_t id = patients.create(p);
  if (p.inquiry_id) patients.mark_inquiry_scheduled(*p.inquiry_id, now);
  ctx.set_patient(id);
  const storage::Patient patient = load_patient_record(tx, id);
  Response resp = json_response_with_etag(patient_record_json(patient), patient.version, 201);
  resp.set_header("Location", "/api/v1/patients/" + std::to_string(id));
  return resp;
}

Response list_patients(RouteContext& ctx) {
  const Request& req = ctx.request();
  const std::int64_t limit = query_int(req, "limit", 1, 500).value_or(50);
  const std::int64_t offset = query_int(req, "offset", 0, 1'000'000).value_or(0);
  storage::PatientSearch search;
  search.limit = limit;
  search.offset = offset;
  if (auto it = req.query.find("q"); it != req.query.end() && !it->second.empty()) {
    if (it->second.size() > 200) throw kit::InputError("q", "must be at most 200 characters");
    search.text = it->second;
  }
  if (auto it = req.query.find("status"); it != req.query.end()) search.status = it->second;
  nlohmann::json out = nlohmann::json::array();
  for (const storage::Patient& p : storage::PatientStore(ctx.tx()).search(search)) {
    ctx.add_listed_patient(p.id);  // each patient found has this search in their access log
    out.push_back(patient_record_json(p));
  }
  return json_response({{"patients", out}, {"limit", limit}, {"offset", offset}});
}

Response get_patient(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  ctx.require_patient_access(id);
  const storage::Patient patient = load_patient_record(ctx.tx(), id);
  return json_response_with_etag(patient_record_json(patient), patient.version);
}

Response my_patient(RouteContext& ctx) {
  const Principal& who = ctx.user();
  if (!who.patient_id) throw ApiError::forbidden("this account is not linked to a patient");
  ctx.require_patient_access(*who.patient_id);
  const storage::Patient patient = load_patient_record(ctx.tx(), *who.patient_id);
  return json_response_with_etag(patient_record_json(patient), patient.version);
}

// Demographics only: the workflow status moves with approval and course transitions.
Response patch_patient(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  ctx.require_patient_access(id);
  const nlohmann::json body = parse_body(ctx.request());
  storage::Transaction& tx = ctx.tx();
  const std::int64_t version = load_patient_record(tx, id).version;
  ctx.require_if_match(version);
  const std::int64_t now = ctx.services().now_ms();

  contract::ObjectReader r(body, "");
  storage::PatientEdit edit;
  if (auto v = r.optional_string("given_name")) {
    edit.given_name = require_line(*v, "given_name", kMaxName);
  }
  if (auto v = r.optional_string("family_name")) {
    edit.family_name = require_line(*v, "family_name", kMaxName);
  }
  if (r.has("date_of_birth")) edit.date_of_birth = read_dob(r, now);
  if (r.has("sex")) edit.sex = read_sex(r);
  if (r.has("indication")) edit.indication = read_indication(r);
  if (auto v = r.optional_string("mrn")) edit.mrn = require_line(*v, "mrn", 64);
  // null clears an optional field.
  const auto nullable = [&](auto& field, const char* key, auto reader) {
    if (!r.has(key)) return;
    if (r.value(key).is_null()) {
      field.emplace(std::nullopt);
    } else {
      field.emplace(reader());
    }
  };
  nullable(edit.weight_kg, "weight_kg",
           [&] { return read_optional_range(r, "weight_kg", 0.5, 400); });
  nullable(edit.height_cm, "height_cm",
           [&] { return read_optional_range(r, "height_cm", 20, 260); });
  nullable(edit.email, "email", [&] { return read_optional_email(r); });
  nullable(edit.phone, "phone", [&] { return read_optional_text(r, "phone", 64); });
  r.finish();
  if (edit.empty()) throw kit::InputError("body", "names no field to change");
  // The dose is computed from weight, height, age and sex: changing them is clinical work
  // (nurse, physician), like the dose itself; the front desk keeps names and contact details.
  const Role role = ctx.user().role;
  const bool clinical = role == Role::physician || role == Role::nurse;
  const std::pair<const char*, bool> dosing_fields[] = {
      {"weight_kg", edit.weight_kg.has_value()},
      {"height_cm", edit.height_cm.has_value()},
      {"date_of_birth", edit.date_of_birth.has_value()},
      {"sex", edit.sex.has_value()}};
  for (const auto& [field, changed] : dosing_fields) {
    if (changed && !clinical) {
      throw ApiError(
          ErrorKind::forbidden,
          std::string(field) + " is a dosing input: only a nurse or a physician may change it",
          field);
    }
  }

  storage::PatientStore store(tx);
  const storage::Patient before = load_patient_record(tx, id);
  // The version guard also holds against a writer in another process between read and write.
  if (!store.update(id, version, edit, now)) throw ApiError::precondition_failed();
  const storage::Patient patient = load_patient_record(tx, id);
  // Each changed clinical field keeps its old and new value (the audit row names the route).
  auto text = [](const std::optional<double>& v) {
    return v ? std::optional<std::string>(nlohmann::json(*v).dump()) : std::nullopt;
  };
  const std::tuple<const char*, std::optional<std::string>, std::optional<std::string>> changes[] =
      {{"weight_kg", text(before.weight_kg), text(patient.weight_kg)},
       {"height_cm", text(before.height_cm), text(patient.height_cm)},
       {"date_of_birth", before.date_of_birth, patient.date_of_birth},
       {"sex", before.sex, patient.sex},
       {"indication", before.indication, patient.indication}};
  for (const auto& [field, old_value, new_value] : changes) {
    if (old_value != new_value) {
      store.record_field_change({0, id, field, old_value, new_value, ctx.user().user_id, now});
    }
  }
  return json_response_with_etag(patient_record_json(patient), patient.version);
}

Response list_field_changes(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  ctx.require_patient_access(id);
  storage::Transaction& tx = ctx.tx();
  load_patient_record(tx, id);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : storage::PatientStore(tx).field_changes(id)) {
    out.push_back(
        {{"id", c.id},
         {"field", c.field},
         {"old_value", c.old_value ? nlohmann::json(*c.old_value) : nlohmann::json(nullptr)},
         {"new_value", c.new_value ? nlohmann::json(*c.new_value) : nlohmann::json(nullptr)},
         {"by", c.by_user_id},
         {"at", iso8601_ms(c.at_ms)}});
  }
  return json_response(out);
}

}  // namespace

void register_patient_routes(Router& router) {
  router.add({"POST", "/api/v1/patients",
              "Register a patient (optionally from an inquiry, which is marked scheduled)",
              "patients", access_roles({Role::front_desk, Role::physician, Role::admin}), true,
              create_patient, 201});
  router.add({"GET", "/api/v1/patients", "Search patients (?q= name or MRN, status, limit, offset)",
              "patients", access_staff(), true, list_patients, 200});
  router.add({"GET", "/api/v1/patients/{id}", "A patient's record (ETag = version)", "patients",
              access_roles(staff_roles(), true), true, get_patient, 200});
  router.add({"PATCH", "/api/v1/patients/{id}",
              "Edit a patient's demographics (If-Match required; 412 when stale); dosing inputs "
              "(weight, height, date of birth, sex) by a nurse or physician only",
              "patients", access_staff(), true, patch_patient, 200});
  router.add({"GET", "/api/v1/patients/{id}/field-changes",
              "Every change of a clinical field with its old and new value", "patients",
              access_roles({Role::physician, Role::nurse, Role::admin}), true, list_field_changes,
              200});
  router.add({"GET", "/api/v1/me/patient", "The calling patient's own record", "patients",
              access_roles({Role::patient}), true, my_patient, 200});
}

}  // namespace kit::server
