// Patients: registration (optionally from a public inquiry), search, reading and editing the
// record with optimistic concurrency, and a patient's own record. docs/api-journey.md.
#include <cctype>
#include <nlohmann/json.hpp>

#include "contract/json_reader.h"
#include "core/common/error.h"
#include "server/api/api_error.h"
#include "server/api/auth.h"
#include "server/api/services.h"
#include "server/resources/journey_common.h"
#include "server/resources/modules.h"

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

storage::Value read_optional_range(contract::ObjectReader& r, const char* key, double lo, double hi) {
  auto v = r.optional_number(key);
  if (!v) return storage::null();
  if (!(*v >= lo && *v <= hi)) {
    throw kit::InputError(r.path_of(key), "must be between " +
                                              std::to_string(static_cast<int>(lo)) + " and " +
                                              std::to_string(static_cast<int>(hi)));
  }
  return *v;
}

storage::Value read_optional_text(contract::ObjectReader& r, const char* key, std::size_t max_len) {
  auto v = r.optional_string(key);
  if (!v) return storage::null();
  if (v->size() > max_len) {
    throw kit::InputError(r.path_of(key),
                          "must be at most " + std::to_string(max_len) + " characters");
  }
  return *v;
}

Response create_patient(RouteContext& ctx) {
  const nlohmann::json body = parse_body(ctx.request());
  const std::int64_t now = ctx.services().now_ms();
  contract::ObjectReader r(body, "");
  auto mrn = r.optional_string("mrn");
  const std::string given = require_text(r.string("given_name"), "given_name", kMaxName);
  const std::string family = require_text(r.string("family_name"), "family_name", kMaxName);
  const std::string dob = read_dob(r, now);
  const std::string sex = read_sex(r);
  const std::string indication = read_indication(r);
  const storage::Value weight = read_optional_range(r, "weight_kg", 0.5, 400);
  const storage::Value height = read_optional_range(r, "height_cm", 20, 260);
  const storage::Value email = read_optional_text(r, "email", 320);
  const storage::Value phone = read_optional_text(r, "phone", 64);
  auto inquiry = r.optional_integer("inquiry_id");
  r.finish();
  if (mrn) *mrn = require_text(*mrn, "mrn", 64);

  storage::Transaction& tx = ctx.tx();
  storage::Value inquiry_value = storage::null();
  if (inquiry) {
    storage::Rows q = tx.query("SELECT id FROM inquiries WHERE id = $1", {std::int64_t{*inquiry}});
    if (q.empty()) throw kit::InputError("inquiry_id", "no such inquiry");
    if (!tx.query("SELECT id FROM patients WHERE inquiry_id = $1", {std::int64_t{*inquiry}})
             .empty()) {
      throw ApiError::conflict("this inquiry is already linked to a patient", "inquiry_id");
    }
    inquiry_value = std::int64_t{*inquiry};
  }
  if (mrn && !tx.query("SELECT id FROM patients WHERE mrn = $1", {*mrn}).empty()) {
    throw ApiError::conflict("a patient with this MRN exists", "mrn");
  }
  // Without an MRN the server assigns "KIT-<id>" (a unique placeholder first: the id is not known
  // before the insert).
  const std::string first_mrn = mrn ? *mrn : "pending-" + random_token(12);
  storage::Rows ins = tx.query(
      "INSERT INTO patients (mrn, given_name, family_name, date_of_birth, sex, weight_kg, "
      "height_cm, "
      "email, phone, indication, status, inquiry_id, created_at_ms, updated_at_ms, version) VALUES "
      "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'intake', $11, $12, $12, 1) RETURNING id",
      {first_mrn, given, family, dob, sex, weight, height, email, phone, indication, inquiry_value,
       now});
  const std::int64_t id = ins.front().i64("id");
  if (!mrn) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "KIT-%06lld", static_cast<long long>(id));
    tx.exec("UPDATE patients SET mrn = $1 WHERE id = $2", {std::string(buf), id});
  }
  if (inquiry) {
    tx.exec(
        "UPDATE inquiries SET status = 'scheduled', updated_at_ms = $1, version = version + 1 "
        "WHERE id = $2",
        {now, std::int64_t{*inquiry}});
  }
  ctx.set_patient(id);
  const storage::Row row = load_patient(tx, id);
  Response resp = json_response_with_etag(patient_json(row), row.i64("version"), 201);
  resp.set_header("Location", "/api/v1/patients/" + std::to_string(id));
  return resp;
}

std::string like_pattern(const std::string& q) {
  std::string out = "%";
  for (char c : q) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out + "%";
}

