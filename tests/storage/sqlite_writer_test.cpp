// The SQLite writer queue and group commit (docs/adr/0021-write-path-and-load.md): transactions
// are served in arrival order, a commit returns only once its rows are committed (visible to
// another connection, so on disk with synchronous=FULL), a transaction's rollback undoes only its
// own work inside a shared batch, and concurrent transactions share COMMITs.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/database.h"
#include "storage/sqlite_database.h"
#include "tests/storage/storage_fixture.h"

namespace kit::storage::test {
namespace {

using namespace std::chrono_literals;

class SqliteWriter : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("writer");
    SqliteOptions options;
    options.group_commit_max_age_ms = 60'000;  // only an empty queue ends a batch here
    db = open_sqlite(dir_ / "kit.db", options);
    with_transaction(*db, [](Transaction& tx) {
      tx.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL UNIQUE)");
    });
  }
  void TearDown() override {
    db.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  // Counts rows through a separate connection of SQLite's own: it sees committed data only.
  int committed_rows(const std::string& where = "1") {
    sqlite3* raw = nullptr;
    EXPECT_EQ(sqlite3_open_v2((dir_ / "kit.db").c_str(), &raw, SQLITE_OPEN_READONLY, nullptr),
              SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    const std::string sql = "SELECT count(*) FROM t WHERE " + where;
    EXPECT_EQ(sqlite3_prepare_v2(raw, sql.c_str(), -1, &st, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_step(st), SQLITE_ROW);
    const int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(raw);
    return n;
  }
  std::filesystem::path dir_;
  std::unique_ptr<Database> db;
};

// Waiters are served first come, first served: with one transaction holding the writer, eight
// transactions that arrive one after another (50 ms apart) run in that order.
TEST_F(SqliteWriter, TransactionsAreServedInArrivalOrder) {
  for (int round = 0; round < 3; ++round) {
    auto holder = db->begin();
    const std::int64_t waited_before = kit::storage::sqlite_writer_stats(*db).waited;
    std::mutex m;
    std::vector<int> order;
    std::vector<std::thread> threads;
    constexpr int kWaiters = 8;
    for (int i = 0; i < kWaiters; ++i) {
      threads.emplace_back([&, i] {
        auto tx = db->begin();
        {
          std::lock_guard lock(m);
          order.push_back(i);
        }
        tx->exec("INSERT INTO t (v) VALUES ($1)", {std::int64_t{round * 100 + i}});
        tx->commit();
      });
      // The next one arrives only after this one has queued (a fixed sleep was not enough on a
      // loaded machine: a thread can take longer than that to start).
      const auto deadline = std::chrono::steady_clock::now() + 10s;
      while (kit::storage::sqlite_writer_stats(*db).waited < waited_before + i + 1 &&
             std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(1ms);
    }
    holder->commit();
    holder.reset();
    for (auto& t : threads) t.join();
    std::vector<int> expected;
    for (int i = 0; i < kWaiters; ++i) expected.push_back(i);
    EXPECT_EQ(order, expected) << "round " << round;
  }
}

// commit() returns only after the batch's COMMIT: the row is then visible to another connection,
// even when the transaction was not the last of its batch (a later one kept the writer busy).
TEST_F(SqliteWriter, CommitReturnsOnlyOnceTheRowIsCommitted) {
  auto first = db->begin();
  const std::int64_t waited_before = sqlite_writer_stats(*db).waited;
  first->exec("INSERT INTO t (v) VALUES (1)");
  std::atomic<bool> second_began{false};
  std::atomic<bool> release_second{false};
  std::thread later([&] {
    auto second = db->begin();  // queues behind `first`, then joins its batch
    second_began = true;
    second->exec("INSERT INTO t (v) VALUES (2)");
    while (!release_second) std::this_thread::sleep_for(1ms);
    second->commit();
  });
  // Wait until `later` is queued for the writer (a fixed sleep was not enough on a loaded machine).
  for (auto until = std::chrono::steady_clock::now() + 10s;
       sqlite_writer_stats(*db).waited < waited_before + 1 &&
       std::chrono::steady_clock::now() < until;)
    std::this_thread::sleep_for(1ms);
  std::atomic<bool> first_returned{false};
  std::thread committer([&] {
    first->commit();
    first_returned = true;
    first.reset();
    // Acknowledged: the row must be in the database for any other reader.
    EXPECT_EQ(committed_rows("v = 1"), 1);
  });
  while (!second_began) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(100ms);
  // The batch (first + second) is not committed while `second` is running: `first` must wait.
  EXPECT_FALSE(first_returned.load());
  EXPECT_EQ(committed_rows(), 0);
  release_second = true;
  later.join();
  committer.join();
  EXPECT_TRUE(first_returned.load());
  EXPECT_EQ(committed_rows(), 2);
}

// One transaction of a batch failing (a UNIQUE violation, then rollback) undoes its own rows only.
TEST_F(SqliteWriter, ARollbackInsideABatchUndoesOnlyItsOwnWork) {
  auto holder = db->begin();
  holder->exec("INSERT INTO t (v) VALUES (1)");
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      auto tx = db->begin();
      tx->exec("INSERT INTO t (v) VALUES ($1)", {std::int64_t{100 + i}});
      if (i == 1) {
        try {
          tx->exec("INSERT INTO t (v) VALUES (1)");  // v is UNIQUE: refused
        } catch (const ConstraintViolation&) {
          ++conflicts;
        }
        return;  // rolled back by the destructor
      }
      tx->commit();
    });
    std::this_thread::sleep_for(20ms);
  }
  holder->commit();
  holder.reset();
  for (auto& t : threads) t.join();
  EXPECT_EQ(conflicts.load(), 1);
  EXPECT_EQ(committed_rows("v = 1"), 1);
  EXPECT_EQ(committed_rows("v = 100"), 1);
  EXPECT_EQ(committed_rows("v = 101"), 0);
  EXPECT_EQ(committed_rows("v = 102"), 1);
}

