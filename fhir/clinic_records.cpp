// The FHIR shell's reads and writes through the stores (fhir/clinic_records.h).
#include "fhir/clinic_records.h"

#include <map>

#include "core/common/error.h"
#include "storage/stores/import_store.h"

namespace kit::fhir {
namespace {

Place place_of(storage::SchedulingStore& sched, std::int64_t chair_id) {
  Place p;
  p.chair_id = chair_id;
  if (auto chair = sched.find_chair(chair_id)) {
    p.chair_name = chair->name;
    p.clinic_id = chair->clinic_id;
    if (auto clinic = sched.find_clinic(chair->clinic_id)) {
      p.clinic_name = clinic->name;
      p.clinic_timezone = clinic->timezone;
    }
  }
  return p;
}

template <class Map>
std::optional<std::int64_t> mapped(const Map& m, const std::optional<std::int64_t>& id,
                                   const char* what) {
  if (!id) return std::nullopt;
  auto it = m.find(*id);
  if (it == m.end()) {
    throw InputError("Bundle", std::string("a reference to ") + what + " " + std::to_string(*id) +
                                   " that is not in the Bundle");
  }
  return it->second;
}

}  // namespace

std::vector<std::int64_t> all_patient_ids(storage::Transaction& tx) {
  std::vector<std::int64_t> ids;
  for (const auto& r : tx.query("SELECT id FROM patients ORDER BY id")) ids.push_back(r.i64("id"));
  return ids;
}

std::optional<PatientRecord> load_patient_record(storage::Transaction& tx,
                                                 std::int64_t patient_id) {
  std::optional<storage::Patient> patient = storage::PatientStore(tx).find(patient_id);
  if (!patient) return std::nullopt;
  PatientRecord r;
  r.patient = *patient;
  r.consents = storage::IntakeStore(tx).consents(patient_id);
  r.courses = storage::CourseStore(tx).for_patient(patient_id);
  storage::SchedulingStore sched(tx);
  storage::AppointmentSearch search;
  search.patient_id = patient_id;
  search.limit = 100000;
  for (auto& a : sched.appointments(search)) {
    const Place place = place_of(sched, a.chair_id);
    r.appointments.push_back({std::move(a), place});
  }
  storage::InfusionStore infusions(tx);
  for (auto& s : infusions.of_patient(patient_id)) {
    SessionRecord sr;
    sr.events = infusions.pump_events(s.id);
    sr.vitals = infusions.vitals(s.id);
    sr.adverse_events = infusions.adverse_events(s.id);
    if (s.chair_id) sr.place = place_of(sched, *s.chair_id);
    sr.session = std::move(s);
    r.sessions.push_back(std::move(sr));
  }
  r.assessments = storage::AssessmentStore(tx).of_patient(patient_id);
  return r;
}

ImportSummary import_records(storage::Transaction& tx, const std::vector<PatientRecord>& records,
                             std::int64_t user_id, std::int64_t now_ms) {
  storage::ImportStore store(tx);
  if (const std::int64_t n = store.patient_count(); n > 0) {
    throw RuleRefused("clinic", "the clinic already holds " + std::to_string(n) +
                                    " patient(s): a FHIR Bundle is imported into an empty clinic "
                                    "only (its records would otherwise mix with theirs); nothing "
                                    "was imported");
  }
  storage::SchedulingStore sched(tx);
  ImportSummary out;
  std::map<std::int64_t, std::int64_t> clinics, chairs, courses, appointments, sessions, events,
      vitals, adverse, assessments;

  auto chair_of = [&](const Place& p) -> std::int64_t {
    if (auto it = chairs.find(p.chair_id); it != chairs.end()) return it->second;
    std::int64_t clinic = 0;
    if (auto it = clinics.find(p.clinic_id); it != clinics.end()) {
      clinic = it->second;
    } else {
      for (const auto& c : sched.clinics()) {
        if (c.name == p.clinic_name) clinic = c.id;
      }
      if (clinic == 0) {
        clinic = sched.create_clinic({.name = p.clinic_name,
                                      .timezone = p.clinic_timezone,
                                      .opens_at = "08:00",
                                      .closes_at = "17:00",
                                      .open_weekdays = "12345",
                                      .recovery_minutes = 60,
                                      .observation_minutes = 30,
                                      .at_ms = now_ms});
        ++out.records;
      }
      clinics[p.clinic_id] = clinic;
    }
    std::int64_t chair = 0;
    for (const auto& c : sched.chairs(clinic)) {
      if (c.name == p.chair_name) chair = c.id;
    }
    if (chair == 0) {
      chair = sched.create_chair(
          {.clinic_id = clinic, .name = p.chair_name, .active = true, .at_ms = now_ms});
      ++out.records;
    }
    chairs[p.chair_id] = chair;
    return chair;
  };

  for (const PatientRecord& pr : records) {
    storage::Patient p = pr.patient;
    const std::int64_t pid = store.insert_patient(p);
    out.patient_ids.push_back(pid);
    ++out.records;
    for (storage::Consent c : pr.consents) {
      c.patient_id = pid;
      c.recorded_by = user_id;
      if (c.withdrawn_at_ms) c.withdrawn_by = user_id;
      store.insert_consent(c);
      ++out.records;
    }
    for (storage::Course c : pr.courses) {
      const std::int64_t old = c.id;
      c.patient_id = pid;
      c.created_by = user_id;
      courses[old] = store.insert_course(c);
      ++out.records;
    }
    for (const AppointmentRecord& ar : pr.appointments) {
      storage::Appointment a = ar.appointment;
      a.patient_id = pid;
      a.course_id = mapped(courses, a.course_id, "the course");
      a.chair_id = chair_of(ar.place);
      a.staff_user_id.reset();
      a.created_by = user_id;
      appointments[ar.appointment.id] = store.insert_appointment(a);
      ++out.records;
    }
    for (const SessionRecord& sr : pr.sessions) {
      storage::InfusionSession s = sr.session;
      s.patient_id = pid;
      s.course_id = mapped(courses, s.course_id, "the course");
      s.appointment_id = mapped(appointments, s.appointment_id, "the appointment");
      s.chair_id = sr.place ? std::optional<std::int64_t>(chair_of(*sr.place)) : std::nullopt;
      s.lot_id.reset();
      s.created_by = user_id;
      if (s.override_reason) s.override_physician_id = user_id;
      if (s.void_reason) s.voided_by = user_id;
      const std::int64_t sid = store.insert_session(s);
      sessions[sr.session.id] = sid;
      ++out.records;
      for (storage::StoredPumpEvent e : sr.events) {
        const std::int64_t old = e.id;
        e.session_id = sid;
        e.amends_id = mapped(events, e.amends_id, "the pump event");
        e.recorded_by = user_id;
        if (e.override_reason) e.override_physician_id = user_id;
        events[old] = store.insert_pump_event(e);
        ++out.records;
      }
      for (storage::StoredVital v : sr.vitals) {
        const std::int64_t old = v.id;
        v.session_id = sid;
        v.amends_id = mapped(vitals, v.amends_id, "the vital-signs reading");
        v.alert_id.reset();
        v.recorded_by = user_id;
        vitals[old] = store.insert_vital(v);
        ++out.records;
      }
      for (storage::StoredAdverseEvent a : sr.adverse_events) {
        const std::int64_t old = a.id;
        a.session_id = sid;
        a.patient_id = pid;
        a.amends_id = mapped(adverse, a.amends_id, "the adverse event");
        a.alert_id.reset();
        a.recorded_by = user_id;
        adverse[old] = store.insert_adverse_event(a);
        ++out.records;
      }
    }
    for (storage::Assessment a : pr.assessments) {
      const std::int64_t old = a.id;
      a.patient_id = pid;
      a.course_id = mapped(courses, a.course_id, "the course");
      a.session_id = mapped(sessions, a.session_id, "the infusion session");
      a.amends_id = mapped(assessments, a.amends_id, "the assessment");
      a.recorded_by = user_id;
      assessments[old] = store.insert_assessment(a);
      ++out.records;
    }
  }
  return out;
}

}  // namespace kit::fhir
