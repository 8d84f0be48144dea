#pragma once
// The server's errors are the core's one taxonomy (core/common/error.h); the router maps each kind
// to its HTTP status through core/common/error_kinds.h and answers
// {"error":{"kind":"...","code":"...","message":"...","field":"..."}}.
#include "core/common/error.h"

namespace kit::server {

using ApiError = kit::Error;

}  // namespace kit::server
