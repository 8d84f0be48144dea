#pragma once
// The client's address behind a reverse proxy (docs/deploy.md,
// docs/adr/0019-behind-a-tls-proxy.md).
//
// kit records the address of every request in the audit log and counts per-address limits (the
// inquiry form) on it. Behind a proxy (nginx terminating TLS) the TCP peer is the proxy; the
// client's address is in the X-Forwarded-For header the proxy adds. That header is believed ONLY
// when the TCP peer is one of the configured trusted proxies; from anyone else it is ignored (a
// client can write any header it likes). From a trusted peer the list is read right to left,
// skipping trusted proxies, and the first address that is not a trusted proxy is the client: the
// right-most untrusted address, the one the outermost trusted proxy saw. Entries to its left were
// written by the client or by proxies nobody vouches for, and are never used.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kit::server {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // Entries are IP addresses ("127.0.0.1", "::1") or networks in CIDR form ("10.0.0.0/8",
  // "fd00::/8"). Throws std::invalid_argument naming the first entry that is neither.
  static TrustedProxies parse(const std::vector<std::string>& entries);
  // "127.0.0.1, 10.0.0.0/8" (commas and/or blanks between entries); empty text: none.
  static TrustedProxies parse_list(std::string_view text);

  bool empty() const { return nets_.empty(); }
  // Whether `address` (an IP address in text; IPv4-mapped IPv6 counts as its IPv4 address) is a
  // trusted proxy. Anything that is not an IP address is not.
  bool contains(std::string_view address) const;

 private:
  struct Net {
    std::array<std::uint8_t, 16> bytes{};  // IPv6, or IPv4 as IPv4-mapped IPv6
    int prefix_bits = 128;
  };
  std::vector<Net> nets_;
};

// The address to record and to count limits on: `peer` (the TCP peer) unless it is a trusted proxy
// and the request carries X-Forwarded-For (several headers are joined with ", "), then the
// right-most address in that list that is not a trusted proxy; when every listed address is a
// trusted proxy, the left-most one. A malformed entry met on the way stops the walk at the last
// trusted hop (the proxy that passed it on). The result is an address in canonical text (IPv4
// dotted, IPv4-mapped IPv6 as IPv4), never the header's raw text.
std::string client_address(const std::string& peer, const std::optional<std::string>& forwarded_for,
                           const TrustedProxies& trusted);

}  // namespace kit::server
