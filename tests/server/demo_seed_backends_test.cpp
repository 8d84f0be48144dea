// `kit serve --demo` seeds the whole demo clinic on PostgreSQL too, and the same clinic as on
// SQLite: seed_demo (what kit serve --demo runs) on both back ends with the same clock must give
// the same rows and the same stock to the microgram. A float4 column on PostgreSQL once made the
// seed stop half-way (a pump rate read back off the pump's step); this catches any such drift.
// PostgreSQL comes from KIT_TEST_POSTGRES_URL (scripts/start-postgres.sh); without it the test is
// skipped.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>

#include "server/api/services.h"
#include "server/demo/demo.h"
#include "storage/database.h"
#include "storage/postgres_database.h"

namespace kit::server::testing {
namespace {

constexpr std::int64_t kNowMs = 1'800'000'000'000;
const std::string kDemoPassword = "demo seed on both back ends";

// Every table the demo clinic fills (accounts and the audit log aside: logins differ by design).
const char* const kTables[] = {
    "patients",       "screenings",         "consents",          "approvals",
    "courses",        "appointments",       "infusion_sessions", "session_events",
    "session_vitals", "session_discharges", "assessments",       "alerts",
    "stock_lots",     "stock_movements",    "medication_lists",  "clinics",
    "chairs",         "inquiries"};

struct Seeded {
  DemoSummary summary;
  std::map<std::string, std::int64_t> rows;       // table -> row count
  std::map<std::string, std::int64_t> stock_mcg;  // movement kind -> micrograms
};

Seeded seed(storage::Database& db) {
  Services services(db, ServerConfig{});
  services.set_clock([] { return kNowMs; });
  Seeded out;
  out.summary = seed_demo(services, kDemoPassword);
  storage::with_transaction(db, [&](storage::Transaction& tx) {
    for (const char* table : kTables) {
      out.rows[table] =
          tx.query(std::string("SELECT COUNT(*) AS n FROM ") + table).front().i64("n");
    }
    for (const storage::Row& r :
         tx.query("SELECT kind, CAST(SUM(amount_mcg) AS BIGINT) AS mcg FROM stock_movements "
                  "GROUP BY kind")) {
      out.stock_mcg[r.text("kind")] = r.i64("mcg");
    }
  });
  return out;
}

std::filesystem::path temp_dir() {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return std::filesystem::temp_directory_path() /
         ("kit-demo-backends-" + std::to_string(rd()) + "-" + std::to_string(counter++));
}

TEST(DemoSeedBackends, PostgresqlSeedsTheSameClinicAsSqlite) {
  const char* base = std::getenv("KIT_TEST_POSTGRES_URL");
  if (base == nullptr || std::string(base).empty()) {
    GTEST_SKIP() << "KIT_TEST_POSTGRES_URL is not set; start a server with "
                    "scripts/start-postgres.sh and export its URL";
  }
  // The seed runs through the whole API; KIT_DEMO_SEED=accounts (set by some test runners) would
  // stop it after the accounts.
  ::unsetenv("KIT_DEMO_SEED");

  const std::filesystem::path dir = temp_dir();
  std::filesystem::create_directories(dir);
  const std::string schema = "kit_demo_" + std::to_string(::getpid());
  auto admin = storage::open_postgres(base);
  storage::with_transaction(*admin, [&](storage::Transaction& tx) {
    tx.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    tx.exec("CREATE SCHEMA " + schema);
  });
  const std::string url = std::string(base) +
                          (std::string(base).find('?') == std::string::npos ? "?" : "&") +
                          "options=-csearch_path%3D" + schema;

  Seeded sqlite, postgresql;
  for (auto [name, database_url, out] :
       {std::tuple{"SQLite", std::string(), &sqlite}, std::tuple{"PostgreSQL", url, &postgresql}}) {
    try {
      auto db = storage::open_database(database_url, dir);
      *out = seed(*db);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "the demo seed failed on " << name << ": " << e.what();
    }
  }
  storage::with_transaction(
      *admin, [&](storage::Transaction& tx) { tx.exec("DROP SCHEMA " + schema + " CASCADE"); });
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);

  ASSERT_TRUE(sqlite.summary.seeded);
  EXPECT_TRUE(postgresql.summary.seeded);
  EXPECT_GE(postgresql.rows["patients"], 30);
  EXPECT_EQ(postgresql.rows, sqlite.rows);
  EXPECT_EQ(postgresql.stock_mcg, sqlite.stock_mcg);
  EXPECT_EQ(postgresql.summary.counts, sqlite.summary.counts);
}

}  // namespace
}  // namespace kit::server::testing