// Concurrent writers share COMMITs (group commit): fewer batches than transactions, and every
// committed transaction's row is there.
TEST_F(SqliteWriter, ConcurrentTransactionsShareCommits) {
  const SqliteWriterStats before = sqlite_writer_stats(*db);
  constexpr int kThreads = 8;
  constexpr int kEach = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        with_transaction(*db, [&](Transaction& tx) {
          tx.exec("INSERT INTO t (v) VALUES ($1)", {std::int64_t{t * 1000 + i}});
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  const SqliteWriterStats after = sqlite_writer_stats(*db);
  EXPECT_EQ(committed_rows(), kThreads * kEach);
  EXPECT_EQ(after.transactions - before.transactions, kThreads * kEach);
  EXPECT_LT(after.batches - before.batches, kThreads * kEach);
  EXPECT_EQ(after.failed_batches, 0);
}

// A transaction that never commits (read-only, or abandoned) still ends its turn; one begun after
// it runs, and a rolled-back transaction's writes are gone.
TEST_F(SqliteWriter, ReadOnlyTransactionsEndTheirTurn) {
  for (int i = 0; i < 50; ++i) {
    auto tx = db->begin();
    tx->query("SELECT count(*) AS n FROM t");
    tx->exec("INSERT INTO t (v) VALUES ($1)", {std::int64_t{i}});
  }
  EXPECT_EQ(committed_rows(), 0);
  with_transaction(*db, [](Transaction& tx) { tx.exec("INSERT INTO t (v) VALUES (7)"); });
  EXPECT_EQ(committed_rows(), 1);
}

// A commit group (the demo seed): this thread's transactions commit once, at finish(); another
// thread's transaction that joins meanwhile is acknowledged only then.
TEST_F(SqliteWriter, ACommitGroupCommitsOnceAtFinish) {
  const SqliteWriterStats before = sqlite_writer_stats(*db);
  auto group = db->commit_group();
  for (int i = 0; i < 100; ++i) {
    with_transaction(
        *db, [&](Transaction& tx) { tx.exec("INSERT INTO t (v) VALUES ($1)", {std::int64_t{i}}); });
  }
  EXPECT_EQ(committed_rows(), 0);
  std::atomic<bool> other_returned{false};
  std::thread other([&] {
    with_transaction(*db, [](Transaction& tx) { tx.exec("INSERT INTO t (v) VALUES (1000)"); });
    other_returned = true;
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(other_returned.load());
  EXPECT_EQ(committed_rows(), 0);
  group->finish();
  other.join();
  EXPECT_TRUE(other_returned.load());
  EXPECT_EQ(committed_rows(), 101);
  EXPECT_EQ(sqlite_writer_stats(*db).batches - before.batches, 1);
}

// A group dropped without finish() (the seed failed) leaves nothing behind; later transactions
// commit as usual.
TEST_F(SqliteWriter, ACommitGroupNotFinishedLeavesNothing) {
  {
    auto group = db->commit_group();
    for (int i = 0; i < 10; ++i) {
      with_transaction(*db, [&](Transaction& tx) {
        tx.exec("INSERT INTO t (v) VALUES ($1)", {std::int64_t{i}});
      });
    }
  }
  EXPECT_EQ(committed_rows(), 0);
  with_transaction(*db, [](Transaction& tx) { tx.exec("INSERT INTO t (v) VALUES (7)"); });
  EXPECT_EQ(committed_rows(), 1);
}

// Reads off the writer (issue 10 §2): a read transaction runs on a pooled WAL reader connection,
// beside a writer that holds its turn; it sees committed data only (a snapshot), so a write
// acknowledged by commit() is seen by every read begun after it (read your writes).
TEST_F(SqliteWriter, AReadRunsWhileTheWriterHoldsItsTurn) {
  auto writer = db->begin();
  writer->exec("INSERT INTO t (v) VALUES (1)");  // not committed yet
  std::atomic<int> seen{-1};
  std::thread reader([&] {
    auto r = db->begin_read();
    ASSERT_NE(r, nullptr);
    seen = static_cast<int>(r->query("SELECT count(*) AS n FROM t").at(0).i64("n"));
    r->commit();
  });
  // The reader must not wait for the writer's turn (it would wait busy_timeout_ms, 10 s).
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (seen == -1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  EXPECT_EQ(seen.load(), 0);  // the uncommitted row is not visible
  writer->commit();
  reader.join();
  auto after = db->begin_read();
  EXPECT_EQ(after->query("SELECT count(*) AS n FROM t").at(0).i64("n"), 1);  // read your writes
  after->commit();
}

TEST_F(SqliteWriter, AReadTransactionCannotWrite) {
  auto r = db->begin_read();
  ASSERT_NE(r, nullptr);
  EXPECT_THROW(r->exec("INSERT INTO t (v) VALUES (2)"), NeedsWriter);
  r.reset();
  auto r2 = db->begin_read();
  EXPECT_THROW(r2->query("INSERT INTO t (v) VALUES (3) RETURNING id"), NeedsWriter);
  EXPECT_EQ(r2->query("SELECT count(*) AS n FROM t").at(0).i64("n"), 0);  // still usable
  r2.reset();
  EXPECT_EQ(committed_rows(), 0);
}

// The thread that holds a commit group (the demo seed) reads its own uncommitted work, so it gets
// no separate reader: begin_read() answers nullptr and the caller uses begin().
TEST_F(SqliteWriter, NoSeparateReadInsideTheThreadsOwnCommitGroup) {
  auto group = db->commit_group();
  EXPECT_EQ(db->begin_read(), nullptr);
  group->finish();
  EXPECT_NE(db->begin_read(), nullptr);
}

}  // namespace
}  // namespace kit::storage::test
