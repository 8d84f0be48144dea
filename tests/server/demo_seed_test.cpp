// The demo clinic (`kit serve --demo`, server/demo/demo_clinic.cpp): seeded through the API on an
// empty SQLite clinic, with every indication, accepted session plans, a booster recommendation,
// an open alert, a stock ledger that reconciles, and nothing added by a second seed.
#include <chrono>
#include <set>

#include "server/api/auth.h"
#include "server/demo/demo.h"
#include "tests/server/api_fixture.h"

namespace kit::server::testing {
namespace {

class DemoSeedTest : public ApiFixture {
 protected:
  std::int64_t count(const std::string& sql) {
    return storage::with_transaction(
        *db_, [&](storage::Transaction& tx) { return tx.query(sql).front().i64("n"); });
  }
  std::map<std::string, std::int64_t> snapshot() {
    std::map<std::string, std::int64_t> out;
    for (const char* t :
         {"patients", "screenings", "approvals", "courses", "appointments", "infusion_sessions",
          "assessments", "alerts", "stock_movements", "stock_lots", "clinics", "chairs",
          "inquiries", "medication_lists", "users"}) {
      out[t] = count(std::string("SELECT COUNT(*) AS n FROM ") + t);
    }
    return out;
  }
};

TEST_F(DemoSeedTest, SeedsAWholeClinicThroughTheApiOnceOnly) {
  const auto t0 = std::chrono::steady_clock::now();
  const DemoSummary first = seed_demo(*services_, kPassword);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "demo seed: " << seconds << " s, " << first.counts.dump() << std::endl;
  ASSERT_TRUE(first.seeded);

  EXPECT_GE(count("SELECT COUNT(*) AS n FROM patients"), 30);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM patients WHERE mrn LIKE 'DEMO-%'"),
            count("SELECT COUNT(*) AS n FROM patients"));
  for (const char* ind : {"depression", "ptsd", "ocd", "chronic_pain"}) {
    EXPECT_GE(
        count(std::string("SELECT COUNT(*) AS n FROM patients WHERE indication = '") + ind + "'"),
        4)
        << ind;
  }
  // DEMO-0001 stays the `patient` account's record, and has a history.
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM users u JOIN patients p ON p.id = u.patient_id "
                  "WHERE u.username = 'patient' AND p.mrn = 'DEMO-0001'"),
            1);
  EXPECT_GE(count("SELECT COUNT(*) AS n FROM infusion_sessions s JOIN patients p ON "
                  "p.id = s.patient_id WHERE p.mrn = 'DEMO-0001' AND s.state = 'discharged'"),
            6);
  // Journey stages: declined with reasons, some still at intake, courses in several states.
  EXPECT_GE(count("SELECT COUNT(*) AS n FROM patients WHERE status = 'declined'"), 2);
  EXPECT_GE(count("SELECT COUNT(*) AS n FROM patients WHERE status = 'intake'"), 2);
  EXPECT_GE(count("SELECT COUNT(*) AS n FROM courses WHERE state = 'maintenance'"), 1);
  EXPECT_GE(count("SELECT COUNT(*) AS n FROM courses WHERE state = 'completed'"), 1);
  // Sessions: accepted plans, completed with a discharge, past appointments completed.
  EXPECT_GE(count("SELECT COUNT(*) AS n FROM infusion_sessions WHERE plan_status = 'accepted' "
                  "AND state = 'discharged'"),
            60);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM infusion_sessions WHERE state <> 'discharged'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM session_discharges"),
            count("SELECT COUNT(*) AS n FROM infusion_sessions"));
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM appointments WHERE status = 'completed'"),
            count("SELECT COUNT(*) AS n FROM infusion_sessions"));
  EXPECT_GE(count("SELECT COUNT(*) AS n FROM appointments WHERE status = 'booked'"), 1);
  EXPECT_GE(count("SELECT COUNT(*) AS n FROM medication_lists"), 2);
  EXPECT_GE(count("SELECT COUNT(*) AS n FROM inquiries WHERE status = 'new'"), 3);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM clinics WHERE name = 'KIT Demo Clinic'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM chairs"), 4);
  // Nothing in the future.
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM session_events WHERE at_ms > " +
                  std::to_string(now_ms_.load())),
            0);
  // The audit log shows the demo users at work.
  EXPECT_GT(count("SELECT COUNT(*) AS n FROM audit_log WHERE username = 'nurse'"), 100);

  const Caller md = make_caller(Role::physician);
  // At least one booster recommendation, over every patient and their instrument.
  int boosters = 0;
  std::set<std::string> statuses;
  storage::Rows rows = storage::with_transaction(*db_, [](storage::Transaction& tx) {
    return tx.query(
        "SELECT DISTINCT patient_id, instrument FROM assessments WHERE session_id IS NULL");
  });
  for (const storage::Row& r : rows) {
    Request q =
        request("GET", "/api/v1/patients/" + std::to_string(r.i64("patient_id")) + "/outcome");
    q.query["instrument"] = r.text("instrument");
    const Response out = call(q, &md);
    ASSERT_EQ(out.status, 200) << out.body;
    const nlohmann::json o = body(out);
    statuses.insert(o["status"].get<std::string>());
    if (o["booster_recommended"] == true) ++boosters;
  }
  EXPECT_GE(boosters, 1);
  EXPECT_TRUE(statuses.count("remission")) << nlohmann::json(statuses).dump();
  EXPECT_TRUE(statuses.count("response")) << nlohmann::json(statuses).dump();
  EXPECT_TRUE(statuses.count("relapse")) << nlohmann::json(statuses).dump();

  // An open alert: the PHQ-9 item 9 safety flag.
  const Response alerts = call("GET", "/api/v1/alerts", md);
  ASSERT_EQ(alerts.status, 200);
  bool safety = false;
  for (const auto& a : body(alerts)) safety = safety || a["kind"] == "safety_flag";
  EXPECT_TRUE(safety) << alerts.body;

  // The stock reconciles: every session's draw is delivered or wasted (with a witness).
  const Response rec = call("GET", "/api/v1/stock/reconciliation", md);
  ASSERT_EQ(rec.status, 200) << rec.body;
  EXPECT_TRUE(body(rec)["discrepancies"].empty()) << rec.body;
  EXPECT_GE(count("SELECT COUNT(*) AS n FROM stock_movements WHERE kind = 'waste'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) AS n FROM stock_movements WHERE kind = 'draw'"),
            count("SELECT COUNT(*) AS n FROM infusion_sessions"));

  // A restart: the passwords are reset, nothing is added.
  const auto before = snapshot();
  const DemoSummary second = seed_demo(*services_, kPassword);
  EXPECT_FALSE(second.seeded);
  EXPECT_EQ(snapshot(), before);
}

