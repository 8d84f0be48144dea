// The first half of the patient's journey through the real route table over a temporary SQLite
// database: patient -> screening -> consent -> approval -> course -> proposed dates -> six
// appointments, with the refusals on the way (403, 409, 412, 422) and the patient's own view.
#include <set>

#include "server/resources/journey_common.h"
#include "server/resources/modules.h"
#include "tests/server/api_fixture.h"

namespace kit::server::testing {
namespace {

using nlohmann::json;

// 2027-02-01 is a Monday; the fixture's clock (1.8e12 ms) is 2027-01-15.
constexpr const char* kMonday = "2027-02-01";

json screening_request(bool schizophrenia) {
  json conditions = json::object();
  for (const char* key :
       {"schizophrenia", "current_psychosis_or_mania", "pregnant", "breastfeeding",
        "uncontrolled_hypertension", "poorly_controlled_cardiovascular_disease",
        "significant_arrhythmia", "unstable_cerebrovascular_disease", "coronary_artery_disease",
        "heart_failure", "hypertension", "elevated_intracranial_pressure",
        "cns_mass_or_hydrocephalus", "glaucoma_or_elevated_intraocular_pressure",
        "acute_globe_injury", "airway_instability_or_tracheal_disease",
        "active_pulmonary_infection", "thyroid_disorder_or_medication",
        "active_substance_use_disorder"}) {
    conditions[key] = false;
  }
  conditions["schizophrenia"] = schizophrenia;
  conditions["hepatic_impairment"] = "none";
  return {{"indication", "depression"},
          {"age_years", 42},
          {"conditions", conditions},
          {"medications", {{"benzodiazepine_lorazepam_eq_mg_per_day", 0}}}};
}

class JourneyTest : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    // Until server/api/routes.cpp registers the journey modules, register them here.
    bool present = false;
    for (const Route& r : router_.routes()) {
      present = present || (r.method == "POST" && r.pattern == "/api/v1/patients");
    }
    if (!present) {
      register_patient_routes(router_);
      register_intake_routes(router_);
      register_course_routes(router_);
      register_scheduling_routes(router_);
    }
    admin_ = make_caller(Role::admin);
    physician_ = make_caller(Role::physician);
    nurse_ = make_caller(Role::nurse);
    desk_ = make_caller(Role::front_desk);
  }

  Response with_if_match(const std::string& method, const std::string& path, const Caller& who,
                         const json& b, const std::string& etag) {
    Request req = request(method, path, b.dump());
    if (!etag.empty()) req.headers["if-match"] = etag;
    return call(req, &who);
  }

  std::int64_t new_patient(const std::string& given) {
    Response r = call("POST", "/api/v1/patients", desk_,
                      {{"given_name", given},
                       {"family_name", "Lovelace"},
                       {"date_of_birth", "1984-12-10"},
                       {"sex", "female"},
                       {"indication", "depression"},
                       {"weight_kg", 70}});
    EXPECT_EQ(r.status, 201) << r.body;
    return body(r)["id"].get<std::int64_t>();
  }

  void screen(std::int64_t patient, bool eligible) {
    Response r = call("POST", "/api/v1/patients/" + std::to_string(patient) + "/screening", nurse_,
                      screening_request(!eligible));
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(body(r)["eligible"], eligible);
    EXPECT_EQ(body(r)["result"]["eligible"], eligible);
  }

  void consent(std::int64_t patient) {
    Response r = call("POST", "/api/v1/patients/" + std::to_string(patient) + "/consents", nurse_,
                      {{"type", "treatment"}, {"version", "2026-01"}});
    ASSERT_EQ(r.status, 201) << r.body;
  }

