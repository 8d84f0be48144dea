// The outcome analytics' loader (server/analytics/load_analytics_input.h) on both back ends, over a
// small clinic written row by row, with every expectation worked out by hand below: the cohort by
// start date, indication, protocol and clinic; clinic-local dates (a session at 03:00 UTC is the
// evening before in New York); corrections (an amended sheet counts by its amendment, a sheet
// entered in error not at all, the same for adverse events, vitals, CADSS and medication lists);
// voided and never-started sessions left out; induction and booster numbering; stopped early;
// blood-pressure alerts; unlinked sheets given to their course; observation ending at `to`.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/common/calendar.h"
#include "core/common/error.h"
#include "server/analytics/load_analytics_input.h"
#include "storage/migration_runner.h"
#include "storage/migrations.h"
#include "tests/storage/storage_fixture.h"

namespace kit::server::analytics {
namespace {

using storage::Transaction;
using storage::Value;
namespace an = outcomes::analytics;

constexpr std::int64_t kHourMs = 3'600'000;

// UTC instant of `date` at `hour` UTC.
std::int64_t utc(const std::string& date, double hour) {
  return calendar::parse_day(date).value() * calendar::kDayMs +
         static_cast<std::int64_t>(hour * kHourMs);
}

class AnalyticsLoaderTest : public storage::test::BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped()) return;
    storage::apply_migrations(*db, storage::embedded_migrations());
    storage::with_transaction(*db, [&](Transaction& tx) { seed(tx); });
  }

  static std::int64_t id_of(Transaction& tx, const std::string& sql, std::vector<Value> params) {
    return tx.query(sql + " RETURNING id", params).front().i64("id");
  }

  std::int64_t patient(Transaction& tx, const std::string& mrn, const std::string& indication) {
    return id_of(tx,
                 "INSERT INTO patients (mrn, given_name, family_name, date_of_birth, sex, "
                 "indication, created_at_ms, updated_at_ms) VALUES ($1, 'Ada', 'Test', "
                 "'1980-01-01', 'female', $2, 0, 0)",
                 {mrn, indication});
  }
  std::int64_t course(Transaction& tx, std::int64_t patient_id, const std::string& protocol,
                      int planned, const std::string& state, std::int64_t created_ms) {
    const std::int64_t id =
        id_of(tx,
              "INSERT INTO courses (patient_id, protocol_id, state, planned_infusions, "
              "created_by, created_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $6)",
              {patient_id, protocol, state, std::int64_t{planned}, user_, created_ms});
    event(tx, id, "created", "planned", created_ms);
    return id;
  }
  void event(Transaction& tx, std::int64_t course_id, const std::string& kind,
             const std::string& to, std::int64_t at_ms) {
    tx.exec(
        "INSERT INTO course_events (course_id, event, to_state, by_user_id, at_ms) VALUES ($1, "
        "$2, $3, $4, $5)",
        {course_id, kind, to, user_, at_ms});
  }
  std::int64_t appointment(Transaction& tx, std::int64_t patient_id, std::int64_t course_id,
                           std::int64_t chair, const std::string& kind, std::int64_t at_ms) {
    return id_of(tx,
                 "INSERT INTO appointments (patient_id, course_id, chair_id, kind, starts_ms, "
                 "ends_ms, on_date, created_by, created_at_ms, updated_at_ms) VALUES ($1, $2, $3, "
                 "$4, $5, $6, '2026-01-01', $7, 0, 0)",
                 {patient_id, course_id, chair, kind, at_ms, at_ms + 2 * kHourMs, user_});
  }
  // A session at 1 mg/mL, 60 mL/h (600 steps of 0.1 mL/h) for 40 min: 40 mg programmed.
  std::int64_t session(Transaction& tx, std::int64_t patient_id, std::int64_t course_id,
                       std::optional<std::int64_t> appt, std::optional<std::int64_t> chair,
                       const std::string& state, std::optional<std::int64_t> started_ms,
                       double delivered_mg) {
    return id_of(
        tx,
        "INSERT INTO infusion_sessions (patient_id, course_id, appointment_id, chair_id, "
        "protocol_id, plan_request_json, plan_json, plan_status, concentration_mg_per_ml, "
        "dosing_weight_kg, planned_dose_mg, pump_step_ul_per_h, planned_rate_steps, "
        "planned_duration_min, state, delivered_mg, started_at_ms, void_reason, created_by, "
        "created_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, 'p', '{}', '{}', 'accepted', 1, "
        "70, 40, 100, 600, 40, $5, $6, $7, $8, $9, 0, 0)",
        {patient_id, course_id, appt ? Value(*appt) : storage::null(),
         chair ? Value(*chair) : storage::null(), state, delivered_mg,
         started_ms ? Value(*started_ms) : storage::null(),
         state == "voided" ? Value(std::string("charted on the wrong patient")) : storage::null(),
         user_});
  }
  std::int64_t sheet(Transaction& tx, std::int64_t patient_id,
                     std::optional<std::int64_t> course_id, const std::string& instrument,
                     const std::string& taken_on, double total, std::int64_t at_ms,
                     const std::string& status = "active",
                     std::optional<std::int64_t> session_id = std::nullopt) {
    return id_of(tx,
                 "INSERT INTO assessments (patient_id, course_id, session_id, instrument, "
                 "answers_json, result_json, total, flags_json, taken_on, status, recorded_by, "
                 "at_ms) VALUES ($1, $2, $3, $4, '[]', '{}', $5, '[]', $6, $7, $8, $9)",
                 {patient_id, course_id ? Value(*course_id) : storage::null(),
                  session_id ? Value(*session_id) : storage::null(), instrument, total, taken_on,
                  status, user_, at_ms});
  }
  void vital(Transaction& tx, std::int64_t session_id, const std::string& vital_key,
             std::optional<std::int64_t> alert_id, const std::string& status) {
    tx.exec(
        "INSERT INTO session_vitals (session_id, point, action, reasons_json, alert_id, status, "
        "recorded_by, at_ms) VALUES ($1, 'interval', 'pause', $2, $3, $4, $5, 0)",
        {session_id, "[{\"vital\":\"" + vital_key + "\",\"value\":1}]",
         alert_id ? Value(*alert_id) : storage::null(), status, user_});
  }
  void adverse(Transaction& tx, std::int64_t session_id, std::int64_t patient_id,
               const std::string& kind, const std::string& severity, const std::string& status,
               std::int64_t at_ms) {
    tx.exec(
        "INSERT INTO adverse_events (session_id, patient_id, kind, severity, status, "
        "recorded_by, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        {session_id, patient_id, kind, severity, status, user_, at_ms});
  }
  void mme(Transaction& tx, std::int64_t patient_id, const std::string& as_of, double total,
           std::int64_t at_ms, const std::string& status = "active") {
    tx.exec(
        "INSERT INTO medication_lists (patient_id, as_of, items_json, result_json, "
        "total_mme_per_day, status, recorded_by, recorded_at_ms) VALUES ($1, $2, '[]', '{}', $3, "
        "$4, $5, $6)",
        {patient_id, as_of, total, status, user_, at_ms});
  }

  void seed(Transaction& tx) {
    user_ = id_of(tx,
                  "INSERT INTO users (username, password_hash, role, created_at_ms, "
                  "updated_at_ms) VALUES ('nurse1', 'h', 'nurse', 0, 0)",
                  {});
    ny_ = id_of(tx,
                "INSERT INTO clinics (name, timezone, created_at_ms, updated_at_ms) VALUES "
                "('New York', 'America/New_York', 0, 0)",
                {});
    london_ = id_of(tx,
                    "INSERT INTO clinics (name, timezone, created_at_ms, updated_at_ms) VALUES "
                    "('London', 'Europe/London', 0, 0)",
                    {});
    ny_chair_ = id_of(tx,
                      "INSERT INTO chairs (clinic_id, name, created_at_ms, "
                      "updated_at_ms) VALUES ($1, 'C1', 0, 0)",
                      {ny_});
    const std::int64_t london_chair = id_of(tx,
                                            "INSERT INTO chairs (clinic_id, name, created_at_ms, "
                                            "updated_at_ms) VALUES ($1, 'L1', 0, 0)",
                                            {london_});

    // Patient A, depression, New York (UTC-5 in January and February 2026).
    a_ = patient(tx, "A", "depression");
    // Created 2026-01-05 15:00Z = 10:00 in New York.
    a1_ = course(tx, a_, "depression-induction-series", 6, "maintenance", utc("2026-01-05", 15));
    event(tx, a1_, "transition", "induction", utc("2026-01-06", 14));
    event(tx, a1_, "transition", "maintenance", utc("2026-01-20", 15));
    const std::int64_t ap1 = appointment(tx, a_, a1_, ny_chair_, "infusion", utc("2026-01-06", 15));
    const std::int64_t ap2 = appointment(tx, a_, a1_, ny_chair_, "infusion", utc("2026-01-08", 2));
    const std::int64_t ap5 = appointment(tx, a_, a1_, ny_chair_, "booster", utc("2026-02-10", 15));
    // s1: given in full. Induction 1 on 2026-01-06.
    const std::int64_t s1 =
        session(tx, a_, a1_, ap1, std::nullopt, "discharged", utc("2026-01-06", 15), 40.0);
    // s2: started 2026-01-08 03:00Z = 2026-01-07 22:00 in New York: induction 2 dated 2026-01-07;
    // 20 of 40 mg: stopped early.
    const std::int64_t s2 =
        session(tx, a_, a1_, ap2, std::nullopt, "stopped", utc("2026-01-08", 3), 20.0);
    // Voided, and planned but never started: not infusions.
    session(tx, a_, a1_, std::nullopt, ny_chair_, "voided", utc("2026-01-09", 15), 0.0);
    session(tx, a_, a1_, std::nullopt, ny_chair_, "planned", std::nullopt, 0.0);
    // s5: the booster, 39.5 of 40 mg (within one minute of 1 mg/min): completed.
    const std::int64_t s5 =
        session(tx, a_, a1_, ap5, std::nullopt, "discharged", utc("2026-02-10", 15), 39.5);
    // Vitals of s2: a blood-pressure alert (counted), an SpO2 alert (not blood pressure), an
    // amended blood-pressure alert (its amendment raised none: not counted), a reading with
    // no alert.
    vital(tx, s2, "sbp_mmhg", 11, "active");
    vital(tx, s2, "spo2_percent", 12, "active");
    vital(tx, s2, "dbp_rise_mmhg", 13, "amended");
    vital(tx, s2, "sbp_mmhg", std::nullopt, "active");
    // s5: the rise over baseline is a blood-pressure alert too.
    vital(tx, s5, "sbp_rise_mmhg", 14, "active");
    // CADSS of s2: 20 stands, 35 was entered in error.
    sheet(tx, a_, a1_, "cadss", "2026-01-07", 20, utc("2026-01-08", 4), "active", s2);
    sheet(tx, a_, a1_, "cadss", "2026-01-07", 35, utc("2026-01-08", 4), "entered_in_error", s2);
    // Adverse events: nausea (mild) in s1; in s2 a headache charted moderate, amended to mild.
    adverse(tx, s1, a_, "nausea", "mild", "active", utc("2026-01-06", 16));
    adverse(tx, s2, a_, "headache", "moderate", "amended", utc("2026-01-08", 3.5));
    adverse(tx, s2, a_, "headache", "mild", "active", utc("2026-01-08", 3.6));
    adverse(tx, s5, a_, "dizziness", "mild", "entered_in_error", utc("2026-02-10", 16));
    // PHQ-9: baseline 20 on 2026-01-02 (unlinked, before the course: its baseline); two sheets on
    // 2026-01-09, the later (9) stands; 15 on 2026-01-16 amended to 8; 30 on 2026-01-23 entered in
    // error; 7 on 2026-03-02, after `to`.
    sheet(tx, a_, std::nullopt, "phq9", "2026-01-02", 20, utc("2026-01-02", 15));
    sheet(tx, a_, a1_, "phq9", "2026-01-09", 12, utc("2026-01-09", 15));
    sheet(tx, a_, a1_, "phq9", "2026-01-09", 9, utc("2026-01-09", 18));
    sheet(tx, a_, a1_, "phq9", "2026-01-16", 15, utc("2026-01-16", 15), "amended");
    sheet(tx, a_, a1_, "phq9", "2026-01-16", 8, utc("2026-01-16", 16));
    sheet(tx, a_, a1_, "phq9", "2026-01-23", 30, utc("2026-01-23", 15), "entered_in_error");
    sheet(tx, a_, a1_, "phq9", "2026-03-02", 7, utc("2026-03-02", 15));

    // Patient B, chronic pain, New York: course B1 (completed 2026-01-30), then B2.
    b_ = patient(tx, "B", "chronic_pain");
    b1_ = course(tx, b_, "crps-outpatient-4h", 5, "completed", utc("2026-01-12", 15));
    event(tx, b1_, "transition", "induction", utc("2026-01-13", 14));
    event(tx, b1_, "transition", "completed", utc("2026-01-30", 20));
    // An unscheduled session in the New York chair, before maintenance: induction 1.
    session(tx, b_, b1_, std::nullopt, ny_chair_, "discharged", utc("2026-01-13", 15), 40.0);
    b2_ = course(tx, b_, "crps-outpatient-4h", 5, "planned", utc("2026-02-02", 15));
    appointment(tx, b_, b2_, ny_chair_, "infusion", utc("2026-03-09", 15));
    // NRS: unlinked 7 on 2026-01-11 (B1's baseline), unlinked 5 on 2026-01-20 (B1), unlinked 6 on
    // 2026-02-01 (after B1 ended: B2's).
    sheet(tx, b_, std::nullopt, "nrs", "2026-01-11", 7, utc("2026-01-11", 15));
    sheet(tx, b_, std::nullopt, "nrs", "2026-01-20", 5, utc("2026-01-20", 15));
    sheet(tx, b_, std::nullopt, "nrs", "2026-02-01", 6, utc("2026-02-01", 15));
    // MME: 60 then 45 on 2026-01-10 (45 stands); 30 on 2026-01-25 amended to 20; 10 on
    // 2026-02-05 (after B1's end; B2's).
    mme(tx, b_, "2026-01-10", 60, utc("2026-01-10", 15));
    mme(tx, b_, "2026-01-10", 45, utc("2026-01-10", 16));
    mme(tx, b_, "2026-01-25", 30, utc("2026-01-25", 15), "amended");
    mme(tx, b_, "2026-01-25", 20, utc("2026-01-25", 16));
    mme(tx, b_, "2026-02-05", 10, utc("2026-02-05", 15));

    // Patient C, depression, a course started before `from`.
    c_ = patient(tx, "C", "depression");
    const std::int64_t c1 =
        course(tx, c_, "depression-induction-series", 6, "induction", utc("2025-12-01", 15));
    appointment(tx, c_, c1, ny_chair_, "infusion", utc("2025-12-02", 15));

    // Patient D, PTSD, London.
    d_ = patient(tx, "D", "ptsd");
    d1_ = course(tx, d_, "ptsd-induction-series", 6, "induction", utc("2026-01-19", 10));
    session(tx, d_, d1_, std::nullopt, london_chair, "discharged", utc("2026-01-20", 10), 40.0);
  }

  LoadedAnalytics load(AnalyticsFilter f, std::int64_t now_ms = utc("2026-03-15", 12)) {
    return storage::with_transaction(
        *db, [&](Transaction& tx) { return load_analytics_input(tx, f, now_ms); });
  }

  static AnalyticsFilter window(const std::string& from = "2026-01-01",
                                const std::string& to = "2026-02-28") {
    AnalyticsFilter f;
    f.from = from;
    f.to = to;
    return f;
  }

  static const an::CourseRecord& course_of(const LoadedAnalytics& l, std::int64_t id) {
    for (std::size_t k = 0; k < l.course_ids.size(); ++k) {
      if (l.course_ids[k] == id) return l.input.courses[k];
    }
    throw std::runtime_error("course " + std::to_string(id) + " not loaded");
  }

  std::int64_t user_ = 0, ny_ = 0, london_ = 0, ny_chair_ = 0;
  std::int64_t a_ = 0, b_ = 0, c_ = 0, d_ = 0, a1_ = 0, b1_ = 0, b2_ = 0, d1_ = 0;
};

