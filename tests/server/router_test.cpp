// The router: matching, 404/405, error mapping, the per-request transaction, ETag/If-Match.
#include "core/common/error.h"
#include "server/api/api_error.h"
#include "storage/sqlite_database.h"
#include "tests/server/api_fixture.h"

namespace kit::server::testing {
namespace {

class RouterTest : public ApiFixture {
 protected:
  Route route(const std::string& method, const std::string& pattern, Handler h,
              Access access = Access{true, {}, false}, bool patient_data = false) {
    Route r;
    r.method = method;
    r.pattern = pattern;
    r.summary = "test";
    r.tag = "test";
    r.access = std::move(access);
    r.patient_data = patient_data;
    r.handler = std::move(h);
    return r;
  }
  std::int64_t count_marks() {
    return storage::with_transaction(*db_, [](storage::Transaction& tx) {
      return tx.query("SELECT COUNT(*) AS n FROM login_throttle WHERE username LIKE 'mark%'")
          .front()
          .i64("n");
    });
  }
  Router local_;
};

TEST_F(RouterTest, MatchesParametersAndPrefersLiteralSegments) {
  local_.add(route("GET", "/api/v1/things/{id}", [](RouteContext& c) {
    return json_response({{"id", c.id_param("id")}});
  }));
  local_.add(route("GET", "/api/v1/things/special", [](RouteContext&) {
    return json_response({{"special", true}});
  }));
  Response a = local_.dispatch(request("GET", "/api/v1/things/42"), *services_);
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(body(a)["id"], 42);
  Response b = local_.dispatch(request("GET", "/api/v1/things/special"), *services_);
  EXPECT_EQ(body(b)["special"], true);
  Response c = local_.dispatch(request("GET", "/api/v1/things/abc"), *services_);
  EXPECT_EQ(c.status, 400);
  EXPECT_EQ(error_code(c), "invalid_input");
  EXPECT_EQ(error_field(c), "id");
}

TEST_F(RouterTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  Response a = anon("GET", "/api/v1/nowhere");
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(error_code(a), "not_found");
  Response b = anon("DELETE", "/api/v1/inquiries");
  EXPECT_EQ(b.status, 405);
  EXPECT_EQ(error_code(b), "method_not_allowed");
  EXPECT_EQ(header(b, "Allow"), "GET, POST");
  EXPECT_EQ(anon("GET", "/api/v1/inquiries/").status, 404);
}

TEST_F(RouterTest, MapsEveryErrorKindToItsStatusAndShape) {
  local_.add(route("GET", "/e/api", [](RouteContext&) -> Response {
    throw ApiError::rule_refused("over the hard limit", "dose_mg");
  }));
  local_.add(route("GET", "/e/input", [](RouteContext&) -> Response {
    throw kit::InputError("weight_kg", "must be positive");
  }));
  local_.add(route("GET", "/e/constraint", [](RouteContext&) -> Response {
    throw storage::ConstraintViolation("UNIQUE constraint failed: users.username");
  }));
  local_.add(route("GET", "/e/internal", [](RouteContext&) -> Response {
    throw std::runtime_error("secret internals /etc/passwd");
  }));
  local_.add(route("GET", "/e/json", [](RouteContext& c) -> Response {
    return json_response(parse_body(c.request()));
  }));
  Response r = anon("GET", "/e/api");
  r = local_.dispatch(request("GET", "/e/api"), *services_);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(error_code(r), "rule_refused");
  EXPECT_EQ(error_field(r), "dose_mg");
  r = local_.dispatch(request("GET", "/e/input"), *services_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_field(r), "weight_kg");
  r = local_.dispatch(request("GET", "/e/constraint"), *services_);
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(error_code(r), "conflict");
  r = local_.dispatch(request("GET", "/e/internal"), *services_);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(error_code(r), "internal");
  EXPECT_EQ(r.body.find("passwd"), std::string::npos);
  r = local_.dispatch(request("GET", "/e/json", "{not json"), *services_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_field(r), "body");
  r = local_.dispatch(request("GET", "/e/json", ""), *services_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_field(r), "body");
}

TEST_F(RouterTest, CommitsAfterTheHandlerAndRollsBackOnError) {
  local_.add(route("POST", "/w/ok", [](RouteContext& c) {
    c.tx().exec("INSERT INTO login_throttle (username, updated_at_ms) VALUES ('mark1', 0)");
    return json_response({{"ok", true}});
  }));
  local_.add(route("POST", "/w/fail", [](RouteContext& c) -> Response {
    c.tx().exec("INSERT INTO login_throttle (username, updated_at_ms) VALUES ('mark2', 0)");
    throw ApiError::conflict("no");
  }));
  EXPECT_EQ(local_.dispatch(request("POST", "/w/ok"), *services_).status, 200);
  EXPECT_EQ(local_.dispatch(request("POST", "/w/fail"), *services_).status, 409);
  EXPECT_EQ(count_marks(), 1);
}

TEST_F(RouterTest, RetriesTransientConflictsThen503) {
  int calls = 0;
  local_.add(route("POST", "/t/flaky", [&calls](RouteContext& c) -> Response {
    c.tx().exec("INSERT INTO login_throttle (username, updated_at_ms) VALUES ('mark-flaky', 0)");
    if (++calls < 3) throw storage::TransientConflict("busy");
    return json_response({{"calls", calls}});
  }));
  local_.add(route("POST", "/t/always",
                   [](RouteContext&) -> Response { throw storage::TransientConflict("busy"); }));
  Response r = local_.dispatch(request("POST", "/t/flaky"), *services_);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(count_marks(), 1);  // the failed attempts rolled back
  r = local_.dispatch(request("POST", "/t/always"), *services_);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(error_code(r), "busy");
}

TEST_F(RouterTest, IfMatchMissingIs428AndStaleIs412) {
  local_.add(route("PATCH", "/v/{id}", [](RouteContext& c) {
    c.require_if_match(7);
    return json_response_with_etag({{"ok", true}}, 8);
  }));
  Request req = request("PATCH", "/v/1");
  Response r = local_.dispatch(req, *services_);
  EXPECT_EQ(r.status, 428);
  EXPECT_EQ(error_code(r), "if_match_required");
  req.headers["if-match"] = "\"6\"";
  r = local_.dispatch(req, *services_);
  EXPECT_EQ(r.status, 412);
  EXPECT_EQ(error_code(r), "stale_write");
  req.headers["if-match"] = "W/\"7\"";
  EXPECT_EQ(local_.dispatch(req, *services_).status, 412);
  req.headers["if-match"] = "\"7\"";
  r = local_.dispatch(req, *services_);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(header(r, "ETag"), "\"8\"");
}

TEST_F(RouterTest, PatientSelfNeedsTheHandlerToCheckWhenThePathNamesNoPatient) {
  const std::int64_t mine = add_patient("MRN-1");
  const std::int64_t other = add_patient("MRN-2");
  Caller patient = make_caller(Role::patient, mine);
  Access self{false, {Role::nurse}, true};
  // Forgets to call require_patient_access: fail closed.
  local_.add(route(
      "GET", "/p/forgetful", [](RouteContext&) { return json_response({}); }, self));
  local_.add(route(
      "GET", "/p/checks/{x}",
      [](RouteContext& c) {
        c.require_patient_access(c.id_param("x"));
        return json_response({});
      },
      self, true));
  local_.add(route(
      "GET", "/p/{patient_id}/thing", [](RouteContext&) { return json_response({}); }, self, true));
  auto as_patient = [&](const std::string& path) {
    Request req = request("GET", path);
    req.headers["authorization"] = "Bearer " + patient.token;
    return local_.dispatch(req, *services_);
  };
  EXPECT_EQ(as_patient("/p/forgetful").status, 403);
  EXPECT_EQ(as_patient("/p/checks/" + std::to_string(mine)).status, 200);
  EXPECT_EQ(as_patient("/p/checks/" + std::to_string(other)).status, 403);
  EXPECT_EQ(as_patient("/p/" + std::to_string(mine) + "/thing").status, 200);
  EXPECT_EQ(as_patient("/p/" + std::to_string(other) + "/thing").status, 403);
  // Audit names the patient that was asked for, allowed or denied.
  storage::Rows rows = last_audit(1);
  EXPECT_EQ(rows.front().opt_i64("patient_id"), other);
  EXPECT_EQ(rows.front().text("outcome"), "denied");
}

// ADR 0026: a director sees aggregates only. Even on a route that admits the role, an answer that
// named or listed a patient is refused (403) and audited as denied (the fence behind the roles).
TEST_F(RouterTest, ADirectorIsNeverAnsweredWithAPatientsData) {
  const std::int64_t pid = add_patient("MRN-D1");
  Caller director = make_caller(Role::director, std::nullopt);
  Access both{false, {Role::director, Role::physician}, false};
  local_.add(route(
      "GET", "/d/named", [pid](RouteContext& c) {
        c.set_patient(pid);
        return json_response({});
      },
      both, true));
  local_.add(route(
      "GET", "/d/listed", [pid](RouteContext& c) {
        c.add_listed_patient(pid);
        return json_response({});
      },
      both, true));
  local_.add(route(
      "GET", "/d/aggregate", [](RouteContext&) { return json_response({{"n", 3}}); }, both));
  auto as_director = [&](const std::string& path) {
    Request req = request("GET", path);
    req.headers["authorization"] = "Bearer " + director.token;
    return local_.dispatch(req, *services_);
  };
  EXPECT_EQ(as_director("/d/named").status, 403);
  EXPECT_EQ(as_director("/d/listed").status, 403);
  EXPECT_EQ(as_director("/d/aggregate").status, 200);
  EXPECT_EQ(role_from_name("director"), Role::director);
  EXPECT_EQ(role_name(Role::director), "director");
}

TEST(Iso8601, FormatsUtcMilliseconds) {
  EXPECT_EQ(iso8601_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601_ms(1'732'460'170'123), "2024-11-24T14:56:10.123Z");
  EXPECT_EQ(iso8601_ms(951'782'400'000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(iso8601_ms(-1), "1969-12-31T23:59:59.999Z");
}

TEST(Roles, NamesRoundTrip) {
  for (Role r : {Role::admin, Role::physician, Role::nurse, Role::front_desk, Role::patient}) {
    EXPECT_EQ(role_from_name(role_name(r)), r);
  }
  EXPECT_FALSE(role_from_name("root").has_value());
}

// Reads off the writer (issue 10 §2, ADR 0021): on SQLite a GET's SQL, and the authentication of
// its caller, run on a WAL reader beside the writer; only the audit row takes a writer turn (one
// transaction), committed before the answer leaves. A write acknowledged before it is seen.
TEST_F(RouterTest, AnAuditedReadTakesTheWriterOnlyForItsAuditRow) {
  local_.add(route(
      "GET", "/api/v1/patients/{id}",
      [](RouteContext& c) {
        const std::int64_t n =
            c.tx()
                .query("SELECT COUNT(*) AS n FROM login_throttle WHERE username LIKE 'mark%'")
                .at(0)
                .i64("n");
        return json_response({{"marks", n}});
      },
      Access{false, {Role::nurse}, false}, true));
  local_.add(route("POST", "/w/ok", [](RouteContext& c) {
    c.tx().exec("INSERT INTO login_throttle (username, updated_at_ms) VALUES ('mark1', 0)");
    return json_response({{"ok", true}});
  }));
  const std::int64_t patient = add_patient("MRN-READ-1");
  const Caller nurse = make_caller(Role::nurse);
  ASSERT_EQ(local_.dispatch(request("POST", "/w/ok"), *services_).status, 200);
  const std::int64_t audit_before = audit_rows();
  const std::int64_t writes_before = storage::sqlite_writer_stats(*db_).transactions;
  Request req = request("GET", "/api/v1/patients/" + std::to_string(patient));
  req.headers["authorization"] = "Bearer " + nurse.token;
  const Response r = local_.dispatch(req, *services_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["marks"], 1);  // the acknowledged write is seen
  EXPECT_EQ(storage::sqlite_writer_stats(*db_).transactions - writes_before, 1);
  EXPECT_EQ(audit_rows(), audit_before + 1);
  EXPECT_EQ(last_audit().at(0).opt_i64("patient_id"), patient);
}

// A GET handler that writes (GET /sessions/{id} raises an alert once) cannot write on a reader:
// the request runs again, from the start, on the writer; the write is stored once.
TEST_F(RouterTest, AReadRouteThatWritesRunsAgainOnTheWriter) {
  local_.add(route("GET", "/r/writes", [](RouteContext& c) {
    c.tx().exec("INSERT INTO login_throttle (username, updated_at_ms) VALUES ('mark9', 0)");
    return json_response({{"ok", true}});
  }));
  EXPECT_EQ(local_.dispatch(request("GET", "/r/writes"), *services_).status, 200);
  EXPECT_EQ(count_marks(), 1);
}

}  // namespace
}  // namespace kit::server::testing
