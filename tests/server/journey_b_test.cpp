// The second half of the patient's journey through Router::dispatch over a temporary SQLite
// database: controlled-substance stock, the infusion session at the chair (plan, pump events,
// delivered dose, PK curve, vitals, discharge), assessments with safety alerts and outcomes, and
// pain medications with MME.
#include <chrono>
#include <cmath>
#include <cstdio>

#include "server/resources/modules.h"
#include "tests/server/api_fixture.h"

namespace kit::server::testing {
namespace {

using nlohmann::json;

constexpr std::int64_t kMin = 60'000;

class JourneyBTest : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    // Until server/api/routes.cpp registers these modules, register them here.
    bool present = false;
    for (const Route& r : router_.routes()) {
      present = present || (r.method == "POST" && r.pattern == "/api/v1/patients/{id}/sessions");
    }
    if (!present) {
      register_stock_routes(router_);
      register_session_routes(router_);
      register_assessment_routes(router_);
      register_medication_routes(router_);
    }
    physician_ = make_caller(Role::physician);
    nurse_ = make_caller(Role::nurse);
    nurse2_ = make_caller(Role::nurse);
    desk_ = make_caller(Role::front_desk);
    admin_ = make_caller(Role::admin);
    patient_ = add_patient("MRN-B1");
    // 70 kg, 175 cm (BMI 22.9: actual weight), 47 years old on the fixture's date.
    storage::with_transaction(*db_, [&](storage::Transaction& tx) {
      tx.exec("UPDATE patients SET weight_kg = 70, height_cm = 175 WHERE id = $1", {patient_});
    });
    make_ready();
  }

  // The clinic-local (UTC clinic) date of the fixture clock.
  std::string today() const {
    using namespace std::chrono;
    const year_month_day d{floor<days>(sys_time<milliseconds>(milliseconds(now_ms_.load())))};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
    return buf;
  }

  // What the infusion core's gates ask for, as the intake and scheduling routes would leave it:
  // approved, treatment consent, an eligible screening that also cleared today's day-of check, a
  // course in induction on depression-standard, and a UTC clinic with one chair. The clinic's
  // observation time is 0 here so the tests can discharge on the fixture clock; the gate itself
  // is tested in ObservationTimeAndOpenCriticalAlertsHoldDischarge.
  void make_ready() {
    storage::with_transaction(*db_, [&](storage::Transaction& tx) {
      const std::int64_t now = now_ms_.load();
      clinic_ = tx.query("INSERT INTO clinics (name, timezone, opens_at, closes_at, open_weekdays, "
                         "recovery_minutes, observation_minutes, created_at_ms, updated_at_ms) "
                         "VALUES ('B clinic', 'UTC', '00:00', '23:59', '1234567', 60, 0, $1, $1) "
                         "RETURNING id",
                         {now})
                    .front()
                    .i64("id");
      chair_ = tx.query("INSERT INTO chairs (clinic_id, name, created_at_ms, updated_at_ms) VALUES "
                        "($1, 'Chair 1', $2, $2) RETURNING id",
                        {clinic_, now})
                   .front()
                   .i64("id");
      course_ = tx.query("INSERT INTO courses (patient_id, protocol_id, state, planned_infusions, "
                         "created_by, created_at_ms, updated_at_ms) VALUES ($1, "
                         "'depression-standard', 'induction', 6, $2, $3, $3) RETURNING id",
                         {patient_, physician_.user_id, now})
                    .front()
                    .i64("id");
      tx.exec("INSERT INTO approvals (patient_id, decision, physician_user_id, decided_at_ms) "
              "VALUES ($1, 'approved', $2, $3)",
              {patient_, physician_.user_id, now - 86'400'000});
      tx.exec("INSERT INTO consents (patient_id, consent_type, form_version, signed_at_ms, "
              "recorded_by, recorded_at_ms) VALUES ($1, 'treatment', 'v1', $2, $3, $2)",
              {patient_, now - 86'400'000, nurse_.user_id});
      // The intake screening (a week ago) and today's day-of check.
      tx.exec("INSERT INTO screenings (patient_id, request_json, result_json, eligible, "
              "screened_by, screened_at_ms) VALUES ($1, '{}', '{\"eligible\":true}', 1, $2, $3)",
              {patient_, nurse_.user_id, now - 7 * 86'400'000});
      tx.exec("INSERT INTO screenings (patient_id, request_json, result_json, eligible, "
              "screened_by, screened_at_ms) VALUES ($1, '{}', $2, 1, $3, $4)",
              {patient_,
               std::string(R"({"eligible":true,"pre_infusion":{"passed":true,"checks":[]},)"
                           R"("cleared_to_start":true})"),
               nurse_.user_id, now - 3 * 3'600'000});
      tx.exec("UPDATE patients SET status = 'in_treatment' WHERE id = $1", {patient_});
    });
  }

  // A booked infusion appointment today on the fixture's chair (each session needs its own).
  std::int64_t today_appointment() {
    return storage::with_transaction(*db_, [&](storage::Transaction& tx) {
      const std::int64_t now = now_ms_.load();
      return tx
          .query("INSERT INTO appointments (patient_id, course_id, chair_id, kind, starts_ms, "
                 "ends_ms, on_date, status, created_by, created_at_ms, updated_at_ms) VALUES ($1, "
                 "$2, $3, 'infusion', $4, $5, $6, 'booked', $7, $4, $4) RETURNING id",
                 {patient_, course_, chair_, now - 3 * 3'600'000, now - 2 * 3'600'000, today(),
                  desk_.user_id})
          .front()
          .i64("id");
    });
  }

  // A planning body for the course and a fresh appointment of today.
  json scheduled(json b) {
    b["course_id"] = course_;
    b["appointment_id"] = today_appointment();
    return b;
  }

