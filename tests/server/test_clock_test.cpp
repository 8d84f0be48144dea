// The test clock of `kit serve --demo --test-clock FILE` (server/api/test_clock.h, ADR 0029).
#include "server/api/test_clock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "server/api/services.h"
#include "storage/database.h"

namespace kit::server {
namespace {

namespace fs = std::filesystem;

class TestClockFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kit-test-clock-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    file_ = dir_ / "clock";
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& text) {
    std::ofstream out(file_, std::ios::binary | std::ios::trunc);
    out << text;
  }
  fs::path dir_;
  fs::path file_;
};

constexpr std::int64_t kWallMs = 1'790'000'000'000;  // a fixed real clock for the tests
std::int64_t fixed_wall() { return kWallMs; }

TEST(TestClockParse, AcceptsOneWholeNumberOfMinutes) {
  EXPECT_EQ(TestClock::parse_offset_minutes("0"), 0);
  EXPECT_EQ(TestClock::parse_offset_minutes("1440\n"), 1440);
  EXPECT_EQ(TestClock::parse_offset_minutes("  30 \r\n"), 30);
  EXPECT_EQ(TestClock::parse_offset_minutes(std::to_string(TestClock::kMaxOffsetMinutes)),
            TestClock::kMaxOffsetMinutes);
}

TEST(TestClockParse, RefusesAnythingElse) {
  for (const char* text :
       {"", " ", "-1", "+5", "1.5", "1e3", "abc", "10 20", "0x10", "1440m", "99999999999"}) {
    EXPECT_EQ(TestClock::parse_offset_minutes(text), std::nullopt) << text;
  }
  EXPECT_EQ(TestClock::parse_offset_minutes(std::to_string(TestClock::kMaxOffsetMinutes + 1)),
            std::nullopt);
}

TEST_F(TestClockFile, NowIsTheRealClockPlusTheFilesOffsetReadAtEveryReading) {
  write("60\n");
  TestClock clock(file_, {}, fixed_wall);
  EXPECT_EQ(clock.offset_minutes(), 60);
  EXPECT_EQ(clock.now_ms(), kWallMs + 60 * 60'000);
  write("1500");  // a day and an hour ahead
  EXPECT_EQ(clock.now_ms(), kWallMs + 1500 * 60'000);
  EXPECT_EQ(clock.offset_minutes(), 1500);
}

TEST_F(TestClockFile, NeverRunsBackwardsAndWarnsOncePerProblem) {
  write("120");
  std::vector<std::string> warnings;
  TestClock clock(
      file_, [&](const std::string& message, const std::string&) { warnings.push_back(message); },
      fixed_wall);
  write("30");
  EXPECT_EQ(clock.now_ms(), kWallMs + 120 * 60'000);
  EXPECT_EQ(clock.now_ms(), kWallMs + 120 * 60'000);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("does not run backwards"), std::string::npos) << warnings[0];
  write("not a number");
  EXPECT_EQ(clock.now_ms(), kWallMs + 120 * 60'000);
  fs::remove(file_);
  EXPECT_EQ(clock.now_ms(), kWallMs + 120 * 60'000);
  EXPECT_EQ(warnings.size(), 3u);
  write("240");
  EXPECT_EQ(clock.now_ms(), kWallMs + 240 * 60'000);
  EXPECT_EQ(warnings.size(), 3u);
}

TEST_F(TestClockFile, AMissingOrUnreadableFileIsRefusedAtStart) {
  try {
    TestClock clock(file_);
    FAIL() << "a missing file was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(file_.string()), std::string::npos) << e.what();
  }
  write("-5");
  EXPECT_THROW(TestClock{file_}, std::runtime_error);
  fs::create_directories(dir_ / "folder");
  EXPECT_THROW(TestClock{dir_ / "folder"}, std::runtime_error);
}

TEST_F(TestClockFile, ServicesReadTheTestClockOnlyWhileItIsSet) {
  write("2880");
  TestClock clock(file_, {}, fixed_wall);
  const std::unique_ptr<storage::Database> db = storage::open_database("", dir_.string());
  Services services(*db, ServerConfig{});
  const std::int64_t real_before = services.now_ms();
  EXPECT_LT(std::llabs(real_before - std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count()),
            60'000);
  EXPECT_EQ(services.test_clock(), nullptr);
  services.set_test_clock(&clock);
  EXPECT_EQ(services.now_ms(), kWallMs + 2880 * 60'000);
  EXPECT_EQ(services.test_clock(), &clock);
  services.set_test_clock(nullptr);
  EXPECT_LT(std::llabs(services.now_ms() - real_before), 60'000);
}

}  // namespace
}  // namespace kit::server
