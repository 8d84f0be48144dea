// Audit: every patient-data route leaves exactly one row per call with the right outcome; the
// hash chain detects tampering; patients see who opened their record.
#include "server/api/audit.h"

#include <filesystem>

#include "server/api/audit_anchor.h"
#include "tests/server/api_fixture.h"

namespace kit::server::testing {
namespace {

class AuditTest : public ApiFixture {
 protected:
  static std::string concrete(const std::string& pattern, std::int64_t patient) {
    std::string out;
    std::size_t i = 0;
    while (i < pattern.size()) {
      if (pattern[i] == '{') {
        const std::size_t end = pattern.find('}', i);
        const std::string name = pattern.substr(i + 1, end - i - 1);
        out += (name == "patient_id" || out == "/api/v1/patients/") ? std::to_string(patient) : "1";
        i = end + 1;
      } else {
        out.push_back(pattern[i++]);
      }
    }
    return out;
  }
  ChainCheck check() {
    return storage::with_transaction(*db_,
                                     [](storage::Transaction& tx) { return verify_chain(tx); });
  }
  void sql(const std::string& statement) {
    storage::with_transaction(*db_, [&](storage::Transaction& tx) { tx.exec(statement); });
  }
};

TEST_F(AuditTest, EveryPatientDataRouteLeavesExactlyOneRowPerCall) {
  const std::int64_t pid = add_patient("MRN-A");
  std::map<Role, Caller> callers;
  for (Role r : {Role::admin, Role::physician, Role::nurse, Role::front_desk}) {
    callers[r] = make_caller(r);
  }
  callers[Role::patient] = make_caller(Role::patient, pid);
  int audited_routes = 0;
  for (const Route& route : router_.routes()) {
    const std::string path = concrete(route.pattern, pid);
    SCOPED_TRACE(route.method + " " + route.pattern);
    // Allowed (by role, or public).
    // A fresh session per call: logout and password routes end sessions.
    std::optional<Caller> fresh;
    const Caller* who = nullptr;
    if (!route.access.is_public) {
      if (route.access.roles.empty()) continue;
      const Caller& c = callers[*route.access.roles.begin()];
      fresh = session_for(c.user_id, c.username, *c.role, c.patient_id);
      who = &*fresh;
    }
    std::int64_t before = audit_rows();
    Response r = call(request(route.method, path), who);
    if (!route.patient_data && !route.audited) {
      EXPECT_EQ(audit_rows(), before) << "route not flagged patient_data or audited but audited";
      continue;
    }
    ++audited_routes;
    ASSERT_EQ(audit_rows(), before + 1) << r.status << " " << r.body;
    storage::Row row = last_audit().front();
    EXPECT_EQ(row.text("action"), route.method + " " + route.pattern);
    EXPECT_EQ(row.i64("status"), r.status);
    EXPECT_EQ(row.text("outcome"), r.status < 400 ? "allowed" : "denied");
    EXPECT_EQ(row.text("remote_address"), "10.0.0.7");
    EXPECT_EQ(row.i64("at_ms"), now_ms_.load());
    if (who) {
      EXPECT_EQ(row.text("username"), who->username);
      EXPECT_EQ(row.text("role"), std::string(role_name(*who->role)));
    }
    if (route.pattern.find("{patient_id}") != std::string::npos) {
      EXPECT_EQ(row.opt_i64("patient_id"), pid);
    }
    // Denied: anonymous on a non-public route.
    if (!route.access.is_public) {
      before = audit_rows();
      Response d = call(request(route.method, path), nullptr);
      EXPECT_EQ(d.status, 401);
      ASSERT_EQ(audit_rows(), before + 1);
      storage::Row drow = last_audit().front();
      EXPECT_EQ(drow.text("outcome"), "denied");
      EXPECT_EQ(drow.i64("status"), 401);
      EXPECT_EQ(drow.text("username"), "");
    }
  }
  EXPECT_GT(audited_routes, 0);
  EXPECT_TRUE(check().ok);
}

TEST_F(AuditTest, AllowedReadIsRecordedWithWhoWhatWhenWhere) {
  Caller desk = make_caller(Role::front_desk);
  ASSERT_EQ(anon("POST", "/api/v1/inquiries",
                 {{"name", "Sam"}, {"contact", "+1 555 010 9999"}, {"reason", "ptsd"}})
                .status,
            201);
  ASSERT_EQ(call("GET", "/api/v1/inquiries", desk).status, 200);
  storage::Row row = last_audit().front();
  EXPECT_EQ(row.text("outcome"), "allowed");
  EXPECT_EQ(row.i64("status"), 200);
  EXPECT_EQ(row.opt_i64("user_id"), desk.user_id);
  EXPECT_EQ(row.text("role"), "front_desk");
  EXPECT_EQ(row.text("action"), "GET /api/v1/inquiries");
  EXPECT_FALSE(row.opt_i64("patient_id").has_value());
  // A wrong role is a recorded denial.
  Caller nurse = make_caller(Role::nurse);
  EXPECT_EQ(call("GET", "/api/v1/inquiries", nurse).status, 403);
  row = last_audit().front();
  EXPECT_EQ(row.text("outcome"), "denied");
  EXPECT_EQ(row.i64("status"), 403);
  EXPECT_EQ(row.text("username"), nurse.username);
}

TEST_F(AuditTest, TamperingIsDetected) {
  Caller desk = make_caller(Role::front_desk);
  for (int i = 0; i < 5; ++i) call("GET", "/api/v1/inquiries", desk);
  ChainCheck ok = check();
  EXPECT_TRUE(ok.ok);
  EXPECT_EQ(ok.rows, 5);

  Caller admin = make_caller(Role::admin);
  Response v = call("GET", "/api/v1/audit/verify", admin);
  ASSERT_EQ(v.status, 200);
  EXPECT_EQ(body(v)["ok"], true);

  const std::int64_t id3 = storage::with_transaction(*db_, [](storage::Transaction& tx) {
    return tx.query("SELECT id FROM audit_log WHERE seq = 3").front().i64("id");
  });
  sql("UPDATE audit_log SET remote_address = '192.168.1.1' WHERE seq = 3");
  ChainCheck bad = check();
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.first_bad_id, id3);
  v = call("GET", "/api/v1/audit/verify", admin);
  EXPECT_EQ(body(v)["ok"], false);
  EXPECT_EQ(body(v)["first_bad_id"], id3);
}

TEST_F(AuditTest, DeletingRowsIsDetected) {
  Caller desk = make_caller(Role::front_desk);
  for (int i = 0; i < 4; ++i) call("GET", "/api/v1/inquiries", desk);
  sql("DELETE FROM audit_log WHERE seq = 2");
  EXPECT_FALSE(check().ok);
}

TEST_F(AuditTest, DeletingTheTailIsDetected) {
  Caller desk = make_caller(Role::front_desk);
  for (int i = 0; i < 4; ++i) call("GET", "/api/v1/inquiries", desk);
  sql("DELETE FROM audit_log WHERE seq = 4");
  ChainCheck c = check();
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.rows, 3);
}