  Response with_if_match(const std::string& method, const std::string& path, const Caller& who,
                         const json& b, const std::string& etag) {
    Request req = request(method, path, b.is_null() ? "" : b.dump());
    if (!etag.empty()) req.headers["if-match"] = etag;
    return call(req, &who);
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
  static std::string s(std::int64_t id, const std::string& tail = "") {
    return "/api/v1/sessions/" + std::to_string(id) + tail;
  }

  std::int64_t count(const std::string& table) {
    return storage::with_transaction(*db_, [&](storage::Transaction& tx) {
      return tx.query("SELECT COUNT(*) AS n FROM " + table).front().i64("n");
    });
  }

  // depression-standard, 0.5 mg/kg, 1 mg/mL: 35 mg over 40 min at 52.5 mL/h.
  // Planned two hours before the fixture's "now", so that the tests may chart events in the
  // past hours (an event may never precede the session's planning).
  std::int64_t plan_session(json extra = json::object()) {
    json b = scheduled({{"protocol", "depression-standard"},
                        {"preparation", {{"concentration_mg_per_ml", 1}}}});
    b.update(extra);
    now_ms_ -= 2 * 60 * kMin;
    Response r = call("POST", p("/sessions"), nurse_, b);
    now_ms_ += 2 * 60 * kMin;
    EXPECT_EQ(r.status, 201) << r.body;
    return body(r)["id"].get<std::int64_t>();
  }

  std::string etag_of(std::int64_t session) {
    Response r = get(s(session), nurse_);
    EXPECT_EQ(r.status, 200) << r.body;
    return header(r, "ETag");
  }

  Response event(std::int64_t session, json b, const Caller* who = nullptr) {
    return with_if_match("POST", s(session, "/events"), who ? *who : nurse_, b, etag_of(session));
  }

  // Runs the whole plan: start at `start`, stop 40 min later (both charted in the past).
  void run_40_min(std::int64_t session, std::int64_t start) {
    Response a = event(session, {{"kind", "start"}, {"at_ms", start}});
    ASSERT_EQ(a.status, 201) << a.body;
    Response b = event(session, {{"kind", "stop"}, {"at_ms", start + 40 * kMin}});
    ASSERT_EQ(b.status, 201) << b.body;
  }

  std::int64_t new_lot(const std::string& number, const std::string& expiry = "2028-06-30",
                       int vials = 10) {
    Response r = call("POST", "/api/v1/stock/lots", nurse_,
                      {{"lot_number", number},
                       {"concentration_mg_per_ml", 10},
                       {"vial_volume_ml", 5},
                       {"expiry_date", expiry},
                       {"vials_received", vials}});
    EXPECT_EQ(r.status, 201) << r.body;
    return body(r)["id"].get<std::int64_t>();
  }

  std::vector<int> phq9(int item9, int others) {
    std::vector<int> a(9, others);
    a[8] = item9;
    return a;
  }

  Caller physician_, nurse_, nurse2_, desk_, admin_;
  std::int64_t patient_ = 0;
  std::int64_t clinic_ = 0, chair_ = 0, course_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Dose plan

TEST_F(JourneyBTest, HardLimitDoseIsRefusedAndNothingIsStored) {
  const std::int64_t before = count("infusion_sessions");
  const std::int64_t audit_before = audit_rows();
  // 1.2 mg/kg is above the hard maximum of 1.0 mg/kg: not even a physician with a reason.
  Response r = call("POST", p("/sessions"), physician_,
                    scheduled({{"protocol", "depression-standard"},
                               {"preparation", {{"concentration_mg_per_ml", 1}}},
                               {"dose_mg_per_kg", 1.2},
                               {"override_reason", "treatment-resistant"}}));
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(error_code(r), "rule_refused");
  EXPECT_NE(body(r)["error"]["message"].get<std::string>().find("dose_mg_per_kg"),
            std::string::npos);
  EXPECT_EQ(count("infusion_sessions"), before);
  // The refusal is still audited, with the patient.
  EXPECT_EQ(audit_rows(), audit_before + 1);
  EXPECT_EQ(last_audit().front().i64("patient_id"), patient_);
  EXPECT_EQ(last_audit().front().text("outcome"), "denied");
}

TEST_F(JourneyBTest, BadInputNamesTheField) {
  Response r = call("POST", p("/sessions"), nurse_,
                    scheduled({{"protocol", "depression-standard"},
                               {"preparation", {{"concentration_mg_per_ml", 1}}},
                               {"dose_mg_per_kgg", 0.5}}));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(error_field(r), "dose_mg_per_kgg");
  Response u =
      call("POST", p("/sessions"), nurse_,
           scheduled({{"protocol", "no-such-protocol"},
                      {"preparation", {{"concentration_mg_per_ml", 1}}}}));
  EXPECT_EQ(u.status, 400) << u.body;
  EXPECT_EQ(error_field(u), "protocol");
  EXPECT_EQ(count("infusion_sessions"), 0);
  // A patient without a recorded weight is never dosed.
  storage::with_transaction(*db_, [&](storage::Transaction& tx) {
    tx.exec("UPDATE patients SET weight_kg = NULL WHERE id = $1", {patient_});
  });
  Response w = call("POST", p("/sessions"), nurse_,
                    scheduled({{"protocol", "depression-standard"},
                               {"preparation", {{"concentration_mg_per_ml", 1}}}}));
  EXPECT_EQ(w.status, 422) << w.body;
  EXPECT_EQ(error_field(w), "patient.weight_kg");
}

TEST_F(JourneyBTest, SoftLimitNeedsAPhysicianAndAReason) {
  // 0.8 mg/kg: above the soft maximum 0.75, below the hard 1.0.
  json b = scheduled({{"protocol", "depression-standard"},
                      {"preparation", {{"concentration_mg_per_ml", 1}}},
                      {"dose_mg_per_kg", 0.8}});
  Response no_reason = call("POST", p("/sessions"), physician_, b);
  EXPECT_EQ(no_reason.status, 422) << no_reason.body;
  EXPECT_EQ(error_field(no_reason), "override_reason");
  json with_reason = b;
  with_reason["override_reason"] = "partial response at 0.75 mg/kg";
  Response nurse = call("POST", p("/sessions"), nurse_, with_reason);
  EXPECT_EQ(nurse.status, 422) << nurse.body;
  EXPECT_EQ(error_field(nurse), "override_reason");
  EXPECT_EQ(count("infusion_sessions"), 0);

  Response ok = call("POST", p("/sessions"), physician_, with_reason);
  ASSERT_EQ(ok.status, 201) << ok.body;
  const json sess = body(ok);
  EXPECT_EQ(sess["override"]["reason"], "partial response at 0.75 mg/kg");
  EXPECT_EQ(sess["override"]["physician_user_id"], physician_.user_id);
  EXPECT_EQ(sess["plan"]["status"], "accepted");
  EXPECT_TRUE(sess["plan"]["override_applied"].get<bool>());
  EXPECT_DOUBLE_EQ(sess["planned_dose_mg"].get<double>(), 56.0);
  EXPECT_EQ(header(ok, "ETag"), "\"1\"");
  EXPECT_EQ(count("infusion_sessions"), 1);
}

// ---------------------------------------------------------------------------------------------
// Pump events, delivered dose, PK

TEST_F(JourneyBTest, APumpLeftRunningRaisesACriticalAlertAndStopPumpUntilStopped) {
  // 35 mg planned at 52.5 mL/h (1 mg/mL, 70 kg); the hard limit is 1.0 mg/kg = 70 mg, reached
  // after 80 min. Nobody stops the pump: every reply must say stop_pump, and one critical alert
  // (not one per read) is raised; a rate change is refused; the stop is always accepted.
  const std::int64_t id = plan_session();
  Response a = event(id, {{"kind", "start"}, {"at_ms", now_ms_.load() - 30 * kMin}});
  ASSERT_EQ(a.status, 201) << a.body;
  EXPECT_FALSE(body(a)["stop_pump"].get<bool>());
  now_ms_ += 30 * kMin;  // 60 min running: 52.5 mg, the soft limit
  json g = body(get(s(id), nurse_));
  EXPECT_EQ(g["delivered"]["status"], "soft_limit_reached");
  EXPECT_FALSE(g["stop_pump"].get<bool>());
  now_ms_ += 25 * kMin;  // 85 min: 74.375 mg
  g = body(get(s(id), nurse_));
  EXPECT_DOUBLE_EQ(g["delivered"]["mg"].get<double>(), 74.375);
  EXPECT_EQ(g["delivered"]["status"], "hard_limit_reached");
  EXPECT_TRUE(g["stop_pump"].get<bool>());
  g = body(get(s(id), nurse_));  // read again: still one alert
  auto critical = [&] {
    return storage::with_transaction(*db_, [&](storage::Transaction& tx) {
      return tx
          .query("SELECT COUNT(*) AS n FROM alerts WHERE session_id = $1 AND kind = 'dose_limit' "
                 "AND severity = 'critical'",
                 {id})
          .front()
          .i64("n");
    });
  };
  EXPECT_EQ(critical(), 1);
  Response faster = event(id, {{"kind", "rate_change"}, {"rate_ml_per_h", 10}});
  EXPECT_EQ(faster.status, 422) << faster.body;
  EXPECT_EQ(error_field(faster), "hard_limit");
  Response stop = event(id, {{"kind", "stop"}});
  ASSERT_EQ(stop.status, 201) << stop.body;
  EXPECT_FALSE(body(stop)["stop_pump"].get<bool>());
  EXPECT_EQ(body(stop)["state"], "stopped");
  EXPECT_EQ(critical(), 1);
}

TEST_F(JourneyBTest, ObservationTimeAndOpenCriticalAlertsHoldDischarge) {
  storage::with_transaction(*db_, [&](storage::Transaction& tx) {
    tx.exec("UPDATE clinics SET observation_minutes = 30 WHERE id = $1", {clinic_});
  });
  const std::int64_t id = plan_session();
  run_40_min(id, now_ms_.load() - 50 * kMin);  // stopped 10 min ago
  const json ready = {{"aldrete",
                       {{"activity", 2}, {"respiration", 2}, {"circulation", 2},
                        {"consciousness", 2}, {"o2_saturation", 2}}}};
  json overridden = ready;
  overridden["override_reason"] = "bed needed";  // a physician cannot override the observation
  Response early =
      with_if_match("POST", s(id, "/discharge"), physician_, overridden, etag_of(id));
  EXPECT_EQ(early.status, 422) << early.body;
  EXPECT_EQ(error_field(early), "observation_time");
  // A critical reading during recovery: discharge waits for a physician's acknowledgement.
  Response v = call("POST", s(id, "/vitals"), nurse_,
                    {{"point", "recovery"}, {"spo2_percent", 85}, {"rr_per_min", 10}});
  ASSERT_EQ(v.status, 201) << v.body;
  now_ms_ += 25 * kMin;
  Response held = with_if_match("POST", s(id, "/discharge"), nurse_, ready, etag_of(id));
  EXPECT_EQ(held.status, 422) << held.body;
  EXPECT_EQ(error_field(held), "critical_alerts");
  EXPECT_EQ(body(get(s(id), nurse_))["state"], "stopped");
  // Marked in error (the probe slipped): the alert is retracted, the reading kept.
  const std::int64_t vid = body(v)["id"].get<std::int64_t>();
  Response corr = call("POST", s(id, "/vitals/" + std::to_string(vid) + "/corrections"), nurse_,
                       {{"action", "entered_in_error"}, {"reason", "probe off the finger"}});
  ASSERT_EQ(corr.status, 201) << corr.body;
  Response ok = with_if_match("POST", s(id, "/discharge"), nurse_, ready, etag_of(id));
  ASSERT_EQ(ok.status, 201) << ok.body;
  const json sess = body(ok);
  EXPECT_EQ(sess["state"], "discharged");
  bool kept = false;
  for (const json& x : sess["vitals"]) {
    if (x["id"] == vid) kept = x["status"] == "entered_in_error";
  }
  EXPECT_TRUE(kept);
}

TEST_F(JourneyBTest, EventsGiveTheExactDeliveredDose) {
  const std::int64_t id = plan_session();
  Response g = get(s(id), nurse_);
  ASSERT_EQ(g.status, 200);
  EXPECT_DOUBLE_EQ(body(g)["planned_rate_ml_per_h"].get<double>(), 52.5);
  EXPECT_DOUBLE_EQ(body(g)["planned_dose_mg"].get<double>(), 35.0);

  // Live at the chair: start now, 10 min, pause 5 min, resume, 30 min, stop: 40 min at 52.5 mL/h.
  ASSERT_EQ(event(id, {{"kind", "start"}}).status, 201);
  now_ms_ += 10 * kMin;
  ASSERT_EQ(event(id, {{"kind", "pause"}}).status, 201);
  now_ms_ += 5 * kMin;
  Response running = get(s(id, "/delivered"), nurse_);
  ASSERT_EQ(running.status, 200) << running.body;
  EXPECT_DOUBLE_EQ(body(running)["delivered_mg"].get<double>(), 8.75);
  ASSERT_EQ(event(id, {{"kind", "resume"}}).status, 201);
  now_ms_ += 30 * kMin;
  Response stop = event(id, {{"kind", "stop"}});
  ASSERT_EQ(stop.status, 201) << stop.body;
  EXPECT_EQ(body(stop)["state"], "stopped");
  EXPECT_DOUBLE_EQ(body(stop)["delivered_mg"].get<double>(), 35.0);

  Response d = get(s(id, "/delivered"), nurse_);
  ASSERT_EQ(d.status, 200) << d.body;
  const json dj = body(d);
  EXPECT_DOUBLE_EQ(dj["delivered_mg"].get<double>(), 35.0);
  EXPECT_DOUBLE_EQ(dj["delivered_ml"].get<double>(), 35.0);
  EXPECT_DOUBLE_EQ(dj["delivered_mg_per_kg"].get<double>(), 0.5);
  EXPECT_FALSE(dj["running"].get<bool>());
  ASSERT_EQ(dj["intervals"].size(), 2u);
  EXPECT_DOUBLE_EQ(dj["intervals"][0]["minutes"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(dj["intervals"][1]["minutes"].get<double>(), 30.0);
  // Nothing after stop counts (the fixture's sessions last 60 min: stay inside them).
  now_ms_ += 10 * kMin;
  EXPECT_DOUBLE_EQ(body(get(s(id, "/delivered"), nurse_))["delivered_mg"].get<double>(), 35.0);
}

TEST_F(JourneyBTest, RateChangeAboveAHardLimitIsRefusedAndNotStored) {
  const std::int64_t id = plan_session();
  const std::int64_t start = now_ms_.load() - 30 * kMin;
  ASSERT_EQ(event(id, {{"kind", "start"}, {"at_ms", start}}).status, 201);
  const std::int64_t events = count("session_events");
  // 200 mL/h x 1 mg/mL = 200 mg/h: above the hard 150 mg/h and 1.5 mg/kg/h (105 mg/h).
  Response hard = event(
      id, {{"kind", "rate_change"}, {"rate_ml_per_h", 200}, {"override_reason", "x"}}, &physician_);
  EXPECT_EQ(hard.status, 422) << hard.body;
  EXPECT_EQ(error_field(hard), "hard_limit");
  EXPECT_EQ(count("session_events"), events);
  // 80 mL/h: above the plan and a soft limit (1.143 mg/kg/h > 1.125): physician + reason.
  Response soft = event(id, {{"kind", "rate_change"}, {"rate_ml_per_h", 80}});
  EXPECT_EQ(soft.status, 422) << soft.body;
  EXPECT_EQ(error_field(soft), "override_reason");
  // Slowing down is always allowed.
  Response slow = event(id, {{"kind", "rate_change"}, {"rate_ml_per_h", 26.2}});
  EXPECT_EQ(slow.status, 201) << slow.body;
  // Off the pump's 0.1 mL/h step.
  Response off = event(id, {{"kind", "rate_change"}, {"rate_ml_per_h", 26.25}});
  EXPECT_EQ(off.status, 400) << off.body;
  EXPECT_EQ(error_field(off), "rate_ml_per_h");
  // State machine and optimistic concurrency.
  Response bad = event(id, {{"kind", "resume"}});
  EXPECT_EQ(bad.status, 409) << bad.body;
  Response stale = with_if_match("POST", s(id, "/events"), nurse_, {{"kind", "pause"}}, "\"1\"");
  EXPECT_EQ(stale.status, 412) << stale.body;
  Response missing = with_if_match("POST", s(id, "/events"), nurse_, {{"kind", "pause"}}, "");
  EXPECT_EQ(missing.status, 428) << missing.body;
}

TEST_F(JourneyBTest, PkCurveOfTheDeliveredEvents) {
  const std::int64_t id = plan_session();
  run_40_min(id, now_ms_.load() - 50 * kMin);
  Response r = get(s(id, "/pk"), nurse_);
  ASSERT_EQ(r.status, 200) << r.body;
  const json pk = body(r);
  EXPECT_EQ(pk["model"], "domino1982");
  // Reference (docs/cli-pk.md): Domino, 70 kg, 0.5 mg/kg over 40 min -> ~240 ng/mL at 40 min.
  EXPECT_NEAR(pk["cmax_ng_per_ml"].get<double>(), 240.0, 5.0);
  EXPECT_NEAR(pk["tmax_min"].get<double>(), 40.0, 1.0);
  EXPECT_TRUE(pk["effect_ng_per_ml"].is_array());
  EXPECT_EQ(pk["plasma_ng_per_ml"].size(), pk["times_min"].size());
  EXPECT_DOUBLE_EQ(pk["total_dose_mg"].get<double>(), 35.0);
  Response unknown = get(s(id, "/pk"), nurse_, {{"model", "nope"}});
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_EQ(error_field(unknown), "model");
}

// ---------------------------------------------------------------------------------------------
// Vitals, adverse events, dissociation, discharge

TEST_F(JourneyBTest, VitalsAboveAThresholdRaiseAnAlert) {
  const std::int64_t id = plan_session();
  Response base = call("POST", s(id, "/vitals"), nurse_,
                       {{"point", "baseline"},
                        {"sbp_mmhg", 125},
                        {"dbp_mmhg", 80},
                        {"hr_bpm", 72},
                        {"spo2_percent", 98},
                        {"rr_per_min", 14}});
  ASSERT_EQ(base.status, 201) << base.body;
  EXPECT_EQ(body(base)["action"], "continue");
  EXPECT_TRUE(body(base)["alert"].is_null());
  EXPECT_EQ(body(get("/api/v1/alerts", physician_)).size(), 0u);

  Response high = call("POST", s(id, "/vitals"), nurse_,
                       {{"point", "interval"}, {"sbp_mmhg", 190}, {"dbp_mmhg", 95}});
  ASSERT_EQ(high.status, 201) << high.body;
  EXPECT_EQ(body(high)["action"], "pause");
  EXPECT_FALSE(body(high)["alert"].is_null());
  const json alerts = body(get("/api/v1/alerts", nurse_));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0]["kind"], "vitals");
  EXPECT_EQ(alerts[0]["severity"], "high");
  EXPECT_EQ(alerts[0]["patient_id"], patient_);

  // Bad reading: names the field, nothing stored.
  const std::int64_t vitals = count("session_vitals");
  Response bad = call("POST", s(id, "/vitals"), nurse_, {{"point", "interval"}, {"sbp", 120}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(error_field(bad), "sbp");
  EXPECT_EQ(count("session_vitals"), vitals);

  // A physician acknowledges it (If-Match); nurses may not.
  const std::string alert = "/api/v1/alerts/" + std::to_string(alerts[0]["id"].get<int>());
  EXPECT_EQ(with_if_match("POST", alert + "/acknowledge", nurse_, nullptr, "\"1\"").status, 403);
  Response ack = with_if_match("POST", alert + "/acknowledge", physician_,
                               {{"note", "rechecked 150/90"}}, "\"1\"");
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_EQ(body(get("/api/v1/alerts", physician_)).size(), 0u);
  EXPECT_EQ(with_if_match("POST", alert + "/acknowledge", physician_, nullptr, "\"1\"").status,
            412);
}

TEST_F(JourneyBTest, DissociationAdverseEventsAndDischarge) {
  const std::int64_t id = plan_session();
  run_40_min(id, now_ms_.load() - 60 * kMin);
  Response c = call("POST", s(id, "/dissociation"), nurse_, {{"answers", std::vector<int>(23, 1)}});
  ASSERT_EQ(c.status, 201) << c.body;
  EXPECT_DOUBLE_EQ(body(c)["total"].get<double>(), 23.0);
  Response ae =
      call("POST", s(id, "/adverse-events"), nurse_,
           {{"kind", "nausea"}, {"severity", "moderate"}, {"action_taken", "ondansetron"}});
  ASSERT_EQ(ae.status, 201) << ae.body;
  EXPECT_FALSE(body(ae)["alert"].is_null());

  json not_ready = {{"aldrete",
                     {{"activity", 1},
                      {"respiration", 2},
                      {"circulation", 2},
                      {"consciousness", 1},
                      {"o2_saturation", 1}}}};
  Response refused = with_if_match("POST", s(id, "/discharge"), nurse_, not_ready, etag_of(id));
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_EQ(error_field(refused), "discharge_score");
  json ready = {{"aldrete",
                 {{"activity", 2},
                  {"respiration", 2},
                  {"circulation", 2},
                  {"consciousness", 2},
                  {"o2_saturation", 2}}}};
  Response ok = with_if_match("POST", s(id, "/discharge"), nurse_, ready, etag_of(id));
  ASSERT_EQ(ok.status, 201) << ok.body;
  const json sess = body(ok);
  EXPECT_EQ(sess["state"], "discharged");
  EXPECT_EQ(sess["discharge"]["aldrete_score"], 10);
  EXPECT_EQ(sess["dissociation"].size(), 1u);
  EXPECT_EQ(sess["adverse_events"].size(), 1u);
  EXPECT_EQ(sess["events"].size(), 2u);
  // The record is closed: new entries are refused, corrections are not.
  Response late = call("POST", s(id, "/dissociation"), nurse_,
                       {{"answers", std::vector<int>(23, 0)}});
  EXPECT_EQ(late.status, 409) << late.body;
  EXPECT_EQ(error_field(late), "state");
  const std::int64_t cadss = body(c)["id"].get<std::int64_t>();
  Response fix = call("POST", s(id, "/dissociation/" + std::to_string(cadss) + "/corrections"),
                      nurse_,
                      {{"action", "amend"},
                       {"reason", "item 12 was scored on the wrong line"},
                       {"values", {{"answers", std::vector<int>(23, 2)}}}});
  ASSERT_EQ(fix.status, 201) << fix.body;
  const json after = body(get(s(id), nurse_));
  ASSERT_EQ(after["dissociation"].size(), 2u);
  EXPECT_EQ(after["dissociation"][0]["status"], "amended");
  EXPECT_EQ(after["dissociation"][1]["amends_id"], cadss);
  EXPECT_DOUBLE_EQ(after["dissociation"][1]["total"].get<double>(), 46.0);
}

// ---------------------------------------------------------------------------------------------
// Assessments and outcomes

TEST_F(JourneyBTest, Phq9ItemNineRaisesAHighAlertAtOnce) {
  const std::int64_t pu = add_user("patient-b1", Role::patient, patient_);
  Caller me = session_for(pu, "patient-b1", Role::patient, patient_);
  Response r =
      call("POST", p("/assessments"), me, {{"instrument", "phq9"}, {"answers", phq9(1, 2)}});
  ASSERT_EQ(r.status, 201) << r.body;
  const json a = body(r);
  EXPECT_DOUBLE_EQ(a["total"].get<double>(), 17.0);
  EXPECT_EQ(a["flags"], json::array({"suicidal_ideation"}));
  EXPECT_TRUE(a["self_report"].get<bool>());
  ASSERT_EQ(a["alerts"].size(), 1u);
  const json alerts = body(get("/api/v1/alerts", physician_));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0]["kind"], "safety_flag");
  EXPECT_EQ(alerts[0]["severity"], "high");
  EXPECT_EQ(alerts[0]["assessment_id"], a["id"]);
  // Patients fill in self-report forms only, and only their own.
  EXPECT_EQ(call("POST", p("/assessments"), me,
                 {{"instrument", "madrs"}, {"answers", std::vector<int>(10, 1)}})
                .status,
            403);
  const std::int64_t other = add_patient("MRN-B2");
  EXPECT_EQ(call("POST", "/api/v1/patients/" + std::to_string(other) + "/assessments", me,
                 {{"instrument", "phq9"}, {"answers", phq9(0, 1)}})
                .status,
            403);
  EXPECT_EQ(get("/api/v1/alerts", me).status, 403);
  // No flag, no alert.
  Response calm =
      call("POST", p("/assessments"), nurse_,
           {{"instrument", "phq9"}, {"answers", phq9(0, 1)}, {"taken_on", "2027-01-10"}});
  ASSERT_EQ(calm.status, 201) << calm.body;
  EXPECT_EQ(body(calm)["alerts"].size(), 0u);
  EXPECT_EQ(body(get("/api/v1/alerts", physician_)).size(), 1u);
}

TEST_F(JourneyBTest, Phq9ItemNineAtThreeIsUrgentACriticalAlertWithCrisisGuidance) {
  // Urgency policy: the item's highest answer (3 of 0-3) is urgent -> a critical alert
  // (docs/clinical-rules/instruments.md, safety items); crisis guidance with every flag.
  Response r = call("POST", p("/assessments"), nurse_,
                    {{"instrument", "phq9"}, {"answers", phq9(3, 1)}});
  ASSERT_EQ(r.status, 201) << r.body;
  const json a = body(r);
  ASSERT_EQ(a["alerts"].size(), 1u);
  EXPECT_EQ(a["alerts"][0]["severity"], "critical");
  const json alerts = body(get("/api/v1/alerts", physician_));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0]["severity"], "critical");
  EXPECT_EQ(alerts[0]["kind"], "safety_flag");
}

