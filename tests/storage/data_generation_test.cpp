// The data generation (migration 0017, docs/adr/0030-snapshot-cache.md): the number a read
// transaction sees moves with every commit that changes data other than the audit log, is read in
// the transaction's own snapshot, and is raised by every writer of the file (two SqliteDatabase
// objects on one file stand for two processes). The rule the snapshot cache relies on, checked
// over random runs: two snapshots with the same generation hold the same data.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "storage/database.h"
#include "storage/sqlite_database.h"
#include "tests/storage/storage_fixture.h"

namespace kit::storage::test {
namespace {

// The schema the hook sees in KIT (the same table names), kept small: two data tables, the audit
// log and its head, and migration 0017's table with its row.
void create_schema(Database& db) {
  with_transaction(db, [](Transaction& tx) {
    tx.exec("CREATE TABLE vitals (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
    tx.exec("CREATE TABLE alerts (id INTEGER PRIMARY KEY, open INTEGER NOT NULL)");
    tx.exec("CREATE TABLE audit_log (id INTEGER PRIMARY KEY, action TEXT NOT NULL)");
    tx.exec("CREATE TABLE audit_head (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
    tx.exec("INSERT INTO audit_head (id, n) VALUES (1, 0)");
    tx.exec(
        "CREATE TABLE data_generation (singleton BIGINT PRIMARY KEY CHECK (singleton = 1), "
        "n BIGINT NOT NULL)");
    tx.exec("INSERT INTO data_generation (singleton, n) VALUES (1, 0)");
  });
}

std::int64_t generation(Database& db) {
  auto tx = db.begin_read();
  EXPECT_TRUE(tx);
  const std::optional<std::int64_t> g = tx->data_generation();
  EXPECT_TRUE(g.has_value());
  tx->commit();
  return g.value_or(-1);
}

// Everything but the audit log, as text, read in `tx`'s snapshot.
std::string data_of(Transaction& tx) {
  std::ostringstream out;
  for (const Row& r : tx.query("SELECT id, v FROM vitals ORDER BY id")) {
    out << 'v' << r.i64("id") << '=' << r.i64("v") << ';';
  }
  for (const Row& r : tx.query("SELECT id, open FROM alerts ORDER BY id")) {
    out << 'a' << r.i64("id") << '=' << r.i64("open") << ';';
  }
  return out.str();
}

class DataGeneration : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = make_temp_dir("generation");
    db = open_sqlite(dir_ / "kit.db", {});
    create_schema(*db);
  }
  void TearDown() override {
    db.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::filesystem::path dir_;
  std::unique_ptr<Database> db;
};

TEST_F(DataGeneration, MovesWithADataCommitAndNotWithAnAuditOnlyCommit) {
  const std::int64_t g0 = generation(*db);
  with_transaction(*db, [](Transaction& tx) { tx.exec("INSERT INTO vitals (v) VALUES (120)"); });
  const std::int64_t g1 = generation(*db);
  EXPECT_GT(g1, g0);
  // A read's audit row (what every GET appends) changes no answer: the generation stays.
  with_transaction(*db, [](Transaction& tx) {
    tx.exec("INSERT INTO audit_log (action) VALUES ('GET /api/v1/board')");
    tx.exec("UPDATE audit_head SET n = n + 1 WHERE id = 1");
  });
  EXPECT_EQ(generation(*db), g1);
  // An update and a delete move it as an insert does.
  with_transaction(*db, [](Transaction& tx) { tx.exec("UPDATE vitals SET v = 121"); });
  const std::int64_t g2 = generation(*db);
  EXPECT_GT(g2, g1);
  with_transaction(*db, [](Transaction& tx) { tx.exec("DELETE FROM alerts"); });  // no row
  EXPECT_EQ(generation(*db), g2);
  with_transaction(*db, [](Transaction& tx) { tx.exec("INSERT INTO alerts (open) VALUES (1)"); });
  with_transaction(*db, [](Transaction& tx) { tx.exec("DELETE FROM alerts"); });
  EXPECT_GE(generation(*db), g2 + 2);
}

TEST_F(DataGeneration, IsReadInTheTransactionsOwnSnapshot) {
  auto reader = db->begin_read();
  const std::optional<std::int64_t> before = reader->data_generation();
  ASSERT_TRUE(before);
  with_transaction(*db, [](Transaction& tx) { tx.exec("INSERT INTO vitals (v) VALUES (1)"); });
  // The older snapshot still says the older number, and still holds the older data.
  EXPECT_EQ(reader->data_generation(), before);
  EXPECT_EQ(data_of(*reader), "");
  reader->commit();
  EXPECT_GT(generation(*db), *before);
}

TEST_F(DataGeneration, AnotherWriterOfTheSameFileMovesIt) {
  const std::int64_t g0 = generation(*db);
  auto other = open_sqlite(dir_ / "kit.db", {});  // another process's connection, in effect
  with_transaction(*other, [](Transaction& tx) { tx.exec("INSERT INTO vitals (v) VALUES (7)"); });
  EXPECT_GT(generation(*db), g0);
}

TEST_F(DataGeneration, AWriteTransactionHasNone) {
  auto tx = db->begin();
  EXPECT_FALSE(tx->data_generation().has_value());  // it may see its own uncommitted writes
  tx->commit();
}

TEST_F(DataGeneration, ABulkLoadMovesItOnceItIsCommitted) {
  const std::int64_t g0 = generation(*db);
  {
    auto group = db->commit_group();
    for (int i = 0; i < 5; ++i) {
      with_transaction(*db, [&](Transaction& tx) {
        tx.exec("INSERT INTO vitals (v) VALUES ($1)", {std::int64_t{i}});
      });
    }
    group->finish();
  }
  EXPECT_GT(generation(*db), g0);
}

// The property: over random runs of data writes, audit-only writes, rolled-back transactions,
// bulk loads and another writer's commits, every pair of snapshots that read the same generation
// read the same data.
TEST_F(DataGeneration, SameGenerationMeansSameDataOverRandomRuns) {
  auto other = open_sqlite(dir_ / "kit.db", {});
  std::mt19937_64 rng(20261126);
  std::map<std::int64_t, std::string> seen;  // generation -> data read with it
  int checks = 0;
  for (int step = 0; step < 600; ++step) {
    Database& writer = (rng() % 4 == 0) ? *other : *db;
    const std::int64_t v = static_cast<std::int64_t>(rng() % 1000);
    switch (rng() % 6) {
      case 0:
        with_transaction(
            writer, [&](Transaction& tx) { tx.exec("INSERT INTO vitals (v) VALUES ($1)", {v}); });
        break;
      case 1:
        with_transaction(writer, [&](Transaction& tx) {
          tx.exec("UPDATE vitals SET v = $1 WHERE id = (SELECT max(id) FROM vitals)", {v});
        });
        break;
      case 2:
        with_transaction(writer, [&](Transaction& tx) {
          tx.exec("INSERT INTO audit_log (action) VALUES ('read')");
          tx.exec("UPDATE audit_head SET n = n + 1 WHERE id = 1");
        });
        break;
      case 3: {  // a transaction that writes and rolls back
        auto tx = writer.begin();
        tx->exec("INSERT INTO alerts (open) VALUES ($1)", {v % 2});
      } break;
      case 4:
        with_transaction(writer, [&](Transaction& tx) {
          tx.exec("INSERT INTO alerts (open) VALUES ($1)", {v % 2});
          tx.exec("INSERT INTO audit_log (action) VALUES ('write')");
        });
        break;
      default: {
        auto group = writer.commit_group();
        with_transaction(writer, [&](Transaction& tx) {
          tx.exec("UPDATE alerts SET open = 1 - open WHERE id = (SELECT min(id) FROM alerts)");
        });
        group->finish();
      } break;
    }
    for (Database* reader_db : {db.get(), other.get()}) {
      auto tx = reader_db->begin_read();
      const std::optional<std::int64_t> g = tx->data_generation();
      ASSERT_TRUE(g);
      const std::string data = data_of(*tx);
      tx->commit();
      const auto [it, fresh] = seen.emplace(*g, data);
      if (!fresh) {
        ++checks;
        ASSERT_EQ(it->second, data) << "generation " << *g << " at step " << step;
      }
    }
  }
  EXPECT_GT(checks, 300);  // the audit-only steps and the second reader repeat generations
}

// The real schema: migration 0017 made the row, and no table is WITHOUT ROWID (SQLite does not
// call the update hook for those, so their changes would not move the generation).
TEST(DataGenerationSchema, TheMigratedDatabaseHasTheRowAndNoWithoutRowidTable) {
  const std::filesystem::path dir = make_temp_dir("generation-schema");
  {
    auto db = open_database("", dir);
    auto tx = db->begin_read();
    ASSERT_TRUE(tx);
    EXPECT_TRUE(tx->data_generation().has_value());
    const Rows tables = tx->query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND upper(sql) LIKE '%WITHOUT "
        "ROWID%'");
    for (const Row& r : tables) ADD_FAILURE() << "WITHOUT ROWID table: " << r.text("name");
    tx->commit();
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace kit::storage::test
