// SHA-1, HMAC-SHA1, HOTP, TOTP and base32 (server/api/totp.h). Written from the RFCs: SHA-1 from
// RFC 3174 section 6.1 (method 1), HMAC from RFC 2104 section 2, HOTP from RFC 4226 section 5.3.
#include "server/api/totp.h"

#include <stdexcept>
#include <vector>

namespace kit::server::totp {

namespace {

std::uint32_t rotl(std::uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

constexpr std::size_t kBlock = 64;  // SHA-1 block size in bytes (RFC 2104: B = 64)

}  // namespace

Digest sha1(std::string_view message) {
  std::uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
  // Padding (RFC 3174 section 4): a 1 bit, zeros to 56 mod 64 bytes, the length in bits as a
  // 64-bit big-endian number.
  std::vector<unsigned char> data(message.begin(), message.end());
  const std::uint64_t bit_length = static_cast<std::uint64_t>(message.size()) * 8u;
  data.push_back(0x80);
  while (data.size() % kBlock != 56) data.push_back(0x00);
  for (int i = 7; i >= 0; --i) data.push_back(static_cast<unsigned char>(bit_length >> (8 * i)));

  for (std::size_t block = 0; block < data.size(); block += kBlock) {
    std::uint32_t w[80];
    for (int t = 0; t < 16; ++t) {
      const unsigned char* p = &data[block + 4 * static_cast<std::size_t>(t)];
      w[t] = (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
             (static_cast<std::uint32_t>(p[2]) << 8) | static_cast<std::uint32_t>(p[3]);
    }
    for (int t = 16; t < 80; ++t) w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int t = 0; t < 80; ++t) {
      std::uint32_t f = 0, k = 0;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5A827999u;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ED9EBA1u;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8F1BBCDCu;
      } else {
        f = b ^ c ^ d;
        k = 0xCA62C1D6u;
      }
      const std::uint32_t temp = rotl(a, 5) + f + e + w[t] + k;
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = temp;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  }
  Digest out{};
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 4; ++j) {
      out[static_cast<std::size_t>(4 * i + j)] = static_cast<unsigned char>(h[i] >> (24 - 8 * j));
    }
  }
  return out;
}

Digest hmac_sha1(std::string_view key, std::string_view message) {
  std::string k(key);
  if (k.size() > kBlock) {
    const Digest hashed = sha1(k);
    k.assign(hashed.begin(), hashed.end());
  }
  k.resize(kBlock, '\0');
  std::string inner(kBlock, '\0'), outer(kBlock, '\0');
  for (std::size_t i = 0; i < kBlock; ++i) {
    inner[i] = static_cast<char>(static_cast<unsigned char>(k[i]) ^ 0x36);
    outer[i] = static_cast<char>(static_cast<unsigned char>(k[i]) ^ 0x5C);
  }
  inner.append(message);
  const Digest inner_hash = sha1(inner);
  outer.append(inner_hash.begin(), inner_hash.end());
  return sha1(outer);
}

std::string hotp(std::string_view key, std::uint64_t counter, int digits) {
  if (digits < 1 || digits > 9) throw std::invalid_argument("hotp: digits must be 1 to 9");
  std::string message(8, '\0');
  for (int i = 7; i >= 0; --i) {
    message[static_cast<std::size_t>(i)] = static_cast<char>(counter & 0xFF);
    counter >>= 8;
  }
  const Digest mac = hmac_sha1(key, message);
  // Dynamic truncation: the low 4 bits of the last byte pick the offset; 31 bits from there.
  const std::size_t offset = mac[19] & 0x0F;
  const std::uint32_t binary = (static_cast<std::uint32_t>(mac[offset] & 0x7F) << 24) |
                               (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                               (static_cast<std::uint32_t>(mac[offset + 2]) << 8) |
                               static_cast<std::uint32_t>(mac[offset + 3]);
  std::uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  std::string code = std::to_string(binary % modulus);
  return std::string(static_cast<std::size_t>(digits) - code.size(), '0') + code;
}

std::int64_t time_step(std::int64_t unix_ms) {
  std::int64_t step = unix_ms / kStepMs;
  if (unix_ms % kStepMs != 0 && unix_ms < 0) --step;  // floor, not truncation toward zero
  return step;
}

std::optional<std::int64_t> matching_step(std::string_view key, std::string_view code,
                                          std::int64_t now_step, std::int64_t last_accepted_step) {
  if (code.size() != static_cast<std::size_t>(kDigits)) return std::nullopt;
  for (char c : code) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::optional<std::int64_t> found;
  for (std::int64_t step = now_step - kWindowSteps; step <= now_step + kWindowSteps; ++step) {
    if (step < 0) continue;
    const std::string expected = hotp(key, static_cast<std::uint64_t>(step), kDigits);
    unsigned char difference = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      difference |= static_cast<unsigned char>(expected[i] ^ code[i]);
    }
    if (difference == 0 && step > last_accepted_step && !found) found = step;
  }
  return found;
}

std::string base32_encode(std::string_view bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(alphabet[(buffer >> (bits - 5)) & 0x1F]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(alphabet[(buffer << (5 - bits)) & 0x1F]);
  while (out.size() % 8 != 0) out.push_back('=');
  return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  // Lengths an encoder produces without padding: 8k + 0, 2, 4, 5, 7 characters.
  const std::size_t rest = text.size() % 8;
  if (rest == 1 || rest == 3 || rest == 6) return std::nullopt;
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value = -1;
    if (c >= 'A' && c <= 'Z') value = c - 'A';
    if (c >= 'a' && c <= 'z') value = c - 'a';
    if (c >= '2' && c <= '7') value = c - '2' + 26;
    if (value < 0) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view secret_base32) {
  // RFC 3986 unreserved characters stay; everything else is percent-encoded.
  const auto encode = [](std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
      const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                              (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                              c == '~';
      if (unreserved) {
        out.push_back(static_cast<char>(c));
      } else {
        out.push_back('%');
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 0xF]);
      }
    }
    return out;
  };
  std::string secret(secret_base32);
  while (!secret.empty() && secret.back() == '=') secret.pop_back();
  return "otpauth://totp/" + encode(issuer) + ":" + encode(account) + "?secret=" + secret +
         "&issuer=" + encode(issuer) + "&algorithm=SHA1&digits=" + std::to_string(kDigits) +
         "&period=" + std::to_string(kStepMs / 1000);
}

}  // namespace kit::server::totp
