#pragma once
// `kit serve`: one process serving the clinic's JSON API over HTTP/1.1 (docs/adr/0006).
#include <string>

#include "server/serve/config.h"

namespace kit::server {

// Opens the database (running migrations), seeds the demo accounts in demo mode, serves until
// SIGTERM or SIGINT, then drains gracefully. Logs are JSON lines on stderr. Returns the exit
// status: 0 after a clean stop, 1 if the database cannot be opened or the address not bound.
int run_serve(const ServeOptions& options);

// 16 characters from an unambiguous alphabet (about 93 bits), from libsodium's generator.
std::string random_demo_password();

}  // namespace kit::server
