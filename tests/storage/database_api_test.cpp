// The storage API suite: every test runs on SQLite and on PostgreSQL (storage_fixture.h).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "storage/migration_runner.h"
#include "tests/storage/storage_fixture.h"

namespace kit::storage::test {
namespace {

using StorageApi = BackendTest;

TEST_P(StorageApi, ReportsItsBackend) { EXPECT_EQ(db->backend(), GetParam()); }

TEST_P(StorageApi, EveryValueTypeRoundTrips) {
  with_transaction(*db, [](Transaction& tx) {
    tx.exec("CREATE TABLE rt (k INTEGER PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, t TEXT)");
  });
  const std::int64_t ints[] = {0,
                               1,
                               -1,
                               42,
                               std::numeric_limits<std::int64_t>::max(),
                               std::numeric_limits<std::int64_t>::min()};
  const double reals[] = {0.0, 0.1, -2.5, 1.0 / 3.0, 1e300, -1e-300, 70.25};
  const std::string texts[] = {"",
                               "plain",
                               "ketamine é 氯胺酮 ✓",
                               "it's \"quoted\"; -- not a comment",
                               "$1 stays text",
                               std::string(5000, 'x')};
  std::int64_t k = 0;
  with_transaction(*db, [&](Transaction& tx) {
    for (auto i : ints) tx.exec("INSERT INTO rt (k, i) VALUES ($1, $2)", {++k, i});
    for (auto r : reals) tx.exec("INSERT INTO rt (k, r) VALUES ($1, $2)", {++k, r});
    for (const auto& t : texts) tx.exec("INSERT INTO rt (k, t) VALUES ($1, $2)", {++k, t});
    tx.exec("INSERT INTO rt (k, i, r, t) VALUES ($1, $2, $3, $4)", {++k, null(), null(), null()});
  });
  auto tx = db->begin();
  const Rows rows = tx->query("SELECT k, i, r, t FROM rt ORDER BY k");
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(k));
  std::size_t n = 0;
  for (auto i : ints) {
    EXPECT_EQ(rows[n].at("i"), Value{i});
    EXPECT_TRUE(rows[n].is_null("r"));
    ++n;
  }
  for (auto r : reals) {
    ASSERT_TRUE(std::holds_alternative<double>(rows[n].at("r"))) << r;
    EXPECT_EQ(rows[n].f64("r"), r);  // exact: no precision lost on the way
    ++n;
  }
  for (const auto& t : texts) {
    EXPECT_EQ(rows[n].at("t"), Value{t});
    ++n;
  }
  EXPECT_TRUE(rows[n].is_null("i"));
  EXPECT_TRUE(rows[n].is_null("r"));
  EXPECT_TRUE(rows[n].is_null("t"));
  EXPECT_EQ(rows[n].opt_text("t"), std::nullopt);
  EXPECT_NE(rows[n - 1].opt_text("t"), std::nullopt);
  // Column names come back as written; aggregates are numbers.
  const Rows agg = tx->query("SELECT count(*) AS n, max(k) AS top FROM rt");
  EXPECT_EQ(agg.at(0).i64("n"), k);
  EXPECT_EQ(agg.at(0).i64("top"), k);
  EXPECT_EQ(agg.at(0).names(), (std::vector<std::string>{"n", "top"}));
}

TEST_P(StorageApi, PlaceholdersBindByNumberReusedAndOutOfOrder) {
  with_transaction(*db, [](Transaction& tx) {
    tx.exec("CREATE TABLE ph (a BIGINT, b BIGINT, c TEXT)");
    tx.exec("INSERT INTO ph (a, b, c) VALUES ($1, $1, $2)", {std::int64_t{7}, std::string("x")});
    tx.exec("INSERT INTO ph (c, b, a) VALUES ($3, $2, $1)",
            {std::int64_t{1}, std::int64_t{2}, std::string("y")});
  });
  auto tx = db->begin();
  Rows r = tx->query("SELECT a, b, c FROM ph WHERE c = $2 AND a = $1", {std::int64_t{7}, "x"});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].i64("b"), 7);
  r = tx->query("SELECT a, b FROM ph WHERE c = $1", {"y"});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].i64("a"), 1);
  EXPECT_EQ(r[0].i64("b"), 2);
  // $N inside a string literal is text, not a placeholder.
  r = tx->query("SELECT '$1 and $2' AS lit, c FROM ph WHERE a = $1", {std::int64_t{1}});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].text("lit"), "$1 and $2");
  // Ten or more parameters: $10 is not $1 followed by 0.
  std::vector<Value> ten;
  for (std::int64_t i = 1; i <= 10; ++i) ten.push_back(i);
  r = tx->query(
      "SELECT count(*) AS n, max(a) AS a FROM ph "
      "WHERE b = $10 OR (a = $1 AND b IN ($2, $3, $4, $5, $6, $7, $8, $9))",
      ten);
  EXPECT_EQ(r.at(0).i64("n"), 1);
  EXPECT_EQ(r.at(0).i64("a"), 1);  // the (1, 2) row only
}

