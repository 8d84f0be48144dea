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
#include "storage/stores/account_store.h"
#include "storage/stores/patient_store.h"

namespace kit::server {

namespace {

const std::vector<std::pair<std::string, Role>>& demo_account_table() {
  static const std::vector<std::pair<std::string, Role>> accounts = {
      {"admin", Role::admin},     {"physician", Role::physician},
      {"nurse", Role::nurse},     {"frontdesk", Role::front_desk},
      {"patient", Role::patient}, {"director", Role::director}};
  return accounts;
}

}  // namespace

std::vector<std::string> demo_usernames() {
  std::vector<std::string> out;
  for (const auto& [name, role] : demo_account_table()) out.push_back(name);
  return out;
}

namespace {

DemoSummary seed_demo_in_group(Services& services, const std::string& password,
                               const std::optional<std::string>& previous_password) {
  DemoSummary summary;
  const std::int64_t now = services.now_ms();
  const auto& accounts = demo_account_table();
  storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    // The demo patient, linked to the `patient` account.
    storage::PatientStore patient_store(tx);
    std::int64_t patient_id = 0;
    if (const auto existing = patient_store.find_by_mrn("DEMO-0001")) {
      patient_id = existing->id;
    } else {
      storage::NewPatient demo;
      demo.mrn = "DEMO-0001";
      demo.given_name = "Demo";
      demo.family_name = "Patient";
      demo.date_of_birth = "1980-01-01";
      demo.sex = "female";
      demo.weight_kg = 70.0;
      demo.height_cm = 170.0;
      demo.indication = "depression";
      demo.at_ms = now;
      patient_id = patient_store.create(demo);
    }
    storage::AccountStore account_store(tx);
    for (const auto& [username, role] : accounts) {
      const std::optional<storage::UserCredentials> existing =
          account_store.credentials_by_username(username);
      if (!existing) {
        create_user(tx, username, password, role,
                    role == Role::patient ? std::optional<std::int64_t>(patient_id) : std::nullopt,
                    now);
      } else if (verify_password(existing->password_hash, password)) {
        // Already this start's password: nothing to change.
      } else if (previous_password && *previous_password != password &&
                 verify_password(existing->password_hash, *previous_password)) {
        // Still the earlier start's demo password: the operator chose another one.
        account_store.set_password_hash(existing->user.id, hash_password(password), now);
        summary.reset.push_back(username);
      } else {
        // Changed since the demo set it: never reset silently; the log names it.
        summary.kept_own_password.push_back(username);
      }
      account_store.clear_throttle(username);
    }
  });
  // KIT_DEMO_SEED=accounts keeps the demo to its accounts and DEMO-0001: the API test suites start
  // many servers and need no clinic, and seeding one takes seconds (far more under sanitizers).
  const char* scope = std::getenv("KIT_DEMO_SEED");
  if (scope != nullptr && std::string_view(scope) == "accounts") return summary;
  DemoSummary clinic = seed_demo_clinic(services, password);
  clinic.reset = std::move(summary.reset);
  clinic.kept_own_password = std::move(summary.kept_own_password);
  return clinic;
}

}  // namespace

DemoSummary seed_demo(Services& services, const std::string& password,
                      const std::optional<std::string>& previous_password) {
  // The seed's ~1,700 transactions commit together, with one fsync (SQLite; on PostgreSQL each
  // commits as usual), and all or nothing: a seed that fails half-way leaves no half clinic.
  // docs/adr/0021-write-path-and-load.md.
  std::unique_ptr<storage::CommitGroup> group = services.db().commit_group();
  // The demo accounts share one password: Argon2id runs once for the whole seed (the same hash is
  // stored for every demo account; the seeder's logins and witness checks reuse it), not ~14
  // times at ~0.1 s each (issue 10: start-up under 1 s). auth.h, SeedPasswordMemo.
  SeedPasswordMemo memo;
  DemoSummary summary = seed_demo_in_group(services, password, previous_password);
  group->finish();
  return summary;
}

}  // namespace kit::server
