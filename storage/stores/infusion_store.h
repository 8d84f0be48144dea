#pragma once
// The infusion store: sessions, their pump events, vitals, adverse events, dissociation scores,
// discharge and corrections (tables in storage/migrations/0006_sessions.sql), and the facts the
// core's gates need (core/infusion/gates.h). Follows the store pattern of docs/storage.md: named
// operations over the caller's transaction, plain records, one row->record function per type.
// Pump rates are integer pump steps here; the caller converts to mL/h at its edge.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"

namespace kit::storage {

struct InfusionSession {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::optional<std::int64_t> course_id;
  std::optional<std::int64_t> appointment_id;
  std::optional<std::int64_t> chair_id;
  std::optional<std::string> unscheduled_reason;
  std::string protocol_id;
  std::optional<std::int64_t> lot_id;
  std::string plan_request_json;
  std::string plan_json;
  double concentration_mg_per_ml = 0;
  double dosing_weight_kg = 0;
  double planned_dose_mg = 0;
  std::int64_t pump_step_ul_per_h = 0;
  std::int64_t planned_rate_steps = 0;
  double planned_duration_min = 0;
  std::optional<std::string> override_reason;
  std::optional<std::int64_t> override_physician_id;
  std::string state;
  double delivered_mg = 0;
  std::optional<std::int64_t> started_at_ms;
  std::optional<std::int64_t> stopped_at_ms;
  std::optional<std::int64_t> soft_limit_alert_id;
  std::optional<std::int64_t> hard_limit_alert_id;
  std::optional<std::string> void_reason;
  std::optional<std::int64_t> voided_by;
  std::int64_t created_by = 0;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t version = 0;
};

struct NewInfusionSession {
  std::int64_t patient_id = 0;
  std::optional<std::int64_t> course_id;
  std::optional<std::int64_t> appointment_id;
  std::optional<std::int64_t> chair_id;
  std::optional<std::string> unscheduled_reason;
  std::string protocol_id;
  std::optional<std::int64_t> lot_id;
  std::string plan_request_json;
  std::string plan_json;
  double concentration_mg_per_ml = 0;
  double dosing_weight_kg = 0;
  double planned_dose_mg = 0;
  std::int64_t pump_step_ul_per_h = 0;
  std::int64_t planned_rate_steps = 0;
  double planned_duration_min = 0;
  std::optional<std::string> override_reason;
  std::optional<std::int64_t> override_physician_id;
  std::int64_t created_by = 0;
  std::int64_t at_ms = 0;
};

// The state columns a transition writes (compare-and-set on version).
struct InfusionStateChange {
  std::string state;
  double delivered_mg = 0;
  std::optional<std::int64_t> started_at_ms;
  std::optional<std::int64_t> stopped_at_ms;
  std::optional<std::string> void_reason;
  std::optional<std::int64_t> voided_by;
};

struct StoredPumpEvent {
  std::int64_t id = 0;
  std::int64_t session_id = 0;
  std::string kind;
  std::optional<std::int64_t> rate_steps;
  std::optional<std::string> checks_json;
  std::optional<std::string> override_reason;
  std::optional<std::int64_t> override_physician_id;
  std::optional<std::string> gate_override_reason;
  std::string note;
  std::string status;  // active | entered_in_error | amended
  std::optional<std::int64_t> amends_id;
  std::int64_t recorded_by = 0;
  std::int64_t at_ms = 0;
  std::int64_t recorded_at_ms = 0;
};

// What the chair board reads of a session: its state and clock, no clinical value (the board's
// query leaves out the plan, several kB per session, read on every refresh otherwise).
struct BoardSession {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::optional<std::int64_t> appointment_id;
  std::optional<std::int64_t> chair_id;
  std::string state;
  std::optional<std::int64_t> started_at_ms;
  std::optional<std::int64_t> stopped_at_ms;
  double planned_duration_min = 0;
};

// What the board's infusion clock reads of a pump event.
struct PumpClockEvent {
  std::int64_t session_id = 0;
  std::string kind;
  std::string status;  // active | entered_in_error | amended
  std::int64_t at_ms = 0;
};

struct StoredVital {
  std::int64_t id = 0;
  std::int64_t session_id = 0;
  std::string point;
  std::optional<double> sbp_mmhg, dbp_mmhg, hr_bpm, spo2_percent, rr_per_min;
  std::optional<std::string> consciousness;
  std::string action;
  std::string reasons_json;
  std::optional<std::int64_t> alert_id;
  std::string status;
  std::optional<std::int64_t> amends_id;
  std::int64_t recorded_by = 0;
  std::int64_t at_ms = 0;
};

struct StoredAdverseEvent {
  std::int64_t id = 0;
  std::int64_t session_id = 0;
  std::int64_t patient_id = 0;
  std::string kind;
  std::string severity;
  std::string description;
  std::string action_taken;
  std::optional<std::int64_t> alert_id;
  std::string status;
  std::optional<std::int64_t> amends_id;
  std::int64_t recorded_by = 0;
  std::int64_t at_ms = 0;
};

struct StoredDissociation {
  std::int64_t id = 0;  // the assessment's id
  double total = 0;
  std::string answers_json;
  std::string status;
  std::optional<std::int64_t> amends_id;
  std::int64_t recorded_by = 0;
  std::int64_t at_ms = 0;
};

struct StoredDischarge {
  std::string result_json;
  std::string gates_json;
  std::int64_t aldrete_score = 0;
  bool ready = false;
  std::optional<std::string> override_reason;
  std::optional<std::int64_t> override_physician_id;
  std::int64_t recorded_by = 0;
  std::int64_t at_ms = 0;
};

struct StoredCorrection {
  std::int64_t id = 0;
  std::string entity;  // pump_event | vital | adverse_event | dissociation | ...
  std::int64_t entity_id = 0;
  std::string action;  // entered_in_error | amend
  std::string reason;
  std::optional<std::int64_t> replacement_id;
  std::int64_t by_user_id = 0;
  std::int64_t at_ms = 0;
};

// Facts for the core's gates, read in one place.
struct PatientGateRow {
  std::int64_t id = 0;
  std::string status;
  std::optional<std::string> approval_decision;
  std::optional<std::int64_t> approval_at_ms;
  std::optional<std::int64_t> approval_physician_id;
  std::string approval_reason;
  bool treatment_consent_active = false;
  std::optional<std::int64_t> consent_withdrawn_at_ms;  // latest treatment consent withdrawn
  std::optional<std::int64_t> screening_id;  // latest intake screening (no pre-infusion section)
  bool screening_eligible = false;
  std::optional<std::int64_t> screening_at_ms;
  std::optional<std::int64_t> day_check_id;  // latest screening with a pre-infusion section
  std::optional<std::string> day_check_result_json;
  std::optional<std::int64_t> day_check_at_ms;
};
struct CourseGateRow {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::string state;
  std::string protocol_id;
};
struct AppointmentGateRow {
  std::int64_t id = 0;
  std::int64_t patient_id = 0;
  std::optional<std::int64_t> course_id;
  std::int64_t chair_id = 0;
  std::int64_t clinic_id = 0;
  std::string status;
  std::string on_date;  // clinic-local date
  std::string kind;
};

class InfusionStore {
 public:
  explicit InfusionStore(Transaction& tx) : tx_(tx) {}