TEST_P(StorageApi, WrongParameterCountIsRefused) {
  with_transaction(*db, [](Transaction& tx) { tx.exec("CREATE TABLE pc (a BIGINT)"); });
  {
    auto tx = db->begin();
    EXPECT_ANY_THROW(tx->exec("INSERT INTO pc (a) VALUES ($1)", {}));
  }
  {
    auto tx = db->begin();
    EXPECT_ANY_THROW(
        tx->exec("INSERT INTO pc (a) VALUES ($1)", {std::int64_t{1}, std::int64_t{2}}));
  }
  auto tx = db->begin();
  EXPECT_EQ(tx->query("SELECT count(*) AS n FROM pc").at(0).i64("n"), 0);
}

TEST_P(StorageApi, ExecCountsChangedRowsAndReturningGivesRows) {
  with_transaction(*db, [](Transaction& tx) {
    tx.exec("CREATE TABLE ch (id INTEGER PRIMARY KEY, v BIGINT NOT NULL)");
  });
  auto tx = db->begin();
  for (std::int64_t i = 1; i <= 5; ++i) {
    EXPECT_EQ(tx->exec("INSERT INTO ch (id, v) VALUES ($1, $2)", {i, i * 10}), 1);
  }
  EXPECT_EQ(tx->exec("UPDATE ch SET v = v + 1 WHERE id <= $1", {std::int64_t{3}}), 3);
  EXPECT_EQ(tx->exec("DELETE FROM ch WHERE id = $1", {std::int64_t{99}}), 0);
  const Rows r =
      tx->query("UPDATE ch SET v = v * 2 WHERE id = $1 RETURNING id, v", {std::int64_t{2}});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].i64("v"), 42);
  tx->commit();
}

TEST_P(StorageApi, CommitPersistsAndDestructionRollsBack) {
  with_transaction(*db, [](Transaction& tx) { tx.exec("CREATE TABLE cr (v TEXT)"); });
  {
    auto tx = db->begin();
    tx->exec("INSERT INTO cr (v) VALUES ($1)", {"kept"});
    tx->commit();
  }
  {
    auto tx = db->begin();
    tx->exec("INSERT INTO cr (v) VALUES ($1)", {"dropped"});
  }  // no commit
  EXPECT_THROW(with_transaction(*db,
                                [](Transaction& tx) {
                                  tx.exec("INSERT INTO cr (v) VALUES ($1)", {"thrown"});
                                  throw std::runtime_error("handler failed");
                                }),
               std::runtime_error);
  auto other = open();  // a separate pool sees only committed data
  auto tx = other->begin();
  const Rows r = tx->query("SELECT v FROM cr");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].text("v"), "kept");
}

TEST_P(StorageApi, CommitTwiceIsAnError) {
  auto tx = db->begin();
  tx->commit();
  EXPECT_THROW(tx->commit(), std::logic_error);
}

