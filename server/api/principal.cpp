#include "server/api/principal.h"

namespace kit::server {

std::string_view role_name(Role r) {
  switch (r) {
    case Role::admin:
      return "admin";
    case Role::physician:
      return "physician";
    case Role::nurse:
      return "nurse";
    case Role::front_desk:
      return "front_desk";
    case Role::patient:
      return "patient";
    case Role::director:
      return "director";
  }
  return "unknown";
}

std::optional<Role> role_from_name(std::string_view name) {
  for (Role r : {Role::admin, Role::physician, Role::nurse, Role::front_desk, Role::patient,
                 Role::director}) {
    if (role_name(r) == name) return r;
  }
  return std::nullopt;
}

}  // namespace kit::server
