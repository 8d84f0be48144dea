// The patient store (storage/stores/patient_store.h): the SQL of the patient record.
#include "storage/stores/patient_store.h"

#include <cctype>
#include <cstdio>
#include <random>
#include <utility>

namespace kit::storage {
namespace {

constexpr const char* kPatientColumns =
    "id, mrn, given_name, family_name, date_of_birth, sex, weight_kg, height_cm, email, phone, "
    "indication, status, inquiry_id, created_at_ms, updated_at_ms, version";

Value opt(const std::optional<std::int64_t>& v) { return v ? Value(*v) : null(); }
Value opt(const std::optional<double>& v) { return v ? Value(*v) : null(); }
Value opt(const std::optional<std::string>& v) { return v ? Value(*v) : null(); }

Patient patient_from_row(const Row& r) {
  Patient p;
  p.id = r.i64("id");
  p.mrn = r.text("mrn");
  p.given_name = r.text("given_name");
  p.family_name = r.text("family_name");
  p.date_of_birth = r.text("date_of_birth");
  p.sex = r.text("sex");
  p.weight_kg = r.opt_f64("weight_kg");
  p.height_cm = r.opt_f64("height_cm");
  p.email = r.opt_text("email");
  p.phone = r.opt_text("phone");
  p.indication = r.text("indication");
  p.status = r.text("status");
  p.inquiry_id = r.opt_i64("inquiry_id");
  p.created_at_ms = r.i64("created_at_ms");
  p.updated_at_ms = r.i64("updated_at_ms");
  p.version = r.i64("version");
  return p;
}

// A LIKE pattern matching `text` anywhere, lower-cased, with LIKE's wildcards escaped by '\'.
std::string contains_pattern(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out + "%";
}

// The MRN a patient holds between the insert and the update that sets "KIT-<id>": unique, so that
// two registrations in flight at once (in two processes) cannot collide on the UNIQUE index.
std::string placeholder_mrn() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  char buf[48];
  std::snprintf(buf, sizeof buf, "pending-%016llx%016llx",
                static_cast<unsigned long long>(random()),
                static_cast<unsigned long long>(random()));
  return buf;
}

}  // namespace

bool PatientEdit::empty() const {
  return !mrn && !given_name && !family_name && !date_of_birth && !sex && !indication &&
         !weight_kg && !height_cm && !email && !phone;
}

std::int64_t PatientStore::create(const NewPatient& p) {
  const std::int64_t id =
      tx_.query(
             "INSERT INTO patients (mrn, given_name, family_name, date_of_birth, sex, weight_kg, "
             "height_cm, email, phone, indication, status, inquiry_id, created_at_ms, "
             "updated_at_ms, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'intake', "
             "$11, $12, $12, 1) RETURNING id",
             {p.mrn ? *p.mrn : placeholder_mrn(), p.given_name, p.family_name, p.date_of_birth,
              p.sex, opt(p.weight_kg), opt(p.height_cm), opt(p.email), opt(p.phone), p.indication,
              opt(p.inquiry_id), p.at_ms})
          .front()
          .i64("id");
  if (!p.mrn) {
    // The id is not known before the insert, so the assigned MRN is written second.
    char buf[32];
    std::snprintf(buf, sizeof buf, "KIT-%06lld", static_cast<long long>(id));
    tx_.exec("UPDATE patients SET mrn = $1 WHERE id = $2", {std::string(buf), id});
  }
  return id;
}

std::optional<Patient> PatientStore::find(std::int64_t id) {
  const Rows rows =
      tx_.query(std::string("SELECT ") + kPatientColumns + " FROM patients WHERE id = $1", {id});
  if (rows.empty()) return std::nullopt;
  return patient_from_row(rows.front());
}

std::optional<Patient> PatientStore::find_by_mrn(const std::string& mrn) {
  const Rows rows =
      tx_.query(std::string("SELECT ") + kPatientColumns + " FROM patients WHERE mrn = $1", {mrn});
  if (rows.empty()) return std::nullopt;
  return patient_from_row(rows.front());
}

bool PatientStore::mrn_taken(const std::string& mrn) {
  return !tx_.query("SELECT id FROM patients WHERE mrn = $1", {mrn}).empty();
}

std::optional<std::int64_t> PatientStore::inquiry_patient(std::int64_t inquiry_id) {
  const Rows rows = tx_.query("SELECT id FROM patients WHERE inquiry_id = $1", {inquiry_id});
  if (rows.empty()) return std::nullopt;
  return rows.front().i64("id");
}