TEST_P(AnalyticsLoaderTest, ACourseIsReadWithCorrectionsAppliedAndClinicLocalDates) {
  const LoadedAnalytics l = load(window());
  EXPECT_EQ(l.input.as_of, "2026-02-28");  // `to`, today (2026-03-15) being later
  // A1, B1, B2 and D1 started in the window; C1 before it.
  EXPECT_EQ(l.course_ids, (std::vector<std::int64_t>{a1_, b1_, b2_, d1_}));
  EXPECT_EQ(l.patient_ids, (std::vector<std::int64_t>{a_, b_, b_, d_}));

  const an::CourseRecord& a = course_of(l, a1_);
  EXPECT_EQ(a.indication, "depression");
  EXPECT_EQ(a.protocol, "depression-induction-series");
  EXPECT_EQ(a.course_start, "2026-01-05");
  EXPECT_FALSE(a.course_end);  // in maintenance
  EXPECT_EQ(a.planned_induction_infusions, 6);
  ASSERT_EQ(a.infusions.size(), 3u);  // voided and never-started sessions are not infusions
  EXPECT_EQ(a.infusions[0].kind, an::InfusionKind::induction);
  EXPECT_EQ(a.infusions[0].number, 1);
  EXPECT_EQ(a.infusions[0].date, "2026-01-06");
  EXPECT_EQ(a.infusions[0].status, an::InfusionStatus::completed);
  EXPECT_EQ(a.infusions[0].bp_alerts, 0);
  EXPECT_FALSE(a.infusions[0].cadss_total);
  EXPECT_EQ(a.infusions[1].kind, an::InfusionKind::induction);
  EXPECT_EQ(a.infusions[1].number, 2);
  EXPECT_EQ(a.infusions[1].date, "2026-01-07");  // 03:00Z is 22:00 the evening before
  EXPECT_EQ(a.infusions[1].status, an::InfusionStatus::stopped_early);
  EXPECT_EQ(a.infusions[1].bp_alerts, 1);
  EXPECT_EQ(a.infusions[1].cadss_total, 20.0);
  EXPECT_EQ(a.infusions[2].kind, an::InfusionKind::booster);
  EXPECT_EQ(a.infusions[2].number, 1);
  EXPECT_EQ(a.infusions[2].date, "2026-02-10");
  EXPECT_EQ(a.infusions[2].status, an::InfusionStatus::completed);
  EXPECT_EQ(a.infusions[2].bp_alerts, 1);
  ASSERT_EQ(a.adverse_events.size(), 2u);
  EXPECT_EQ(a.adverse_events[0].date, "2026-01-06");
  EXPECT_EQ(a.adverse_events[0].kind, "nausea");
  EXPECT_EQ(a.adverse_events[1].date, "2026-01-07");
  EXPECT_EQ(a.adverse_events[1].kind, "headache");
  EXPECT_EQ(a.adverse_events[1].severity, "mild");
  ASSERT_EQ(a.assessments.size(), 3u);
  EXPECT_EQ(a.assessments[0].date, "2026-01-02");
  EXPECT_EQ(a.assessments[0].total, 20);
  EXPECT_EQ(a.assessments[1].date, "2026-01-09");
  EXPECT_EQ(a.assessments[1].total, 9);
  EXPECT_EQ(a.assessments[2].date, "2026-01-16");
  EXPECT_EQ(a.assessments[2].total, 8);
  EXPECT_TRUE(a.mme.empty());

  const an::CourseRecord& b1 = course_of(l, b1_);
  EXPECT_EQ(b1.course_start, "2026-01-12");
  EXPECT_EQ(b1.course_end, "2026-01-30");  // 20:00Z = 15:00 in New York
  EXPECT_EQ(b1.planned_induction_infusions, 5);
  ASSERT_EQ(b1.infusions.size(), 1u);
  EXPECT_EQ(b1.infusions[0].kind, an::InfusionKind::induction);
  ASSERT_EQ(b1.assessments.size(), 2u);
  EXPECT_EQ(b1.assessments[0].total, 7);
  EXPECT_EQ(b1.assessments[1].total, 5);
  ASSERT_EQ(b1.mme.size(), 2u);
  EXPECT_EQ(b1.mme[0].date, "2026-01-10");
  EXPECT_EQ(b1.mme[0].total_mme_per_day, 45);
  EXPECT_EQ(b1.mme[1].date, "2026-01-25");
  EXPECT_EQ(b1.mme[1].total_mme_per_day, 20);

  const an::CourseRecord& b2 = course_of(l, b2_);
  EXPECT_EQ(b2.course_start, "2026-02-02");
  EXPECT_TRUE(b2.infusions.empty());
  ASSERT_EQ(b2.assessments.size(), 1u);
  EXPECT_EQ(b2.assessments[0].date, "2026-02-01");
  ASSERT_EQ(b2.mme.size(), 3u);  // every list up to as_of; the baseline rule picks among them

  const an::CourseRecord& d = course_of(l, d1_);
  EXPECT_EQ(d.course_start, "2026-01-19");
  EXPECT_EQ(d.infusions.at(0).date, "2026-01-20");

  // People per group: B's two courses are one patient.
  EXPECT_EQ(l.patients_per_group.at({"chronic_pain", "crps-outpatient-4h"}), 1);
  EXPECT_EQ(l.patients_per_group.at({"depression", "depression-induction-series"}), 1);

  // The core over the loaded records: A's PHQ-9 from 20 to 8 (not 15, the superseded value, nor
  // 30, the sheet in error): a responder (>= 50 % reduction), change -12.
  const an::AnalyticsResult r = an::analyze(l.input);
  const an::GroupOutcomes* dep = nullptr;
  for (const auto& g : r.groups) {
    if (g.indication == "depression") dep = &g;
  }
  ASSERT_NE(dep, nullptr);
  EXPECT_EQ(dep->courses, 1);
  ASSERT_EQ(dep->instruments.size(), 1u);
  EXPECT_EQ(dep->instruments[0].responders.count, 1);
  EXPECT_EQ(dep->instruments[0].change.median, -12.0);
  EXPECT_EQ(dep->safety.infusions, 3);
  EXPECT_EQ(dep->safety.adverse_events, 2);
  EXPECT_EQ(dep->safety.bp_alerts, 2);
  EXPECT_EQ(dep->safety.stopped_early.count, 1);
}

