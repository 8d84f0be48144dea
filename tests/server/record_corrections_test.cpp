// Corrections of assessments and medication lists through Router::dispatch over a temporary
// SQLite database (docs/api-chair.md, Corrections of assessments and medication lists): the
// original stays listed with its status and correction, what was derived from it is derived again
// (the outcome series, the MME trend, the alerts it raised), the call is audited, and nothing is
// deleted.
#include <string>
#include <vector>

#include "tests/server/api_fixture.h"

namespace kit::server::testing {
namespace {

using nlohmann::json;

class RecordCorrectionsTest : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    physician_ = make_caller(Role::physician);
    nurse_ = make_caller(Role::nurse);
    desk_ = make_caller(Role::front_desk);
    patient_ = add_patient("MRN-C1");
    const std::int64_t user = add_user("patient-c1", Role::patient, patient_);
    self_ = session_for(user, "patient-c1", Role::patient, patient_);
  }

  Response get(const std::string& path, const Caller& who,
               std::map<std::string, std::string> query = {}) {
    Request req = request("GET", path);
    req.query = std::move(query);
    return call(req, &who);
  }
  std::string p(const std::string& tail) const {
    return "/api/v1/patients/" + std::to_string(patient_) + tail;
  }
  static std::string assessment_corrections(std::int64_t id) {
    return "/api/v1/assessments/" + std::to_string(id) + "/corrections";
  }
  static std::string list_corrections(std::int64_t id) {
    return "/api/v1/medication-lists/" + std::to_string(id) + "/corrections";
  }

