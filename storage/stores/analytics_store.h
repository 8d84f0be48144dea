#pragma once
// The analytics store: the bulk reads the outcome analytics need (server/analytics/
// load_analytics_input.h turns them into core/outcomes/analytics.h records). Read-only; follows
// the store pattern of docs/storage.md: named operations over the caller's transaction, plain
// records, one row->record function per type. Every read returns only entries in force:
// assessments, medication lists, vitals, adverse events and CADSS sheets whose status is
// `active` (an amendment is a new active row; the row it replaced is `amended`, a mistake
// `entered_in_error`), and sessions that are not voided.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"

namespace kit::storage {

// Which patients' records to read: everything, or one indication (patients.indication).
struct AnalyticsScope {
  std::optional<std::string> indication;
};

struct AnalyticsCourse {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::string indication;  // the patient's indication
  std::string protocol_id;
  std::string state;
  std::int64_t planned_infusions = 0;
  std::int64_t extension_infusions = 0;
  std::int64_t created_at_ms = 0;
  // The first transition to completed or stopped (course_events), if any.
  std::optional<std::int64_t> ended_at_ms;
  // The first transition to maintenance, if any (an unscheduled session after it is a booster).
  std::optional<std::int64_t> maintenance_at_ms;
  // The clinic where the course is given: the chair of its first session, else of its first
  // appointment; none when it has neither.
  std::optional<std::int64_t> clinic_id;
};

// A session that was given: started, then stopped or discharged, never voided.
struct AnalyticsSession {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::int64_t course_id = 0;
  std::optional<std::string> appointment_kind;  // infusion | booster | consult; none: unscheduled
  std::optional<std::int64_t> clinic_id;        // the session's chair, else its appointment's
  std::int64_t started_at_ms = 0;
  double concentration_mg_per_ml = 0;
  std::int64_t pump_step_ul_per_h = 0;
  std::int64_t planned_rate_steps = 0;
  double planned_duration_min = 0;
  double planned_dose_mg = 0;
  double delivered_mg = 0;
};

// An active vital-sign reading of a given session that raised an alert.
struct AnalyticsVitalAlert {
  std::int64_t session_id = 0;
  std::string reasons_json;  // the core's reasons (vital, value, comparison, limit, action)
};

struct AnalyticsAdverseEvent {
  std::int64_t session_id = 0;
  std::string kind;
  std::string severity;
  std::int64_t at_ms = 0;
};

// An active outcome sheet (taken outside a session), in series order per patient and instrument.
struct AnalyticsAssessment {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::optional<std::int64_t> course_id;
  std::string instrument;
  std::string taken_on;  // ISO date
  double total = 0;
  std::int64_t at_ms = 0;
};

// An active medication list: its date and the daily MME the core computed for it.
struct AnalyticsMedicationList {
  std::int64_t patient_id = 0;
  std::string as_of;
  double total_mme_per_day = 0;
};

struct AnalyticsClinic {
  std::int64_t id = 0;
  std::string name;
  std::string timezone;
};

class AnalyticsStore {
 public:
  explicit AnalyticsStore(Transaction& tx) : tx_(tx) {}

  // Every course of the patients in scope, by patient then creation (id).
  std::vector<AnalyticsCourse> courses(const AnalyticsScope& scope);
  // Sessions given on those courses, by course then start time then id.
  std::vector<AnalyticsSession> sessions(const AnalyticsScope& scope);
  std::vector<AnalyticsVitalAlert> vital_alerts(const AnalyticsScope& scope);
  std::vector<AnalyticsAdverseEvent> adverse_events(const AnalyticsScope& scope);
  // The highest active CADSS total per session (session id, total).
  std::vector<std::pair<std::int64_t, double>> cadss_maxima(const AnalyticsScope& scope);
  // Outcome sheets, by patient, instrument, taken_on, recording time, id.
  std::vector<AnalyticsAssessment> assessments(const AnalyticsScope& scope);
  // Medication lists, by patient, as_of, recording time, id.
  std::vector<AnalyticsMedicationList> medication_lists(const AnalyticsScope& scope);
  // Every clinic, by id (names and zones only).
  std::vector<AnalyticsClinic> clinics();

 private:
  Transaction& tx_;
};

}  // namespace kit::storage