TEST_F(JourneyBTest, OutcomeResponseThenRelapseRecommendsABooster) {
  // Baseline 20, then 8 (60% reduction: response), then 16 (response lost, climb 8 = 40% of
  // baseline: one reading, unconfirmed), then 17 (the second reading: relapse). Relapse rule:
  // docs/clinical-rules/instruments.md (a single reading is not relapse, reference §10).
  const std::vector<std::pair<std::string, std::vector<int>>> sheets = {
      {"2026-11-02", {3, 3, 3, 3, 2, 2, 2, 2, 0}},
      {"2026-11-30", {1, 1, 1, 1, 1, 1, 1, 1, 0}},
      {"2027-01-04", {2, 2, 2, 2, 2, 2, 2, 2, 0}},
      {"2027-01-11", {2, 2, 2, 2, 2, 2, 2, 3, 0}}};
  for (std::size_t i = 0; i < 2; ++i) {
    Response r = call(
        "POST", p("/assessments"), nurse_,
        {{"instrument", "phq9"}, {"answers", sheets[i].second}, {"taken_on", sheets[i].first}});
    ASSERT_EQ(r.status, 201) << r.body;
  }
  Response mid = get(p("/outcome"), physician_, {{"instrument", "phq9"}});
  ASSERT_EQ(mid.status, 200) << mid.body;
  EXPECT_EQ(body(mid)["status"], "response");
  EXPECT_FALSE(body(mid)["booster_recommended"].get<bool>());

  Response r =
      call("POST", p("/assessments"), nurse_,
           {{"instrument", "phq9"}, {"answers", sheets[2].second}, {"taken_on", sheets[2].first}});
  ASSERT_EQ(r.status, 201) << r.body;
  Response once = get(p("/outcome"), physician_, {{"instrument", "phq9"}});
  ASSERT_EQ(once.status, 200) << once.body;
  EXPECT_EQ(body(once)["latest"], 16);
  EXPECT_EQ(body(once)["status"], "loss_of_response_unconfirmed");
  EXPECT_FALSE(body(once)["booster_recommended"].get<bool>());
  EXPECT_TRUE(body(once)["reassess_sooner"].get<bool>());

  r = call("POST", p("/assessments"), nurse_,
           {{"instrument", "phq9"}, {"answers", sheets[3].second}, {"taken_on", sheets[3].first}});
  ASSERT_EQ(r.status, 201) << r.body;
  Response out = get(p("/outcome"), physician_, {{"instrument", "phq9"}});
  ASSERT_EQ(out.status, 200) << out.body;
  const json o = body(out);
  EXPECT_EQ(o["baseline"], 20);
  EXPECT_EQ(o["latest"], 17);
  EXPECT_EQ(o["status"], "relapse");
  EXPECT_TRUE(o["booster_recommended"].get<bool>());
  EXPECT_FALSE(o["reason"].get<std::string>().empty());
  EXPECT_EQ(o["assessment_ids"].size(), 4u);

  EXPECT_EQ(get(p("/outcome"), physician_, {{"instrument", "gad7"}}).status, 422);
  EXPECT_EQ(error_field(get(p("/outcome"), physician_)), "instrument");
  // Bad sheet: names the element, nothing stored.
  const std::int64_t n = count("assessments");
  Response bad = call("POST", p("/assessments"), nurse_,
                      {{"instrument", "phq9"}, {"answers", {0, 1, 2, 3, 4, 0, 0, 0, 0}}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(error_field(bad), "answers[4]");
  EXPECT_EQ(count("assessments"), n);
}

// ---------------------------------------------------------------------------------------------
// Controlled-substance stock

TEST_F(JourneyBTest, WasteNeedsAValidDifferentWitness) {
  const std::int64_t lot = new_lot("K-100");
  const std::int64_t id = plan_session({{"lot_id", lot}});
  ASSERT_EQ(call("POST", "/api/v1/stock/draws", nurse_, {{"session_id", id}, {"mg", 50}}).status,
            201);
  run_40_min(id, now_ms_.load() - 50 * kMin);
  const std::int64_t before = count("stock_movements");
  json w = {{"session_id", id}, {"mg", 15}};
  json self = w;
  self["witness_user_id"] = nurse_.user_id;
  self["witness_password"] = kPassword;
  Response r1 = call("POST", "/api/v1/stock/wastes", nurse_, self);
  EXPECT_EQ(r1.status, 422) << r1.body;
  EXPECT_EQ(error_field(r1), "witness_user_id");
  json wrong = w;
  wrong["witness_user_id"] = nurse2_.user_id;
  wrong["witness_password"] = "not the password";
  Response r2 = call("POST", "/api/v1/stock/wastes", nurse_, wrong);
  EXPECT_EQ(r2.status, 422) << r2.body;
  EXPECT_EQ(error_field(r2), "witness_password");
  json desk = w;
  desk["witness_user_id"] = desk_.user_id;
  desk["witness_password"] = kPassword;
  EXPECT_EQ(call("POST", "/api/v1/stock/wastes", nurse_, desk).status, 422);
  json missing = w;
  Response r3 = call("POST", "/api/v1/stock/wastes", nurse_, missing);
  EXPECT_EQ(r3.status, 400);
  EXPECT_EQ(error_field(r3), "witness_user_id");
  EXPECT_EQ(count("stock_movements"), before);
  // More than the remainder (50 drawn - 35 delivered = 15).
  json too_much = {{"session_id", id},
                   {"mg", 20},
                   {"witness_user_id", nurse2_.user_id},
                   {"witness_password", kPassword}};
  EXPECT_EQ(call("POST", "/api/v1/stock/wastes", nurse_, too_much).status, 422);
  json ok = too_much;
  ok["mg"] = 15;
  Response r4 = call("POST", "/api/v1/stock/wastes", nurse_, ok);
  ASSERT_EQ(r4.status, 201) << r4.body;
  EXPECT_EQ(body(r4)["witness_user_id"], nurse2_.user_id);
  // Front desk handles no drugs.
  EXPECT_EQ(call("POST", "/api/v1/stock/draws", desk_, {{"session_id", id}, {"mg", 1}}).status,
            403);
}

TEST_F(JourneyBTest, DrawsAreLimitedByTheLotAndItsExpiry) {
  const std::int64_t small = new_lot("K-SMALL", "2028-01-31", 1);  // one 50 mg vial
  const std::int64_t expired = new_lot("K-OLD", "2026-12-31");
  const std::int64_t id = plan_session();
  Response old = call("POST", "/api/v1/stock/draws", nurse_,
                      {{"session_id", id}, {"lot_id", expired}, {"mg", 10}});
  EXPECT_EQ(old.status, 422) << old.body;
  EXPECT_EQ(error_field(old), "lot_id");
  Response big = call("POST", "/api/v1/stock/draws", nurse_,
                      {{"session_id", id}, {"lot_id", small}, {"ml", 6}});  // 60 mg
  EXPECT_EQ(big.status, 422) << big.body;
  EXPECT_EQ(error_field(big), "ml");
  Response ok = call("POST", "/api/v1/stock/draws", nurse_,
                     {{"session_id", id}, {"lot_id", small}, {"ml", 5}});
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_DOUBLE_EQ(body(ok)["lot_balance_mg"].get<double>(), 0.0);
  EXPECT_EQ(call("POST", "/api/v1/stock/draws", nurse_, {{"session_id", id}, {"mg", 1}}).status,
            422);
  Response ledger = get("/api/v1/stock/lots/" + std::to_string(small) + "/ledger", admin_);
  ASSERT_EQ(ledger.status, 200) << ledger.body;
  const json l = body(ledger);
  ASSERT_EQ(l["movements"].size(), 2u);
  EXPECT_DOUBLE_EQ(l["movements"][0]["balance_mg"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(l["movements"][1]["balance_mg"].get<double>(), 0.0);
  EXPECT_EQ(l["movements"][1]["session_id"], id);
  // Lot edits need the ETag.
  const std::string lot_path = "/api/v1/stock/lots/" + std::to_string(small);
  EXPECT_EQ(with_if_match("PATCH", lot_path, admin_, {{"active", false}}, "\"9\"").status, 412);
  EXPECT_EQ(with_if_match("PATCH", lot_path, admin_, {{"active", false}}, "\"1\"").status, 200);
}

TEST_F(JourneyBTest, ReconciliationBalancesAndListsDiscrepancies) {
  const std::int64_t lot = new_lot("K-200");  // 10 vials x 50 mg = 500 mg
  // Session A: draw 50, deliver 35, waste 15 (witnessed): balanced.
  const std::int64_t a = plan_session({{"lot_id", lot}});
  ASSERT_EQ(call("POST", "/api/v1/stock/draws", nurse_, {{"session_id", a}, {"mg", 50}}).status,
            201);
  run_40_min(a, now_ms_.load() - 100 * kMin);
  ASSERT_EQ(call("POST", "/api/v1/stock/wastes", nurse_,
                 {{"session_id", a},
                  {"mg", 15},
                  {"witness_user_id", physician_.user_id},
                  {"witness_password", kPassword}})
                .status,
            201);
  Response r1 = get("/api/v1/stock/reconciliation", admin_);
  ASSERT_EQ(r1.status, 200) << r1.body;
  json rec = body(r1);
  EXPECT_TRUE(rec["balanced"].get<bool>()) << rec.dump(2);
  ASSERT_EQ(rec["sessions"].size(), 1u);
  EXPECT_EQ(rec["sessions"][0]["status"], "balanced");
  EXPECT_DOUBLE_EQ(rec["lots"][0]["on_hand_mg"].get<double>(), 450.0);
  EXPECT_TRUE(rec["lots"][0]["balanced"].get<bool>());

  // Session B: draw 50, deliver 35, no waste recorded: 15 mg unaccounted.
  const std::int64_t b = plan_session({{"lot_id", lot}});
  ASSERT_EQ(call("POST", "/api/v1/stock/draws", nurse_, {{"session_id", b}, {"mg", 50}}).status,
            201);
  run_40_min(b, now_ms_.load() - 45 * kMin);
  rec = body(get("/api/v1/stock/reconciliation", physician_));
  EXPECT_FALSE(rec["balanced"].get<bool>());
  ASSERT_EQ(rec["discrepancies"].size(), 1u);
  EXPECT_EQ(rec["discrepancies"][0]["session_id"], b);
  EXPECT_DOUBLE_EQ(rec["discrepancies"][0]["difference_mg"].get<double>(), 15.0);
  EXPECT_EQ(rec["discrepancies"][0]["status"], "unaccounted");
  EXPECT_DOUBLE_EQ(rec["lots"][0]["on_hand_mg"].get<double>(), 400.0);
  EXPECT_DOUBLE_EQ(rec["lots"][0]["expected_on_hand_mg"].get<double>(), 415.0);
  EXPECT_DOUBLE_EQ(rec["lots"][0]["difference_mg"].get<double>(), -15.0);
  EXPECT_FALSE(rec["lots"][0]["balanced"].get<bool>());
  EXPECT_EQ(get("/api/v1/stock/reconciliation", desk_).status, 403);
}

// ---------------------------------------------------------------------------------------------
// Pain medications

TEST_F(JourneyBTest, MedicationListsGiveDailyMmeAndItsTrend) {
  // CDC worked examples: oxycodone ER 10 mg BID = 30, hydrocodone 5 mg QID = 20.
  Response r1 = call(
      "POST", p("/medications"), nurse_,
      {{"as_of", "2027-01-04"},
       {"medications",
        {{{"drug", "oxycodone"}, {"route", "oral"}, {"dose_mg", 10}, {"doses_per_day", 2}},
         {{"drug", "hydrocodone"}, {"route", "oral"}, {"dose_mg", 5}, {"doses_per_day", 4}}}}});
  ASSERT_EQ(r1.status, 201) << r1.body;
  EXPECT_DOUBLE_EQ(body(r1)["total_mme_per_day"].get<double>(), 50.0);
  Response r2 =
      call("POST", p("/medications"), physician_,
           {{"medications",
             {{{"drug", "oxycodone"}, {"route", "oral"}, {"dose_mg", 10}, {"doses_per_day", 2}}}}});
  ASSERT_EQ(r2.status, 201) << r2.body;
  EXPECT_DOUBLE_EQ(body(r2)["total_mme_per_day"].get<double>(), 30.0);
  EXPECT_DOUBLE_EQ(body(r2)["result"]["change_mme_per_day"].get<double>(), -20.0);
  Response h = get(p("/medications"), nurse_);
  ASSERT_EQ(h.status, 200) << h.body;
  const json hist = body(h);
  ASSERT_EQ(hist["trend"].size(), 2u);
  EXPECT_DOUBLE_EQ(hist["trend"][0]["total_mme_per_day"].get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(hist["trend"][1]["change_mme_per_day"].get<double>(), -20.0);
  EXPECT_DOUBLE_EQ(hist["current"]["total_mme_per_day"].get<double>(), 30.0);
  Response bad = call(
      "POST", p("/medications"), nurse_,
      {{"medications",
        {{{"drug", "meperidine"}, {"route", "oral"}, {"dose_mg", 50}, {"doses_per_day", 4}}}}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(error_field(bad), "medications[0].drug");
  EXPECT_EQ(count("medication_lists"), 2);
  EXPECT_EQ(call("POST", p("/medications"), desk_, {{"medications", json::array()}}).status, 403);
}

}  // namespace
}  // namespace kit::server::testing