TEST_P(StorageApi, ConstraintsRaiseConstraintViolation) {
  with_transaction(*db, [](Transaction& tx) {
    tx.exec(
        "CREATE TABLE cv_parent (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, "
        "dose_mg DOUBLE PRECISION CHECK (dose_mg > 0))");
    tx.exec(
        "CREATE TABLE cv_child (id INTEGER PRIMARY KEY, parent_id BIGINT NOT NULL "
        "REFERENCES cv_parent(id))");
    tx.exec("INSERT INTO cv_parent (id, code, dose_mg) VALUES (1, 'a', 35)");
  });
  auto attempt = [&](const std::string& sql, std::vector<Value> params) {
    auto tx = db->begin();
    tx->exec(sql, params);
    tx->commit();
  };
  EXPECT_THROW(attempt("INSERT INTO cv_parent (id, code) VALUES ($1, $2)", {std::int64_t{2}, "a"}),
               ConstraintViolation);
  EXPECT_THROW(attempt("INSERT INTO cv_child (id, parent_id) VALUES ($1, $2)",
                       {std::int64_t{1}, std::int64_t{99}}),
               ConstraintViolation);
  EXPECT_THROW(attempt("INSERT INTO cv_parent (id, code, dose_mg) VALUES ($1, $2, $3)",
                       {std::int64_t{3}, "c", -1.0}),
               ConstraintViolation);
  EXPECT_THROW(
      attempt("INSERT INTO cv_parent (id, code) VALUES ($1, $2)", {std::int64_t{4}, null()}),
      ConstraintViolation);
  // A failed statement finishes its transaction on both back ends.
  auto tx = db->begin();
  EXPECT_THROW(tx->exec("INSERT INTO cv_parent (id, code) VALUES (5, 'a')"), ConstraintViolation);
  EXPECT_THROW(tx->query("SELECT 1 AS one"), std::logic_error);
  EXPECT_THROW(tx->commit(), std::logic_error);
}

// A full disk and a read-only database are storage faults with a code (ADR 0018), not internal
// errors: SQLite's page limit gives SQLITE_FULL and query_only SQLITE_READONLY without a real disk.
TEST_P(StorageApi, SqliteFullAndReadOnlyAreStorageUnavailableWithTheirCode) {
  if (!is_sqlite()) GTEST_SKIP() << "PostgreSQL's 53100 / 25006 need a real disk or a standby";
  with_transaction(*db, [](Transaction& tx) { tx.exec("CREATE TABLE sf (v TEXT)"); });
  auto code_of = [&](const char* pragma) -> std::string {
    auto tx = db->begin();
    tx->query(pragma);
    try {
      tx->exec("INSERT INTO sf (v) VALUES ($1)", {std::string(64 * 1024, 'x')});
      tx->commit();
    } catch (const StorageUnavailable& e) {
      EXPECT_THROW(tx->commit(), std::logic_error);  // the transaction is finished
      return e.code();
    }
    return "no error";
  };
  const std::int64_t pages = with_transaction(
      *db, [](Transaction& tx) { return tx.query("PRAGMA page_count").front().i64("page_count"); });
  EXPECT_EQ(code_of(("PRAGMA max_page_count = " + std::to_string(pages)).c_str()), "storage_full");
  const auto left = with_transaction(*db, [](Transaction& tx) {
    return tx.query("SELECT count(*) AS n FROM sf").front().i64("n");
  });
  EXPECT_EQ(left, 0);  // nothing of the refused write was stored
  // Last: query_only stays on the pooled connection (as a read-only file would).
  EXPECT_EQ(code_of("PRAGMA query_only = 1"), "storage_read_only");
}

TEST_P(StorageApi, ForeignKeyRefusesDeletingAReferencedRow) {
  with_transaction(*db, [](Transaction& tx) {
    tx.exec("CREATE TABLE fk_p (id INTEGER PRIMARY KEY)");
    tx.exec("CREATE TABLE fk_c (id INTEGER PRIMARY KEY, p BIGINT NOT NULL REFERENCES fk_p(id))");
    tx.exec("INSERT INTO fk_p (id) VALUES (1)");
    tx.exec("INSERT INTO fk_c (id, p) VALUES (1, 1)");
  });
  auto tx = db->begin();
  EXPECT_THROW(tx->exec("DELETE FROM fk_p WHERE id = $1", {std::int64_t{1}}), ConstraintViolation);
}

TEST_P(StorageApi, ConcurrentAtomicIncrementsLoseNothing) {
  with_transaction(*db, [](Transaction& tx) {
    tx.exec("CREATE TABLE counter (id INTEGER PRIMARY KEY, v BIGINT NOT NULL)");
    tx.exec("INSERT INTO counter (id, v) VALUES (1, 0)");
  });
  constexpr int kThreads = 4, kEach = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        with_transaction(
            *db, [](Transaction& tx) { tx.exec("UPDATE counter SET v = v + 1 WHERE id = 1"); });
      }
    });
  }
  for (auto& t : threads) t.join();
  auto tx = db->begin();
  EXPECT_EQ(tx->query("SELECT v FROM counter WHERE id = 1").at(0).i64("v"), kThreads * kEach);
}

