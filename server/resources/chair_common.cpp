#include "server/resources/chair_common.h"

#include "core/common/calendar.h"
#include "core/common/error.h"
#include "server/api/api_error.h"
#include "server/api/services.h"

namespace kit::server::chair {

std::string iso_date(std::int64_t ms) { return calendar::format_day(calendar::day_of_ms(ms)); }

std::string require_date(const std::string& field, const std::string& text) {
  auto d = calendar::parse_iso_date(text);
  if (!d) throw kit::InputError(field, "must be a real date YYYY-MM-DD");
  return d->iso();
}

int age_years(const std::string& date_of_birth, const std::string& on_date) {
  auto b = calendar::parse_iso_date(date_of_birth);
  auto t = calendar::parse_iso_date(on_date);
  if (!b || !t) throw std::runtime_error("stored date is not ISO: " + date_of_birth);
  return calendar::age_years(*b, *t);
}

void require_patient(storage::Transaction& tx, std::int64_t patient_id) {
  if (tx.query("SELECT id FROM patients WHERE id = $1", {patient_id}).empty()) {
    throw ApiError::not_found("patient");
  }
}

nlohmann::json dosing_patient(storage::Transaction& tx, std::int64_t patient_id,
                              std::int64_t now_ms) {
  storage::Rows rows = tx.query(
      "SELECT date_of_birth, sex, weight_kg, height_cm FROM patients WHERE id = $1", {patient_id});
  if (rows.empty()) throw ApiError::not_found("patient");
  const storage::Row& r = rows.front();
  auto weight = r.opt_f64("weight_kg");
  auto height = r.opt_f64("height_cm");
  if (!weight) {
    throw ApiError::rule_refused("the patient record has no weight; record it before dosing",
                                 "patient.weight_kg");
  }
  if (!height) {
    throw ApiError::rule_refused("the patient record has no height; record it before dosing",
                                 "patient.height_cm");
  }
  return {{"weight_kg", *weight},
          {"height_cm", *height},
          {"sex", r.text("sex")},
          {"age_y", age_years(r.text("date_of_birth"), iso_date(now_ms))}};
}

nlohmann::json stored_json(const std::string& text) { return nlohmann::json::parse(text); }

std::int64_t raise_alert(storage::Transaction& tx, std::int64_t patient_id,
                         std::optional<std::int64_t> session_id,
                         std::optional<std::int64_t> assessment_id, const std::string& kind,
                         const std::string& message, const std::string& severity,
                         std::int64_t now_ms) {
  storage::Rows rows = tx.query(
      "INSERT INTO alerts (patient_id, session_id, assessment_id, kind, message, severity, "
      "created_at_ms, version) VALUES ($1, $2, $3, $4, $5, $6, $7, 1) RETURNING id",
      {patient_id, opt_value(session_id), opt_value(assessment_id), kind, message, severity,
       now_ms});
  return rows.front().i64("id");
}

storage::Value opt_value(const std::optional<std::int64_t>& v) {
  return v ? storage::Value(*v) : storage::null();
}
storage::Value opt_value(const std::optional<double>& v) {
  return v ? storage::Value(*v) : storage::null();
}
storage::Value opt_value(const std::optional<std::string>& v) {
  return v ? storage::Value(*v) : storage::null();
}

std::int64_t event_time(const std::optional<long long>& at_ms, const std::string& field,
                        std::int64_t now_ms) {
  if (!at_ms) return now_ms;
  const std::int64_t at = *at_ms;
  if (at > now_ms + 60'000) throw kit::InputError(field, "must not be in the future");
  if (at < now_ms - 7LL * 24 * 3'600'000) {
    throw kit::InputError(field, "must be within the last 7 days");
  }
  return at;
}

std::optional<std::string> optional_text(const std::optional<std::string>& text,
                                         const std::string& field, std::size_t max_chars) {
  if (!text) return std::nullopt;
  const auto b = text->find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return std::nullopt;
  std::string t = text->substr(b, text->find_last_not_of(" \t\r\n") - b + 1);
  if (t.size() > max_chars) {
    throw kit::InputError(field, "must be at most " + std::to_string(max_chars) + " characters");
  }
  return t;
}

}  // namespace kit::server::chair
