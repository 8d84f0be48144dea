#include "core/infusion/gates.h"

#include <algorithm>

#include "core/common/error.h"

namespace kit::infusion {

namespace {

constexpr const char* kPolicy = "clinic policy";
constexpr const char* kConsentSource =
    "informed consent before treatment (APA consensus, Sanacora 2017; "
    "docs/reference/pharmacology.md §3.7)";

GateResult pass(std::string gate, std::string reason, std::string source) {
  return {std::move(gate), true, std::move(reason), std::move(source)};
}
GateResult fail(std::string gate, std::string reason, std::string source) {
  return {std::move(gate), false, std::move(reason), std::move(source)};
}

std::string patient_name(const PatientFacts& p) { return "patient " + std::to_string(p.id); }

GateResult approved_gate(const PatientFacts& p) {
  const std::string who = patient_name(p);
  const char* src = "physician approval after screening (clinic workflow)";
  const bool status_ok =
      p.status == "approved" || p.status == "in_treatment" || p.status == "maintenance";
  if (p.latest_approval && p.latest_approval->decision == "declined") {
    const ApprovalFacts& a = *p.latest_approval;
    return fail("patient_approved",
                who + " is declined (" + a.decided_on + ", physician " +
                    std::to_string(a.physician_user_id) +
                    (a.reason.empty() ? "" : ": " + a.reason) + "): no infusion may be planned",
                src);
  }
  if (!p.latest_approval || !status_ok) {
    return fail("patient_approved",
                who + " is " + (p.status.empty() ? "not approved" : "at " + p.status) +
                    " and not approved by a physician: no infusion may be planned",
                src);
  }
  return pass("patient_approved",
              who + " approved on " + p.latest_approval->decided_on + " by physician " +
                  std::to_string(p.latest_approval->physician_user_id),
              src);
}

GateResult consent_gate(const PatientFacts& p) {
  if (p.treatment_consent_on_file) {
    return pass("treatment_consent", "a treatment consent is on file", kConsentSource);
  }
  if (p.consent_withdrawn_on) {
    return fail("treatment_consent",
                patient_name(p) + " withdrew treatment consent on " + *p.consent_withdrawn_on +
                    ": no infusion may be planned or started",
                kConsentSource);
  }
  return fail("treatment_consent",
              patient_name(p) + " has no treatment consent on file: record it first",
              kConsentSource);
}

GateResult screening_gate(const PatientFacts& p, const GatePolicy& policy) {
  const std::string src = std::string(kPolicy) + ": an eligible screening within " +
                          std::to_string(policy.screening_max_age_days) + " days";
  if (!p.latest_screening) {
    return fail("screening_eligible", patient_name(p) + " has no intake screening on file", src);
  }
  const ScreeningFacts& s = *p.latest_screening;
  if (!s.eligible) {
    return fail("screening_eligible",
                "the latest screening (" + std::to_string(s.id) + ") of " + patient_name(p) +
                    " is not eligible",
                src);
  }
  if (s.age_days > policy.screening_max_age_days) {
    return fail("screening_eligible",
                "the latest screening of " + patient_name(p) + " is " +
                    std::to_string(s.age_days) + " days old (policy: at most " +
                    std::to_string(policy.screening_max_age_days) + "): screen again",
                src);
  }
  return pass("screening_eligible",
              "screening " + std::to_string(s.id) + " eligible, " + std::to_string(s.age_days) +
                  " days old",
              src);
}

void course_gates(const PlanningFacts& f, std::vector<GateResult>& out) {
  const char* src = "a session follows a course under way, or a physician documents why not";
  if (!f.course) {
    if (!f.unscheduled_reason || f.unscheduled_reason->empty()) {
      out.push_back(fail("unscheduled_reason",
                         "a session outside a course needs a physician's documented "
                         "unscheduled_reason",
                         src));
    } else if (!f.caller_is_physician) {
      out.push_back(fail("unscheduled_reason",
                         "only a physician may plan a session outside a course", src));
    } else {
      out.push_back(pass("unscheduled_reason", "unscheduled: " + *f.unscheduled_reason, src));
    }
    return;
  }
  const CourseFacts& c = *f.course;
  if (c.state != "induction" && c.state != "maintenance") {
    out.push_back(fail("course_under_way",
                       "course " + std::to_string(c.id) + " is " + c.state +
                           ": sessions belong to a course in induction or maintenance",
                       src));
  } else {
    out.push_back(pass("course_under_way",
                       "course " + std::to_string(c.id) + " is in " + c.state, src));
  }
  if (f.protocol_id != c.protocol_id) {
    out.push_back(fail("course_protocol",
                       "protocol '" + f.protocol_id + "' is not the course's protocol '" +
                           c.protocol_id + "'",
                       "the course's protocol is the prescription"));
  } else {
    out.push_back(pass("course_protocol", "follows the course's protocol '" + c.protocol_id + "'",
                       "the course's protocol is the prescription"));
  }
}

void appointment_gates(const PlanningFacts& f, std::vector<GateResult>& out) {
  const char* src = "one session per booked appointment, on its day (clinic-local)";
  if (!f.appointment) {
    if (f.course) {
      out.push_back(fail("appointment_today",
                         "a session of course " + std::to_string(f.course->id) +
                             " is tied to today's appointment: give appointment_id",
                         src));
    }
    return;
  }
  const AppointmentFacts& a = *f.appointment;
  const std::string name = "appointment " + std::to_string(a.id);
  if (!a.of_this_patient) {
    out.push_back(fail("appointment_today", name + " is not this patient's", src));
  } else if (f.course && a.course_id && *a.course_id != f.course->id) {
    out.push_back(fail("appointment_today",
                       name + " belongs to course " + std::to_string(*a.course_id) + ", not " +
                           std::to_string(f.course->id),
                       src));
  } else if (a.kind == "consult") {
    out.push_back(fail("appointment_today", name + " is a consultation, not an infusion", src));
  } else if (a.status != "booked") {
    out.push_back(fail("appointment_today", name + " is " + a.status + ", not booked", src));
  } else if (a.local_date != f.today_local) {
    out.push_back(fail("appointment_today",
                       name + " is on " + a.local_date + ", not today (" + f.today_local +
                           ", clinic time)",
                       src));
  } else {
    out.push_back(pass("appointment_today", name + " is today, " + a.local_date, src));
  }
  if (a.other_live_sessions > 0) {
    out.push_back(fail("one_session_per_appointment",
                       name + " already has a session (void it first to plan again)", src));
  } else {
    out.push_back(pass("one_session_per_appointment", name + " has no other session", src));
  }
}

}  // namespace

void require_all(const std::vector<GateResult>& gates) {
  for (const GateResult& g : gates) {
    if (!g.passed) throw RuleRefused(g.gate, g.reason);
  }
}

std::vector<GateResult> planning_gates(const PlanningFacts& f, const GatePolicy& policy) {
  std::vector<GateResult> out;
  out.push_back(approved_gate(f.patient));
  out.push_back(consent_gate(f.patient));
  out.push_back(screening_gate(f.patient, policy));
  course_gates(f, out);
  appointment_gates(f, out);
  return out;
}

std::vector<GateResult> start_gates(const PlanningFacts& f, const GatePolicy& policy,
                                    const StartOverride& override_) {
  std::vector<GateResult> out = planning_gates(f, policy);
  const char* one_src = "one infusion at a time per patient";
  if (f.patient.other_active_sessions > 0) {
    out.push_back(fail("one_active_session",
                       patient_name(f.patient) +
                           " already has an infusion running or paused: stop it first",
                       one_src));
  } else {
    out.push_back(pass("one_active_session", "no other infusion running", one_src));
  }
  const char* day_src =
      "pre-infusion check on the day (docs/reference/pharmacology.md §4, §10); a physician may "
      "override with a documented reason";
  std::optional<std::string> why_not;
  const auto& check = f.patient.latest_day_of_check;
  if (!check) {
    why_not = "no day-of check (pre-infusion screening) on file";
  } else if (check->local_date != f.today_local) {
    why_not = "the latest day-of check is from " + check->local_date + ", not today";
  } else if (!check->cleared) {
    why_not = "the day-of check of today did not clear the start" +
              (check->failed_checks.empty() ? std::string() : " (" + check->failed_checks + ")");
  }
  if (!why_not) {
    out.push_back(pass("day_of_check", "day-of check " + std::to_string(check->id) + " cleared",
                       day_src));
  } else if (override_.reason && !override_.reason->empty()) {
    if (!override_.by_physician) {
      out.push_back(fail("gate_override_reason",
                         *why_not + "; only a physician may override the day-of check", day_src));
    } else {
      out.push_back(pass("day_of_check",
                         *why_not + "; overridden by a physician: " + *override_.reason, day_src));
    }
  } else {
    out.push_back(
        fail("day_of_check", *why_not + ": record a cleared check, or a physician overrides",
             day_src));
  }
  return out;
}

std::vector<GateResult> discharge_gates(const DischargeFacts& f, const GatePolicy& policy) {
  std::vector<GateResult> out;
  const std::string obs_src = "clinic policy: at least " +
                              std::to_string(policy.observation_min_after_stop) +
                              " min after the stop (RCEM 25 min; docs/reference/pharmacology.md §13)";
  if (!f.stopped_at_ms) {
    out.push_back(fail("observation_time", "the infusion has not stopped", obs_src));
  } else {
    // A stop charted slightly ahead of the server clock (within the skew allowance) counts as now.
    const std::int64_t waited_ms = std::max<std::int64_t>(0, f.now_ms - *f.stopped_at_ms);
    const std::int64_t need_ms = std::int64_t{policy.observation_min_after_stop} * 60'000;
    const std::int64_t waited_min = waited_ms / 60'000;
    if (waited_ms < need_ms) {
      out.push_back(fail("observation_time",
                         "observed " + std::to_string(waited_min) + " min since the stop; " +
                             std::to_string(policy.observation_min_after_stop) +
                             " min are required before discharge",
                         obs_src));
    } else {
      out.push_back(pass("observation_time",
                         "observed " + std::to_string(waited_min) + " min since the stop", obs_src));
    }
  }
  const char* alert_src = "every critical alert is seen by a clinician before the patient leaves";
  if (f.unacknowledged_critical_alerts > 0) {
    out.push_back(fail("critical_alerts",
                       std::to_string(f.unacknowledged_critical_alerts) +
                           " critical alert(s) of this session not acknowledged",
                       alert_src));
  } else {
    out.push_back(pass("critical_alerts", "no unacknowledged critical alert", alert_src));
  }
  const char* score_src = "discharge score (core/safety; docs/reference/pharmacology.md §4.3, §10)";
  if (f.score_ready) {
    out.push_back(pass("discharge_score", f.score_summary, score_src));
  } else if (f.override_reason && !f.override_reason->empty() && f.caller_is_physician) {
    out.push_back(pass("discharge_score",
                       f.score_summary + "; discharged by a physician: " + *f.override_reason,
                       score_src));
  } else {
    out.push_back(fail("discharge_score",
                       "not ready for discharge (" + f.score_summary +
                           "); only a physician may discharge with override_reason",
                       score_src));
  }
  return out;
}

}  // namespace kit::infusion
