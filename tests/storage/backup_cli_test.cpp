// `kit backup` / `kit restore` through the real binary (skipped if kit is not built yet).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "storage/database.h"
#include "storage/serve_lock.h"
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

TEST_F(BackupCli, EmptyPathsAreBadInputNotACrash) {
  make_data(dir_ / "d", 1);
  EXPECT_EQ(run_kit({"backup", "--data", (dir_ / "d").string(), "--to", ""}).exit_code, 2);
  EXPECT_EQ(run_kit({"restore", "--data", (dir_ / "d").string(), "--from", ""}).exit_code, 2);
  EXPECT_EQ(run_kit({"backup", "--data", "", "--to", (dir_ / "b.db").string()}).exit_code, 2);
}

TEST_F(BackupCli, BackupNeverOverwritesAnUnrelatedFile) {
  make_data(dir_ / "d", 1);
  const fs::path precious = dir_ / "thesis.txt";
  {
    std::FILE* f = std::fopen(precious.c_str(), "w");
    std::fputs("four years of work", f);
    std::fclose(f);
  }
  auto r = run_kit({"backup", "--data", (dir_ / "d").string(), "--to", precious.string(),
                    "--force"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(fs::file_size(precious), 18u);
  // An earlier backup of the same name is replaced only with --force.
  const fs::path b = dir_ / "b.db";
  ASSERT_EQ(run_kit({"backup", "--data", (dir_ / "d").string(), "--to", b.string()}).exit_code, 0);
  EXPECT_EQ(run_kit({"backup", "--data", (dir_ / "d").string(), "--to", b.string()}).exit_code, 3);
  EXPECT_EQ(
      run_kit({"backup", "--data", (dir_ / "d").string(), "--to", b.string(), "--force"}).exit_code,
      0);
}

TEST_F(BackupCli, RestoreRefusesARunningServerAnEmptyFileAndDroppedTables) {
  make_data(dir_ / "d", 3);
  const fs::path b = dir_ / "b.db";
  ASSERT_EQ(run_kit({"backup", "--data", (dir_ / "d").string(), "--to", b.string()}).exit_code, 0);
  {
    // A kit serve holds the folder (shared): restore must not replace the database under it.
    ServeLock serving(dir_ / "d", ServeLock::Mode::shared);
    ASSERT_TRUE(serving.held());
    auto r = run_kit({"restore", "--data", (dir_ / "d").string(), "--from", b.string(), "--force"});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_NE(r.err.find("kit serve"), std::string::npos) << r.err;
  }
  const fs::path empty = dir_ / "empty.db";
  std::fclose(std::fopen(empty.c_str(), "w"));
  EXPECT_EQ(run_kit({"restore", "--data", (dir_ / "e").string(), "--from", empty.string()})
                .exit_code,
            2);
  const fs::path broken = dir_ / "broken.db";
  fs::copy_file(b, broken);
  {
    auto db = open_sqlite(broken, {.create = false});
    with_transaction(*db, [](Transaction& tx) { tx.exec("DROP TABLE session_events"); });
  }
  auto r = run_kit({"restore", "--data", (dir_ / "e").string(), "--from", broken.string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("session_events"), std::string::npos) << r.err;
  // A schema version past 2^32 is not read as a small one.
  const fs::path huge = dir_ / "huge.db";
  fs::copy_file(b, huge);
  {
    auto db = open_sqlite(huge, {.create = false});
    with_transaction(*db, [](Transaction& tx) {
      tx.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (4294967297, 'x', "
              "'y')");
    });
  }
  EXPECT_EQ(run_kit({"restore", "--data", (dir_ / "e").string(), "--from", huge.string()})
                .exit_code,
            2);
}

TEST_F(BackupCli, RestoreEndsEveryLoginKeepsEverySafetyCopyAndIsAudited) {
  make_data(dir_ / "d", 2);
  {
    auto db = open_database("", dir_ / "d");
    with_transaction(*db, [](Transaction& tx) {
      tx.exec("INSERT INTO users (username, password_hash, role, created_at_ms, updated_at_ms) "
              "VALUES ('nina', 'x', 'nurse', 1, 1)");
      tx.exec("INSERT INTO logins (token_hash, user_id, csrf_token, created_at_ms, last_seen_ms, "
              "expires_at_ms, remote_address) VALUES ('h', (SELECT id FROM users WHERE username "
              "= 'nina'), 'c', 1, 1, 99999999999999, '127.0.0.1')");
    });
  }
  const fs::path b = dir_ / "b.db";
  ASSERT_EQ(run_kit({"backup", "--data", (dir_ / "d").string(), "--to", b.string()}).exit_code, 0);
  for (int i = 0; i < 2; ++i) {  // twice in the same second: two safety copies, none overwritten
    auto r = run_kit({"restore", "--data", (dir_ / "d").string(), "--from", b.string(), "--force"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  int copies = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "d")) {
    if (e.path().filename().string().rfind("kit-before-restore-", 0) == 0) ++copies;
  }
  EXPECT_EQ(copies, 2);
  auto db = open_sqlite(dir_ / "d" / "kit.db", {.create = false});
  auto tx = db->begin();
  EXPECT_EQ(tx->query("SELECT count(*) AS n FROM logins").at(0).i64("n"), 0);
  // The restored database records its own restore (the one it replaced is in the safety copy).
  EXPECT_EQ(tx->query("SELECT count(*) AS n FROM audit_log WHERE action LIKE 'kit restore%'")
                .at(0)
                .i64("n"),
            1);
}

}  // namespace
}  // namespace kit::storage::test