Response list_patients(RouteContext& ctx) {
  const Request& req = ctx.request();
  const std::int64_t limit = query_int(req, "limit", 1, 500).value_or(50);
  const std::int64_t offset = query_int(req, "offset", 0, 1'000'000).value_or(0);
  std::string sql = "SELECT * FROM patients WHERE 1 = 1";
  std::vector<storage::Value> params;
  if (auto it = req.query.find("q"); it != req.query.end() && !it->second.empty()) {
    if (it->second.size() > 200) throw kit::InputError("q", "must be at most 200 characters");
    params.emplace_back(like_pattern(it->second));
    const std::string n = "$" + std::to_string(params.size());
    sql += " AND (LOWER(given_name) LIKE " + n + " ESCAPE '\\' OR LOWER(family_name) LIKE " + n +
           " ESCAPE '\\' OR LOWER(mrn) LIKE " + n +
           " ESCAPE '\\' OR LOWER(given_name || ' ' || "
           "family_name) LIKE " +
           n + " ESCAPE '\\')";
  }
  if (auto it = req.query.find("status"); it != req.query.end()) {
    params.emplace_back(it->second);
    sql += " AND status = $" + std::to_string(params.size());
  }
  params.emplace_back(limit);
  sql += " ORDER BY family_name, given_name, id LIMIT $" + std::to_string(params.size());
  params.emplace_back(offset);
  sql += " OFFSET $" + std::to_string(params.size());
  nlohmann::json out = nlohmann::json::array();
  for (const storage::Row& r : ctx.tx().query(sql, params)) out.push_back(patient_json(r));
  return json_response({{"patients", out}, {"limit", limit}, {"offset", offset}});
}

Response get_patient(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  ctx.require_patient_access(id);
  const storage::Row row = load_patient(ctx.tx(), id);
  return json_response_with_etag(patient_json(row), row.i64("version"));
}

Response my_patient(RouteContext& ctx) {
  const Principal& who = ctx.user();
  if (!who.patient_id) throw ApiError::forbidden("this account is not linked to a patient");
  ctx.require_patient_access(*who.patient_id);
  const storage::Row row = load_patient(ctx.tx(), *who.patient_id);
  return json_response_with_etag(patient_json(row), row.i64("version"));
}

// Demographics only: the workflow status moves with approval and course transitions.
Response patch_patient(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  ctx.require_patient_access(id);
  const nlohmann::json body = parse_body(ctx.request());
  storage::Transaction& tx = ctx.tx();
  const storage::Row current = load_patient(tx, id);
  const std::int64_t version = current.i64("version");
  ctx.require_if_match(version);
  const std::int64_t now = ctx.services().now_ms();

  contract::ObjectReader r(body, "");
  std::vector<std::pair<std::string, storage::Value>> sets;
  if (auto v = r.optional_string("given_name")) {
    sets.emplace_back("given_name", require_text(*v, "given_name", kMaxName));
  }
  if (auto v = r.optional_string("family_name")) {
    sets.emplace_back("family_name", require_text(*v, "family_name", kMaxName));
  }
  if (r.has("date_of_birth")) sets.emplace_back("date_of_birth", read_dob(r, now));
  if (r.has("sex")) sets.emplace_back("sex", read_sex(r));
  if (r.has("indication")) sets.emplace_back("indication", read_indication(r));
  if (auto v = r.optional_string("mrn")) sets.emplace_back("mrn", require_text(*v, "mrn", 64));
  // null clears an optional field.
  const auto nullable = [&](const char* key, auto reader) {
    if (!r.has(key)) return;
    if (r.value(key).is_null()) {
      sets.emplace_back(key, storage::null());
    } else {
      sets.emplace_back(key, reader());
    }
  };
  nullable("weight_kg", [&] { return read_optional_range(r, "weight_kg", 0.5, 400); });
  nullable("height_cm", [&] { return read_optional_range(r, "height_cm", 20, 260); });
  nullable("email", [&] { return read_optional_text(r, "email", 320); });
  nullable("phone", [&] { return read_optional_text(r, "phone", 64); });
  r.finish();
  if (sets.empty()) throw kit::InputError("body", "names no field to change");

  std::string sql = "UPDATE patients SET ";
  std::vector<storage::Value> params;
  for (auto& [column, value] : sets) {
    params.push_back(std::move(value));
    sql += column + " = $" + std::to_string(params.size()) + ", ";
  }
  params.emplace_back(now);
  sql += "updated_at_ms = $" + std::to_string(params.size()) + ", version = version + 1";
  params.emplace_back(id);
  sql += " WHERE id = $" + std::to_string(params.size());
  params.emplace_back(version);
  sql += " AND version = $" + std::to_string(params.size());
  // The version guard also holds against a writer in another process between read and write.
  if (tx.exec(sql, params) != 1) throw ApiError::precondition_failed();
  const storage::Row row = load_patient(tx, id);
  return json_response_with_etag(patient_json(row), row.i64("version"));
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
              "Edit a patient's demographics (If-Match required; 412 when stale)", "patients",
              access_staff(), true, patch_patient, 200});
  router.add({"GET", "/api/v1/me/patient", "The calling patient's own record", "patients",
              access_roles({Role::patient}), true, my_patient, 200});
}

}  // namespace kit::server
