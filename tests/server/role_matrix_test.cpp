// Walks every route in the table x every role (and anonymous): the answer is 401/403 exactly when
// the route's Access rule says so. Handlers may answer 400/404/409/428 otherwise; only the
// authorisation part is asserted here.
#include "tests/server/api_fixture.h"

namespace kit::server::testing {
namespace {

class RoleMatrixTest : public ApiFixture {
 protected:
  // Substitutes path parameters: {patient_id} (and {id} under /api/v1/patients) -> `patient`,
  // anything else -> 1.
  static std::string concrete(const std::string& pattern, std::int64_t patient) {
    std::string out;
    std::size_t i = 0;
    while (i < pattern.size()) {
      if (pattern[i] == '{') {
        const std::size_t end = pattern.find('}', i);
        const std::string name = pattern.substr(i + 1, end - i - 1);
        const bool patient_param =
            name == "patient_id" || (name == "id" && out == "/api/v1/patients/");
        out += patient_param ? std::to_string(patient) : "1";
        i = end + 1;
      } else {
        out.push_back(pattern[i++]);
      }
    }
    return out;
  }
  static bool names_patient(const std::string& pattern) {
    return pattern.find("{patient_id}") != std::string::npos ||
           pattern.rfind("/api/v1/patients/{id}", 0) == 0;
  }
};

TEST_F(RoleMatrixTest, EveryRouteByEveryRole) {
  const std::int64_t own = add_patient("MRN-OWN");
  const std::int64_t other = add_patient("MRN-OTHER");
  struct Account {
    Role role;
    std::int64_t id;
    std::string name;
    std::optional<std::int64_t> patient;
  };
  std::vector<Account> accounts;
  for (Role r : {Role::admin, Role::physician, Role::nurse, Role::front_desk, Role::patient,
                 Role::director}) {
    const std::string name = "m_" + std::string(role_name(r));
    const std::optional<std::int64_t> pid =
        r == Role::patient ? std::optional<std::int64_t>(own) : std::nullopt;
    accounts.push_back({r, add_user(name, r, pid), name, pid});
  }
  ASSERT_FALSE(router_.routes().empty());
  int checked = 0;
  for (const Route& route : router_.routes()) {
    const std::string path = concrete(route.pattern, own);
    SCOPED_TRACE(route.method + " " + route.pattern);
    // Anonymous.
    {
      Response r = call(request(route.method, path), nullptr);
      if (route.access.is_public) {
        EXPECT_NE(r.status, 401) << r.body;
        EXPECT_NE(r.status, 403) << r.body;
      } else {
        EXPECT_EQ(r.status, 401) << r.body;
      }
      ++checked;
    }
    for (const Account& a : accounts) {
      SCOPED_TRACE(std::string(role_name(a.role)));
      // A fresh session per call: some routes (logout, password) end sessions.
      Caller c = session_for(a.id, a.name, a.role, a.patient);
      Response r = call(request(route.method, path), &c);
      const bool by_role = route.access.roles.count(a.role) != 0;
      const bool by_self = a.role == Role::patient && route.access.patient_self;
      if (route.access.is_public || by_role) {
        EXPECT_NE(r.status, 401) << r.body;
        EXPECT_NE(r.status, 403) << r.body;
      } else if (by_self && names_patient(route.pattern)) {
        EXPECT_NE(r.status, 401) << r.body;
        EXPECT_NE(r.status, 403) << r.body;
        // ... but never on someone else's record.
        Caller again = session_for(a.id, a.name, a.role, a.patient);
        Response o = call(request(route.method, concrete(route.pattern, other)), &again);
        EXPECT_EQ(o.status, 403) << o.body;
      } else if (by_self) {
        EXPECT_NE(r.status, 401) << r.body;  // the handler decides (require_patient_access)
      } else {
        EXPECT_EQ(r.status, 403) << r.body;
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(router_.routes().size()) * 7);
}

TEST_F(RoleMatrixTest, EveryRouteHasAnExplicitRule) {
  for (const Route& route : router_.routes()) {
    SCOPED_TRACE(route.method + " " + route.pattern);
    EXPECT_TRUE(route.access.is_public || !route.access.roles.empty() || route.access.patient_self);
    EXPECT_FALSE(route.access.is_public && !route.access.roles.empty());
    EXPECT_FALSE(route.summary.empty());
    EXPECT_FALSE(route.tag.empty());
  }
}

}  // namespace
}  // namespace kit::server::testing