  // Nine PHQ-9 answers: `others` for items 1-8, `item9` for thoughts of self-harm.
  static std::vector<int> phq9(int item9, int others) {
    std::vector<int> a(9, others);
    a[8] = item9;
    return a;
  }
  json post_phq9(const std::vector<int>& answers, const std::string& taken_on) {
    Response r = call("POST", p("/assessments"), nurse_,
                      {{"instrument", "phq9"}, {"answers", answers}, {"taken_on", taken_on}});
    EXPECT_EQ(r.status, 201) << r.body;
    return body(r);
  }
  json outcome() {
    Response r = get(p("/outcome"), physician_, {{"instrument", "phq9"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return body(r);
  }
  json listed(std::int64_t id) {
    for (const json& a : body(get(p("/assessments"), nurse_))) {
      if (a["id"] == id) return a;
    }
    ADD_FAILURE() << "assessment " << id << " is not listed";
    return nullptr;
  }
  json alert(std::int64_t id) {
    for (const json& a : body(get("/api/v1/alerts", physician_, {{"all", "true"}}))) {
      if (a["id"] == id) return a;
    }
    ADD_FAILURE() << "alert " << id << " is not listed";
    return nullptr;
  }
  std::vector<std::int64_t> open_alert_ids() {
    std::vector<std::int64_t> ids;
    for (const json& a : body(get("/api/v1/alerts", physician_))) {
      ids.push_back(a["id"].get<std::int64_t>());
    }
    return ids;
  }
  std::int64_t count(const std::string& table) {
    return storage::with_transaction(*db_, [&](storage::Transaction& tx) {
      return tx.query("SELECT COUNT(*) AS n FROM " + table).front().i64("n");
    });
  }

  json medication(const std::string& drug, double dose_mg, int doses_per_day) {
    return {
        {"drug", drug}, {"route", "oral"}, {"dose_mg", dose_mg}, {"doses_per_day", doses_per_day}};
  }
  json post_list(const json& medications, const std::string& as_of) {
    Response r =
        call("POST", p("/medications"), nurse_, {{"medications", medications}, {"as_of", as_of}});
    EXPECT_EQ(r.status, 201) << r.body;
    return body(r);
  }

  Caller physician_, nurse_, desk_, self_;
  std::int64_t patient_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Assessments

TEST_F(RecordCorrectionsTest, AMistypedPhq9MarkedInErrorRetractsItsAlertAndLeavesTheOutcome) {
  // Baseline 20, then 8. Then a sheet typed with every item at 3: total 27 and item 9 = 3, which
  // raises a high alert and becomes the latest point of the series.
  const json baseline = post_phq9({3, 3, 3, 3, 2, 2, 2, 2, 0}, "2026-11-02");
  const json better = post_phq9(phq9(0, 1), "2026-11-30");
  const json before_typo = outcome();
  const json typo = post_phq9(phq9(3, 3), "2027-01-11");
  EXPECT_DOUBLE_EQ(typo["total"].get<double>(), 27.0);
  ASSERT_EQ(typo["alerts"].size(), 1u);
  const std::int64_t alert_id = typo["alerts"][0]["id"].get<std::int64_t>();
  EXPECT_EQ(open_alert_ids(), std::vector<std::int64_t>{alert_id});
  EXPECT_EQ(outcome()["latest"], 27);
  const std::int64_t assessments = count("assessments"), alerts = count("alerts");
  const std::int64_t audit_before = audit_rows();

  const std::string reason = "typed into the wrong patient's sheet";
  const std::int64_t id = typo["id"].get<std::int64_t>();
  Response c = call("POST", assessment_corrections(id), nurse_,
                    {{"action", "entered_in_error"}, {"reason", reason}});
  ASSERT_EQ(c.status, 201) << c.body;
  const json corr = body(c);
  EXPECT_EQ(corr["entity"], "assessment");
  EXPECT_EQ(corr["entry_id"], id);
  EXPECT_EQ(corr["action"], "entered_in_error");
  EXPECT_EQ(corr["reason"], reason);
  EXPECT_EQ(corr["status"], "entered_in_error");
  EXPECT_TRUE(corr["replacement"].is_null());
  EXPECT_EQ(corr["retracted_alert_ids"], json::array({alert_id}));
  EXPECT_EQ(corr["by"], nurse_.user_id);
  EXPECT_TRUE(corr["at"].is_string());
  EXPECT_TRUE(corr["id"].is_number_integer());
  // Audited, with the patient.
  ASSERT_EQ(audit_rows(), audit_before + 1);
  const storage::Row row = last_audit().front();
  EXPECT_EQ(row.text("action"), "POST /api/v1/assessments/{id}/corrections");
  EXPECT_EQ(row.i64("patient_id"), patient_);
  EXPECT_EQ(row.text("outcome"), "allowed");
  EXPECT_EQ(row.text("username"), nurse_.username);

  // The outcome is derived again without the sheet in error: what it was before it.
  const json o = outcome();
  EXPECT_EQ(o, before_typo);
  EXPECT_EQ(o["latest"], 8);
  EXPECT_EQ(o["assessment_ids"], json::array({baseline["id"], better["id"]}));
  // The alert it raised is retracted: closed, kept, with why.
  EXPECT_TRUE(open_alert_ids().empty());
  const json a = alert(alert_id);
  EXPECT_EQ(a["status"], "retracted");
  EXPECT_NE(a["retraction_reason"].get<std::string>().find(reason), std::string::npos);
  // The original is still listed as it was recorded, with its status and correction.
  const json original = listed(id);
  EXPECT_EQ(original["status"], "entered_in_error");
  EXPECT_DOUBLE_EQ(original["total"].get<double>(), 27.0);
  EXPECT_TRUE(original["amends_id"].is_null());
  EXPECT_EQ(original["correction"]["action"], "entered_in_error");
  EXPECT_EQ(original["correction"]["reason"], reason);
  EXPECT_EQ(original["correction"]["by"], nurse_.user_id);
  EXPECT_TRUE(original["correction"]["replacement_id"].is_null());
  EXPECT_EQ(listed(baseline["id"].get<std::int64_t>())["status"], "active");
  EXPECT_TRUE(listed(baseline["id"].get<std::int64_t>())["correction"].is_null());
  // The patient sees their sheet marked too.
  EXPECT_EQ(get(p("/assessments"), self_).status, 200);

  // Nothing deleted; a second correction is refused.
  EXPECT_EQ(count("assessments"), assessments);
  EXPECT_EQ(count("alerts"), alerts);
  Response again = call("POST", assessment_corrections(id), physician_,
                        {{"action", "entered_in_error"}, {"reason", "again"}});
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(error_field(again), "id");
}

TEST_F(RecordCorrectionsTest, AnAmendmentReplacesTheValuesAndKeepsTheOriginal) {
  post_phq9({3, 3, 3, 3, 2, 2, 2, 2, 0}, "2026-11-02");
  const json typo = post_phq9(phq9(3, 1), "2027-01-11");  // item 9 meant 0
  const std::int64_t id = typo["id"].get<std::int64_t>();
  const std::int64_t alert_id = typo["alerts"][0]["id"].get<std::int64_t>();
  const std::int64_t before = count("assessments");

  // The values are the sheet as first posted; the date defaults to the amended sheet's.
  Response c = call("POST", assessment_corrections(id), physician_,
                    {{"action", "amend"},
                     {"reason", "item 9 typed as 3; the patient answered 0"},
                     {"values", {{"instrument", "phq9"}, {"answers", phq9(0, 1)}}}});
  ASSERT_EQ(c.status, 201) << c.body;
  const json corr = body(c);
  EXPECT_EQ(corr["status"], "amended");
  EXPECT_EQ(corr["retracted_alert_ids"], json::array({alert_id}));
  const json replacement = corr["replacement"];
  EXPECT_EQ(replacement["amends_id"], id);
  EXPECT_EQ(replacement["status"], "active");
  EXPECT_EQ(replacement["taken_on"], "2027-01-11");
  EXPECT_DOUBLE_EQ(replacement["total"].get<double>(), 8.0);
  EXPECT_EQ(replacement["alerts"].size(), 0u);  // no flag now
  EXPECT_EQ(replacement["recorded_by"], physician_.user_id);
  EXPECT_EQ(count("assessments"), before + 1);

  const json original = listed(id);
  EXPECT_EQ(original["status"], "amended");
  EXPECT_DOUBLE_EQ(original["total"].get<double>(), 11.0);
  EXPECT_EQ(original["correction"]["action"], "amend");
  EXPECT_EQ(original["correction"]["replacement_id"], replacement["id"]);
  EXPECT_EQ(alert(alert_id)["status"], "retracted");
  const json o = outcome();
  EXPECT_EQ(o["latest"], 8);
  EXPECT_EQ(o["assessment_ids"].back(), replacement["id"]);
  // The amendment is itself an active sheet: it may be corrected in turn; the amended one not.
  EXPECT_EQ(call("POST", assessment_corrections(id), nurse_,
                 {{"action", "amend"},
                  {"reason", "again"},
                  {"values", {{"instrument", "phq9"}, {"answers", phq9(0, 2)}}}})
                .status,
            409);
}

TEST_F(RecordCorrectionsTest, AnAmendmentIsCheckedLikeANewSheetAndARefusalChangesNothing) {
  const json sheet = post_phq9(phq9(3, 1), "2027-01-11");
  const std::int64_t id = sheet["id"].get<std::int64_t>();
  const std::int64_t before = count("assessments");
  const auto amend = [&](const json& values) {
    return call("POST", assessment_corrections(id), nurse_,
                {{"action", "amend"}, {"reason", "fix"}, {"values", values}});
  };
  Response bad_answer = amend({{"instrument", "phq9"}, {"answers", {0, 1, 2, 3, 4, 0, 0, 0, 0}}});
  EXPECT_EQ(bad_answer.status, 400) << bad_answer.body;
  EXPECT_EQ(error_field(bad_answer), "values.answers[4]");
  Response other_instrument = amend({{"instrument", "gad7"}, {"answers", std::vector<int>(7, 1)}});
  EXPECT_EQ(other_instrument.status, 400);
  EXPECT_EQ(error_field(other_instrument), "values.instrument");
  Response future =
      amend({{"instrument", "phq9"}, {"answers", phq9(0, 1)}, {"taken_on", "2027-02-01"}});
  EXPECT_EQ(error_field(future), "values.taken_on");
  Response unknown = amend({{"instrument", "phq9"}, {"answers", phq9(0, 1)}, {"score", 3}});
  EXPECT_EQ(error_field(unknown), "values.score");
  Response no_course = amend({{"instrument", "phq9"}, {"answers", phq9(0, 1)}, {"course_id", 999}});
  EXPECT_EQ(error_field(no_course), "values.course_id");
  EXPECT_EQ(count("assessments"), before);
  EXPECT_EQ(listed(id)["status"], "active");
  EXPECT_EQ(open_alert_ids().size(), 1u);
}

TEST_F(RecordCorrectionsTest, ACorrectionNeedsAReasonAnActionAndAClinician) {
  const std::int64_t id = post_phq9(phq9(0, 1), "2027-01-11")["id"].get<std::int64_t>();
  const std::string path = assessment_corrections(id);
  const auto field_of = [&](const json& b) {
    Response r = call("POST", path, nurse_, b);
    EXPECT_EQ(r.status, 400) << r.body;
    return error_field(r);
  };
  EXPECT_EQ(field_of({{"action", "entered_in_error"}, {"reason", "   "}}), "reason");
  EXPECT_EQ(field_of({{"action", "entered_in_error"}}), "reason");
  EXPECT_EQ(field_of({{"action", "delete"}, {"reason", "x"}}), "action");
  EXPECT_EQ(field_of({{"reason", "x"}}), "action");
  EXPECT_EQ(field_of({{"action", "amend"}, {"reason", "x"}}), "values");
  EXPECT_EQ(field_of({{"action", "entered_in_error"}, {"reason", "x"}, {"values", json::object()}}),
            "values");
  const json ok = {{"action", "entered_in_error"}, {"reason", "wrong patient"}};
  EXPECT_EQ(call("POST", path, self_, ok).status, 403);
  EXPECT_EQ(call("POST", path, desk_, ok).status, 403);
  EXPECT_EQ(anon("POST", path, ok).status, 401);
  EXPECT_EQ(call("POST", assessment_corrections(id + 1000), nurse_, ok).status, 404);
  EXPECT_EQ(listed(id)["status"], "active");
  EXPECT_EQ(count("corrections"), 0);
}

// ---------------------------------------------------------------------------------------------
// Medication lists

TEST_F(RecordCorrectionsTest, AMedicationListInErrorLeavesTheTrendAndStaysListed) {
  // Morphine oral, CDC factor 1: 10 mg x 4 = 40 MME/day; a list typed as 100 mg x 4 = 400.
  const json first = post_list(json::array({medication("morphine", 10, 4)}), "2027-01-04");
  const json typo = post_list(json::array({medication("morphine", 100, 4)}), "2027-01-11");
  EXPECT_DOUBLE_EQ(typo["total_mme_per_day"].get<double>(), 400.0);
  const std::int64_t id = typo["id"].get<std::int64_t>();
  const std::int64_t lists = count("medication_lists");

  Response c = call("POST", list_corrections(id), physician_,
                    {{"action", "entered_in_error"}, {"reason", "another patient's list"}});
  ASSERT_EQ(c.status, 201) << c.body;
  EXPECT_EQ(body(c)["entity"], "medication_list");
  EXPECT_EQ(body(c)["entry_id"], id);
  EXPECT_EQ(body(c)["status"], "entered_in_error");
  EXPECT_TRUE(body(c)["replacement"].is_null());

  const json h = body(get(p("/medications"), self_));  // the patient reads their own history
  ASSERT_EQ(h["trend"].size(), 1u);
  EXPECT_EQ(h["trend"][0]["list_id"], first["id"]);
  EXPECT_EQ(h["current"]["id"], first["id"]);
  ASSERT_EQ(h["lists"].size(), 2u);
  EXPECT_EQ(h["lists"][1]["status"], "entered_in_error");
  EXPECT_DOUBLE_EQ(h["lists"][1]["total_mme_per_day"].get<double>(), 400.0);
  EXPECT_EQ(h["lists"][1]["correction"]["reason"], "another patient's list");
  EXPECT_EQ(h["lists"][1]["correction"]["by"], physician_.user_id);
  EXPECT_EQ(h["lists"][0]["status"], "active");
  EXPECT_TRUE(h["lists"][0]["correction"].is_null());
  EXPECT_EQ(count("medication_lists"), lists);
  EXPECT_EQ(last_audit().front().text("action"), "GET /api/v1/patients/{id}/medications");
  EXPECT_EQ(last_audit(2).back().text("action"), "POST /api/v1/medication-lists/{id}/corrections");
  EXPECT_EQ(last_audit(2).back().i64("patient_id"), patient_);

  // A new list is compared with the list in force, not the one in error.
  const json next = post_list(json::array({medication("morphine", 15, 4)}), "2027-01-12");
  EXPECT_DOUBLE_EQ(next["result"]["change_mme_per_day"].get<double>(), 20.0);  // 60 - 40
  EXPECT_EQ(call("POST", list_corrections(id), nurse_,
                 {{"action", "entered_in_error"}, {"reason", "again"}})
                .status,
            409);
}

TEST_F(RecordCorrectionsTest, AnAmendedMedicationListIsReplacedInTheTrend) {
  post_list(json::array({medication("morphine", 10, 4)}), "2027-01-04");  // 40
  const json typo = post_list(json::array({medication("morphine", 100, 4)}), "2027-01-11");
  const std::int64_t id = typo["id"].get<std::int64_t>();
  const std::int64_t lists = count("medication_lists");
  Response bad =
      call("POST", list_corrections(id), nurse_,
           {{"action", "amend"},
            {"reason", "dose"},
            {"values", {{"medications", json::array({medication("meperidine", 50, 4)})}}}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(error_field(bad), "values.medications[0].drug");
  EXPECT_EQ(count("medication_lists"), lists);  // the refusal rolled everything back

  Response c = call("POST", list_corrections(id), nurse_,
                    {{"action", "amend"},
                     {"reason", "dose typed as 100 mg; the label says 10 mg"},
                     {"values", {{"medications", json::array({medication("morphine", 10, 2)})}}}});
  ASSERT_EQ(c.status, 201) << c.body;
  const json replacement = body(c)["replacement"];
  EXPECT_EQ(replacement["amends_id"], id);
  EXPECT_EQ(replacement["as_of"], "2027-01-11");  // the amended list's date
  EXPECT_DOUBLE_EQ(replacement["total_mme_per_day"].get<double>(), 20.0);
  // Against the list before the amended one, not the typo.
  EXPECT_DOUBLE_EQ(replacement["result"]["change_mme_per_day"].get<double>(), -20.0);
  EXPECT_EQ(count("medication_lists"), lists + 1);

  const json h = body(get(p("/medications"), nurse_));
  ASSERT_EQ(h["trend"].size(), 2u);
  EXPECT_EQ(h["trend"][1]["list_id"], replacement["id"]);
  EXPECT_DOUBLE_EQ(h["trend"][1]["change_mme_per_day"].get<double>(), -20.0);
  EXPECT_EQ(h["current"]["id"], replacement["id"]);
  ASSERT_EQ(h["lists"].size(), 3u);
  EXPECT_EQ(h["lists"][1]["status"], "amended");
  EXPECT_EQ(h["lists"][1]["correction"]["replacement_id"], replacement["id"]);

  const json ok = {{"action", "entered_in_error"}, {"reason", "x"}};
  EXPECT_EQ(call("POST", list_corrections(id + 1000), nurse_, ok).status, 404);
  EXPECT_EQ(call("POST", list_corrections(id), self_, ok).status, 403);
  EXPECT_EQ(call("POST", list_corrections(id), desk_, ok).status, 403);
  Response blank = call("POST", list_corrections(replacement["id"].get<std::int64_t>()), nurse_,
                        {{"action", "entered_in_error"}, {"reason", ""}});
  EXPECT_EQ(blank.status, 400);
  EXPECT_EQ(error_field(blank), "reason");
}

}  // namespace
}  // namespace kit::server::testing
