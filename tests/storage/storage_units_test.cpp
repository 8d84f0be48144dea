// Back-end independent pieces: Row getters, placeholder translation, migration rendering, URLs.
#include <gtest/gtest.h>

#include "storage/database.h"
#include "storage/migrations.h"
#include "storage/postgres_database.h"
#include "storage/sqlite_database.h"

namespace kit::storage {
namespace {

Row make_row() {
  auto names = std::make_shared<const std::vector<std::string>>(
      std::vector<std::string>{"n", "x", "s", "none", "whole"});
  return Row(names,
             {Value{std::int64_t{3}}, Value{2.5}, Value{std::string("hi")}, null(), Value{4.0}});
}

TEST(Row, GettersReturnTheirTypes) {
  const Row r = make_row();
  EXPECT_EQ(r.i64("n"), 3);
  EXPECT_EQ(r.f64("x"), 2.5);
  EXPECT_EQ(r.f64("n"), 3.0);  // integers widen
  EXPECT_EQ(r.text("s"), "hi");
  EXPECT_TRUE(r.is_null("none"));
  EXPECT_FALSE(r.is_null("n"));
  EXPECT_EQ(r.opt_i64("none"), std::nullopt);
  EXPECT_EQ(r.opt_f64("none"), std::nullopt);
  EXPECT_EQ(r.opt_text("none"), std::nullopt);
  EXPECT_EQ(r.opt_i64("n"), 3);
  EXPECT_EQ(r.i64("whole"), 4);  // PostgreSQL numeric sums arrive as whole doubles
}

TEST(Row, ErrorsNameTheColumn) {
  const Row r = make_row();
  auto message = [](auto fn) {
    try {
      fn();
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([&] { r.at("missing"); }).find("'missing'"), std::string::npos);
  EXPECT_NE(message([&] { r.i64("s"); }).find("'s' is text"), std::string::npos);
  EXPECT_NE(message([&] { r.i64("x"); }).find("'x'"), std::string::npos);
  EXPECT_NE(message([&] { r.text("n"); }).find("'n' is an integer, not text"), std::string::npos);
  EXPECT_NE(message([&] { r.f64("none"); }).find("'none' is NULL"), std::string::npos);
  EXPECT_NE(message([&] { r.text("none"); }).find("'none' is NULL"), std::string::npos);
}

TEST(SqlitePlaceholders, TranslatedOutsideLiteralsOnly) {
  EXPECT_EQ(sqlite_placeholders("SELECT * FROM t WHERE a = $1 AND b = $12"),
            "SELECT * FROM t WHERE a = ?1 AND b = ?12");
  EXPECT_EQ(sqlite_placeholders("SELECT '$1', \"$2\", $3 -- $4\n/* $5 */ $6"),
            "SELECT '$1', \"$2\", ?3 -- $4\n/* $5 */ ?6");
  EXPECT_EQ(sqlite_placeholders("SELECT 'it''s $1', $2"), "SELECT 'it''s $1', ?2");
  EXPECT_EQ(sqlite_placeholders("SELECT price$ FROM t"), "SELECT price$ FROM t");
}

TEST(RenderMigration, ReplacesDialectTokens) {
  const std::string sql = "CREATE TABLE t (id {{ID}}, data {{BLOB}});";
  EXPECT_EQ(render_migration(sql, "sqlite"),
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB);");
  EXPECT_EQ(render_migration(sql, "postgresql"),
            "CREATE TABLE t (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, data BYTEA);");
  EXPECT_THROW(render_migration("x {{UUID}}", "sqlite"), std::invalid_argument);
  EXPECT_THROW(render_migration(sql, "oracle"), std::invalid_argument);
}

TEST(EmbeddedMigrations, NumberedUniquelyAndRenderOnBothBackEnds) {
  int previous = 0;
  for (const auto& m : embedded_migrations()) {
    EXPECT_GT(m.version, previous) << m.name;
    previous = m.version;
    EXPECT_NO_THROW(render_migration(m.sql, "sqlite")) << m.name;
    EXPECT_NO_THROW(render_migration(m.sql, "postgresql")) << m.name;
  }
}

TEST(DatabaseUrl, PasswordIsRedacted) {
  EXPECT_EQ(redact_database_url("postgresql://kit:secret@db:5432/kit"),
            "postgresql://kit:***@db:5432/kit");
  EXPECT_EQ(redact_database_url("postgresql://db/kit"), "postgresql://db/kit");
  EXPECT_EQ(redact_database_url("postgresql://kit@db/kit"), "postgresql://kit@db/kit");
}

TEST(OpenDatabase, RejectsUnknownUrls) {
  EXPECT_THROW(open_database("mysql://x", "/tmp/kit-never-used"), std::invalid_argument);
}

}  // namespace
}  // namespace kit::storage
