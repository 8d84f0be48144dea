// The demo accounts. The demo clinic itself (patients at every step of the journey, schedules,
// stock) is seeded through the API by server/demo/demo_clinic.cpp on top of these accounts.
#include "server/demo/demo.h"

#include <cstdlib>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "server/api/auth.h"
#include "server/api/principal.h"
#include "server/api/services.h"
#include "storage/database.h"

namespace kit::server {

DemoSummary seed_demo(Services& services, const std::string& password) {
  const std::int64_t now = services.now_ms();
  const std::vector<std::pair<std::string, Role>> accounts = {{"admin", Role::admin},
                                                              {"physician", Role::physician},
                                                              {"nurse", Role::nurse},
                                                              {"frontdesk", Role::front_desk},
                                                              {"patient", Role::patient}};
  storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    // The demo patient, linked to the `patient` account.
    storage::Rows patient =
        tx.query("SELECT id FROM patients WHERE mrn = $1", {std::string("DEMO-0001")});
    if (patient.empty()) {
      patient = tx.query(
          "INSERT INTO patients (mrn, given_name, family_name, date_of_birth, sex, weight_kg, "
          "height_cm, indication, created_at_ms, updated_at_ms, version) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 1) RETURNING id",
          {std::string("DEMO-0001"), std::string("Demo"), std::string("Patient"),
           std::string("1980-01-01"), std::string("female"), 70.0, 170.0, std::string("depression"),
           now});
    }
    const std::int64_t patient_id = patient.at(0).i64("id");
    for (const auto& [username, role] : accounts) {
      storage::Rows existing = tx.query("SELECT id FROM users WHERE username = $1", {username});
      if (existing.empty()) {
        create_user(tx, username, password, role,
                    role == Role::patient ? std::optional<std::int64_t>(patient_id) : std::nullopt,
                    now);
      } else {
        // A second start with another password: the banner must tell the truth.
        tx.exec(
            "UPDATE users SET password_hash = $1, disabled = 0, updated_at_ms = $2, "
            "version = version + 1 WHERE id = $3",
            {hash_password(password), now, existing.at(0).i64("id")});
      }
      tx.exec("DELETE FROM login_throttle WHERE username = $1", {username});
    }
  });
  // KIT_DEMO_SEED=accounts keeps the demo to its accounts and DEMO-0001: the API test suites start
  // many servers and need no clinic, and seeding one takes seconds (far more under sanitizers).
  const char* scope = std::getenv("KIT_DEMO_SEED");
  if (scope != nullptr && std::string_view(scope) == "accounts") return DemoSummary{};
  return seed_demo_clinic(services, password);
}

}  // namespace kit::server
