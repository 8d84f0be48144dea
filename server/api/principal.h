#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kit::server {

// director: a clinic director sees aggregated outcomes and reports, never an individual patient's
// record (docs/adr/0026-director-role-and-small-cells.md); only routes that name the role admit it.
enum class Role { admin, physician, nurse, front_desk, patient, director };
std::string_view role_name(Role r);  // "admin", ..., "front_desk", "patient", "director"
std::optional<Role> role_from_name(std::string_view name);

// Who is calling, once authenticated.
struct Principal {
  std::int64_t user_id = 0;
  std::string username;
  Role role = Role::patient;
  std::optional<std::int64_t> patient_id;  // set for patient accounts: the only record they may see
  std::string login_id;                    // server-side login row id (table logins)
  bool via_cookie = false;                 // cookie sessions need the CSRF header on writes
  // The clinic requires a second factor of this role and the account has none yet: the login
  // reaches only the routes marked before_second_factor (server/api/router.h).
  bool second_factor_enrolment_required = false;
};

}  // namespace kit::server
