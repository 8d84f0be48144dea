// The assessment store (storage/stores/assessment_store.h) on both back ends: sheets read back as
// written, the series order and the outcome series (active sheets outside a session only),
// corrections that keep the original (status, the correction row, the replacement), and alerts:
// ordering, open versus closed, acknowledgement on a version, retraction of an assessment's
// alerts. Nothing is ever deleted.
#include "storage/stores/assessment_store.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/migration_runner.h"
#include "storage/migrations.h"
#include "tests/storage/storage_fixture.h"

namespace kit::storage::test {
namespace {

constexpr std::int64_t kNowMs = 1'800'000'000'000;

class AssessmentStoreTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;  // no PostgreSQL
    apply_migrations(*db, embedded_migrations());
    with_transaction(*db, [&](Transaction& tx) {
      nurse_ = tx.query(
                     "INSERT INTO users (username, password_hash, role, disabled, "
                     "created_at_ms, updated_at_ms) VALUES ('nurse1', 'hash', 'nurse', 0, $1, "
                     "$1) RETURNING id",
                     {kNowMs})
                   .front()
                   .i64("id");
      patient_ = add_patient(tx, "MRN-A1");
      other_patient_ = add_patient(tx, "MRN-A2");
      course_ = tx.query(
                      "INSERT INTO courses (patient_id, protocol_id, state, planned_infusions, "
                      "created_by, created_at_ms, updated_at_ms) VALUES ($1, "
                      "'depression-induction-series', 'induction', 6, $2, $3, $3) RETURNING id",
                      {patient_, nurse_, kNowMs})
                    .front()
                    .i64("id");
    });
  }

  static std::int64_t add_patient(Transaction& tx, const std::string& mrn) {
    return tx
        .query(
            "INSERT INTO patients (mrn, given_name, family_name, date_of_birth, sex, indication, "
            "created_at_ms, updated_at_ms) VALUES ($1, 'Ada', 'Test', '1980-01-01', 'female', "
            "'depression', $2, $2) RETURNING id",
            {mrn, kNowMs})
        .front()
        .i64("id");
  }

  // A PHQ-9 sheet as the routes store it: the core's answer is opaque text here.
  NewAssessment phq9(const std::string& taken_on, double total, std::int64_t at_ms = kNowMs) const {
    NewAssessment a;
    a.patient_id = patient_;
    a.instrument = "phq9";
    a.answers_json = "[1,1,1,1,1,1,1,1,0]";
    a.result_json = "{\"total\":8}";
    a.total = total;
    a.band = "mild";
    a.flags_json = "[]";
    a.taken_on = taken_on;
    a.recorded_by = nurse_;
    a.at_ms = at_ms;
    return a;
  }

  NewAlert alert(const std::string& severity, std::int64_t at_ms,
                 std::optional<std::int64_t> assessment_id = std::nullopt) const {
    NewAlert a;
    a.patient_id = patient_;
    a.assessment_id = assessment_id;
    a.kind = "safety_flag";
    a.message = "phq9: suicidal_ideation";
    a.severity = severity;
    a.at_ms = at_ms;
    return a;
  }

  std::int64_t count(const std::string& table) {
    return with_transaction(*db, [&](Transaction& tx) {
      return tx.query("SELECT COUNT(*) AS n FROM " + table).front().i64("n");
    });
  }

  std::int64_t nurse_ = 0;
  std::int64_t patient_ = 0;
  std::int64_t other_patient_ = 0;
  std::int64_t course_ = 0;
};

TEST_P(AssessmentStoreTest, ASheetReadsBackAsWritten) {
  const std::int64_t id = with_transaction(*db, [&](Transaction& tx) {
    NewAssessment a = phq9("2027-01-04", 8.25);
    a.course_id = course_;
    a.self_report = true;
    return AssessmentStore(tx).insert(a);
  });
  with_transaction(*db, [&](Transaction& tx) {
    AssessmentStore store(tx);
    const auto a = store.find(id);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->patient_id, patient_);
    EXPECT_EQ(a->course_id, course_);
    EXPECT_FALSE(a->session_id.has_value());
    EXPECT_EQ(a->instrument, "phq9");
    EXPECT_EQ(a->answers_json, "[1,1,1,1,1,1,1,1,0]");
    EXPECT_EQ(a->result_json, "{\"total\":8}");
    EXPECT_EQ(a->total, 8.25);  // the exact double on both back ends
    EXPECT_EQ(a->band, "mild");
    EXPECT_TRUE(a->self_report);
    EXPECT_EQ(a->taken_on, "2027-01-04");
    EXPECT_EQ(a->recorded_by, nurse_);
    EXPECT_EQ(a->at_ms, kNowMs);
    EXPECT_EQ(a->status, "active");
    EXPECT_FALSE(a->amends_id.has_value());
    EXPECT_FALSE(a->correction.has_value());
    EXPECT_FALSE(store.find(id + 1000).has_value());
    // A band the core did not give stays absent.
    NewAssessment no_band = phq9("2027-01-05", 3);
    no_band.band.reset();
    EXPECT_FALSE(store.find(store.insert(no_band))->band.has_value());
    EXPECT_TRUE(store.course_of_patient(course_, patient_));
    EXPECT_FALSE(store.course_of_patient(course_, other_patient_));
    EXPECT_FALSE(store.course_of_patient(course_ + 1000, patient_));
  });
}