  std::int64_t approved_patient(const std::string& given) {
    const std::int64_t p = new_patient(given);
    screen(p, true);
    consent(p);
    Response r = call("POST", "/api/v1/patients/" + std::to_string(p) + "/approval", physician_,
                      {{"decision", "approved"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return p;
  }

  std::int64_t new_course(std::int64_t patient) {
    Response r = call("POST", "/api/v1/patients/" + std::to_string(patient) + "/courses",
                      physician_, {{"protocol_id", "depression-induction-series"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return body(r)["id"].get<std::int64_t>();
  }

  // A clinic (08:00-17:00, Mon-Fri, 60 min recovery) with two chairs; the nurse works Mon-Fri.
  void set_up_clinic() {
    Response c = call("POST", "/api/v1/clinics", admin_, {{"name", "Main street"}});
    ASSERT_EQ(c.status, 201) << c.body;
    clinic_ = body(c)["id"].get<std::int64_t>();
    for (const char* name : {"A", "B"}) {
      Response ch =
          call("POST", "/api/v1/chairs", admin_, {{"clinic_id", clinic_}, {"name", name}});
      ASSERT_EQ(ch.status, 201) << ch.body;
      chairs_.push_back(body(ch)["id"].get<std::int64_t>());
    }
    for (int wd = 1; wd <= 5; ++wd) {
      Response a = call("POST", "/api/v1/staff-availability", nurse_,
                        {{"weekday", wd}, {"from", "08:00"}, {"to", "17:00"}});
      ASSERT_EQ(a.status, 201) << a.body;
    }
  }

  json transition(std::int64_t course, const std::string& to, const std::string& reason, int want) {
    json b = {{"to", to}};
    if (!reason.empty()) b["reason"] = reason;
    Response r =
        call("POST", "/api/v1/courses/" + std::to_string(course) + "/transitions", physician_, b);
    EXPECT_EQ(r.status, want) << to << ": " << r.body;
    return body(r);
  }

  Caller admin_, physician_, nurse_, desk_;
  std::int64_t clinic_ = 0;
  std::vector<std::int64_t> chairs_;
};

TEST_F(JourneyTest, PatientRegistrationSearchAndRoles) {
  Response r = call("POST", "/api/v1/patients", desk_,
                    {{"given_name", "Ada"},
                     {"family_name", "Lovelace"},
                     {"date_of_birth", "1984-12-10"},
                     {"sex", "female"},
                     {"indication", "depression"}});
  ASSERT_EQ(r.status, 201) << r.body;
  const json p = body(r);
  EXPECT_EQ(p["status"], "intake");
  EXPECT_EQ(p["mrn"], "KIT-" + std::string(6 - std::to_string(p["id"].get<int>()).size(), '0') +
                          std::to_string(p["id"].get<int>()));
  EXPECT_EQ(header(r, "ETag"), "\"1\"");

  // Bad input names the field; unknown fields are refused.
  Response bad = call("POST", "/api/v1/patients", desk_,
                      {{"given_name", "X"},
                       {"family_name", "Y"},
                       {"date_of_birth", "1984-02-30"},
                       {"sex", "female"},
                       {"indication", "depression"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_field(bad), "date_of_birth");
  Response extra = call("POST", "/api/v1/patients", desk_,
                        {{"given_name", "X"},
                         {"family_name", "Y"},
                         {"date_of_birth", "1984-02-03"},
                         {"sex", "female"},
                         {"indication", "depression"},
                         {"wieght_kg", 70}});
  EXPECT_EQ(extra.status, 400);
  EXPECT_EQ(error_field(extra), "wieght_kg");

  // Search by name, case-insensitive; nurses may search, patients may not; anonymous 401.
  Response s = call("GET", "/api/v1/patients", nurse_);
  EXPECT_EQ(s.status, 200);
  Request q = request("GET", "/api/v1/patients");
  q.query["q"] = "LOVE";
  Response found = call(q, &nurse_);
  ASSERT_EQ(found.status, 200);
  EXPECT_EQ(body(found)["patients"].size(), 1U);
  q.query["q"] = "nobody";
  EXPECT_EQ(body(call(q, &nurse_))["patients"].size(), 0U);
  EXPECT_EQ(anon("GET", "/api/v1/patients").status, 401);
  EXPECT_EQ(call("POST", "/api/v1/patients", nurse_, {{"given_name", "N"}}).status, 403);

  // Reads of patient data are audited with the patient.
  const auto id = p["id"].get<std::int64_t>();
  EXPECT_EQ(call("GET", "/api/v1/patients/" + std::to_string(id), nurse_).status, 200);
  storage::Rows audit = last_audit();
  EXPECT_EQ(audit.front().text("action"), "GET /api/v1/patients/{id}");
  EXPECT_EQ(audit.front().opt_i64("patient_id"), id);
  EXPECT_EQ(call("GET", "/api/v1/patients/999", nurse_).status, 404);
}

TEST_F(JourneyTest, PatientFromInquiryMarksTheInquiry) {
  const std::int64_t inquiry = storage::with_transaction(*db_, [&](storage::Transaction& tx) {
    return tx
        .query(
            "INSERT INTO inquiries (name, contact, contact_kind, reason, remote_address, "
            "created_at_ms, updated_at_ms) VALUES ('Ada', 'ada@example.org', 'email', "
            "'depression', '1.2.3.4', 1, 1) RETURNING id")
        .front()
        .i64("id");
  });
  json b = {{"given_name", "Ada"}, {"family_name", "Lovelace"},  {"date_of_birth", "1984-12-10"},
            {"sex", "female"},     {"indication", "depression"}, {"inquiry_id", inquiry}};
  Response r = call("POST", "/api/v1/patients", desk_, b);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(body(r)["inquiry_id"], inquiry);
  const std::string status = storage::with_transaction(*db_, [&](storage::Transaction& tx) {
    return tx.query("SELECT status FROM inquiries WHERE id = $1", {inquiry}).front().text("status");
  });
  EXPECT_EQ(status, "scheduled");
  Response again = call("POST", "/api/v1/patients", desk_, b);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(error_field(again), "inquiry_id");
  b["inquiry_id"] = 9999;
  EXPECT_EQ(call("POST", "/api/v1/patients", desk_, b).status, 400);
}

TEST_F(JourneyTest, StalePatchIs412AndMissingIfMatchIs428) {
  const std::int64_t p = new_patient("Grace");
  const std::string path = "/api/v1/patients/" + std::to_string(p);
  Response ok = with_if_match("PATCH", path, nurse_, {{"weight_kg", 71.5}}, "\"1\"");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(header(ok, "ETag"), "\"2\"");
  EXPECT_EQ(body(ok)["weight_kg"], 71.5);
  // The second nurse still holds version 1: refused, not silently overwritten.
  Response stale = with_if_match("PATCH", path, desk_, {{"phone", "555-0100"}}, "\"1\"");
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(error_code(stale), "stale_write");
  EXPECT_EQ(with_if_match("PATCH", path, desk_, {{"phone", "555-0100"}}, "").status, 428);
  // Weight is a dosing input: the front desk may not clear it, a nurse may.
  Response desk_clear = with_if_match("PATCH", path, desk_, {{"weight_kg", nullptr}}, "\"2\"");
  EXPECT_EQ(desk_clear.status, 403) << desk_clear.body;
  EXPECT_EQ(error_field(desk_clear), "weight_kg");
  Response cleared = with_if_match("PATCH", path, nurse_, {{"weight_kg", nullptr}}, "\"2\"");
  ASSERT_EQ(cleared.status, 200) << cleared.body;
  EXPECT_TRUE(body(cleared)["weight_kg"].is_null());
  // Status is not editable through PATCH: it follows approval and the course.
  Response status = with_if_match("PATCH", path, desk_, {{"status", "approved"}}, "\"3\"");
  EXPECT_EQ(status.status, 400);
  EXPECT_EQ(error_field(status), "status");
}

TEST_F(JourneyTest, IntakeScreeningConsentAndApproval) {
  const std::int64_t ok = new_patient("Ok");
  const std::int64_t no = new_patient("No");
  const std::string okp = "/api/v1/patients/" + std::to_string(ok);
  const std::string nop = "/api/v1/patients/" + std::to_string(no);

  // Approval before any screening: refused by rule.
  Response early = call("POST", okp + "/approval", physician_, {{"decision", "approved"}});
  EXPECT_EQ(early.status, 422);

  // Only clinicians screen; the core rules' validation names the field.
  EXPECT_EQ(call("POST", okp + "/screening", desk_, screening_request(false)).status, 403);
  json bad = screening_request(false);
  bad["conditions"].erase("pregnant");
  Response b = call("POST", okp + "/screening", nurse_, bad);
  EXPECT_EQ(b.status, 400);
  EXPECT_EQ(error_field(b), "conditions.pregnant");

  screen(ok, true);
  screen(no, false);
  Response list = call("GET", nop + "/screenings", physician_);
  ASSERT_EQ(list.status, 200);
  EXPECT_FALSE(body(list)["screenings"][0]["result"]["absolute"].empty());

  // Approval needs a treatment consent.
  Response noconsent = call("POST", okp + "/approval", physician_, {{"decision", "approved"}});
  EXPECT_EQ(noconsent.status, 422);
  consent(ok);
  consent(no);
  Response badconsent =
      call("POST", okp + "/consents", nurse_, {{"type", "tattoo"}, {"version", "1"}});
  EXPECT_EQ(badconsent.status, 400);
  EXPECT_EQ(error_field(badconsent), "type");
  EXPECT_EQ(body(call("GET", okp + "/consents", desk_))["consents"].size(), 1U);

  // Not eligible: 422 unless the physician overrides with a reason; declining needs a reason.
  Response refused = call("POST", nop + "/approval", physician_, {{"decision", "approved"}});
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(error_code(refused), "rule_refused");
  EXPECT_EQ(error_field(refused), "override_reason");
  Response noreason = call("POST", nop + "/approval", physician_, {{"decision", "declined"}});
  EXPECT_EQ(noreason.status, 400);
  EXPECT_EQ(error_field(noreason), "reason");
  Response declined = call("POST", nop + "/approval", physician_,
                           {{"decision", "declined"}, {"reason", "schizophrenia (ACEP absolute)"}});
  ASSERT_EQ(declined.status, 201) << declined.body;
  EXPECT_EQ(body(declined)["patient"]["status"], "declined");

  // Nurses do not approve.
  EXPECT_EQ(call("POST", okp + "/approval", nurse_, {{"decision", "approved"}}).status, 403);
  Response approved = call("POST", okp + "/approval", physician_, {{"decision", "approved"}});
  ASSERT_EQ(approved.status, 201) << approved.body;
  EXPECT_EQ(body(approved)["patient"]["status"], "approved");

  // An override is recorded with its reason.
  const std::int64_t over = new_patient("Override");
  screen(over, false);
  consent(over);
  Response o =
      call("POST", "/api/v1/patients/" + std::to_string(over) + "/approval", physician_,
           {{"decision", "approved"}, {"override_reason", "diagnosis revised by psychiatry"}});
  ASSERT_EQ(o.status, 201) << o.body;
  EXPECT_EQ(body(o)["override_reason"], "diagnosis revised by psychiatry");

  // A declined patient gets no course.
  Response c =
      call("POST", nop + "/courses", physician_, {{"protocol_id", "depression-induction-series"}});
  EXPECT_EQ(c.status, 422);
}

TEST_F(JourneyTest, CourseCreationValidatesTheProtocol) {
  const std::int64_t p = approved_patient("Course");
  const std::string path = "/api/v1/patients/" + std::to_string(p) + "/courses";
  Response unknown = call("POST", path, physician_, {{"protocol_id", "depression-magic"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(error_field(unknown), "protocol_id");
  Response im = call("POST", path, physician_, {{"protocol_id", "ed-sedation-adult-im"}});
  EXPECT_EQ(im.status, 422);
  EXPECT_EQ(call("POST", path, nurse_, {{"protocol_id", "depression-induction-series"}}).status,
            403);
  Response ok = call("POST", path, physician_, {{"protocol_id", "depression-induction-series"}});
  ASSERT_EQ(ok.status, 201) << ok.body;
  const json c = body(ok);
  EXPECT_EQ(c["state"], "planned");
  EXPECT_EQ(c["planned_infusions"], 6);
  EXPECT_EQ(c["events"].size(), 1U);
  EXPECT_EQ(c["allowed_transitions"], json({"induction", "stopped"}));
}

TEST_F(JourneyTest, TransitionsExtensionAndStop) {
  const std::int64_t unapproved = new_patient("Unapproved");
  const std::int64_t uc = new_course(unapproved);
  const json refused = transition(uc, "induction", "", 422);
  EXPECT_EQ(refused["error"]["code"], "rule_refused");

  const std::int64_t p = approved_patient("Trans");
  const std::int64_t c = new_course(p);
  const std::string cp = "/api/v1/courses/" + std::to_string(c);
  transition(c, "maintenance", "", 409);
  transition(c, "planned", "", 400);
  EXPECT_EQ(call("POST", cp + "/transitions", nurse_, {{"to", "induction"}}).status, 403);
  json started = transition(c, "induction", "series starts", 200);
  EXPECT_EQ(started["state"], "induction");
  EXPECT_EQ(body(call("GET", "/api/v1/patients/" + std::to_string(p), nurse_))["status"],
            "in_treatment");
  transition(c, "induction", "", 409);

  // A second course cannot be under way at the same time (the database's partial unique index).
  const std::int64_t c2 = new_course(p);
  const json second = transition(c2, "induction", "", 409);
  EXPECT_EQ(second["error"]["field"], "to");

  // Extend up to 12 in all (PMC9154276), not beyond.
  Response ext = call("POST", cp + "/extend", physician_,
                      {{"infusions", 6}, {"reason", "partial response after 6"}});
  ASSERT_EQ(ext.status, 200) << ext.body;
  EXPECT_EQ(body(ext)["total_infusions"], 12);
  Response too_many =
      call("POST", cp + "/extend", physician_, {{"infusions", 1}, {"reason", "more"}});
  EXPECT_EQ(too_many.status, 422);
  EXPECT_EQ(error_field(too_many), "infusions");
  EXPECT_EQ(call("POST", cp + "/extend", physician_, {{"infusions", 1}}).status, 400);

  transition(c, "maintenance", "responder", 200);
  EXPECT_EQ(body(call("GET", "/api/v1/patients/" + std::to_string(p), nurse_))["status"],
            "maintenance");
  transition(c, "induction", "", 409);
  EXPECT_EQ(call("POST", cp + "/extend", physician_, {{"infusions", 1}, {"reason", "x"}}).status,
            409);
  const json nostop = transition(c, "stopped", "", 400);
  EXPECT_EQ(nostop["error"]["field"], "reason");
  const json stopped = transition(c, "stopped", "patient moved away", 200);
  EXPECT_EQ(stopped["state"], "stopped");
  EXPECT_EQ(stopped["allowed_transitions"].size(), 0U);
  transition(c, "completed", "", 409);
  EXPECT_EQ(body(call("GET", "/api/v1/patients/" + std::to_string(p), nurse_))["status"],
            "discharged");

  // Every change is an event: created, induction, extended, maintenance, stopped.
  const json got = body(call("GET", cp, nurse_));
  ASSERT_EQ(got["events"].size(), 5U);
  EXPECT_EQ(got["events"][1]["to"], "induction");
  EXPECT_EQ(got["events"][2]["event"], "extended");
  EXPECT_EQ(got["events"][2]["infusions_added"], 6);
  EXPECT_EQ(got["events"][4]["reason"], "patient moved away");
  // Transitions are audited with the patient.
  const std::int64_t n = storage::with_transaction(*db_, [&](storage::Transaction& tx) {
    return tx
        .query(
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'POST "
            "/api/v1/courses/{id}/transitions' AND patient_id = $1",
            {p})
        .front()
        .i64("n");
  });
  EXPECT_GE(n, 8);
}

TEST_F(JourneyTest, ProposedDatesBookingConflictsAndThePatientsView) {
  set_up_clinic();
  const std::int64_t p = approved_patient("Booked");
  const std::int64_t other = approved_patient("Other");
  const std::int64_t c = new_course(p);
  const std::string cp = "/api/v1/courses/" + std::to_string(c);

  // Six dates, Mon-Wed-Fri over 12 days, first chair at opening; 40 min + 60 min recovery = 105.
  Request q = request("GET", cp + "/proposed-dates");
  q.query["start"] = kMonday;
  Response prop = call(q, &nurse_);
  ASSERT_EQ(prop.status, 200) << prop.body;
  json dates = body(prop)["dates"];
  ASSERT_EQ(dates.size(), 6U);
  const std::vector<std::string> want = {"2027-02-01", "2027-02-03", "2027-02-05",
                                         "2027-02-08", "2027-02-10", "2027-02-12"};
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(dates[i]["date"], want[i]);
  EXPECT_EQ(dates[0]["start"], "2027-02-01T08:00");
  EXPECT_EQ(dates[0]["end"], "2027-02-01T09:45");
  EXPECT_EQ(body(prop)["span_days"], 12);
  EXPECT_EQ(body(prop)["within_series_window"], true);
  Request noq = request("GET", cp + "/proposed-dates");
  Response nostart = call(noq, &nurse_);
  EXPECT_EQ(nostart.status, 400);
  EXPECT_EQ(error_field(nostart), "start");

  // Wednesday full (chair B out of use, chair A taken all day): the proposal skips it.
  const std::string chair_b = "/api/v1/chairs/" + std::to_string(chairs_[1]);
  ASSERT_EQ(with_if_match("PATCH", chair_b, admin_, {{"active", false}}, "\"1\"").status, 200);
  Response blocker = call("POST", "/api/v1/appointments", desk_,
                          {{"patient_id", other},
                           {"chair_id", chairs_[0]},
                           {"start", "2027-02-03T08:00"},
                           {"end", "2027-02-03T17:00"}});
  ASSERT_EQ(blocker.status, 201) << blocker.body;
  EXPECT_EQ(body(blocker)["kind"], "consult");
  dates = body(call(q, &nurse_))["dates"];
  ASSERT_EQ(dates.size(), 6U);
  EXPECT_EQ(dates[1]["date"], "2027-02-04");
  EXPECT_EQ(body(call(q, &nurse_))["within_series_window"], false);
  // Cancelling frees the chair: Wednesday is back.
  const std::string bp = "/api/v1/appointments/" + body(blocker)["id"].dump();
  Response cancel = with_if_match("PATCH", bp, desk_, {{"status", "cancelled"}}, "\"1\"");
  ASSERT_EQ(cancel.status, 200) << cancel.body;
  EXPECT_EQ(body(cancel)["status"], "cancelled");
  ASSERT_EQ(with_if_match("PATCH", chair_b, admin_, {{"active", true}}, "\"2\"").status, 200);
  dates = body(call(q, &nurse_))["dates"];
  ASSERT_EQ(dates.size(), 6U);
  EXPECT_EQ(dates[1]["date"], "2027-02-03");

  // Book the six proposed infusions with the nurse.
  std::vector<std::int64_t> booked;
  for (const json& d : dates) {
    Response a = call("POST", "/api/v1/appointments", desk_,
                      {{"patient_id", p},
                       {"course_id", c},
                       {"chair_id", d["chair_id"]},
                       {"staff_user_id", nurse_.user_id},
                       {"start", d["start"]}});
    ASSERT_EQ(a.status, 201) << a.body;
    EXPECT_EQ(body(a)["kind"], "infusion");
    EXPECT_EQ(body(a)["end"], d["end"]);
    booked.push_back(body(a)["id"].get<std::int64_t>());
  }
  // A seventh infusion needs an extension.
  Response seventh = call("POST", "/api/v1/appointments", desk_,
                          {{"patient_id", p},
                           {"course_id", c},
                           {"chair_id", chairs_[1]},
                           {"start", "2027-02-15T08:00"}});
  EXPECT_EQ(seventh.status, 422);

  // Double booking the chair: 409 naming the chair; the staff member likewise.
  Response dbl = call("POST", "/api/v1/appointments", desk_,
                      {{"patient_id", other},
                       {"chair_id", chairs_[0]},
                       {"start", "2027-02-01T09:30"},
                       {"end", "2027-02-01T10:00"}});
  EXPECT_EQ(dbl.status, 409) << dbl.body;
  EXPECT_EQ(error_field(dbl), "chair_id");
  EXPECT_NE(body(dbl)["error"]["message"].get<std::string>().find("chair already booked"),
            std::string::npos);
  Response staff = call("POST", "/api/v1/appointments", desk_,
                        {{"patient_id", other},
                         {"chair_id", chairs_[1]},
                         {"staff_user_id", nurse_.user_id},
                         {"start", "2027-02-01T09:00"},
                         {"end", "2027-02-01T10:00"}});
  EXPECT_EQ(staff.status, 409) << staff.body;
  EXPECT_EQ(error_field(staff), "staff_user_id");
  // The same patient twice at once.
  Response twice = call("POST", "/api/v1/appointments", desk_,
                        {{"patient_id", p},
                         {"chair_id", chairs_[1]},
                         {"start", "2027-02-01T08:00"},
                         {"end", "2027-02-01T08:30"}});
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(error_field(twice), "patient_id");
  // The other chair at the same time is fine; outside hours or off the 15-min grid is not.
  EXPECT_EQ(call("POST", "/api/v1/appointments", desk_,
                 {{"patient_id", other},
                  {"chair_id", chairs_[1]},
                  {"start", "2027-02-01T08:00"},
                  {"end", "2027-02-01T09:00"}})
                .status,
            201);
  EXPECT_EQ(call("POST", "/api/v1/appointments", desk_,
                 {{"patient_id", other},
                  {"chair_id", chairs_[1]},
                  {"start", "2027-02-01T16:30"},
                  {"end", "2027-02-01T17:30"}})
                .status,
            422);
  Response grid = call("POST", "/api/v1/appointments", desk_,
                       {{"patient_id", other},
                        {"chair_id", chairs_[1]},
                        {"start", "2027-02-01T11:10"},
                        {"end", "2027-02-01T12:00"}});
  EXPECT_EQ(grid.status, 400);
  EXPECT_EQ(error_field(grid), "start");
  // Staff not working that day (Saturday is closed anyway; use dated time off on a weekday).
  ASSERT_EQ(call("POST", "/api/v1/staff-availability", nurse_,
                 {{"date", "2027-02-02"}, {"from", "08:00"}, {"to", "17:00"}, {"available", false}})
                .status,
            201);
  Response off = call("POST", "/api/v1/appointments", desk_,
                      {{"patient_id", other},
                       {"chair_id", chairs_[1]},
                       {"staff_user_id", nurse_.user_id},
                       {"start", "2027-02-02T10:00"},
                       {"end", "2027-02-02T11:00"}});
  EXPECT_EQ(off.status, 422);
  EXPECT_EQ(error_field(off), "staff_user_id");

  // The database itself refuses a second holder of a chair slot (what stops two processes).
  EXPECT_THROW(storage::with_transaction(*db_,
                                         [&](storage::Transaction& tx) {
                                           const std::int64_t day = *calendar::parse_day(kMonday);
                                           tx.exec(
                                               "INSERT INTO appointment_slots (chair_id, "
                                               "slot_start, appointment_id) VALUES ($1, $2, $3)",
                                               {chairs_[0], day * journey::kDayMs + 8 * 3'600'000,
                                                booked[0]});
                                         }),
               storage::ConstraintViolation);

  // Stale appointment PATCH: 412.
  const std::string ap = "/api/v1/appointments/" + std::to_string(booked[5]);
  Response moved = with_if_match("PATCH", ap, nurse_, {{"start", "2027-02-12T10:00"}}, "\"1\"");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(body(moved)["end"], "2027-02-12T11:45");
  EXPECT_EQ(with_if_match("PATCH", ap, desk_, {{"status", "cancelled"}}, "\"1\"").status, 412);

  // The patient sees their own record, courses and appointments, and nothing else.
  Caller me = make_caller(Role::patient, p);
  EXPECT_EQ(call("GET", "/api/v1/patients/" + std::to_string(p), me).status, 200);
  Response theirs = call("GET", "/api/v1/patients/" + std::to_string(other), me);
  EXPECT_EQ(theirs.status, 403);
  EXPECT_EQ(error_code(theirs), "forbidden");
  EXPECT_EQ(body(call("GET", "/api/v1/me/patient", me))["id"], p);
  EXPECT_EQ(call("GET", "/api/v1/patients", me).status, 403);
  EXPECT_EQ(call("GET", cp, me).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/patients/" + std::to_string(p) + "/courses", me).status, 200);
  Response mine = call("GET", "/api/v1/appointments", me);
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(body(mine)["appointments"].size(), 6U);
  Request others = request("GET", "/api/v1/appointments");
  others.query["patient_id"] = std::to_string(other);
  EXPECT_EQ(call(others, &me).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/appointments/" + body(blocker)["id"].dump(), me).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/appointments/" + std::to_string(booked[0]), me).status, 200);
  EXPECT_EQ(call("POST", "/api/v1/appointments", me,
                 {{"patient_id", p}, {"chair_id", chairs_[1]}, {"start", "2027-02-16T08:00"}})
                .status,
            403);
  // Other patients' denied reads are audited as denied.
  storage::Rows denied = storage::with_transaction(*db_, [&](storage::Transaction& tx) {
    return tx.query("SELECT * FROM audit_log WHERE outcome = 'denied' AND user_id = $1",
                    {me.user_id});
  });
  EXPECT_GE(denied.size(), 3U);

  // Day view for the front desk.
  Request day = request("GET", "/api/v1/appointments");
  day.query["date"] = kMonday;
  day.query["chair_id"] = std::to_string(chairs_[0]);
  EXPECT_EQ(body(call(day, &desk_))["appointments"].size(), 1U);

  // Starting then stopping the course cancels its booked appointments and frees the chairs.
  transition(c, "induction", "", 200);
  const json stopped = transition(c, "stopped", "adverse reaction", 200);
  EXPECT_EQ(stopped["appointments_cancelled"], 6);
  Response rebook = call("POST", "/api/v1/appointments", desk_,
                         {{"patient_id", other},
                          {"chair_id", chairs_[0]},
                          {"start", "2027-02-03T08:00"},
                          {"end", "2027-02-03T09:00"}});
  EXPECT_EQ(rebook.status, 201) << rebook.body;
}

TEST_F(JourneyTest, SchedulingAdministration) {
  EXPECT_EQ(call("POST", "/api/v1/clinics", nurse_, {{"name", "X"}}).status, 403);
  Response bad = call("POST", "/api/v1/clinics", admin_,
                      {{"name", "X"}, {"opens_at", "18:00"}, {"closes_at", "08:00"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_field(bad), "closes_at");
  set_up_clinic();
  EXPECT_EQ(call("POST", "/api/v1/clinics", admin_, {{"name", "Main street"}}).status, 409);
  EXPECT_EQ(call("POST", "/api/v1/chairs", admin_, {{"clinic_id", clinic_}, {"name", "A"}}).status,
            409);
  EXPECT_EQ(body(call("GET", "/api/v1/chairs", desk_))["chairs"].size(), 2U);
  EXPECT_EQ(body(call("GET", "/api/v1/clinics", desk_))["clinics"].size(), 1U);
  // Staff set their own availability; only admins set someone else's.
  EXPECT_EQ(call("POST", "/api/v1/staff-availability", physician_,
                 {{"user_id", nurse_.user_id}, {"weekday", 6}, {"from", "08:00"}, {"to", "12:00"}})
                .status,
            403);
  Response both =
      call("POST", "/api/v1/staff-availability", nurse_,
           {{"weekday", 6}, {"date", "2027-02-06"}, {"from", "08:00"}, {"to", "12:00"}});
  EXPECT_EQ(both.status, 400);
  Response desk =
      call("POST", "/api/v1/staff-availability", admin_,
           {{"user_id", desk_.user_id}, {"weekday", 1}, {"from", "08:00"}, {"to", "12:00"}});
  EXPECT_EQ(desk.status, 400);
  EXPECT_EQ(error_field(desk), "user_id");
  Request list = request("GET", "/api/v1/staff-availability");
  list.query["user_id"] = std::to_string(nurse_.user_id);
  const json rows = body(call(list, &desk_))["availability"];
  ASSERT_EQ(rows.size(), 5U);
  EXPECT_EQ(call("DELETE", "/api/v1/staff-availability/" + rows[0]["id"].dump(), physician_).status,
            403);
  EXPECT_EQ(call("DELETE", "/api/v1/staff-availability/" + rows[0]["id"].dump(), nurse_).status,
            200);
}

}  // namespace
}  // namespace kit::server::testing