// The server's ETag / If-Match pattern: read the version, write only if it is unchanged, retry
// when another writer got there first. No update is lost on either back end.
TEST_P(StorageApi, OptimisticVersionCheckLosesNoUpdate) {
  with_transaction(*db, [](Transaction& tx) {
    tx.exec(
        "CREATE TABLE doc (id INTEGER PRIMARY KEY, body TEXT NOT NULL, version BIGINT NOT NULL)");
    tx.exec("INSERT INTO doc (id, body, version) VALUES (1, '', 1)");
  });
  constexpr int kThreads = 4, kEach = 25;
  std::atomic<int> stale{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        for (;;) {
          // Read in one transaction, write in another: the window a real HTTP round trip has.
          const Row row = with_transaction(
              *db, [](Transaction& tx) { return tx.query("SELECT body, version FROM doc").at(0); });
          const std::string body = row.text("body") + static_cast<char>('a' + t);
          const std::int64_t changed = with_transaction(*db, [&](Transaction& tx) {
            return tx.exec(
                "UPDATE doc SET body = $1, version = version + 1 WHERE id = 1 AND version = $2",
                {body, row.i64("version")});
          });
          if (changed == 1) break;
          ++stale;  // 412 Precondition Failed: reread and try again
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  auto tx = db->begin();
  const Row row = tx->query("SELECT body, version FROM doc").at(0);
  EXPECT_EQ(row.text("body").size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(row.i64("version"), 1 + kThreads * kEach);
}

// The double-booking guard: two processes check a chair's slot and insert it at the same moment;
// UNIQUE(chair_id, slot_start) in the database lets exactly one win each slot.
TEST_P(StorageApi, TwoProcessesRacingForOneSlotExactlyOneWins) {
  with_transaction(*db, [](Transaction& tx) {
    tx.exec(
        "CREATE TABLE slot_test (id INTEGER PRIMARY KEY, chair_id BIGINT NOT NULL, "
        "slot_start TEXT NOT NULL, owner BIGINT NOT NULL, UNIQUE (chair_id, slot_start))");
  });
  db.reset();  // nothing of the parent's pool crosses fork()
  constexpr int kSlots = 30;
  int start[2];
  ASSERT_EQ(::pipe(start), 0);
  std::vector<pid_t> children;
  for (std::int64_t who = 1; who <= 2; ++who) {
    children.push_back(spawn([&, who]() -> int {
      ::close(start[1]);
      auto mine = open();
      char go;
      if (::read(start[0], &go, 1) < 0) return 90;  // wait for the starting gun (EOF)
      int wins = 0;
      for (int s = 0; s < kSlots; ++s) {
        const std::string slot =
            "2025-03-0" + std::to_string(1 + s / 10) + "T0" + std::to_string(s % 10) + ":00";
        try {
          with_transaction(*mine, [&](Transaction& tx) {
            // The application checks first (both see the slot free), then inserts.
            const auto taken = tx.query(
                "SELECT count(*) AS n FROM slot_test WHERE chair_id = $1 AND slot_start = $2",
                {std::int64_t{7}, slot});
            if (taken.at(0).i64("n") != 0) throw ConstraintViolation("seen taken");
            tx.exec(
                "INSERT INTO slot_test (id, chair_id, slot_start, owner) VALUES ($1, $2, $3, $4)",
                {who * 1000 + s, std::int64_t{7}, slot, who});
          });
          ++wins;
        } catch (const ConstraintViolation&) {
        }
      }
      return wins;
    }));
  }
  ::close(start[0]);
  ::close(start[1]);
  int total = 0;
  for (pid_t pid : children) {
    const int code = wait_child(pid);
    ASSERT_LE(code, kSlots) << "child failed with exit code " << code;
    total += code;
  }
  EXPECT_EQ(total, kSlots);
  db = open();
  auto tx = db->begin();
  EXPECT_EQ(tx->query("SELECT count(*) AS n FROM slot_test").at(0).i64("n"), kSlots);
  EXPECT_EQ(tx->query("SELECT count(DISTINCT slot_start) AS n FROM slot_test").at(0).i64("n"),
            kSlots);
}

// An acknowledged write survives kill -9 of the process that made it.
TEST_P(StorageApi, AcknowledgedWriteSurvivesKill9) {
  with_transaction(*db, [](Transaction& tx) {
    tx.exec("CREATE TABLE durable (id INTEGER PRIMARY KEY, note TEXT NOT NULL)");
  });
  db.reset();
  int ack[2];
  ASSERT_EQ(::pipe(ack), 0);
  const pid_t child = spawn([&]() -> int {
    ::close(ack[0]);
    auto mine = open();
    with_transaction(*mine, [](Transaction& tx) {
      tx.exec("INSERT INTO durable (id, note) VALUES ($1, $2)", {std::int64_t{1}, "acknowledged"});
    });
    if (::write(ack[1], "k", 1) != 1) return 91;  // the acknowledgement
    // Keep writing (uncommitted work in flight) until killed.
    auto tx = mine->begin();
    for (std::int64_t i = 2;; ++i) {
      tx->exec("INSERT INTO durable (id, note) VALUES ($1, $2)", {i, "in flight"});
    }
  });
  ::close(ack[1]);
  char c = 0;
  ASSERT_EQ(::read(ack[0], &c, 1), 1);
  ::close(ack[0]);
  ::kill(child, SIGKILL);
  EXPECT_EQ(wait_child(child), 128 + SIGKILL);
  db = open();
  auto tx = db->begin();
  const Rows r = tx->query("SELECT id, note FROM durable ORDER BY id");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].text("note"), "acknowledged");
}

TEST_P(StorageApi, BackupWhileWritingIsConsistent) {
  with_transaction(*db, [](Transaction& tx) {
    tx.exec("CREATE TABLE bk_a (id INTEGER PRIMARY KEY, v TEXT)");
    tx.exec("CREATE TABLE bk_b (id INTEGER PRIMARY KEY, v TEXT)");
  });
  const auto dir = make_temp_dir("backup");
  if (!is_sqlite()) {
    try {
      db->backup_to(dir / "x.db");
      ADD_FAILURE() << "PostgreSQL backup_to should throw";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("pg_dump"), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find(":kit@"), std::string::npos) << "password leaked";
    }
    std::filesystem::remove_all(dir);
    return;
  }
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (std::int64_t i = 1; !stop; ++i) {
      with_transaction(*db, [&](Transaction& tx) {
        // Two tables in one transaction: a consistent copy always has as many rows in each.
        tx.exec("INSERT INTO bk_a (id, v) VALUES ($1, $2)", {i, std::string(200, 'a')});
        tx.exec("INSERT INTO bk_b (id, v) VALUES ($1, $2)", {i, std::string(200, 'b')});
      });
      ++written;
    }
  });
  while (written < 20) std::this_thread::yield();
  for (int k = 0; k < 5; ++k) {
    const auto file = dir / ("backup-" + std::to_string(k) + ".db");
    db->backup_to(file);
    EXPECT_EQ(sqlite_integrity_check(file), "ok");
    auto copy = open_sqlite(file, {.create = false});
    auto tx = copy->begin();
    const auto a = tx->query("SELECT count(*) AS n FROM bk_a").at(0).i64("n");
    const auto b = tx->query("SELECT count(*) AS n FROM bk_b").at(0).i64("n");
    EXPECT_EQ(a, b);
    EXPECT_GE(a, 20);
  }
  stop = true;
  writer.join();
  // A backup is one self-contained file (no -wal beside it once closed).
  EXPECT_FALSE(std::filesystem::exists(dir / "backup-4.db-wal"));
  std::filesystem::remove_all(dir);
}