  std::optional<InfusionSession> find(std::int64_t id);
  std::vector<InfusionSession> of_patient(std::int64_t patient_id);
  // The sessions booked on these appointments, by patient then id, only what the chair board shows:
  // one query.
  std::vector<BoardSession> board_sessions_of_appointments(
      const std::vector<std::int64_t>& appointment_ids);
  std::int64_t insert(const NewInfusionSession& s);
  // false when the version moved on (a concurrent write won).
  bool change_state(std::int64_t id, std::int64_t expected_version, const InfusionStateChange& c,
                    std::int64_t now_ms);
  void bump_version(std::int64_t id, std::int64_t now_ms);
  void set_limit_alert(std::int64_t id, bool hard, std::int64_t alert_id);

  std::vector<StoredPumpEvent> pump_events(std::int64_t session_id);
  // The pump events of these sessions (kind, status, time), each session's in the order of
  // pump_events(): one query (the chair board's clock).
  std::map<std::int64_t, std::vector<PumpClockEvent>> pump_clock_of(
      const std::vector<std::int64_t>& session_ids);
  std::int64_t insert_pump_event(const StoredPumpEvent& e);
  std::vector<StoredVital> vitals(std::int64_t session_id);
  std::optional<StoredVital> latest_baseline(std::int64_t session_id);
  std::int64_t insert_vital(const StoredVital& v);
  std::vector<StoredAdverseEvent> adverse_events(std::int64_t session_id);
  std::int64_t insert_adverse_event(const StoredAdverseEvent& a);
  std::vector<StoredDissociation> dissociation(std::int64_t session_id);
  std::optional<StoredDischarge> discharge(std::int64_t session_id);
  void insert_discharge(std::int64_t session_id, const std::string& request_json,
                        const StoredDischarge& d);

  // Corrections: the entry's status changes, the correction row records why.
  // entity: pump_event | vital | adverse_event | dissociation.
  bool set_entry_status(const std::string& entity, std::int64_t entry_id, std::int64_t session_id,
                        const std::string& status);
  std::int64_t insert_correction(const StoredCorrection& c, std::optional<std::int64_t> session_id,
                                 std::int64_t patient_id);
  std::vector<StoredCorrection> corrections(std::int64_t session_id);
  void retract_alert(std::int64_t alert_id, std::int64_t by_user_id, const std::string& reason,
                     std::int64_t now_ms);
  int open_critical_alerts(std::int64_t session_id);

  // Gate facts.
  std::optional<PatientGateRow> patient_gate_facts(std::int64_t patient_id);
  std::optional<CourseGateRow> course(std::int64_t course_id);
  std::optional<AppointmentGateRow> appointment(std::int64_t appointment_id);
  int live_sessions_on_appointment(std::int64_t appointment_id, std::int64_t except_session_id);
  int active_sessions_of_patient(std::int64_t patient_id, std::int64_t except_session_id);

 private:
  Transaction& tx_;
};

}  // namespace kit::storage