TEST_P(AssessmentStoreTest, ListsInSeriesOrderAndTheOutcomeSeriesReadsActiveSheetsOnly) {
  std::int64_t first = 0, typo = 0, later_same_day = 0, gad = 0, other = 0;
  with_transaction(*db, [&](Transaction& tx) {
    AssessmentStore store(tx);
    // Recorded out of date order: the list follows taken_on, then the recording time.
    later_same_day = store.insert(phq9("2027-01-10", 12, kNowMs + 2));
    first = store.insert(phq9("2027-01-03", 20, kNowMs + 5));
    typo = store.insert(phq9("2027-01-10", 27, kNowMs + 1));
    NewAssessment g = phq9("2027-01-03", 5);
    g.instrument = "gad7";
    gad = store.insert(g);
    NewAssessment o = phq9("2027-01-03", 9);
    o.patient_id = other_patient_;
    other = store.insert(o);
    NewAssessment in_course = phq9("2027-01-11", 7);
    in_course.course_id = course_;
    store.insert(in_course);
  });
  with_transaction(*db, [&](Transaction& tx) {
    AssessmentStore store(tx);
    std::vector<std::int64_t> ids;
    for (const auto& a : store.of_patient(patient_, "phq9")) ids.push_back(a.id);
    ASSERT_EQ(ids.size(), 4u);
    EXPECT_EQ(ids[0], first);
    EXPECT_EQ(ids[1], typo);
    EXPECT_EQ(ids[2], later_same_day);
    EXPECT_EQ(store.of_patient(patient_).size(), 5u);  // every instrument
    EXPECT_EQ(store.of_patient(patient_, "gad7").front().id, gad);
    EXPECT_EQ(store.of_patient(other_patient_).front().id, other);

    EXPECT_TRUE(store.mark_corrected(typo, "entered_in_error"));
  });
  with_transaction(*db, [&](Transaction& tx) {
    AssessmentStore store(tx);
    const auto series = store.outcome_series(patient_, "phq9");
    ASSERT_EQ(series.size(), 3u);
    EXPECT_EQ(series[0].id, first);
    EXPECT_EQ(series[1].id, later_same_day);  // the sheet in error is not a point
    EXPECT_EQ(series[2].course_id, course_);
    const auto course_only = store.outcome_series(patient_, "phq9", course_);
    ASSERT_EQ(course_only.size(), 1u);
    EXPECT_EQ(course_only[0].total, 7.0);
    // The sheet in error is still listed, with its status.
    const auto all = store.of_patient(patient_, "phq9");
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[1].id, typo);
    EXPECT_EQ(all[1].status, "entered_in_error");
  });
}