TEST_P(StorageApi, MigrationsApplyOnceInOrderAndAreRecorded) {
  std::vector<Migration> list = {
      {2, "0002_second",
       "ALTER TABLE mig_a ADD COLUMN extra TEXT;\nCREATE INDEX mig_a_name ON mig_a (name);"},
      {1, "0001_first",
       "-- a comment with $1 in it\nCREATE TABLE mig_a (id {{ID}}, name TEXT NOT NULL, "
       "payload {{BLOB}});\nCREATE TABLE mig_b (id {{ID}}, a_id BIGINT REFERENCES mig_a(id));"},
  };
  MigrationReport first = apply_migrations(*db, list);
  EXPECT_EQ(first.version_before, 0);
  EXPECT_EQ(first.applied, (std::vector<int>{1, 2}));
  {
    auto tx = db->begin();
    const Rows r =
        tx->query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version");
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].i64("version"), 1);
    EXPECT_EQ(r[0].text("name"), "0001_first");
    EXPECT_EQ(r[1].text("name"), "0002_second");
    EXPECT_EQ(r[1].text("applied_at").size(), 20u);  // 2025-01-01T00:00:00Z
    // {{ID}} generates keys on both back ends.
    const Rows id1 =
        tx->query("INSERT INTO mig_a (name, extra) VALUES ($1, $2) RETURNING id", {"x", "y"});
    const Rows id2 = tx->query("INSERT INTO mig_a (name) VALUES ($1) RETURNING id", {"z"});
    EXPECT_LT(id1.at(0).i64("id"), id2.at(0).i64("id"));
    tx->commit();
  }
  // Re-opening is a no-op.
  auto again = open();
  MigrationReport second = apply_migrations(*again, list);
  EXPECT_EQ(second.version_before, 2);
  EXPECT_TRUE(second.applied.empty());
  // A new migration is applied alone.
  list.push_back({3, "0003_third", "CREATE TABLE mig_c (id {{ID}});"});
  EXPECT_EQ(apply_migrations(*again, list).applied, (std::vector<int>{3}));
}

