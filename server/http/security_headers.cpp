#include "server/http/security_headers.h"

#include <cctype>

namespace kit::server {

namespace {

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view content_security_policy_for(std::string_view content_type) {
  while (!content_type.empty() && content_type.front() == ' ') content_type.remove_prefix(1);
  if (starts_with_ci(content_type, "text/html")) return kAppContentSecurityPolicy;
  return kApiContentSecurityPolicy;
}

std::vector<std::pair<std::string_view, std::string_view>> default_security_headers(
    std::string_view content_type) {
  return {
      {"Cache-Control", "no-store"},  // patient data never lands in a cache
      {"X-Content-Type-Options", "nosniff"},
      {"Content-Security-Policy", content_security_policy_for(content_type)},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
  };
}

}  // namespace kit::server
