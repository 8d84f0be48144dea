#pragma once
// The security headers of every response, in one place (docs/security.md, docs/adr/0012).
// http_server.cpp adds each of them to a response that has not set it itself.
#include <string_view>
#include <utility>
#include <vector>

namespace kit::server {

// JSON, errors and anything that is not a page: nothing may load from it.
inline constexpr std::string_view kApiContentSecurityPolicy =
    "default-src 'none'; frame-ancestors 'none'";

// The web application's HTML (index.html): its own scripts, styles and API only. No
// 'unsafe-inline': the build emits no inline script or style (checked by web/e2e and ADR 0012).
inline constexpr std::string_view kAppContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// Strict-Transport-Security, sent by kit on every answer when it is configured as reached over
// HTTPS (`tls = true`, a TLS proxy in front; docs/adr/0019-behind-a-tls-proxy.md): browsers then
// use HTTPS only for this host for a year. No includeSubDomains: the clinic's other hosts are not
// kit's to decide. Never sent without `tls`: over plain HTTP it would be ignored at best.
inline constexpr std::string_view kStrictTransportSecurity = "max-age=31536000";

// The Content-Security-Policy for a response of this Content-Type: the app's policy for HTML,
// the closed API policy for everything else.
std::string_view content_security_policy_for(std::string_view content_type);

// Name and value of every default security header for a response of this Content-Type, in the
// order they are written. A handler's own value of the same header wins.
std::vector<std::pair<std::string_view, std::string_view>> default_security_headers(
    std::string_view content_type);

}  // namespace kit::server
