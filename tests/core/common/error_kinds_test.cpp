// The one error table: every kind has exactly one row, a distinct wire name, the HTTP status and
// the CLI exit code the contract publishes (0 ok, 2 bad input, 3 refused; internal is never 2).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/common/error.h"
#include "core/common/error_kinds.h"

namespace kit {
namespace {

TEST(ErrorKinds, EveryKindHasOneRowAndADistinctName) {
  std::set<int> kinds;
  std::set<std::string_view> names;
  for (const ErrorKindInfo& i : kErrorKinds) {
    EXPECT_TRUE(kinds.insert(static_cast<int>(i.kind)).second);
    EXPECT_TRUE(names.insert(i.name).second) << i.name;
    EXPECT_EQ(info(i.kind).name, i.name);
  }
  EXPECT_EQ(kinds.size(), static_cast<std::size_t>(ErrorKind::internal) + 1);
}

TEST(ErrorKinds, PublishedStatusesAndExitCodes) {
  EXPECT_EQ(info(ErrorKind::invalid_input).http_status, 400);
  EXPECT_EQ(info(ErrorKind::invalid_input).exit_code, 2);
  EXPECT_EQ(info(ErrorKind::rule_refused).http_status, 422);
  EXPECT_EQ(info(ErrorKind::rule_refused).exit_code, 3);
  EXPECT_EQ(info(ErrorKind::not_found).http_status, 404);
  EXPECT_EQ(info(ErrorKind::conflict).http_status, 409);
  EXPECT_EQ(info(ErrorKind::stale_write).http_status, 412);
  EXPECT_EQ(info(ErrorKind::precondition_required).http_status, 428);
  EXPECT_EQ(info(ErrorKind::unauthenticated).http_status, 401);
  EXPECT_EQ(info(ErrorKind::forbidden).http_status, 403);
  EXPECT_EQ(info(ErrorKind::rate_limited).http_status, 429);
  EXPECT_EQ(info(ErrorKind::internal).http_status, 500);
  EXPECT_NE(info(ErrorKind::internal).exit_code, info(ErrorKind::invalid_input).exit_code);
}

TEST(ErrorKinds, ErrorsNameTheirFieldOrGateAndTheirWireCode) {
  const InputError bad("doses[2].amount_mg", "must be > 0");
  EXPECT_EQ(bad.kind(), ErrorKind::invalid_input);
  EXPECT_EQ(std::string(bad.what()), "doses[2].amount_mg: must be > 0");
  EXPECT_EQ(wire_code(bad), "invalid_input");
  const RuleRefused gate("patient_approved", "patient 27 is declined");
  EXPECT_EQ(gate.field(), "patient_approved");
  EXPECT_EQ(info(gate.kind()).http_status, 422);
  const Error locked(ErrorKind::rate_limited, "try later", "", "locked");
  EXPECT_EQ(wire_code(locked), "locked");
  EXPECT_EQ(wire_code(Error::precondition_required()), "if_match_required");
}

}  // namespace
}  // namespace kit
