// Fuzz target: the second factor's text inputs (server/api/totp.h, server/api/auth.h): base32
// secrets (decode, and encode-decode giving the bytes back), TOTP codes checked against a key
// (matching_step), the code's format check and recovery codes as typed (normalise_recovery_code).
// Input: text; its first half is also used as the key.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "fuzz/fuzz_support.h"
#include "server/api/auth.h"
#include "server/api/totp.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace totp = kit::server::totp;
  const std::string_view text = kit::fuzz::as_text(data, size);
  if (const std::optional<std::string> bytes = totp::base32_decode(text)) {
    const std::string encoded = totp::base32_encode(*bytes);
    const std::optional<std::string> again = totp::base32_decode(encoded);
    if (!again || *again != *bytes) kit::fuzz::finding("base32 encode/decode does not round-trip");
  }
  const std::string_view key = text.substr(0, text.size() / 2);
  const std::string_view code = text.substr(text.size() / 2);
  const std::int64_t now_step = totp::time_step(1'795'600'800'000);
  if (const auto step = totp::matching_step(key, code, now_step, now_step - 5)) {
    if (*step < now_step - totp::kWindowSteps || *step > now_step + totp::kWindowSteps) {
      kit::fuzz::finding("matching_step answered a step outside the window");
    }
    if (totp::hotp(key, static_cast<std::uint64_t>(*step)) != code) {
      kit::fuzz::finding("matching_step accepted a code that is not the step's");
    }
  }
  try {
    kit::server::check_totp_code_format("totp_code", std::string(text));
  } catch (const kit::Error&) {
  }
  try {
    const std::string normal =
        kit::server::normalise_recovery_code("recovery_code", std::string(text));
    if (normal.size() != 16) kit::fuzz::finding("a recovery code normalised to " + normal);
  } catch (const kit::Error&) {
  }
  (void)totp::otpauth_uri(key, code, totp::base32_encode(key));
  return 0;
}