TEST_P(AnalyticsLoaderTest, FiltersSelectTheCohortAndToEndsObservation) {
  AnalyticsFilter f = window();
  f.indication = "depression";
  EXPECT_EQ(load(f).course_ids, (std::vector<std::int64_t>{a1_}));

  f = window();
  f.protocol = "crps-outpatient-4h";
  EXPECT_EQ(load(f).course_ids, (std::vector<std::int64_t>{b1_, b2_}));

  f = window();
  f.clinic_id = london_;
  EXPECT_EQ(load(f).course_ids, (std::vector<std::int64_t>{d1_}));
  f.clinic_id = ny_;
  EXPECT_EQ(load(f).course_ids, (std::vector<std::int64_t>{a1_, b1_, b2_}));

  // C1 started 2025-12-01.
  EXPECT_EQ(
      load(window("2025-11-01", "2025-12-31")).course_ids,
      (std::vector<std::int64_t>{storage::with_transaction(*db, [&](Transaction& tx) {
        return tx.query("SELECT id FROM courses WHERE patient_id = $1", {c_}).front().i64("id");
      })}));

  // Observation to 2026-01-31: the booster (2026-02-10) and B2 (started 2026-02-02) are after it.
  const LoadedAnalytics jan = load(window("2026-01-01", "2026-01-31"));
  EXPECT_EQ(jan.input.as_of, "2026-01-31");
  EXPECT_EQ(jan.course_ids, (std::vector<std::int64_t>{a1_, b1_, d1_}));
  EXPECT_EQ(course_of(jan, a1_).infusions.size(), 2u);
  EXPECT_EQ(course_of(jan, b1_).course_end, "2026-01-30");

  // Observation to 2026-01-25: B1 (ended 2026-01-30) is still under way; the MME list of
  // 2026-01-25 is in, nothing later.
  const LoadedAnalytics mid = load(window("2026-01-01", "2026-01-25"));
  EXPECT_FALSE(course_of(mid, b1_).course_end);
  EXPECT_EQ(course_of(mid, b1_).mme.size(), 2u);

  // `to` in the future: observation ends today (the latest clinic-local date: London's 2026-01-21
  // at 01:00Z, while New York is still on 2026-01-20).
  const LoadedAnalytics now = load(window("2026-01-01", "2026-12-31"), utc("2026-01-21", 1));
  EXPECT_EQ(now.input.as_of, "2026-01-21");
  EXPECT_EQ(now.course_ids, (std::vector<std::int64_t>{a1_, b1_, d1_}));
}

