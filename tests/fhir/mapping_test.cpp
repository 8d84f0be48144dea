// The FHIR mapping as pure functions (fhir/mapping.h): records -> Bundle -> records gives back
// every exported field, including what the demo clinic lacks (a voided session, an adverse event,
// corrected entries, a withdrawn consent, free-shape answers); a bad Bundle names the element.
#include "fhir/mapping.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/common/error.h"

namespace {

using kit::fhir::PatientRecord;
using nlohmann::json;

constexpr std::int64_t kT0 = 1'795'000'000'000;  // 2026-11-18T11:06:40Z
constexpr std::int64_t kMin = 60'000;

PatientRecord sample() {
  PatientRecord r;
  auto& p = r.patient;
  p.id = 7;
  p.mrn = "KIT-000007";
  p.given_name = "Ada";
  p.family_name = "Quinn";
  p.date_of_birth = "1931-02-03";
  p.sex = "female";
  p.weight_kg = 61.5;
  p.height_cm = 158;
  p.email = "ada@example.org";
  p.phone = "+1 555 0100";
  p.indication = "chronic_pain";
  p.status = "in_treatment";
  p.created_at_ms = kT0;
  p.updated_at_ms = kT0 + 5;

  kit::storage::Consent c;
  c.id = 3;
  c.patient_id = 7;
  c.consent_type = "research";
  c.form_version = "v2";
  c.signed_at_ms = kT0 + 1000;
  c.recorded_at_ms = kT0 + 2000;
  c.note = "signed on paper";
  c.withdrawn_at_ms = kT0 + 3000;
  c.withdrawal_reason = "changed her mind";
  r.consents.push_back(c);

  kit::storage::Course course;
  course.id = 11;
  course.patient_id = 7;
  course.protocol_id = "pain_low_dose";
  course.state = "induction";
  course.planned_infusions = 6;
  course.extension_infusions = 2;
  course.notes = "slow titration";
  course.created_at_ms = kT0;
  course.updated_at_ms = kT0 + 9;
  r.courses.push_back(course);

  kit::fhir::AppointmentRecord a;
  a.place = {.clinic_id = 1,
             .clinic_name = "North",
             .clinic_timezone = "America/Chicago",
             .chair_id = 4,
             .chair_name = "Chair 4"};
  a.appointment.id = 21;
  a.appointment.patient_id = 7;
  a.appointment.course_id = 11;
  a.appointment.chair_id = 4;
  a.appointment.kind = "booster";
  a.appointment.starts_ms = kT0 + 60 * kMin;
  a.appointment.ends_ms = kT0 + 180 * kMin;
  a.appointment.on_date = "2026-11-18";
  a.appointment.status = "cancelled";
  a.appointment.status_reason = "snow";
  a.appointment.notes = "needs a blanket";
  a.appointment.booking_reason = "late entry";
  a.appointment.created_at_ms = kT0;
  a.appointment.updated_at_ms = kT0 + 1;
  r.appointments.push_back(a);

  kit::fhir::SessionRecord s;
  s.place = a.place;
  auto& ss = s.session;
  ss.id = 40;
  ss.patient_id = 7;
  ss.course_id = 11;
  ss.appointment_id = 21;
  ss.chair_id = 4;
  ss.protocol_id = "pain_low_dose";
  ss.plan_request_json = R"({"dose":1})";
  ss.plan_json = R"({"ok":true})";
  ss.concentration_mg_per_ml = 2;
  ss.dosing_weight_kg = 61.5;
  ss.planned_dose_mg = 30;
  ss.pump_step_ul_per_h = 100;
  ss.planned_rate_steps = 150;  // 15 mL/h
  ss.planned_duration_min = 60;
  ss.state = "stopped";
  ss.delivered_mg = 12.5;
  ss.started_at_ms = kT0 + 60 * kMin;
  ss.stopped_at_ms = kT0 + 100 * kMin;
  ss.override_reason = "physician judgement";
  ss.created_at_ms = kT0 + 50 * kMin;
  ss.updated_at_ms = kT0 + 100 * kMin;
  auto ev = [&](std::int64_t id, const char* kind, std::optional<std::int64_t> steps,
                std::int64_t at_min, const char* status = "active") {
    kit::storage::StoredPumpEvent e;
    e.id = id;
    e.session_id = 40;
    e.kind = kind;
    e.rate_steps = steps;
    e.at_ms = kT0 + at_min * kMin;
    e.recorded_at_ms = e.at_ms + 1000;
    e.status = status;
    s.events.push_back(e);
  };
  ev(1, "start", 150, 60);
  ev(2, "rate_change", 300, 70, "entered_in_error");
  ev(3, "pause", std::nullopt, 80);
  ev(4, "resume", 100, 85);
  ev(5, "stop", std::nullopt, 100);
  s.events[3].note = "after nausea";
  s.events[3].amends_id = 2;
  kit::storage::StoredVital v;
  v.id = 8;
  v.session_id = 40;
  v.point = "baseline";
  v.sbp_mmhg = 128;
  v.dbp_mmhg = 81;
  v.hr_bpm = 72;
  v.spo2_percent = 98;
  v.rr_per_min = 14;
  v.consciousness = "alert";
  v.action = "continue";
  v.reasons_json = "[]";
  v.status = "amended";
  v.at_ms = kT0 + 55 * kMin;
  s.vitals.push_back(v);
  v.id = 9;
  v.sbp_mmhg.reset();
  v.spo2_percent.reset();
  v.status = "active";
  v.amends_id = 8;
  s.vitals.push_back(v);
  kit::storage::StoredAdverseEvent ae;
  ae.id = 5;
  ae.session_id = 40;
  ae.patient_id = 7;
  ae.kind = "nausea";
  ae.severity = "life_threatening";
  ae.description = "retching";
  ae.action_taken = "ondansetron";
  ae.status = "active";
  ae.at_ms = kT0 + 80 * kMin;
  s.adverse_events.push_back(ae);
  r.sessions.push_back(s);

  kit::fhir::SessionRecord voided;
  voided.session = ss;
  voided.session.id = 41;
  voided.session.course_id.reset();
  voided.session.appointment_id.reset();
  voided.session.chair_id.reset();
  voided.session.unscheduled_reason = "walk-in";
  voided.session.override_reason.reset();
  voided.session.state = "voided";
  voided.session.void_reason = "wrong patient";
  voided.session.delivered_mg = 0;
  voided.session.started_at_ms.reset();
  voided.session.stopped_at_ms.reset();
  r.sessions.push_back(voided);

  kit::storage::Assessment q;
  q.id = 30;
  q.patient_id = 7;
  q.course_id = 11;
  q.instrument = "phq9";
  q.answers_json = "[1,2,null,0,3,1,1,0,0]";
  q.result_json = R"({"total":8})";
  q.total = 8;
  q.band = "mild";
  q.flags_json = "[]";
  q.self_report = true;
  q.taken_on = "2026-11-17";
  q.status = "active";
  q.at_ms = kT0 - 86'400'000;
  r.assessments.push_back(q);
  q.id = 31;
  q.instrument = "bpi";
  q.answers_json = R"({"severity":[1,2,3,4]})";
  q.total = 2.5;
  q.band.reset();
  q.self_report = false;
  q.session_id = 40;
  q.status = "entered_in_error";
  r.assessments.push_back(q);
  return r;
}

TEST(FhirMapping, RoundTripGivesBackEveryExportedField) {
  const std::vector<PatientRecord> in = {sample()};
  const json bundle = kit::fhir::to_bundle(in, kT0 + 200 * kMin);
  const std::vector<PatientRecord> out = kit::fhir::records_from_bundle(bundle);
  ASSERT_EQ(out.size(), 1u);
  // Bundle ids are local numbers: a second export from the read records must equal the first
  // once ids are compared by position, so compare the two Bundles' values instead of the ids.
  const json again = kit::fhir::to_bundle(out, kT0 + 200 * kMin);
  ASSERT_EQ(bundle["entry"].size(), again["entry"].size());
  const PatientRecord& r = out[0];
  EXPECT_EQ(r.patient.mrn, "KIT-000007");
  EXPECT_EQ(r.patient.given_name, "Ada");
  EXPECT_EQ(r.patient.family_name, "Quinn");
  EXPECT_EQ(r.patient.date_of_birth, "1931-02-03");
  EXPECT_EQ(r.patient.weight_kg, 61.5);
  EXPECT_EQ(r.patient.height_cm, 158);
  EXPECT_EQ(r.patient.email, "ada@example.org");
  EXPECT_EQ(r.patient.phone, "+1 555 0100");
  EXPECT_EQ(r.patient.indication, "chronic_pain");
  EXPECT_EQ(r.patient.status, "in_treatment");
  EXPECT_EQ(r.patient.created_at_ms, kT0);
  EXPECT_EQ(r.patient.updated_at_ms, kT0 + 5);
  ASSERT_EQ(r.consents.size(), 1u);
  EXPECT_EQ(r.consents[0].consent_type, "research");
  EXPECT_EQ(r.consents[0].withdrawn_at_ms, kT0 + 3000);
  EXPECT_EQ(r.consents[0].withdrawal_reason, "changed her mind");
  EXPECT_EQ(r.consents[0].note, "signed on paper");
  ASSERT_EQ(r.courses.size(), 1u);
  EXPECT_EQ(r.courses[0].extension_infusions, 2);
  EXPECT_EQ(r.courses[0].notes, "slow titration");
  ASSERT_EQ(r.appointments.size(), 1u);
  const auto& a = r.appointments[0];
  EXPECT_EQ(a.appointment.status, "cancelled");
  EXPECT_EQ(a.appointment.status_reason, "snow");
  EXPECT_EQ(a.appointment.kind, "booster");
  EXPECT_EQ(a.appointment.on_date, "2026-11-18");
  EXPECT_EQ(a.appointment.booking_reason, "late entry");
  EXPECT_EQ(a.place.clinic_timezone, "America/Chicago");
  EXPECT_EQ(a.place.chair_name, "Chair 4");
  ASSERT_EQ(r.sessions.size(), 2u);
  const auto& s = r.sessions[0];
  EXPECT_EQ(s.session.state, "stopped");
  EXPECT_EQ(s.session.delivered_mg, 12.5);
  EXPECT_EQ(s.session.override_reason, "physician judgement");
  ASSERT_EQ(s.events.size(), 5u);
  EXPECT_EQ(s.events[1].status, "entered_in_error");
  EXPECT_EQ(s.events[3].note, "after nausea");
  EXPECT_EQ(s.events[3].amends_id, s.events[1].id);
  ASSERT_EQ(s.vitals.size(), 2u);
  EXPECT_EQ(s.vitals[0].sbp_mmhg, 128);
  EXPECT_EQ(s.vitals[0].spo2_percent, 98);
  EXPECT_EQ(s.vitals[0].status, "amended");
  EXPECT_FALSE(s.vitals[1].sbp_mmhg.has_value());
  EXPECT_EQ(s.vitals[1].dbp_mmhg, 81);
  EXPECT_EQ(s.vitals[1].amends_id, s.vitals[0].id);
  ASSERT_EQ(s.adverse_events.size(), 1u);
  EXPECT_EQ(s.adverse_events[0].severity, "life_threatening");
  EXPECT_EQ(s.adverse_events[0].action_taken, "ondansetron");
  EXPECT_EQ(r.sessions[1].session.state, "voided");
  EXPECT_EQ(r.sessions[1].session.void_reason, "wrong patient");
  EXPECT_EQ(r.sessions[1].session.unscheduled_reason, "walk-in");
  ASSERT_EQ(r.assessments.size(), 2u);
  EXPECT_EQ(r.assessments[0].answers_json, "[1,2,null,0,3,1,1,0,0]");
  EXPECT_TRUE(r.assessments[0].self_report);
  EXPECT_EQ(r.assessments[0].band, "mild");
  EXPECT_EQ(r.assessments[0].taken_on, "2026-11-17");
  EXPECT_EQ(r.assessments[1].answers_json, R"({"severity":[1,2,3,4]})");
  EXPECT_EQ(r.assessments[1].total, 2.5);
  EXPECT_EQ(r.assessments[1].status, "entered_in_error");
  EXPECT_EQ(r.assessments[1].session_id, s.session.id);
}

TEST(FhirMapping, DeliveredIntervalsComeFromThePumpEvents) {
  const json bundle = kit::fhir::to_bundle({sample()}, kT0 + 200 * kMin);
  std::vector<json> intervals;
  for (const auto& e : bundle["entry"]) {
    if (e["resource"]["resourceType"] == "MedicationAdministration" &&
        e["resource"].contains("partOf")) {
      intervals.push_back(e["resource"]);
    }
  }
  // start 15 mL/h 60->80 min (the rate change was entered in error), resume 10 mL/h 85->100.
  ASSERT_EQ(intervals.size(), 2u);
  EXPECT_EQ(intervals[0]["dosage"]["rateQuantity"]["value"], 15.0);
  EXPECT_EQ(intervals[0]["dosage"]["dose"]["value"], 10.0);  // 15 mL/h x 1/3 h x 2 mg/mL
  EXPECT_EQ(intervals[1]["dosage"]["rateQuantity"]["value"], 10.0);
  EXPECT_EQ(intervals[1]["dosage"]["dose"]["value"], 5.0);
  EXPECT_EQ(intervals[1]["effectivePeriod"]["end"], "2026-11-18T12:46:40.000Z");
}

TEST(FhirMapping, ARunningInfusionRoundTripsWithItsOpenInterval) {
  PatientRecord r = sample();
  auto& s = r.sessions[0];
  s.session.state = "running";
  s.session.stopped_at_ms.reset();
  s.events.pop_back();  // no stop yet
  const json bundle = kit::fhir::to_bundle({r}, kT0 + 95 * kMin);
  bool open = false;
  for (const auto& e : bundle["entry"]) {
    const json& res = e["resource"];
    if (res["id"] == "inf-40-2") {
      open = res["status"] == "in-progress" && !res["effectivePeriod"].contains("end");
    }
  }
  EXPECT_TRUE(open);
  const auto back = kit::fhir::records_from_bundle(bundle);
  ASSERT_EQ(back[0].sessions[0].events.size(), 4u);
  EXPECT_EQ(back[0].sessions[0].session.state, "running");
}

std::string refusal(const json& bundle) {
  try {
    kit::fhir::records_from_bundle(bundle);
  } catch (const kit::InputError& e) {
    return e.field() + ": " + e.reason();
  }
  return "accepted";
}

json& resource(json& bundle, const std::string& id) {
  for (auto& e : bundle["entry"]) {
    if (e["resource"]["id"] == id) return e["resource"];
  }
  throw std::runtime_error("no " + id);
}

TEST(FhirMapping, ABadBundleNamesTheEntryResourceAndElement) {
  const json good = kit::fhir::to_bundle({sample()}, kT0 + 200 * kMin);
  json b = good;
  resource(b, "vit-8-hr")["valueQuantity"]["code"] = "Hz";
  EXPECT_NE(refusal(b).find("(Observation/vit-8-hr).valueQuantity.code"), std::string::npos)
      << refusal(b);
  b = good;
  resource(b, "inf-40-2")["dosage"]["rateQuantity"]["value"] = 12.0;
  EXPECT_NE(refusal(b).find("(MedicationAdministration/inf-40-2).dosage.rateQuantity"),
            std::string::npos)
      << refusal(b);
  b = good;
  resource(b, "ae-5")["suspectEntity"][0]["instance"]["reference"] = "MedicationAdministration/x";
  EXPECT_NE(refusal(b).find("(AdverseEvent/ae-5).suspectEntity[0].instance.reference"),
            std::string::npos)
      << refusal(b);
  b = good;
  resource(b, "p7")["birthDate"] = "1931-02-30";
  EXPECT_NE(refusal(b).find("(Patient/p7).birthDate"), std::string::npos) << refusal(b);
  b = good;
  b["entry"].push_back({{"resource", {{"resourceType", "Medication"}, {"id", "m"}}}});
  EXPECT_NE(refusal(b).find("resourceType: 'Medication' is not a resource KIT imports"),
            std::string::npos)
      << refusal(b);
  EXPECT_EQ(refusal(good), "accepted");
}

}  // namespace
