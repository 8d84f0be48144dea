#pragma once
// The second factor's algorithm, pure (no I/O, no clock, no randomness: the caller passes the time
// and the secret): SHA-1 (RFC 3174), HMAC-SHA1 (RFC 2104), HOTP with dynamic truncation
// (RFC 4226), TOTP with a 30 s step from the Unix epoch (RFC 6238) and base32 (RFC 4648). libsodium
// has no SHA-1, so it is written here; tests/server/totp_test.cpp checks it against the RFCs' test
// vectors, and tests/api/test_totp.py against Python's hmac. Why TOTP, SHA-1, six digits and a
// window of one step: docs/adr/0010-second-factor-totp.md.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kit::server::totp {

using Digest = std::array<unsigned char, 20>;

inline constexpr int kDigits = 6;
inline constexpr std::int64_t kStepMs = 30'000;  // RFC 6238 section 5.2: X = 30 s
inline constexpr std::int64_t kWindowSteps = 1;  // a code of the step before or after is accepted
inline constexpr std::size_t kSecretBytes = 20;  // RFC 4226 section 4 R6: 160 bits

Digest sha1(std::string_view message);
Digest hmac_sha1(std::string_view key, std::string_view message);

// RFC 4226 section 5.3: HMAC-SHA1 of the 8-byte big-endian counter, dynamic truncation, modulo
// 10^digits, zero-padded to `digits` characters (1 to 9).
std::string hotp(std::string_view key, std::uint64_t counter, int digits = kDigits);

// RFC 6238: floor(unix_ms / 30 s), T0 = 0 (negative times belong to step -1 and earlier).
std::int64_t time_step(std::int64_t unix_ms);

// The step in [now_step - 1, now_step + 1] whose code is `code` and that is after
// `last_accepted_step` (a step once accepted, and every one before it, is never accepted again:
// RFC 6238 section 5.2). nullopt for no match, or for a code that is not kDigits digits. Every
// candidate is compared in full (no early exit on the first differing digit).
std::optional<std::int64_t> matching_step(std::string_view key, std::string_view code,
                                          std::int64_t now_step, std::int64_t last_accepted_step);

// RFC 4648 section 6, upper case, with '=' padding to a multiple of 8 (a 20-byte secret needs
// none: 32 characters).
std::string base32_encode(std::string_view bytes);
// Upper or lower case, padding optional, no spaces; nullopt for a character outside the alphabet
// or a length no encoder produces.
std::optional<std::string> base32_decode(std::string_view text);

// The key URI authenticator apps read (Google Authenticator's "Key Uri Format"):
// otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=ISSUER&algorithm=SHA1&digits=6&period=30, the
// label percent-encoded.
std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view secret_base32);

}  // namespace kit::server::totp
