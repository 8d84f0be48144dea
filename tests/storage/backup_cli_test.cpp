// `kit backup` / `kit restore` through the real binary (skipped if kit is not built yet).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "storage/database.h"
#include "storage/sqlite_database.h"
#include "tests/storage/storage_fixture.h"
#include "tests/support/run_process.h"

namespace kit::storage::test {
namespace {

namespace fs = std::filesystem;
using kit::test::run_kit;

class BackupCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(KIT_BINARY)) GTEST_SKIP() << "kit is not built: " << KIT_BINARY;
    dir_ = make_temp_dir("cli");
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }
  fs::path dir_;

  // A data folder with the shipped schema and `rows` rows in a test table.
  void make_data(const fs::path& data, int rows) {
    auto db = open_database("", data);
    with_transaction(*db, [&](Transaction& tx) {
      tx.exec("CREATE TABLE IF NOT EXISTS cli_note (id INTEGER PRIMARY KEY, v TEXT)");
      for (std::int64_t i = 1; i <= rows; ++i) {
        tx.exec("INSERT INTO cli_note (id, v) VALUES ($1, $2)", {i, "note " + std::to_string(i)});
      }
    });
  }
  static std::int64_t count_notes(const fs::path& file) {
    auto db = open_sqlite(file, {.create = false});
    auto tx = db->begin();
    return tx->query("SELECT count(*) AS n FROM cli_note").at(0).i64("n");
  }
};

TEST_F(BackupCli, BackupWhileWritingThenRestoreIntoAFreshFolder) {
  const fs::path data = dir_ / "data";
  make_data(data, 10);
  auto db = open_sqlite(data / "kit.db");
  std::atomic<bool> stop{false};
  std::thread writer([&] {  // the "server", writing throughout
    for (std::int64_t i = 1000; !stop; ++i) {
      with_transaction(*db, [&](Transaction& tx) {
        tx.exec("INSERT INTO cli_note (id, v) VALUES ($1, $2)", {i, std::string(300, 'w')});
      });
    }
  });
  const auto backup =
      run_kit({"backup", "--data", data.string(), "--to", (dir_ / "b.db").string()});
  stop = true;
  writer.join();
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_NE(backup.out.find("integrity ok"), std::string::npos) << backup.out;
  EXPECT_EQ(sqlite_integrity_check(dir_ / "b.db"), "ok");
  EXPECT_GE(count_notes(dir_ / "b.db"), 10);

  const fs::path fresh = dir_ / "fresh";
  const auto restore =
      run_kit({"restore", "--data", fresh.string(), "--from", (dir_ / "b.db").string()});
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_EQ(count_notes(fresh / "kit.db"), count_notes(dir_ / "b.db"));
  EXPECT_EQ(sqlite_integrity_check(fresh / "kit.db"), "ok");
  // The restored folder opens as a clinic database: migrations are recorded, nothing to apply.
  EXPECT_NO_THROW(open_database("", fresh));
}

TEST_F(BackupCli, RestoreRefusesToOverwriteWithoutForceAndKeepsTheOldOneWithForce) {
  make_data(dir_ / "a", 3);
  make_data(dir_ / "b", 7);
  ASSERT_EQ(run_kit({"backup", "--data", (dir_ / "a").string(), "--to", (dir_ / "a.db").string()})
                .exit_code,
            0);
  const auto refused =
      run_kit({"restore", "--data", (dir_ / "b").string(), "--from", (dir_ / "a.db").string()});
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  EXPECT_EQ(count_notes(dir_ / "b" / "kit.db"), 7);

  auto live = open_sqlite(dir_ / "b" / "kit.db");  // a connection held open across the restore
  const auto forced = run_kit(
      {"restore", "--data", (dir_ / "b").string(), "--from", (dir_ / "a.db").string(), "--force"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(count_notes(dir_ / "b" / "kit.db"), 3);
  {
    auto tx = live->begin();  // the open connection sees the restored data
    EXPECT_EQ(tx->query("SELECT count(*) AS n FROM cli_note").at(0).i64("n"), 3);
  }
  int kept = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "b")) {
    if (e.path().filename().string().rfind("kit-before-restore-", 0) == 0) {
      ++kept;
      EXPECT_EQ(count_notes(e.path()), 7);
    }
  }
  EXPECT_EQ(kept, 1);
}

TEST_F(BackupCli, RestoreRefusesADamagedOrForeignFile) {
  const fs::path junk = dir_ / "junk.db";
  {
    std::FILE* f = std::fopen(junk.c_str(), "w");
    std::fputs("not a database at all", f);
    std::fclose(f);
  }
  auto r = run_kit({"restore", "--data", (dir_ / "d").string(), "--from", junk.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(fs::exists(dir_ / "d" / "kit.db"));
  r = run_kit(
      {"restore", "--data", (dir_ / "d").string(), "--from", (dir_ / "missing.db").string()});
  EXPECT_EQ(r.exit_code, 2);
  // A database from a newer kit.
  make_data(dir_ / "n", 1);
  {
    auto db = open_sqlite(dir_ / "n" / "kit.db");
    with_transaction(*db, [](Transaction& tx) {
      tx.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'x', 'y')");
    });
  }
  ASSERT_EQ(run_kit({"backup", "--data", (dir_ / "n").string(), "--to", (dir_ / "n.db").string()})
                .exit_code,
            0);
  r = run_kit({"restore", "--data", (dir_ / "d").string(), "--from", (dir_ / "n.db").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("newer"), std::string::npos) << r.err;
}

TEST_F(BackupCli, BackupOfAMissingDatabaseIsBadInput) {
  const auto r =
      run_kit({"backup", "--data", (dir_ / "none").string(), "--to", (dir_ / "x.db").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(fs::exists(dir_ / "none" / "kit.db"));  // not created by the attempt
}

TEST_F(BackupCli, PostgresUrlsPrintThePgToolsCommand) {
  const std::string url = "postgresql://kit:secret@db.example:5432/kit";
  auto r = run_kit({"backup", "--database", url, "--to", "k.dump"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("pg_dump"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("secret"), std::string::npos) << r.err;
  r = run_kit({"restore", "--database", url, "--from", "k.dump"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("pg_restore"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace kit::storage::test