TEST_P(AssessmentStoreTest, ACorrectionKeepsTheOriginalAndNamesTheReplacement) {
  const std::int64_t original = with_transaction(
      *db, [&](Transaction& tx) { return AssessmentStore(tx).insert(phq9("2027-01-10", 27)); });
  const std::int64_t rows_before = count("assessments");
  std::int64_t replacement = 0, correction = 0;
  with_transaction(*db, [&](Transaction& tx) {
    AssessmentStore store(tx);
    ASSERT_TRUE(store.mark_corrected(original, "amended"));
    // Only an active sheet is corrected: the second correction finds nothing to change.
    EXPECT_FALSE(store.mark_corrected(original, "entered_in_error"));
    NewAssessment fixed = phq9("2027-01-10", 7, kNowMs + 60'000);
    fixed.amends_id = original;
    replacement = store.insert(fixed);
    NewAssessmentCorrection c;
    c.assessment_id = original;
    c.patient_id = patient_;
    c.action = "amend";
    c.reason = "item 9 typed as 3, the patient answered 0";
    c.replacement_id = replacement;
    c.by_user_id = nurse_;
    c.at_ms = kNowMs + 60'000;
    correction = store.record_correction(c);
  });
  with_transaction(*db, [&](Transaction& tx) {
    AssessmentStore store(tx);
    const auto o = store.find(original);
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(o->status, "amended");
    EXPECT_EQ(o->total, 27.0);  // the original keeps its values
    ASSERT_TRUE(o->correction.has_value());
    EXPECT_EQ(o->correction->id, correction);
    EXPECT_EQ(o->correction->action, "amend");
    EXPECT_EQ(o->correction->reason, "item 9 typed as 3, the patient answered 0");
    EXPECT_EQ(o->correction->replacement_id, replacement);
    EXPECT_EQ(o->correction->by_user_id, nurse_);
    EXPECT_EQ(o->correction->at_ms, kNowMs + 60'000);
    const auto r = store.find(replacement);
    EXPECT_EQ(r->status, "active");
    EXPECT_EQ(r->amends_id, original);
    EXPECT_FALSE(r->correction.has_value());
    const auto series = store.outcome_series(patient_, "phq9");
    ASSERT_EQ(series.size(), 1u);
    EXPECT_EQ(series[0].id, replacement);
    // The correction row is the session module's table: a patient's entry has no session.
    Rows c = tx.query("SELECT entity, session_id, patient_id FROM corrections WHERE id = $1",
                      {correction});
    EXPECT_EQ(c.front().text("entity"), "assessment");
    EXPECT_FALSE(c.front().opt_i64("session_id").has_value());
    EXPECT_EQ(c.front().i64("patient_id"), patient_);
  });
  EXPECT_EQ(count("assessments"), rows_before + 1);  // one added, none removed
}

TEST_P(AssessmentStoreTest, ACadssTakenInASessionIsNoPointOfTheOutcomeSeries) {
  std::int64_t cadss = 0;
  with_transaction(*db, [&](Transaction& tx) {
    const std::int64_t session =
        tx.query(
              "INSERT INTO infusion_sessions (patient_id, unscheduled_reason, protocol_id, "
              "plan_request_json, plan_json, plan_status, concentration_mg_per_ml, "
              "dosing_weight_kg, planned_dose_mg, pump_step_ul_per_h, planned_rate_steps, "
              "planned_duration_min, state, delivered_mg, created_by, created_at_ms, "
              "updated_at_ms) VALUES ($1, 'storage test', 'depression-induction', '{}', '{}', "
              "'accepted', 1, 70, 35, 100, 525, 40, 'running', 0, $2, $3, $3) RETURNING id",
              {patient_, nurse_, kNowMs})
            .front()
            .i64("id");
    // In-session sheets are written by the session routes (InfusionStore's dissociation).
    cadss = tx.query(
                  "INSERT INTO assessments (patient_id, session_id, instrument, answers_json, "
                  "result_json, total, flags_json, taken_on, recorded_by, at_ms) VALUES ($1, "
                  "$2, 'cadss', '[]', '{}', 23, '[]', '2027-01-10', $3, $4) RETURNING id",
                  {patient_, session, nurse_, kNowMs})
                .front()
                .i64("id");
    tx.exec("UPDATE assessments SET status = 'entered_in_error' WHERE id = $1", {cadss});
    tx.exec(
        "INSERT INTO corrections (entity, entity_id, session_id, patient_id, action, reason, "
        "by_user_id, at_ms) VALUES ('dissociation', $1, $2, $3, 'entered_in_error', "
        "'wrong patient', $4, $5)",
        {cadss, session, patient_, nurse_, kNowMs});
  });
  with_transaction(*db, [&](Transaction& tx) {
    AssessmentStore store(tx);
    EXPECT_TRUE(store.outcome_series(patient_, "cadss").empty());
    const auto a = store.find(cadss);
    ASSERT_TRUE(a.has_value());
    EXPECT_TRUE(a->session_id.has_value());
    // Corrected on its session, the sheet still shows how.
    ASSERT_TRUE(a->correction.has_value());
    EXPECT_EQ(a->correction->reason, "wrong patient");
  });
}

TEST_P(AssessmentStoreTest, AlertsAreListedMostSevereThenOldestAndAcknowledgedOnAVersion) {
  std::int64_t high_old = 0, high_new = 0, critical = 0, moderate = 0, theirs = 0;
  with_transaction(*db, [&](Transaction& tx) {
    AssessmentStore store(tx);
    moderate = store.raise_alert(alert("moderate", kNowMs));
    high_new = store.raise_alert(alert("high", kNowMs + 20));
    high_old = store.raise_alert(alert("high", kNowMs + 10));
    critical = store.raise_alert(alert("critical", kNowMs + 30));
    NewAlert other = alert("critical", kNowMs);
    other.patient_id = other_patient_;
    theirs = store.raise_alert(other);
  });
  with_transaction(*db, [&](Transaction& tx) {
    AssessmentStore store(tx);
    std::vector<std::int64_t> ids;
    AlertFilter mine;
    mine.patient_id = patient_;
    for (const auto& a : store.alerts(mine)) ids.push_back(a.id);
    EXPECT_EQ(ids, (std::vector<std::int64_t>{critical, high_old, high_new, moderate}));
    EXPECT_EQ(store.alerts(AlertFilter{}).size(), 5u);
    EXPECT_EQ(store.alerts(AlertFilter{}).front().id, theirs);  // critical, and older
    AlertFilter two;
    two.limit = 2;
    EXPECT_EQ(store.alerts(two).size(), 2u);

    const auto a = store.find_alert(high_old);
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->status(), "open");
    EXPECT_EQ(a->version, 1);
    EXPECT_FALSE(store.acknowledge_alert(high_old, 2, nurse_, "stale", kNowMs + 100));
    EXPECT_TRUE(store.acknowledge_alert(high_old, 1, nurse_, "called the patient", kNowMs + 100));
    const auto after = store.find_alert(high_old);
    EXPECT_EQ(after->status(), "acknowledged");
    EXPECT_EQ(after->acknowledged_by, nurse_);
    EXPECT_EQ(after->acknowledged_at_ms, kNowMs + 100);
    EXPECT_EQ(after->acknowledge_note, "called the patient");
    EXPECT_EQ(after->version, 2);
    EXPECT_FALSE(store.find_alert(theirs + 1000).has_value());
  });
  with_transaction(*db, [&](Transaction& tx) {
    AssessmentStore store(tx);
    AlertFilter open;
    open.patient_id = patient_;
    EXPECT_EQ(store.alerts(open).size(), 3u);  // the acknowledged one left the open list
    open.include_closed = true;
    EXPECT_EQ(store.alerts(open).size(), 4u);
  });
}

TEST_P(AssessmentStoreTest, RetractingAnAssessmentsAlertsClosesThemAndKeepsThem) {
  std::int64_t sheet = 0, open_alert = 0, acknowledged = 0, unrelated = 0;
  with_transaction(*db, [&](Transaction& tx) {
    AssessmentStore store(tx);
    sheet = store.insert(phq9("2027-01-10", 27));
    open_alert = store.raise_alert(alert("high", kNowMs, sheet));
    acknowledged = store.raise_alert(alert("high", kNowMs, sheet));
    ASSERT_TRUE(store.acknowledge_alert(acknowledged, 1, nurse_, "seen", kNowMs + 5));
    unrelated = store.raise_alert(alert("high", kNowMs));
  });
  const std::int64_t alerts_before = count("alerts");
  with_transaction(*db, [&](Transaction& tx) {
    AssessmentStore store(tx);
    const auto ids = store.retract_alerts_of(sheet, nurse_, "entered in error", kNowMs + 50);
    EXPECT_EQ(ids, (std::vector<std::int64_t>{open_alert, acknowledged}));
    // Retracting again finds nothing left to retract.
    EXPECT_TRUE(store.retract_alerts_of(sheet, nurse_, "again", kNowMs + 60).empty());
  });
  with_transaction(*db, [&](Transaction& tx) {
    AssessmentStore store(tx);
    const auto r = store.find_alert(open_alert);
    EXPECT_EQ(r->status(), "retracted");
    EXPECT_EQ(r->retracted_at_ms, kNowMs + 50);
    EXPECT_EQ(r->retraction_reason, "entered in error");
    // Closed: no longer open to anyone, by whoever retracted it.
    EXPECT_EQ(r->acknowledged_at_ms, kNowMs + 50);
    EXPECT_EQ(r->acknowledged_by, nurse_);
    // An acknowledgement already given is kept.
    const auto a = store.find_alert(acknowledged);
    EXPECT_EQ(a->status(), "retracted");
    EXPECT_EQ(a->acknowledged_at_ms, kNowMs + 5);
    EXPECT_EQ(a->acknowledge_note, "seen");
    EXPECT_EQ(store.find_alert(unrelated)->status(), "open");
    AlertFilter open;
    open.patient_id = patient_;
    ASSERT_EQ(store.alerts(open).size(), 1u);
    EXPECT_EQ(store.alerts(open).front().id, unrelated);
  });
  EXPECT_EQ(count("alerts"), alerts_before);
}

INSTANTIATE_TEST_SUITE_P(Backends, AssessmentStoreTest, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

}  // namespace
}  // namespace kit::storage::test
