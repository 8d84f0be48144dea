#include "server/http/client_address.h"

#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace kit::server {

namespace {

namespace ip = boost::asio::ip;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// An IP address in text, IPv4-mapped IPv6 folded to IPv4; nullopt if it is not one. "[::1]" (an
// IPv6 address in brackets, as some proxies write it) is accepted.
std::optional<ip::address> parse_address(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() > 64) return std::nullopt;
  boost::system::error_code ec;
  ip::address a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
  }
  return a;
}

std::array<std::uint8_t, 16> as_v6_bytes(const ip::address& a) {
  if (a.is_v4()) return ip::make_address_v6(ip::v4_mapped, a.to_v4()).to_bytes();
  return a.to_v6().to_bytes();
}

bool same_prefix(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b,
                 int bits) {
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const int take = bits >= 8 ? 8 : bits;
    const auto mask = static_cast<std::uint8_t>(0xFF << (8 - take));
    if ((a[static_cast<std::size_t>(i)] & mask) != (b[static_cast<std::size_t>(i)] & mask)) {
      return false;
    }
  }
  return true;
}

}  // namespace

TrustedProxies TrustedProxies::parse(const std::vector<std::string>& entries) {
  TrustedProxies out;
  for (const std::string& raw : entries) {
    const std::string_view entry = trim(raw);
    if (entry.empty()) continue;
    const std::size_t slash = entry.find('/');
    const std::optional<ip::address> a = parse_address(entry.substr(0, slash));
    if (!a) {
      throw std::invalid_argument("'" + std::string(entry) +
                                  "' is not an IP address nor a network (such as 10.0.0.0/8)");
    }
    Net net;
    net.bytes = as_v6_bytes(*a);
    net.prefix_bits = 128;
    if (slash != std::string_view::npos) {
      const std::string_view bits_text = entry.substr(slash + 1);
      int bits = -1;
      const auto [ptr, ec] =
          std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
      const int max_bits = a->is_v4() ? 32 : 128;
      if (ec != std::errc() || ptr != bits_text.data() + bits_text.size() || bits < 0 ||
          bits > max_bits) {
        throw std::invalid_argument("'" + std::string(entry) + "': the prefix length must be 0.." +
                                    std::to_string(max_bits));
      }
      // IPv4 networks are stored inside the IPv4-mapped range (96 bits of prefix).
      net.prefix_bits = a->is_v4() ? 96 + bits : bits;
    }
    out.nets_.push_back(net);
  }
  return out;
}

TrustedProxies TrustedProxies::parse_list(std::string_view text) {
  std::vector<std::string> entries;
  std::string current;
  for (char c : text) {
    if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
      if (!current.empty()) entries.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) entries.push_back(std::move(current));
  return parse(entries);
}

bool TrustedProxies::contains(std::string_view address) const {
  if (nets_.empty()) return false;
  const std::optional<ip::address> a = parse_address(address);
  if (!a) return false;
  const std::array<std::uint8_t, 16> bytes = as_v6_bytes(*a);
  for (const Net& n : nets_) {
    if (same_prefix(bytes, n.bytes, n.prefix_bits)) return true;
  }
  return false;
}

std::string client_address(const std::string& peer, const std::optional<std::string>& forwarded_for,
                           const TrustedProxies& trusted) {
  if (!forwarded_for || trusted.empty() || !trusted.contains(peer)) return peer;
  std::string current = peer;  // the nearest hop we believe
  std::string_view rest = *forwarded_for;
  while (!rest.empty()) {
    const std::size_t comma = rest.rfind(',');
    const std::string_view entry =
        trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    if (entry.empty()) continue;
    const std::optional<ip::address> a = parse_address(entry);
    if (!a) return current;  // a trusted proxy passed on something that is not an address
    const std::string canonical = a->to_string();
    if (!trusted.contains(canonical)) return canonical;
    current = canonical;
  }
  return current;
}

}  // namespace kit::server
