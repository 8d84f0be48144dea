#include "server/http/message.h"

namespace kit::server {

std::optional<std::string> Request::cookie(const std::string& name) const {
  auto h = header("cookie");
  if (!h) return std::nullopt;
  const std::string& s = *h;
  std::size_t pos = 0;
  while (pos < s.size()) {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == ';')) ++pos;
    const std::size_t eq = s.find('=', pos);
    if (eq == std::string::npos) break;
    std::size_t end = s.find(';', eq);
    if (end == std::string::npos) end = s.size();
    if (s.compare(pos, eq - pos, name) == 0) return s.substr(eq + 1, end - eq - 1);
    pos = end;
  }
  return std::nullopt;
}

}  // namespace kit::server