// Start-up on the demo clinic (issue 10: under 1 s): the demo accounts share one password, so the
// seed computes Argon2id once, not once per account, login and witnessed waste (~14 times,
// ~0.1 s each). The accounts still verify by real Argon2id afterwards, and a wrong password fails.
TEST_F(DemoSeedTest, SeedHashesTheSharedDemoPasswordOnlyOnce) {
  const std::int64_t before = password_hash_operations();
  ASSERT_TRUE(seed_demo(*services_, kPassword).seeded);
  EXPECT_EQ(password_hash_operations() - before, 1);
  const std::string nurse = storage::with_transaction(*db_, [&](storage::Transaction& tx) {
    return tx.query("SELECT password_hash AS h FROM users WHERE username = 'nurse'")
        .at(0)
        .text("h");
  });
  const std::int64_t after_seed = password_hash_operations();
  EXPECT_TRUE(verify_password(nurse, kPassword));
  EXPECT_FALSE(verify_password(nurse, std::string(kPassword) + "x"));
  EXPECT_EQ(password_hash_operations() - after_seed, 2);  // no memo outside the seed
}

TEST(SeedPasswordMemoTest, RemembersOnlyItsOwnPasswordAndOnlyWhileItLives) {
  std::string hash;
  {
    SeedPasswordMemo memo;
    const std::int64_t before = password_hash_operations();
    hash = hash_password("correct horse battery");
    EXPECT_EQ(hash_password("correct horse battery"), hash);
    EXPECT_TRUE(verify_password(hash, "correct horse battery"));
    EXPECT_EQ(password_hash_operations() - before, 1);
    EXPECT_FALSE(verify_password(hash, "wrong horse battery"));  // computed, never remembered
    EXPECT_NE(hash_password("another password here"), hash);
    EXPECT_EQ(password_hash_operations() - before, 3);
  }
  const std::int64_t before = password_hash_operations();
  EXPECT_NE(hash_password("correct horse battery"), hash);  // fresh salt again
  EXPECT_TRUE(verify_password(hash, "correct horse battery"));
  EXPECT_EQ(password_hash_operations() - before, 2);
}

}  // namespace
}  // namespace kit::server::testing