std::vector<Patient> PatientStore::search(const PatientSearch& s) {
  std::string sql = std::string("SELECT ") + kPatientColumns + " FROM patients WHERE 1 = 1";
  std::vector<Value> params;
  // Binds v to the next placeholder and returns its name ($1, $2, ...).
  const auto next = [&](Value v) {
    params.push_back(std::move(v));
    std::string name = std::to_string(params.size());
    name.insert(name.begin(), '$');
    return name;
  };
  if (!s.text.empty()) {
    const std::string n = next(contains_pattern(s.text));
    sql += " AND (LOWER(given_name) LIKE " + n + " ESCAPE '\\' OR LOWER(family_name) LIKE " + n +
           " ESCAPE '\\' OR LOWER(mrn) LIKE " + n +
           " ESCAPE '\\' OR LOWER(given_name || ' ' || family_name) LIKE " + n + " ESCAPE '\\')";
  }
  if (s.status) sql += " AND status = " + next(*s.status);
  sql += " ORDER BY family_name, given_name, id LIMIT " + next(s.limit);
  sql += " OFFSET " + next(s.offset);
  std::vector<Patient> out;
  for (const Row& r : tx_.query(sql, params)) out.push_back(patient_from_row(r));
  return out;
}

bool PatientStore::update(std::int64_t id, std::int64_t expected_version, const PatientEdit& e,
                          std::int64_t now_ms) {
  std::string sql = "UPDATE patients SET ";
  std::vector<Value> params;
  const auto set = [&](const char* column, Value v) {
    params.push_back(std::move(v));
    sql += std::string(column) + " = $" + std::to_string(params.size()) + ", ";
  };
  if (e.given_name) set("given_name", *e.given_name);
  if (e.family_name) set("family_name", *e.family_name);
  if (e.date_of_birth) set("date_of_birth", *e.date_of_birth);
  if (e.sex) set("sex", *e.sex);
  if (e.indication) set("indication", *e.indication);
  if (e.mrn) set("mrn", *e.mrn);
  if (e.weight_kg) set("weight_kg", opt(*e.weight_kg));
  if (e.height_cm) set("height_cm", opt(*e.height_cm));
  if (e.email) set("email", opt(*e.email));
  if (e.phone) set("phone", opt(*e.phone));
  params.emplace_back(now_ms);
  sql += "updated_at_ms = $" + std::to_string(params.size()) + ", version = version + 1";
  params.emplace_back(id);
  sql += " WHERE id = $" + std::to_string(params.size());
  params.emplace_back(expected_version);
  sql += " AND version = $" + std::to_string(params.size());
  return tx_.exec(sql, params) == 1;
}

void PatientStore::set_status(std::int64_t id, const std::string& status, std::int64_t now_ms) {
  tx_.exec(
      "UPDATE patients SET status = $1, updated_at_ms = $2, version = version + 1 WHERE id = $3",
      {status, now_ms, id});
}

bool PatientStore::set_status_at_version(std::int64_t id, std::int64_t expected_version,
                                         const std::string& status, std::int64_t now_ms) {
  return tx_.exec(
             "UPDATE patients SET status = $1, updated_at_ms = $2, version = version + 1 "
             "WHERE id = $3 AND version = $4",
             {status, now_ms, id, expected_version}) == 1;
}

bool PatientStore::inquiry_exists(std::int64_t inquiry_id) {
  return !tx_.query("SELECT id FROM inquiries WHERE id = $1", {inquiry_id}).empty();
}

void PatientStore::mark_inquiry_scheduled(std::int64_t inquiry_id, std::int64_t now_ms) {
  tx_.exec(
      "UPDATE inquiries SET status = 'scheduled', updated_at_ms = $1, version = version + 1 "
      "WHERE id = $2",
      {now_ms, inquiry_id});
}

void PatientStore::record_field_change(const PatientFieldChange& c) {
  tx_.exec(
      "INSERT INTO patient_field_changes (patient_id, field, old_value, new_value, by_user_id, "
      "at_ms) VALUES ($1, $2, $3, $4, $5, $6)",
      {c.patient_id, c.field, c.old_value ? Value(*c.old_value) : null(),
       c.new_value ? Value(*c.new_value) : null(), c.by_user_id, c.at_ms});
}

std::vector<PatientFieldChange> PatientStore::field_changes(std::int64_t patient_id) {
  std::vector<PatientFieldChange> out;
  for (const Row& r : tx_.query("SELECT * FROM patient_field_changes WHERE patient_id = $1 "
                                "ORDER BY id",
                                {patient_id})) {
    out.push_back({r.i64("id"), r.i64("patient_id"), r.text("field"), r.opt_text("old_value"),
                   r.opt_text("new_value"), r.i64("by_user_id"), r.i64("at_ms")});
  }
  return out;
}

}  // namespace kit::storage
