#pragma once
// The assessment store: questionnaires scored by the core and the alerts that need a clinician
// (tables `assessments` and `alerts`, storage/migrations/0007_assessments.sql, with the status,
// amends_id and retraction columns). Follows the store pattern of docs/storage.md: named
// operations over the caller's transaction, plain records, one row->record function per type; "not
// found" is std::nullopt. Scores, flags and bands are the core's answer, stored as it gave them.
//
// Corrections keep history: an assessment is never changed or deleted, only marked
// entered_in_error or amended (the amendment is a new row naming it), with the why in the session
// module's `corrections` table (0006), which InfusionStore writes; retracting an alert also goes
// through InfusionStore::retract_alert, so an alert is closed one way whatever raised it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"

namespace kit::storage {

// How an assessment was corrected: this store's view of its row in `corrections`.
struct AssessmentCorrection {
  std::int64_t id = 0;
  std::string action;  // entered_in_error | amend
  std::string reason;
  std::optional<std::int64_t> replacement_id;  // the amending assessment
  std::int64_t by_user_id = 0;
  std::int64_t at_ms = 0;
};

struct Assessment {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::optional<std::int64_t> course_id;
  std::optional<std::int64_t> session_id;  // in-session instruments (CADSS) only
  std::string instrument;
  std::string answers_json;
  std::string result_json;  // the core's whole answer
  double total = 0;
  std::optional<std::string> band;
  std::string flags_json;
  bool self_report = false;
  std::string taken_on;  // ISO date: the point in the outcome series
  std::int64_t recorded_by = 0;
  std::int64_t at_ms = 0;
  std::string status;  // active | entered_in_error | amended
  std::optional<std::int64_t> amends_id;
  std::optional<AssessmentCorrection> correction;  // set once status is not active
};

struct NewAssessment {
  std::int64_t patient_id = 0;
  std::optional<std::int64_t> course_id;
  std::string instrument;
  std::string answers_json;
  std::string result_json;
  double total = 0;
  std::optional<std::string> band;
  std::string flags_json;
  bool self_report = false;
  std::string taken_on;
  std::int64_t recorded_by = 0;
  std::int64_t at_ms = 0;
  std::optional<std::int64_t> amends_id;
};

struct NewAssessmentCorrection {
  std::int64_t assessment_id = 0;
  std::int64_t patient_id = 0;
  std::string action;  // entered_in_error | amend
  std::string reason;
  std::optional<std::int64_t> replacement_id;
  std::int64_t by_user_id = 0;
  std::int64_t at_ms = 0;
};

struct Alert {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::optional<std::int64_t> session_id;
  std::optional<std::int64_t> assessment_id;
  std::string kind;  // safety_flag | vitals | adverse_event | dose_limit
  std::string message;
  std::string severity;  // moderate | high | critical
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> acknowledged_by;
  std::optional<std::int64_t> acknowledged_at_ms;
  std::string acknowledge_note;
  // A retracted alert was raised by an entry later corrected: closed, kept, with why.
  std::optional<std::int64_t> retracted_at_ms;
  std::optional<std::string> retraction_reason;
  std::int64_t version = 0;

  // retracted | acknowledged | open
  std::string status() const;
};

struct NewAlert {
  std::int64_t patient_id = 0;
  std::optional<std::int64_t> session_id;
  std::optional<std::int64_t> assessment_id;
  std::string kind;
  std::string message;
  std::string severity;
  std::int64_t at_ms = 0;
};

struct AlertFilter {
  bool include_closed = false;  // false: open alerts only (not acknowledged, not retracted)
  std::optional<std::int64_t> patient_id;
  std::int64_t limit = 1000;
};

class AssessmentStore {
 public:
  explicit AssessmentStore(Transaction& tx) : tx_(tx) {}

  // Assessments.
  std::int64_t insert(const NewAssessment& a);  // status active; returns the id
  std::optional<Assessment> find(std::int64_t id);
  // Every assessment of the patient whatever its status (corrected ones stay listed), in series
  // order: taken_on, then recording time, then id. instrument: nullopt lists every instrument.
  std::vector<Assessment> of_patient(std::int64_t patient_id,
                                     const std::optional<std::string>& instrument = std::nullopt);
  // The outcome series of one instrument: active sheets taken outside a session, in series
  // order; course_id: nullopt reads every course.
  std::vector<Assessment> outcome_series(std::int64_t patient_id, const std::string& instrument,
                                         std::optional<std::int64_t> course_id = std::nullopt);
  // Whether the course exists and is the patient's.
  bool course_of_patient(std::int64_t course_id, std::int64_t patient_id);

  // Corrections. mark_corrected moves an active assessment to `status` (entered_in_error or
  // amended); false when it is not active any more (corrected meanwhile).
  bool mark_corrected(std::int64_t assessment_id, const std::string& status);
  std::int64_t record_correction(const NewAssessmentCorrection& c);  // returns the id

  // Alerts.
  std::int64_t raise_alert(const NewAlert& a);  // returns the id
  std::optional<Alert> find_alert(std::int64_t alert_id);
  // The earliest date of an active clinic-recorded (not self-report) sheet of an instrument.
  std::optional<std::string> first_clinic_date(std::int64_t patient_id,
                                               const std::string& instrument);
  // An open safety-flag alert of the patient whose message starts with `prefix` and whose
  // severity is `severity` (so a repeated flag joins it instead of raising another).
  std::optional<std::int64_t> open_safety_alert(std::int64_t patient_id, const std::string& prefix,
                                                const std::string& severity);
  // Most severe first, then the longest waiting (created_at_ms), then id.
  std::vector<Alert> alerts(const AlertFilter& filter);
  // The open alerts of these patients (patient_id, severity only), by patient: one query.
  std::vector<std::pair<std::int64_t, std::string>> open_alert_severities(
      const std::vector<std::int64_t>& patient_ids);
  // Acknowledges the alert if it is still at expected_version; false if it changed meanwhile.
  bool acknowledge_alert(std::int64_t alert_id, std::int64_t expected_version,
                         std::int64_t by_user_id, const std::string& note, std::int64_t now_ms);
  // Retracts every alert the assessment raised that is not retracted yet; returns their ids.
  std::vector<std::int64_t> retract_alerts_of(std::int64_t assessment_id, std::int64_t by_user_id,
                                              const std::string& reason, std::int64_t now_ms);

 private:
  Transaction& tx_;
};

}  // namespace kit::storage
