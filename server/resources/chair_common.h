#pragma once
// Helpers shared by the chair-side route modules (stock, sessions, assessments, medications):
// patient facts for the core calculators, dates, alerts. Internal to server/resources.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "server/api/router.h"
#include "storage/database.h"

namespace kit::server::chair {

// "YYYY-MM-DD" (UTC) of a millisecond timestamp.
std::string iso_date(std::int64_t ms);

// A real ISO calendar date, or kit::InputError naming `field`.
std::string require_date(const std::string& field, const std::string& text);

// Whole years between an ISO birth date and an ISO date (0 if the birth date is later).
int age_years(const std::string& date_of_birth, const std::string& on_date);

// The patient's facts the core calculators need: {"weight_kg","height_cm","sex","age_y"}.
// 404 when the patient does not exist; 422 naming patient.weight_kg / patient.height_cm when the
// record lacks them (a dose is never computed on a guessed weight).
nlohmann::json dosing_patient(storage::Transaction& tx, std::int64_t patient_id,
                              std::int64_t now_ms);

// 404 unless the patient exists.
void require_patient(storage::Transaction& tx, std::int64_t patient_id);

// Parses JSON stored by these modules.
nlohmann::json stored_json(const std::string& text);

// Opens an alert to the physicians; returns its id.
std::int64_t raise_alert(storage::Transaction& tx, std::int64_t patient_id,
                         std::optional<std::int64_t> session_id,
                         std::optional<std::int64_t> assessment_id, const std::string& kind,
                         const std::string& message, const std::string& severity,
                         std::int64_t now_ms);

// Optional values as storage values (NULL when absent).
storage::Value opt_value(const std::optional<std::int64_t>& v);
storage::Value opt_value(const std::optional<double>& v);
storage::Value opt_value(const std::optional<std::string>& v);

// Optional caller-supplied event time (`at_ms`, ms since the epoch): not in the future (1 minute of
// clock skew allowed) and not more than 7 days old; defaults to now.
std::int64_t event_time(const std::optional<long long>& at_ms, const std::string& field,
                        std::int64_t now_ms);

// Trimmed text; blank -> nullopt. Refuses more than `max_chars` bytes naming `field`.
std::optional<std::string> optional_text(const std::optional<std::string>& text,
                                         const std::string& field, std::size_t max_chars = 2000);

}  // namespace kit::server::chair
