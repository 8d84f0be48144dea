// Login, sessions (bearer and cookie + CSRF), logout, lock-out, password changes.
#include "server/api/api_error.h"
#include "tests/server/api_fixture.h"

namespace kit::server::testing {
namespace {

class AuthTest : public ApiFixture {
 protected:
  Response login(const std::string& user, const std::string& password) {
    return anon("POST", "/api/v1/auth/login", {{"username", user}, {"password", password}});
  }
  Response me_with_cookie(const std::string& token, const std::string& method = "GET",
                          const std::string& path = "/api/v1/auth/me",
                          std::optional<std::string> csrf = std::nullopt) {
    Request req = request(method, path);
    req.headers["cookie"] = "theme=dark; kit_session=" + token + "; other=1";
    if (csrf) req.headers["x-csrf-token"] = *csrf;
    return call(req);
  }
  Response with_bearer(const std::string& method, const std::string& path,
                       const std::string& token) {
    Request req = request(method, path);
    req.headers["authorization"] = "Bearer " + token;
    return call(req);
  }
};

TEST(Passwords, Argon2idHashAndVerify) {
  const std::string h = hash_password("a long enough password");
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u) << h;
  EXPECT_TRUE(verify_password(h, "a long enough password"));
  EXPECT_FALSE(verify_password(h, "a long enough passwore"));
  EXPECT_FALSE(verify_password("", "x"));
  EXPECT_NE(hash_password("same"), hash_password("same"));  // salted
}

TEST_F(AuthTest, LoginGivesTokenCookieAndCsrf) {
  add_user("nina", Role::nurse);
  Response r = login("nina", kPassword);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto b = body(r);
  ASSERT_TRUE(b["token"].is_string());
  EXPECT_GE(b["token"].get<std::string>().size(), 40u);
  EXPECT_TRUE(b["csrf_token"].is_string());
  EXPECT_EQ(b["user"]["username"], "nina");
  EXPECT_EQ(b["user"]["role"], "nurse");
  const std::string cookie = header(r, "Set-Cookie");
  EXPECT_EQ(cookie.rfind("kit_session=" + b["token"].get<std::string>() + ";", 0), 0u) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(cookie.find("Path=/"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // no TLS here

  Response me = with_bearer("GET", "/api/v1/auth/me", b["token"]);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(body(me)["user"]["username"], "nina");

  // Only the token's hash is stored.
  auto stored = storage::with_transaction(*db_, [](storage::Transaction& tx) {
    return tx.query("SELECT token_hash FROM logins").front().text("token_hash");
  });
  EXPECT_EQ(stored, sha256_hex(b["token"]));
}

TEST_F(AuthTest, SecureCookieUnderTls) {
  add_user("tom", Role::nurse);
  Request req = request("POST", "/api/v1/auth/login",
                        nlohmann::json{{"username", "tom"}, {"password", kPassword}}.dump());
  req.tls = true;
  Response r = call(req);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(header(r, "Set-Cookie").find("; Secure"), std::string::npos);
}

TEST_F(AuthTest, BadCredentialsAnd400ForMalformedLogin) {
  add_user("nina", Role::nurse);
  Response r = login("nina", "wrong password!!");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(error_code(r), "invalid_credentials");
  r = login("nobody", kPassword);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(error_code(r), "invalid_credentials");
  r = anon("POST", "/api/v1/auth/login", {{"username", "nina"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_field(r), "password");
  r = anon("POST", "/api/v1/auth/login", {{"username", "nina"}, {"password", "x"}, {"extra", 1}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_field(r), "extra");
}

TEST_F(AuthTest, LocksOutAfterRepeatedFailuresAndUnlocksLater) {
  add_user("nina", Role::nurse);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(login("nina", "wrong password!!").status, 401);
  Response locked = login("nina", kPassword);  // right password, still locked
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(error_code(locked), "locked");
  now_ms_ += 14 * 60'000;
  EXPECT_EQ(login("nina", kPassword).status, 429);
  now_ms_ += 2 * 60'000;
  EXPECT_EQ(login("nina", kPassword).status, 200);
  // Success resets the count.
  EXPECT_EQ(login("nina", "wrong password!!").status, 401);
  EXPECT_EQ(login("nina", kPassword).status, 200);
}

TEST_F(AuthTest, UnknownUsernamesLockTooSoLockOutRevealsNothing) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(login("ghost", "whatever pass").status, 401);
  EXPECT_EQ(login("ghost", "whatever pass").status, 429);
}

TEST_F(AuthTest, DisabledAccountsCannotLogInAndLoseTheirSessions) {
  Caller admin = make_caller(Role::admin);
  const std::int64_t id = add_user("nina", Role::nurse);
  Caller nina = session_for(id, "nina", Role::nurse);
  Response get = call("GET", "/api/v1/users/" + std::to_string(id), admin);
  ASSERT_EQ(get.status, 200);
  Request patch = request("PATCH", "/api/v1/users/" + std::to_string(id), R"({"disabled":true})");
  patch.headers["if-match"] = header(get, "ETag");
  ASSERT_EQ(call(patch, &admin).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/auth/me", nina).status, 401);
  EXPECT_EQ(login("nina", kPassword).status, 401);
}

TEST_F(AuthTest, AnIdleLoginEndsBeforeItsAbsoluteExpiry) {
  // A shared workstation left signed in: 29 idle minutes keep the login, the default 30 (plus
  // the minute last_seen is rounded to) end it although 12 hours are not over.
  const std::int64_t id = add_user("nina", Role::nurse);
  Caller nina = session_for(id, "nina", Role::nurse);
  now_ms_ += 29 * 60'000;
  ASSERT_EQ(call("GET", "/api/v1/auth/me", nina).status, 200);  // used: idle time restarts
  now_ms_ += 25 * 60'000;
  EXPECT_EQ(call("GET", "/api/v1/auth/me", nina).status, 200);
  now_ms_ += 32 * 60'000;
  EXPECT_EQ(call("GET", "/api/v1/auth/me", nina).status, 401);
  EXPECT_EQ(call("GET", "/api/v1/auth/me", nina).status, 401);  // and it stays ended
}

TEST_F(AuthTest, CookieSessionsNeedCsrfHeaderOnWrites) {
  add_user("nina", Role::nurse);
  const auto b = body(login("nina", kPassword));
  const std::string token = b["token"];
  const std::string csrf = b["csrf_token"];
  // Reads need no CSRF header.
  EXPECT_EQ(me_with_cookie(token).status, 200);
  EXPECT_EQ(body(me_with_cookie(token))["csrf_token"], csrf);
  // Writes do.
  Response r = me_with_cookie(token, "POST", "/api/v1/auth/logout");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_code(r), "csrf");
  r = me_with_cookie(token, "POST", "/api/v1/auth/logout", std::string("forged"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_code(r), "csrf");
  // A bearer token needs none (it is not sent by browsers on their own).
  r = with_bearer("GET", "/api/v1/auth/me", token);
  EXPECT_EQ(r.status, 200);
  // The right header works.
  r = me_with_cookie(token, "POST", "/api/v1/auth/logout", csrf);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(header(r, "Set-Cookie").find("Max-Age=0"), std::string::npos);
}

TEST_F(AuthTest, StaleCookieDoesNotBlockPublicRoutes) {
  Request req = request(
      "POST", "/api/v1/inquiries",
      nlohmann::json{{"name", "A"}, {"contact", "a@example.org"}, {"reason", "ocd"}}.dump());
  req.headers["cookie"] = "kit_session=whatever";
  EXPECT_EQ(call(req).status, 201);
}

TEST_F(AuthTest, LogoutInvalidatesTheToken) {
  add_user("nina", Role::nurse);
  const std::string token = body(login("nina", kPassword))["token"];
  EXPECT_EQ(with_bearer("GET", "/api/v1/auth/me", token).status, 200);
  EXPECT_EQ(with_bearer("POST", "/api/v1/auth/logout", token).status, 200);
  Response r = with_bearer("GET", "/api/v1/auth/me", token);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(error_code(r), "unauthenticated");
}

TEST_F(AuthTest, SessionsExpire) {
  Caller c = make_caller(Role::nurse);
  EXPECT_EQ(call("GET", "/api/v1/auth/me", c).status, 200);
  now_ms_ += 3'600'001;
  EXPECT_EQ(call("GET", "/api/v1/auth/me", c).status, 401);
}

TEST_F(AuthTest, GarbageTokensAreAnonymous) {
  EXPECT_EQ(with_bearer("GET", "/api/v1/auth/me", "nope").status, 401);
  EXPECT_EQ(with_bearer("GET", "/api/v1/auth/me", std::string(5000, 'a')).status, 401);
  Request req = request("GET", "/api/v1/auth/me");
  req.headers["authorization"] = "Basic Zm9vOmJhcg==";
  EXPECT_EQ(call(req).status, 401);
}

TEST_F(AuthTest, ChangeOwnPasswordChecksTheCurrentOneAndEndsOtherSessions) {
  add_user("nina", Role::nurse);
  const std::string t1 = body(login("nina", kPassword))["token"];
  const std::string t2 = body(login("nina", kPassword))["token"];
  Request req = request("POST", "/api/v1/auth/password",
                        nlohmann::json{{"current_password", "wrong one!!!"},
                                       {"new_password", "another long password"}}
                            .dump());
  req.headers["authorization"] = "Bearer " + t1;
  EXPECT_EQ(call(req).status, 403);
  req.body = nlohmann::json{{"current_password", kPassword}, {"new_password", "short"}}.dump();
  Response r = call(req);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_field(r), "new_password");
  req.body =
      nlohmann::json{{"current_password", kPassword}, {"new_password", "another long password"}}
          .dump();
  ASSERT_EQ(call(req).status, 200);
  EXPECT_EQ(with_bearer("GET", "/api/v1/auth/me", t1).status, 200);
  EXPECT_EQ(with_bearer("GET", "/api/v1/auth/me", t2).status, 401);
  EXPECT_EQ(login("nina", kPassword).status, 401);
  EXPECT_EQ(login("nina", "another long password").status, 200);
}

TEST_F(AuthTest, AdminCreatesAccountsAndResetsPasswords) {
  Caller admin = make_caller(Role::admin);
  const std::int64_t pid = add_patient("MRN-9");
  Response r = call("POST", "/api/v1/users", admin,
                    {{"username", "pat"},
                     {"password", "a patient password"},
                     {"role", "patient"},
                     {"patient_id", pid}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(body(r)["patient_id"], pid);
  const std::int64_t id = body(r)["id"];
  r = call("POST", "/api/v1/users", admin,
           {{"username", "pat"}, {"password", "a patient password"}, {"role", "nurse"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(error_field(r), "username");
  r = call("POST", "/api/v1/users", admin,
           {{"username", "pat2"},
            {"password", "a patient password"},
            {"role", "patient"},
            {"patient_id", pid}});
  EXPECT_EQ(r.status, 409);
  r = call("POST", "/api/v1/users", admin,
           {{"username", "pat3"}, {"password", "a patient password"}, {"role", "patient"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_field(r), "patient_id");
  r = call("POST", "/api/v1/users", admin,
           {{"username", "Bad Name"}, {"password", "a patient password"}, {"role", "nurse"}});
  EXPECT_EQ(error_field(r), "username");
  r = call("POST", "/api/v1/users", admin,
           {{"username", "x1x"}, {"password", "a patient password"}, {"role", "root"}});
  EXPECT_EQ(error_field(r), "role");

  EXPECT_EQ(login("pat", "a patient password").status, 200);
  r = call("POST", "/api/v1/users/" + std::to_string(id) + "/password", admin,
           {{"password", "a brand new password"}, {"admin_password", kPassword}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(login("pat", "a patient password").status, 401);
  EXPECT_EQ(login("pat", "a brand new password").status, 200);

  r = call("GET", "/api/v1/users", admin);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(body(r).size(), 2u);
  EXPECT_FALSE(body(r)[0].contains("password_hash"));
}

TEST_F(AuthTest, AdminCannotDisableThemself) {
  Caller admin = make_caller(Role::admin);
  Response get = call("GET", "/api/v1/users/" + std::to_string(admin.user_id), admin);
  Request patch =
      request("PATCH", "/api/v1/users/" + std::to_string(admin.user_id), R"({"disabled":true})");
  patch.headers["if-match"] = header(get, "ETag");
  EXPECT_EQ(call(patch, &admin).status, 409);
}

}  // namespace
}  // namespace kit::server::testing
