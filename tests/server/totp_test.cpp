// The second factor's algorithm (server/api/totp.h) against the published test vectors:
// SHA-1 (RFC 3174 section 7.3), HMAC-SHA1 (RFC 2202 section 3), HOTP (RFC 4226 Appendix D),
// TOTP with SHA-1 (RFC 6238 Appendix B) and base32 (RFC 4648 section 10).
#include "server/api/totp.h"

#include <gtest/gtest.h>

#include <string>

namespace kit::server::totp {
namespace {

std::string hex(const Digest& d) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : d) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0xF]);
  }
  return out;
}

TEST(Sha1, Rfc3174Vectors) {
  EXPECT_EQ(hex(sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(hex(sha1(std::string(1'000'000, 'a'))), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  std::string repeated;
  for (int i = 0; i < 10; ++i) {
    repeated += "0123456701234567012345670123456701234567012345670123456701234567";
  }
  EXPECT_EQ(hex(sha1(repeated)), "dea356a2cddd90c7a7ecedc5ebb563934f460452");
  // The empty message and messages around the 55/56/64-byte padding boundaries.
  EXPECT_EQ(hex(sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(hex(sha1(std::string(55, 'a'))), "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  EXPECT_EQ(hex(sha1(std::string(56, 'a'))), "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  EXPECT_EQ(hex(sha1(std::string(64, 'a'))), "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}

TEST(HmacSha1, Rfc2202Vectors) {
  EXPECT_EQ(hex(hmac_sha1(std::string(20, '\x0b'), "Hi There")),
            "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(hex(hmac_sha1("Jefe", "what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(hex(hmac_sha1(std::string(20, '\xaa'), std::string(50, '\xdd'))),
            "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
  // A key longer than the 64-byte block is hashed first.
  EXPECT_EQ(hex(hmac_sha1(std::string(80, '\xaa'),
                          "Test Using Larger Than Block-Size Key - Hash Key First")),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

TEST(Hotp, Rfc4226AppendixD) {
  const std::string secret = "12345678901234567890";
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t counter = 0; counter < 10; ++counter) {
    EXPECT_EQ(hotp(secret, counter, 6), expected[counter]) << counter;
  }
}

TEST(Totp, Rfc6238AppendixBSha1) {
  // Appendix B: the SHA-1 rows, 8 digits, T0 = 0, X = 30 s.
  const std::string secret = "12345678901234567890";
  const std::pair<std::int64_t, const char*> rows[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}};
  for (const auto& [unix_s, code] : rows) {
    EXPECT_EQ(hotp(secret, static_cast<std::uint64_t>(time_step(unix_s * 1000)), 8), code)
        << unix_s;
  }
  // The step is floor(t / 30 s): 59 s is step 1, 60 s is step 2.
  EXPECT_EQ(time_step(59'999), 1);
  EXPECT_EQ(time_step(60'000), 2);
  EXPECT_EQ(time_step(0), 0);
}

TEST(Totp, CodesMatchWithinOneStepEitherSideAndOnlyAfterTheLastAccepted) {
  const std::string secret = "12345678901234567890";
  const std::int64_t now_step = 1000;
  const std::string before = hotp(secret, now_step - 1, 6);
  const std::string current = hotp(secret, now_step, 6);
  const std::string after = hotp(secret, now_step + 1, 6);
  EXPECT_EQ(matching_step(secret, current, now_step, 0), now_step);
  EXPECT_EQ(matching_step(secret, before, now_step, 0), now_step - 1);
  EXPECT_EQ(matching_step(secret, after, now_step, 0), now_step + 1);
  // Two steps away: refused.
  EXPECT_EQ(matching_step(secret, hotp(secret, now_step + 2, 6), now_step, 0), std::nullopt);
  EXPECT_EQ(matching_step(secret, hotp(secret, now_step - 2, 6), now_step, 0), std::nullopt);
  // A step at or before the last accepted one is never accepted again (RFC 6238 section 5.2).
  EXPECT_EQ(matching_step(secret, current, now_step, now_step), std::nullopt);
  EXPECT_EQ(matching_step(secret, before, now_step, now_step), std::nullopt);
  EXPECT_EQ(matching_step(secret, after, now_step, now_step), now_step + 1);
  // Not six digits: no match, never an exception.
  EXPECT_EQ(matching_step(secret, "", now_step, 0), std::nullopt);
  EXPECT_EQ(matching_step(secret, current + "0", now_step, 0), std::nullopt);
  EXPECT_EQ(matching_step(secret, "abcdef", now_step, 0), std::nullopt);
}

TEST(Base32, Rfc4648Section10) {
  EXPECT_EQ(base32_encode(""), "");
  EXPECT_EQ(base32_encode("f"), "MY======");
  EXPECT_EQ(base32_encode("fo"), "MZXQ====");
  EXPECT_EQ(base32_encode("foo"), "MZXW6===");
  EXPECT_EQ(base32_encode("foob"), "MZXW6YQ=");
  EXPECT_EQ(base32_encode("fooba"), "MZXW6YTB");
  EXPECT_EQ(base32_encode("foobar"), "MZXW6YTBOI======");
  EXPECT_EQ(base32_decode("MZXW6YTBOI======"), "foobar");
  EXPECT_EQ(base32_decode("MZXW6YTBOI"), "foobar");     // padding optional
  EXPECT_EQ(base32_decode("mzxw6ytboi"), "foobar");     // lower case accepted
  EXPECT_EQ(base32_decode("MZXW6YTB1"), std::nullopt);  // '1' is not in the alphabet
  // 20 bytes (the size of a KIT secret) are 32 characters, no padding.
  EXPECT_EQ(base32_encode("12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

TEST(Totp, OtpauthUriNamesIssuerAndAccount) {
  EXPECT_EQ(otpauth_uri("KIT", "dr.ng@clinic", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "otpauth://totp/KIT:dr.ng%40clinic?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=KIT&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace kit::server::totp