TEST_F(AuditTest, RowsAppendedTogetherChainLikeRowsAppendedOneByOne) {
  // 23 rows cross the 10-row inserts; single appends before and after join the same chain.
  AuditEntry e;
  e.at_ms = 1;
  e.action = "GET /api/v1/patients";
  e.outcome = "allowed";
  e.status = 200;
  storage::with_transaction(*db_, [&](storage::Transaction& tx) { append_audit(tx, e); });
  std::vector<AuditEntry> rows;
  for (std::int64_t pid = 1; pid <= 23; ++pid) {
    e.patient_id = pid;
    rows.push_back(e);
  }
  const ChainHead head = storage::with_transaction(
      *db_, [&](storage::Transaction& tx) { return append_audit_rows(tx, rows); });
  EXPECT_EQ(head.seq, 24);
  storage::with_transaction(*db_, [&](storage::Transaction& tx) { append_audit(tx, e); });
  const ChainCheck c = check();
  EXPECT_TRUE(c.ok);
  EXPECT_EQ(c.rows, 25);
  EXPECT_EQ(c.head.seq, 25);
  sql("UPDATE audit_log SET patient_id = 99 WHERE seq = 14");
  EXPECT_FALSE(check().ok);
}

TEST_F(AuditTest, AnchorsFindACutTailThatTheChainAloneDoesNot) {
  Caller desk = make_caller(Role::front_desk);
  for (int i = 0; i < 5; ++i) call("GET", "/api/v1/inquiries", desk);
  const std::filesystem::path file = dir_ / kAnchorFileName;
  const AnchorKey key = load_or_create_anchor_key(dir_ / kAnchorKeyFileName);
  const ChainHead anchored = read_chain_head(*db_);
  AnchorLine line;
  line.seq = anchored.seq;
  line.hash = anchored.hash;
  line.at_ms = 1;
  line.by = "test";
  line.reason = "rows";
  append_anchor_line(file, signed_anchor_line(line, key));
  auto anchors_check = [&] {
    const AnchorFile f = read_anchor_file(file, key);
    return storage::with_transaction(*db_, [&](storage::Transaction& tx) {
      return compare_anchors(tx, f, verify_chain(tx).head);
    });
  };
  EXPECT_TRUE(anchors_check().ok);
  // The last two rows removed and the head rewritten: the chain verifies, the anchor does not.
  const std::int64_t keep = anchored.seq - 2;
  sql("DELETE FROM audit_log WHERE seq > " + std::to_string(keep));
  sql("UPDATE audit_head SET seq = " + std::to_string(keep) +
      ", last_hash = (SELECT hash FROM audit_log WHERE seq = " + std::to_string(keep) + ")");
  EXPECT_TRUE(check().ok);
  const AnchorCheck a = anchors_check();
  EXPECT_FALSE(a.ok);
  EXPECT_EQ(a.problem_code, "chain_cut");
  EXPECT_EQ(a.seq, anchored.seq);
  // A line signed with another key is refused.
  AnchorKey other = key;
  other.bytes[0] ^= 1;
  append_anchor_line(file, signed_anchor_line(line, other));
  const AnchorCheck forged = read_anchor_file(file, key).check;
  EXPECT_EQ(forged.problem_code, "bad_signature");
  EXPECT_EQ(forged.line, 2);
}

