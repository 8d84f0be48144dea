// The second factor through the router on a controlled clock: the +-1 step window and the replay
// rule at their exact edges, and the clinic policy (totp_required_roles) walked over every route.
#include <set>

#include "server/api/totp.h"
#include "tests/server/api_fixture.h"

namespace kit::server::testing {
namespace {

class SecondFactorTest : public ApiFixture {
 protected:
  void SetUp() override {
    ApiFixture::SetUp();
    ServerConfig cfg = services_->config();
    cfg.totp_required_roles = {"admin", "physician"};
    services_ = std::make_unique<Services>(*db_, cfg);
    services_->set_clock([this] { return now_ms_.load(); });
  }

  std::int64_t step() const { return totp::time_step(now_ms_.load()); }

  // Enrols and confirms with the code of the current step; returns the secret (raw bytes).
  std::string enrol(const Caller& who) {
    Response started = call("POST", "/api/v1/auth/totp/enrol", who, {{"password", kPassword}});
    EXPECT_EQ(started.status, 200) << started.body;
    const std::string key = *totp::base32_decode(body(started)["secret_base32"].get<std::string>());
    Response confirmed =
        call("POST", "/api/v1/auth/totp/confirm", who, {{"code", totp::hotp(key, step())}});
    EXPECT_EQ(confirmed.status, 200) << confirmed.body;
    return key;
  }

  Response login_with(const std::string& user, const std::string& code) {
    return anon("POST", "/api/v1/auth/login",
                {{"username", user}, {"password", kPassword}, {"totp_code", code}});
  }
};

TEST_F(SecondFactorTest, OneStepEitherSideAndNeverAStepAgain) {
  const Caller nurse = make_caller(Role::nurse);
  const std::string key = enrol(nurse);
  const std::int64_t confirmed = step();
  // Two steps ahead: outside the window, at the exact edge.
  EXPECT_EQ(error_code(login_with(nurse.username, totp::hotp(key, confirmed + 2))),
            "invalid_second_factor");
  // The step the confirmation used: spent.
  EXPECT_EQ(error_code(login_with(nurse.username, totp::hotp(key, confirmed))),
            "invalid_second_factor");
  // One step ahead: inside.
  EXPECT_EQ(login_with(nurse.username, totp::hotp(key, confirmed + 1)).status, 200);
  // 30 s later the server's step is confirmed + 1: that code is spent, and the one after is in.
  now_ms_ += totp::kStepMs;
  EXPECT_EQ(error_code(login_with(nurse.username, totp::hotp(key, confirmed + 1))),
            "invalid_second_factor");
  EXPECT_EQ(login_with(nurse.username, totp::hotp(key, confirmed + 2)).status, 200);
  // Far later, the code of the step just before the server's still signs in (a slow typist).
  now_ms_ += 10 * totp::kStepMs;
  EXPECT_EQ(login_with(nurse.username, totp::hotp(key, step() - 1)).status, 200);
  EXPECT_EQ(error_code(login_with(nurse.username, totp::hotp(key, step() - 2))),
            "invalid_second_factor");
}

TEST_F(SecondFactorTest, ARequiredRoleReachesOnlyItsAccountAndTheEnrolmentUntilEnrolled) {
  const std::int64_t own = add_patient("MRN-SF-1");
  int confined = 0;
  for (const Route& route : router_.routes()) {
    if (route.access.is_public) continue;
    SCOPED_TRACE(route.method + " " + route.pattern);
    std::string path = route.pattern;
    for (std::size_t at = path.find('{'); at != std::string::npos; at = path.find('{')) {
      path.replace(at, path.find('}', at) - at + 1, std::to_string(own));
    }
    for (Role role : {Role::admin, Role::physician, Role::nurse}) {
      SCOPED_TRACE(std::string(role_name(role)));
      const Caller c = make_caller(role);  // a fresh account and login: nothing enrolled
      const Response r = call(request(route.method, path), &c);
      const bool required = role != Role::nurse;
      if (required && !route.before_second_factor) {
        EXPECT_EQ(r.status, 403) << r.body;
        EXPECT_EQ(error_code(r), "second_factor_enrolment_required");
        ++confined;
      } else if (r.status >= 400) {
        EXPECT_NE(error_code(r), "second_factor_enrolment_required") << r.body;
      }
    }
  }
  EXPECT_GT(confined, 50);
  // Exactly the account's own routes and the enrolment are open before enrolling.
  std::set<std::string> exempt;
  for (const Route& route : router_.routes()) {
    if (route.before_second_factor) exempt.insert(route.method + " " + route.pattern);
  }
  EXPECT_EQ(exempt, (std::set<std::string>{
                        "GET /api/v1/auth/me", "POST /api/v1/auth/logout",
                        "POST /api/v1/auth/password", "POST /api/v1/auth/totp/enrol",
                        "POST /api/v1/auth/totp/confirm", "POST /api/v1/auth/totp/disable"}));

  // Once enrolled, the same login reaches what its role allows.
  const Caller doc = make_caller(Role::physician);
  EXPECT_EQ(call("GET", "/api/v1/patients", doc).status, 403);
  enrol(doc);
  EXPECT_EQ(call("GET", "/api/v1/patients", doc).status, 200);
  const nlohmann::json me = body(call("GET", "/api/v1/auth/me", doc));
  EXPECT_EQ(me["totp_enabled"], true);
  EXPECT_EQ(me["totp_required"], true);
  EXPECT_EQ(me["recovery_codes_left"], 10);
}

}  // namespace
}  // namespace kit::server::testing
