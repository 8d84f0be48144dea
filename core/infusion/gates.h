#pragma once
// The gates an infusion passes before ketamine may flow, each a named rule with its reason and
// source. The shells gather the facts (from storage, the clock, the caller) into plain structs; the
// core decides. A failed gate is a kit::RuleRefused naming the gate, with one line an operator
// understands ("patient 27 is declined (2026-11-20, physician 3): no infusion may be planned").
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/infusion/state_machine.h"

namespace kit::infusion {

// Clinic policy: none of these numbers is published for outpatient ketamine infusions; each is a
// clinic decision anchored to the source named beside it, and configurable.
struct GatePolicy {
  // An intake screening older than this no longer clears a patient (policy: re-screen twice a
  // year; courses run two weeks and boosters follow over months, docs/reference/pharmacology.md §3.2).
  int screening_max_age_days = 180;
  // Minimum observation after the pump stops before discharge. Policy anchored on RCEM's ketamine
  // sedation guidance: no primary adverse event occurred later than 25 minutes after the last IV
  // dose (docs/reference/pharmacology.md §13), rounded up to 30; ACEP's dose-to-discharge interval
  // for ED sedation is 50-110 min IV (§3.6).
  int observation_min_after_stop = 30;
  // Caller clocks may run slightly ahead of the server's: an event time up to this far in the
  // future is accepted (policy).
  std::int64_t clock_skew_ms = 60'000;
};

struct GateResult {
  std::string gate;    // stable name, e.g. "patient_approved"
  bool passed = false;
  std::string reason;  // one line: why it passed or failed
  std::string source;  // the rule's origin (label, guideline or clinic policy)
};

// Throws kit::RuleRefused for the first gate that did not pass.
void require_all(const std::vector<GateResult>& gates);

struct ApprovalFacts {
  std::string decision;    // "approved" | "declined"
  std::string decided_on;  // clinic-local date
  std::int64_t physician_user_id = 0;
  std::string reason;
};
struct ScreeningFacts {
  std::int64_t id = 0;
  bool eligible = false;
  std::int64_t age_days = 0;  // clinic-local days since it was recorded
};
struct DayOfCheckFacts {
  std::int64_t id = 0;
  bool cleared = false;
  std::string local_date;    // clinic-local date it was recorded
  std::string failed_checks;  // what did not pass, for the message
};
struct PatientFacts {
  std::int64_t id = 0;
  std::string status;  // intake | approved | declined | in_treatment | maintenance | discharged
  std::optional<ApprovalFacts> latest_approval;
  bool treatment_consent_on_file = false;    // signed and not withdrawn
  std::optional<std::string> consent_withdrawn_on;  // the latest treatment consent was withdrawn
  std::optional<ScreeningFacts> latest_screening;
  std::optional<DayOfCheckFacts> latest_day_of_check;
  int other_active_sessions = 0;  // running or paused sessions of this patient, this one excluded
};
struct CourseFacts {
  std::int64_t id = 0;
  std::string state;  // planned | induction | maintenance | completed | stopped
  std::string protocol_id;
};
struct AppointmentFacts {
  std::int64_t id = 0;
  bool of_this_patient = false;
  std::optional<std::int64_t> course_id;
  std::string status;      // booked | completed | cancelled | no_show
  std::string local_date;  // the clinic-local date it starts on
  std::string kind;        // infusion | booster | consult
  int other_live_sessions = 0;  // sessions on it that are not voided, this one excluded
};

struct PlanningFacts {
  PatientFacts patient;
  std::optional<CourseFacts> course;            // the course named by the session
  std::optional<AppointmentFacts> appointment;  // the appointment named by the session
  std::string protocol_id;                      // the protocol the session follows
  std::string today_local;                      // the clinic-local date now
  bool caller_is_physician = false;
  std::optional<std::string> unscheduled_reason;  // a session outside any course
};

// Planning a session (and re-checked at start and resume: a course may have ended since).
std::vector<GateResult> planning_gates(const PlanningFacts& facts, const GatePolicy& policy);

// Starting (or resuming) the pump: the planning gates, one active session per patient, and the
// day-of check, which a physician may override with a documented reason.
struct StartOverride {
  std::optional<std::string> reason;  // gate_override_reason
  bool by_physician = false;
};
std::vector<GateResult> start_gates(const PlanningFacts& facts, const GatePolicy& policy,
                                    const StartOverride& override_);

// Discharge: observation time since the stop and no unacknowledged critical alert (neither can be
// overridden), then the discharge score (a physician may override with a reason).
struct DischargeFacts {
  State state = State::stopped;
  std::optional<std::int64_t> stopped_at_ms;
  std::int64_t now_ms = 0;
  int unacknowledged_critical_alerts = 0;
  bool score_ready = false;
  std::string score_summary;  // e.g. "Aldrete 7; unmet: consciousness"
  std::optional<std::string> override_reason;
  bool caller_is_physician = false;
};
std::vector<GateResult> discharge_gates(const DischargeFacts& facts, const GatePolicy& policy);

}  // namespace kit::infusion