TEST_F(AuditTest, AdminQueriesWithFilters) {
  Caller admin = make_caller(Role::admin);
  Caller desk = make_caller(Role::front_desk);
  call("GET", "/api/v1/inquiries", desk);
  now_ms_ += 60'000;
  call("GET", "/api/v1/inquiries", desk);
  call("GET", "/api/v1/users", admin);
  Response r;
  Request req = request("GET", "/api/v1/audit");
  req.query["user"] = desk.username;
  r = call(req, &admin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r).size(), 2u);
  req.query["from"] = iso8601_ms(now_ms_.load());
  r = call(req, &admin);
  EXPECT_EQ(body(r).size(), 1u);
  req.query["limit"] = "0";
  r = call(req, &admin);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_field(r), "limit");
  req.query.erase("limit");
  req.query["to"] = "yesterday";
  r = call(req, &admin);
  EXPECT_EQ(error_field(r), "to");
  // Newest first.
  Request all = request("GET", "/api/v1/audit");
  r = call(all, &admin);
  const auto rows = body(r);
  ASSERT_GE(rows.size(), 3u);
  EXPECT_GT(rows[0]["seq"].get<std::int64_t>(), rows[1]["seq"].get<std::int64_t>());
}

TEST_F(AuditTest, PatientSeesWhoOpenedTheirRecordButNotOthers) {
  const std::int64_t mine = add_patient("MRN-1");
  const std::int64_t other = add_patient("MRN-2");
  Caller admin = make_caller(Role::admin);
  Caller physician = make_caller(Role::physician);
  // The admin creates the patient's account: audited against the patient.
  Response r = call("POST", "/api/v1/users", admin,
                    {{"username", "pat"},
                     {"password", "a patient password"},
                     {"role", "patient"},
                     {"patient_id", mine}});
  ASSERT_EQ(r.status, 201) << r.body;
  Caller patient = session_for(body(r)["id"], "pat", Role::patient, mine);

  r = call("GET", "/api/v1/patients/" + std::to_string(mine) + "/access-log", physician);
  ASSERT_EQ(r.status, 200);

  r = call("GET", "/api/v1/patients/" + std::to_string(mine) + "/access-log", patient);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto log = body(r);
  ASSERT_EQ(log.size(), 1u);  // reads of the access log itself are left out
  EXPECT_EQ(log[0]["username"], admin.username);
  EXPECT_EQ(log[0]["action"], "POST /api/v1/users");
  EXPECT_EQ(log[0]["remote_address"], "10.0.0.7");

  r = call("GET", "/api/v1/patients/" + std::to_string(other) + "/access-log", patient);
  EXPECT_EQ(r.status, 403);
  storage::Row row = last_audit().front();
  EXPECT_EQ(row.text("outcome"), "denied");
  EXPECT_EQ(row.opt_i64("patient_id"), other);
  EXPECT_EQ(row.text("username"), "pat");

  Caller nurse = make_caller(Role::nurse);
  EXPECT_EQ(call("GET", "/api/v1/patients/" + std::to_string(mine) + "/access-log", nurse).status,
            403);
}

}  // namespace
}  // namespace kit::server::testing
