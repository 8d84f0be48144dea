#pragma once
// Demo mode (`kit serve --demo`): accounts for every role, all with one password.
#include <string>

namespace kit::server {

class Services;

// Creates (or, on a second start, resets the password of) the demo accounts admin, physician,
// nurse, frontdesk and patient (linked to a demo patient record). Idempotent.
void seed_demo(Services& services, const std::string& password);

}  // namespace kit::server
