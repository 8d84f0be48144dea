#pragma once
// The patient report: the summary letter for the referring clinician. Who the patient is, the
// course(s) of treatment, each infusion given (planned dose in mg and mg/kg, the dose delivered as
// the pump events say, how long the pump ran), the questionnaire scores with their trajectory and
// the outcome the core's rules give (response, remission, relapse: core/outcomes), the safety
// events (adverse events, vital-sign alerts, CADSS, questionnaire safety flags) and the
// recommendation (the core's booster recommendation, and the physician's notes on the course).
//
// Two steps: load_patient_report reads the record through the stores on the caller's
// transaction (the caller audits the read); render_patient_report_html is a pure function of the
// loaded model (every user-entered text escaped, every quantity through format_quantity).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/reports/html.h"
#include "storage/database.h"

namespace kit::reports {

struct CourseLine {
  std::int64_t id = 0;
  std::string protocol_id;
  std::string protocol_name;
  std::string state;
  std::string created_on;  // clinic-local date
  std::int64_t planned_infusions = 0;
  std::int64_t extension_infusions = 0;
  int infusions_given = 0;
  std::string notes;  // the physician's notes on the course
  struct Event {
    std::string on;  // clinic-local date
    std::string to_state;
    std::string reason;
  };
  std::vector<Event> events;  // transitions and extensions, oldest first
};

struct InfusionLine {
  std::int64_t session_id = 0;
  int number = 0;  // 1, 2, ... in the order given (voided sessions are not counted)
  std::string date;
  std::string protocol_id;
  std::string state;
  double planned_mg = 0;
  double dosing_weight_kg = 0;
  double planned_mg_per_kg = 0;
  double delivered_mg = 0;  // from the pump events in force (core/infusion/delivery.h)
  double delivered_mg_per_kg = 0;
  double infused_min = 0;  // time the pump ran
  std::optional<double> highest_cadss;
  int vital_alerts = 0;
  int adverse_events = 0;
};

struct ScoreReading {
  std::string date;
  double total = 0;
};

struct ScoreOutcome {
  std::string instrument;  // "phq9"
  std::string name;        // "PHQ-9"
  double total_min = 0;
  double total_max = 0;
  std::vector<ScoreReading> readings;  // one per date (the day's last sheet), oldest first
  // The core's outcome over the readings (evaluate_outcome); absent with `not_evaluable` set when
  // the rules cannot judge the series (one reading, no rules for the instrument, ...).
  bool evaluated = false;
  std::string not_evaluable;
  double baseline = 0;
  double latest = 0;
  double change_pct = 0;
  std::string status;  // response | partial_response | remission | no_response | relapse | ...
  bool booster_recommended = false;
  bool reassess_sooner = false;
  std::string reason;                    // the core's words
  std::optional<double> response_line;   // the total that meets the response rule
  std::optional<double> remission_line;  // the remission cut-off
  std::vector<std::string> sources;      // the criteria's sources and policies
};

struct AdverseEventLine {
  std::string at;  // clinic-local "YYYY-MM-DDTHH:MM"
  std::string kind;
  std::string severity;
  std::string description;
  std::string action_taken;
};

struct VitalAlertLine {
  std::string at;
  std::optional<double> sbp_mmhg, dbp_mmhg, hr_bpm, spo2_percent, rr_per_min;
  bool blood_pressure = false;  // a blood-pressure threshold was crossed
  std::string reasons;          // "sbp_mmhg 182 > 180 -> pause", ...
};

struct AlertLine {
  std::string at;
  std::string kind;  // safety_flag | vitals | adverse_event | dose_limit
  std::string severity;
  std::string message;
  std::string status;  // open | acknowledged | retracted
};

struct PatientReport {
  std::string clinic_name;   // the first clinic's name ("" when none is set up)
  std::string generated_at;  // clinic-local "YYYY-MM-DDTHH:MM"
  std::string zone;          // the zone of the dates shown
  std::int64_t patient_id = 0;
  std::string mrn;
  std::string given_name;
  std::string family_name;
  std::string date_of_birth;
  int age_years = 0;
  std::string sex;
  std::optional<double> weight_kg;
  std::optional<double> height_cm;
  std::string indication;
  std::string status;
  std::vector<CourseLine> courses;  // newest first
  std::vector<InfusionLine> infusions;
  int voided_sessions = 0;       // planned, then voided: never given
  int not_started_sessions = 0;  // planned, the pump not started yet: not given (yet)
  double total_delivered_mg = 0;
  std::vector<ScoreOutcome> scores;  // in the instrument catalogue's order
  std::vector<AdverseEventLine> adverse_events;
  std::vector<VitalAlertLine> vital_alerts;
  std::vector<AlertLine> alerts;
};

// Reads patient `patient_id`'s record. Error::not_found("patient") when there is none.
PatientReport load_patient_report(storage::Transaction& tx, std::int64_t patient_id,
                                  std::int64_t now_ms);

// The letter as a complete HTML document.
std::string render_patient_report_html(const PatientReport& report, Paper paper);

}  // namespace kit::reports
