// Fuzz target: the audit anchor file (server/api/audit_anchor.h), as `kit audit verify` and
// GET /api/v1/audit/verify read it: the input is written as the anchor file and read with a
// fixed key (read_anchor_file: JSON lines, each line's HMAC). A malformed or forged line is a
// problem the check reports; an exception is a finding. Lines signed with the key are in the seeds
// (fuzz/corpus/audit_anchor/), so the fuzzer also reaches the lines' fields past the signature.
// The key file reader (load_anchor_key: 64 hex digits) gets the input too.
#include "server/api/audit_anchor.h"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "fuzz/fuzz_support.h"

namespace {

const std::filesystem::path& scratch() {
  static const std::filesystem::path p =
      std::filesystem::temp_directory_path() / ("kit-fuzz-anchor-" + std::to_string(getpid()));
  return p;
}

// The seeds' key: bytes 0, 1, 2, ..., 31.
kit::server::AnchorKey fuzz_key() {
  kit::server::AnchorKey key;
  for (std::size_t i = 0; i < key.bytes.size(); ++i) key.bytes[i] = static_cast<unsigned char>(i);
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = kit::fuzz::as_text(data, size);
  {
    std::ofstream out(scratch(), std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  const kit::server::AnchorFile file = kit::server::read_anchor_file(scratch(), fuzz_key());
  (void)file.check.to_json().dump();
  try {
    (void)kit::server::load_anchor_key(scratch());
  } catch (const std::runtime_error&) {
    // An unreadable key is refused with a message (kit serve then stops).
  }
  return 0;
}
