#pragma once
// Demo mode (`kit serve --demo`): accounts for every role, all with one password, and on an empty
// clinic a whole demo clinic seeded through the API (server/demo/demo_clinic.cpp).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace kit::server {

class Services;

// What seed_demo did, for the log line. `seeded` is false when the clinic already had patients
// (a restart): then only the demo passwords were reset.
struct DemoSummary {
  bool seeded = false;
  nlohmann::json counts = nlohmann::json::object();  // patients, appointments, sessions, ...
  double elapsed_ms = 0;
  // Demo accounts that existed already: set to this start's password because they still had the
  // previous demo password (reset), or left alone because their password was changed since the
  // demo set it (kept_own_password). Accounts already on this start's password are in neither.
  std::vector<std::string> reset;
  std::vector<std::string> kept_own_password;
};

// The demo accounts' usernames (admin, physician, nurse, frontdesk, patient), as the sign-in page
// names them (GET /api/v1/info).
std::vector<std::string> demo_usernames();

// Creates the demo accounts admin, physician, nurse, frontdesk and patient (linked to the demo
// patient DEMO-0001), then, when the database has no other patient, seeds the demo clinic
// (seed_demo_clinic). Idempotent. On a later start a demo account is never silently reset: its
// password is set to `password` only when it still is `previous_password` (the demo password of
// the earlier start); one changed since (by its owner or an admin) is kept and named in
// DemoSummary::kept_own_password, and a disabled account stays disabled.
DemoSummary seed_demo(Services& services, const std::string& password,
                      const std::optional<std::string>& previous_password = std::nullopt);

// The demo clinic: one clinic with 4 chairs, staff availability, ~30 synthetic patients
// (DEMO-0001..DEMO-0030) across depression, PTSD, OCD and chronic pain with screening, consent,
// approval, courses, past infusion sessions, assessment histories, medications, stock and
// inquiries. Everything goes through Router::dispatch as the demo users (logged in with
// `password`), replayed on a simulated clock so that past events happen at their own time and
// every rule applies. Does nothing (seeded = false) when patients other than DEMO-0001 exist
// or DEMO-0001 already has a screening. Deterministic (fixed PRNG seed), dates relative to
// services.now_ms(). Throws on any refused request.
DemoSummary seed_demo_clinic(Services& services, const std::string& password);

}  // namespace kit::server
