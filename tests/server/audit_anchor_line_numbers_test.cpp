// An anchor line whose numbers are not whole numbers within 64 bits (1.7956e22, 1.5, 1e300) is a
// malformed line, not a number converted with undefined behaviour (found by the fuzz target
// fuzz/audit_anchor.cpp: UBSan "1.7956e+22 is outside the range of representable values of type
// 'long'" in nlohmann's get<std::int64_t>; input in fuzz/regressions/audit_anchor/).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "server/api/audit_anchor.h"

namespace kit::server {
namespace {

AnchorCheck check_text(const std::string& text) {
  std::random_device rd;
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("kit-anchor-numbers-" + std::to_string(rd()));
  std::ofstream(file, std::ios::binary) << text;
  AnchorKey key;
  const AnchorFile read = read_anchor_file(file, key);
  std::filesystem::remove(file);
  return read.check;
}

std::string line_with(const std::string& field, const std::string& number) {
  std::string seq = "1", at_ms = "1795600800000", v = "1";
  if (field == "seq") seq = number;
  if (field == "at_ms") at_ms = number;
  if (field == "v") v = number;
  return "{\"v\":" + v + ",\"kind\":\"head\",\"seq\":" + seq +
         ",\"hash\":\"ab\",\"at_ms\":" + at_ms +
         ",\"at\":\"2026-11-25T10:00:00.000Z\",\"by\":\"kit "
         "serve\",\"reason\":\"start\",\"mac\":\"" +
         std::string(64, '0') + "\"}\n";
}

TEST(AuditAnchorLineNumbers, NumbersBeyondInt64OrFractionalAreMalformed) {
  for (const std::string field : {"seq", "at_ms"}) {
    for (const std::string number :
         {"17956009001795600860000", "1.5", "1e300", "-1e300", "18446744073709551615"}) {
      const AnchorCheck c = check_text(line_with(field, number));
      EXPECT_FALSE(c.ok) << field << " = " << number;
      EXPECT_EQ(c.problem_code, "malformed_line") << field << " = " << number;
    }
  }
  const AnchorCheck v = check_text(line_with("v", "1e300"));
  EXPECT_EQ(v.problem_code, "malformed_line");
}

TEST(AuditAnchorLineNumbers, AWholeNumberLineStillReachesTheSignatureCheck) {
  // Well-formed, wrong MAC (all zeros): the signature check, not the parser, refuses it.
  EXPECT_EQ(check_text(line_with("seq", "1")).problem_code, "bad_signature");
}

}  // namespace
}  // namespace kit::server