// Follow-up after a course was completed (the patient has no later course) is that course's: an
// NRS sheet and a medication list a week after the end, neither naming a course.
TEST_P(AnalyticsLoaderTest, FollowUpAfterACompletedCourseBelongsToIt) {
  std::int64_t e1 = 0;
  storage::with_transaction(*db, [&](Transaction& tx) {
    const std::int64_t e = patient(tx, "E", "other");
    e1 = course(tx, e, "depression-induction-series", 6, "completed", utc("2026-01-05", 15));
    event(tx, e1, "transition", "induction", utc("2026-01-06", 14));
    event(tx, e1, "transition", "completed", utc("2026-01-20", 15));
    session(tx, e, e1, std::nullopt, ny_chair_, "discharged", utc("2026-01-06", 15), 40.0);
    sheet(tx, e, std::nullopt, "nrs", "2026-01-04", 8, utc("2026-01-04", 15));
    sheet(tx, e, std::nullopt, "nrs", "2026-01-27", 3, utc("2026-01-27", 15));
    mme(tx, e, "2026-01-04", 40, utc("2026-01-04", 15));
    mme(tx, e, "2026-01-27", 10, utc("2026-01-27", 15));
  });
  AnalyticsFilter f = window();
  f.indication = "other";
  const LoadedAnalytics l = load(f);
  ASSERT_EQ(l.course_ids, (std::vector<std::int64_t>{e1}));
  const an::CourseRecord& c = l.input.courses.at(0);
  EXPECT_EQ(c.course_end, "2026-01-20");
  ASSERT_EQ(c.assessments.size(), 2u);
  EXPECT_EQ(c.assessments[1].date, "2026-01-27");
  ASSERT_EQ(c.mme.size(), 2u);
  EXPECT_EQ(c.mme[1].total_mme_per_day, 10);
  // The core: NRS 8 -> 3 (62.5 % less: at least 50 %), MME 40 -> 10 (reduced).
  const an::AnalyticsResult r = an::analyze(l.input);
  ASSERT_EQ(r.groups.size(), 1u);
  EXPECT_EQ(r.groups[0].instruments.at(0).reduction_substantial->count, 1);
  EXPECT_EQ(r.groups[0].mme.with_follow_up, 1);
  EXPECT_EQ(r.groups[0].mme.reduced, 1);
}

TEST_P(AnalyticsLoaderTest, BadFiltersNameTheField) {
  const auto field_of = [&](const AnalyticsFilter& f) -> std::string {
    try {
      load(f);
    } catch (const kit::Error& e) {
      return e.field();
    }
    return "(accepted)";
  };
  AnalyticsFilter f = window("2026-13-01");
  EXPECT_EQ(field_of(f), "from");
  f = window("2026-01-01", "");
  EXPECT_EQ(field_of(f), "to");
  f = window("2026-02-01", "2026-01-01");
  EXPECT_EQ(field_of(f), "to");
  f = window();
  f.indication = "flu";
  EXPECT_EQ(field_of(f), "indication");
  f = window();
  f.clinic_id = 999;
  EXPECT_EQ(field_of(f), "clinic_id");
}

INSTANTIATE_TEST_SUITE_P(Backends, AnalyticsLoaderTest, ::testing::Values("sqlite", "postgresql"),
                         storage::test::backend_name);

}  // namespace
}  // namespace kit::server::analytics
