// Migration 0016 (the `director` role) on both back ends, applied to a database that already has
// accounts and rows referencing them: every account keeps its id and columns, references still
// hold (and are still enforced), a director account can be stored, an unknown role is still
// refused, and the table has every column the earlier migrations gave it.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/migration_runner.h"
#include "storage/migrations.h"
#include "tests/storage/storage_fixture.h"

namespace kit::storage::test {
namespace {

class DirectorMigrationTest : public BackendTest {
 protected:
  std::vector<Migration> up_to(int version) const {
    std::vector<Migration> out;
    for (const Migration& m : embedded_migrations()) {
      if (m.version <= version) out.push_back(m);
    }
    return out;
  }

  std::vector<std::string> user_columns() {
    return with_transaction(*db, [&](Transaction& tx) {
      std::vector<std::string> names;
      const Rows rows =
          is_sqlite() ? tx.query("SELECT name FROM pragma_table_info('users') ORDER BY name")
                      : tx.query(
                            "SELECT column_name AS name FROM information_schema.columns WHERE "
                            "table_schema = current_schema() AND table_name = 'users' ORDER BY 1");
      for (const Row& r : rows) names.push_back(r.text("name"));
      return names;
    });
  }

  std::int64_t add_user(Transaction& tx, const std::string& name, const std::string& role) {
    return tx
        .query(
            "INSERT INTO users (username, password_hash, role, created_at_ms, updated_at_ms) "
            "VALUES ($1, 'h', $2, 1, 1) RETURNING id",
            {name, role})
        .front()
        .i64("id");
  }
};

TEST_P(DirectorMigrationTest, AccountsAndTheirReferencesSurviveAndDirectorsCanBeStored) {
  apply_migrations(*db, up_to(15));
  // Before 0016, a director is refused.
  EXPECT_THROW(with_transaction(*db, [&](Transaction& tx) { add_user(tx, "d0", "director"); }),
               ConstraintViolation);
  const std::vector<std::string> columns_before = user_columns();
  std::int64_t admin = 0, nurse = 0;
  with_transaction(*db, [&](Transaction& tx) {
    admin = add_user(tx, "admin1", "admin");
    nurse = add_user(tx, "nurse1", "nurse");
    tx.exec("UPDATE users SET password_reset_by = $1, password_reset_at_ms = 5 WHERE id = $2",
            {admin, nurse});
    tx.exec(
        "INSERT INTO logins (token_hash, user_id, csrf_token, created_at_ms, last_seen_ms, "
        "expires_at_ms, remote_address) VALUES ('t', $1, 'c', 1, 1, 2, '127.0.0.1')",
        {nurse});
  });

  const MigrationReport report = apply_migrations(*db, embedded_migrations());
  EXPECT_NE(std::find(report.applied.begin(), report.applied.end(), 16), report.applied.end());
  EXPECT_EQ(user_columns(), columns_before);

  with_transaction(*db, [&](Transaction& tx) {
    const Rows rows = tx.query(
        "SELECT id, username, role, password_reset_by, password_reset_at_ms FROM users ORDER BY "
        "id");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].i64("id"), admin);
    EXPECT_EQ(rows[1].i64("id"), nurse);
    EXPECT_EQ(rows[1].text("role"), "nurse");
    EXPECT_EQ(rows[1].opt_i64("password_reset_by"), admin);
    EXPECT_EQ(rows[1].opt_i64("password_reset_at_ms"), 5);
    EXPECT_EQ(tx.query("SELECT user_id FROM logins").front().i64("user_id"), nurse);
  });
  // A director is stored; new ids follow the old ones.
  const std::int64_t director =
      with_transaction(*db, [&](Transaction& tx) { return add_user(tx, "director1", "director"); });
  EXPECT_GT(director, nurse);
  // Still refused: an unknown role, a login of no user, a director tied to a patient record.
  EXPECT_THROW(with_transaction(*db, [&](Transaction& tx) { add_user(tx, "x", "owner"); }),
               ConstraintViolation);
  EXPECT_THROW(with_transaction(*db,
                                [&](Transaction& tx) {
                                  tx.exec(
                                      "INSERT INTO logins (token_hash, user_id, csrf_token, "
                                      "created_at_ms, last_seen_ms, expires_at_ms, "
                                      "remote_address) VALUES ('u', 9999, 'c', 1, 1, 2, 'x')");
                                }),
               ConstraintViolation);
  EXPECT_THROW(with_transaction(*db,
                                [&](Transaction& tx) {
                                  tx.exec("UPDATE users SET patient_id = 1 WHERE id = $1",
                                          {director});
                                }),
               ConstraintViolation);
}

INSTANTIATE_TEST_SUITE_P(Backends, DirectorMigrationTest, ::testing::Values("sqlite", "postgresql"),
                         backend_name);

}  // namespace
}  // namespace kit::storage::test

namespace kit::storage::test {
namespace {

// The per-back-end blocks 0016 uses: each back end gets its own block, tokens inside are rendered,
// and a block without its end (or one opening another) is refused.
TEST(RenderMigrationBlocks, EachBackEndGetsItsOwnBlock) {
  const std::string sql = "A {{SQLITE}}s {{ID}}{{END}} B {{POSTGRESQL}}p {{DOUBLE}}{{END}} C";
  EXPECT_EQ(render_migration(sql, "sqlite"), "A s INTEGER PRIMARY KEY AUTOINCREMENT B  C");
  EXPECT_EQ(render_migration(sql, "postgresql"), "A  B p DOUBLE PRECISION C");
  EXPECT_THROW(render_migration("{{SQLITE}} x", "sqlite"), std::invalid_argument);
  EXPECT_THROW(render_migration("{{SQLITE}} {{POSTGRESQL}} {{END}}", "sqlite"),
               std::invalid_argument);
}

}  // namespace
}  // namespace kit::storage::test
