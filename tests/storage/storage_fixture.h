#pragma once
// One fixture, two back ends: every TEST_P in tests/storage runs against SQLite (a temporary
// folder) and PostgreSQL (a private schema in the database named by KIT_TEST_POSTGRES_URL; skipped
// when that variable is unset, see scripts/start-postgres.sh).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "storage/database.h"
#include "storage/postgres_database.h"
#include "storage/sqlite_database.h"

namespace kit::storage::test {

inline std::string postgres_url() {
  const char* url = std::getenv("KIT_TEST_POSTGRES_URL");
  return url ? url : "";
}

inline std::filesystem::path make_temp_dir(const std::string& tag) {
  std::string templ = (std::filesystem::temp_directory_path() / ("kit-storage-" + tag + "-XXXXXX"));
  if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
  return templ;
}

// The libpq URL with a search_path option, so every pooled connection works in `schema`.
inline std::string url_with_schema(const std::string& url, const std::string& schema) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema;
}

class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgresql") {
      if (postgres_url().empty()) {
        GTEST_SKIP() << "KIT_TEST_POSTGRES_URL is not set; start a server with "
                        "scripts/start-postgres.sh and export its URL to run the PostgreSQL tests";
      }
      static std::atomic<int> counter{0};
      schema_ = "kit_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
      auto admin = open_postgres(postgres_url());
      with_transaction(*admin, [&](Transaction& tx) {
        tx.exec("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE");
        tx.exec("CREATE SCHEMA " + schema_);
      });
      url_ = url_with_schema(postgres_url(), schema_);
    } else {
      dir_ = make_temp_dir("api");
    }
    db = open();
  }

  void TearDown() override {
    db.reset();
    if (!schema_.empty()) {
      try {
        auto admin = open_postgres(postgres_url());
        with_transaction(*admin,
                         [&](Transaction& tx) { tx.exec("DROP SCHEMA " + schema_ + " CASCADE"); });
      } catch (const std::exception& e) {
        ADD_FAILURE() << "cannot drop schema " << schema_ << ": " << e.what();
      }
    }
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  bool is_sqlite() const { return GetParam() == "sqlite"; }

  // A new Database object on the same storage (another process would do the same).
  std::unique_ptr<Database> open() const {
    if (GetParam() == "postgresql") return open_postgres(url_);
    return open_sqlite(dir_ / "kit.db");
  }
  // The argument open_database() takes for this storage, and the data folder.
  std::string database_url() const { return GetParam() == "postgresql" ? url_ : ""; }
  const std::filesystem::path& data_dir() const { return dir_; }

  std::unique_ptr<Database> db;

 private:
  std::filesystem::path dir_;
  std::string schema_;
  std::string url_;
};

inline std::string backend_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

// Runs `fn` in a forked child process; its return value is the child's exit code (100 if it threw).
inline pid_t spawn(const std::function<int()>& fn) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int code = 100;
    try {
      code = fn();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child %d: %s\n", ::getpid(), e.what());
    } catch (...) {
    }
    std::fflush(nullptr);
    ::_exit(code);
  }
  return pid;
}

// The child's exit code, or 128 + signal number if a signal ended it.
inline int wait_child(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace kit::storage::test