TEST_P(StorageApi, FailedMigrationLeavesNothingBehind) {
  const std::vector<Migration> list = {
      {1, "0001_ok", "CREATE TABLE fm_ok (id {{ID}});"},
      {2, "0002_broken",
       "CREATE TABLE fm_half (id {{ID}});\nCREATE TABLE fm_bad (id NOT_A_TYPE_AT_ALL(;"},
  };
  EXPECT_THROW(apply_migrations(*db, list), std::runtime_error);
  auto tx = db->begin();
  const Rows r = tx->query("SELECT version FROM schema_migrations");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].i64("version"), 1);
  tx.reset();
  // fm_half was rolled back with the rest of migration 2: creating it again works.
  with_transaction(*db, [](Transaction& t) { t.exec("CREATE TABLE fm_half (id INTEGER)"); });
}

TEST_P(StorageApi, RefusesADatabaseFromANewerKit) {
  const std::vector<Migration> list = {{1, "0001_a", "CREATE TABLE nw (id {{ID}});"}};
  apply_migrations(*db, list);
  with_transaction(*db, [](Transaction& tx) {
    tx.exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (42, 'future', 'x')");
  });
  try {
    apply_migrations(*db, list);
    ADD_FAILURE() << "a newer database must be refused";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

TEST_P(StorageApi, DuplicateMigrationVersionsAreRefused) {
  const std::vector<Migration> list = {{1, "0001_a", "SELECT 1;"}, {1, "0001_b", "SELECT 1;"}};
  EXPECT_THROW(apply_migrations(*db, list), std::invalid_argument);
}

TEST_P(StorageApi, ProcessesStartingTogetherApplyEachMigrationOnce) {
  db.reset();
  std::vector<Migration> list;
  for (int v = 1; v <= 6; ++v) {
    list.push_back({v, "000" + std::to_string(v) + "_m",
                    "CREATE TABLE race_" + std::to_string(v) + " (id {{ID}}, v TEXT);"});
  }
  int start[2];
  ASSERT_EQ(::pipe(start), 0);
  std::vector<pid_t> children;
  for (int k = 0; k < 3; ++k) {
    children.push_back(spawn([&]() -> int {
      ::close(start[1]);
      char go;
      if (::read(start[0], &go, 1) < 0) return 90;
      auto mine = open();
      apply_migrations(*mine, list);
      return 0;
    }));
  }
  ::close(start[0]);
  ::close(start[1]);
  for (pid_t pid : children) EXPECT_EQ(wait_child(pid), 0);
  db = open();
  auto tx = db->begin();
  EXPECT_EQ(tx->query("SELECT count(*) AS n FROM schema_migrations").at(0).i64("n"), 6);
}

// The migrations shipped in storage/migrations/ apply on this back end, and again as a no-op.
TEST_P(StorageApi, EmbeddedMigrationsApplyThroughOpenDatabase) {
  db.reset();
  auto first = open_database(database_url(), data_dir());
  auto second = open_database(database_url(), data_dir());
  auto tx = second->begin();
  const Rows r = tx->query("SELECT count(*) AS n FROM schema_migrations");
  EXPECT_EQ(r.at(0).i64("n"), static_cast<std::int64_t>(embedded_migrations().size()));
}

INSTANTIATE_TEST_SUITE_P(Backends, StorageApi, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

}  // namespace
}  // namespace kit::storage::test
