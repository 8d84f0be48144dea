// PostgreSQL back end over libpqxx 6.4. Each Transaction is a pqxx::work (READ COMMITTED) on a
// pooled connection; $N placeholders go to the server as they are (extended protocol, parameters as
// text, types inferred from context). Constraint errors become ConstraintViolation, serialization
// failures and deadlocks TransientConflict (with_transaction retries them).
#include "storage/postgres_database.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <pqxx/pqxx>
#include <vector>

namespace kit::storage {
namespace {

// Type OIDs from pg_type (stable across PostgreSQL versions).
constexpr pqxx::oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kOid = 26,
                    kFloat4 = 700, kFloat8 = 701, kNumeric = 1700;

std::string format_double(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);  // shortest form that reads back exactly
  return std::string(buf, r.ptr);
}

Value field_value(const pqxx::field& f) {
  if (f.is_null()) return std::monostate{};
  const char* s = f.c_str();
  const std::size_t n = f.size();
  switch (f.type()) {
    case kInt2:
    case kInt4:
    case kInt8:
    case kOid: {
      std::int64_t v = 0;
      auto r = std::from_chars(s, s + n, v);
      if (r.ec != std::errc())
        throw std::runtime_error("bad integer from PostgreSQL: " + std::string(s, n));
      return v;
    }
    case kFloat4:
    case kFloat8:
    case kNumeric: {
      const std::string text(s, n);
      if (text == "NaN") return std::nan("");
      if (text == "Infinity") return HUGE_VAL;
      if (text == "-Infinity") return -HUGE_VAL;
      return std::strtod(text.c_str(), nullptr);
    }
    case kBool:
      return static_cast<std::int64_t>(n > 0 && s[0] == 't' ? 1 : 0);
    case kBytea:
      return pqxx::binarystring(f).str();
    default:
      return std::string(s, n);
  }
}

Rows to_rows(const pqxx::result& r) {
  Rows rows;
  const auto columns = r.columns();
  auto names = std::make_shared<std::vector<std::string>>();
  for (pqxx::row::size_type i = 0; i < columns; ++i) names->emplace_back(r.column_name(i));
  rows.reserve(r.size());
  for (const auto& row : r) {
    std::vector<Value> values;
    values.reserve(columns);
    for (const auto& f : row) values.push_back(field_value(f));
    rows.emplace_back(names, std::move(values));
  }
  return rows;
}

// Runs `fn`, translating libpqxx errors into the storage interface's.
template <class Fn>
auto translate_errors(Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const pqxx::integrity_constraint_violation& e) {
    throw ConstraintViolation(e.what());
  } catch (const pqxx::serialization_failure& e) {
    throw TransientConflict(e.what());
  } catch (const pqxx::deadlock_detected& e) {
    throw TransientConflict(e.what());
  } catch (const pqxx::in_doubt_error&) {
    throw;  // the commit may or may not have happened: never retry blindly
  } catch (const pqxx::broken_connection& e) {
    // The server went away mid-transaction: nothing was committed, a retry reconnects.
    throw TransientConflict(std::string("lost the PostgreSQL connection: ") + e.what());
  } catch (const pqxx::disk_full& e) {
    throw StorageUnavailable("storage_full",
                             std::string("PostgreSQL: the disk is full: ") + e.what());
  } catch (const pqxx::sql_error& e) {
    // 25006 read_only_sql_transaction: a standby, or default_transaction_read_only (ADR 0018).
    if (e.sqlstate() == "25006") {
      throw StorageUnavailable("storage_read_only",
                               std::string("PostgreSQL: the database is read-only: ") + e.what());
    }
    throw;
  }
}

class PostgresDatabase;

class PostgresTransaction final : public Transaction {
 public:
  PostgresTransaction(PostgresDatabase& owner, std::unique_ptr<pqxx::connection> conn);
  ~PostgresTransaction() override;

  Rows query(std::string_view sql, const std::vector<Value>& params) override {
    return to_rows(run(sql, params));
  }
  std::int64_t exec(std::string_view sql, const std::vector<Value>& params) override {
    return static_cast<std::int64_t>(run(sql, params).affected_rows());
  }
  void commit() override {
    check_usable();
    translate_errors([&] { work_->commit(); });
    work_.reset();
  }

 private:
  // After an error the server refuses every later statement of the transaction; say so plainly
  // (the SQLite back end behaves the same).
  void check_usable() const {
    if (!work_) throw std::logic_error("transaction already committed");
    if (failed_) {
      throw std::logic_error("transaction failed earlier; it can only be rolled back");
    }
  }

  pqxx::result run(std::string_view sql, const std::vector<Value>& params) {
    check_usable();
    try {
      return run_unchecked(sql, params);
    } catch (...) {
      failed_ = true;
      throw;
    }
  }

  pqxx::result run_unchecked(std::string_view sql, const std::vector<Value>& params) {
    const std::string text(sql);
    if (params.empty()) {
      // Simple protocol: several statements may be sent at once (migrations).
      return translate_errors([&] { return work_->exec(text); });
    }
    std::vector<std::string> storage;
    storage.reserve(params.size());
    std::vector<const char*> pointers;
    pointers.reserve(params.size());
    for (const auto& v : params) {
      if (std::holds_alternative<std::monostate>(v)) {
        storage.emplace_back();
      } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
        storage.push_back(std::to_string(*i));
      } else if (const auto* d = std::get_if<double>(&v)) {
        storage.push_back(format_double(*d));
      } else {
        storage.push_back(std::get<std::string>(v));
      }
    }
    for (std::size_t k = 0; k < params.size(); ++k) {
      pointers.push_back(std::holds_alternative<std::monostate>(params[k]) ? nullptr
                                                                           : storage[k].c_str());
    }
    return translate_errors(
        [&] { return work_->exec_params(text, pqxx::prepare::make_dynamic_params(pointers)); });
  }

  PostgresDatabase& owner_;
  std::unique_ptr<pqxx::connection> conn_;  // outlives work_
  std::unique_ptr<pqxx::work> work_;
  bool failed_ = false;
};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(std::string url, PostgresOptions options)
      : url_(std::move(url)), options_(options) {
    open_ = 1;
    release(connect());  // fail here, with a clear message, if the server is unreachable
  }

  std::string backend() const override { return "postgresql"; }

  std::unique_ptr<Transaction> begin() override {
    for (int attempt = 0;; ++attempt) {
      auto conn = acquire();
      try {
        return std::make_unique<PostgresTransaction>(*this, std::move(conn));
      } catch (const pqxx::broken_connection&) {
        // A pooled connection the server closed (restart, idle timeout): it was dropped; try a
        // fresh one.
        if (attempt >= 1)
          throw TransientConflict("cannot reach PostgreSQL at " + redact_database_url(url_));
      }
    }
  }

  void backup_to(const std::filesystem::path& file) override {
    throw std::runtime_error(
        "kit cannot copy a PostgreSQL database itself: use pg_dump, e.g. pg_dump --format=custom "
        "--file=" +
        file.string() + " '" + redact_database_url(url_) + "'");
  }

  std::unique_ptr<pqxx::connection> acquire() {
    std::unique_lock lock(mutex_);
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.wait_timeout_ms);
    for (;;) {
      if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        return conn;
      }
      if (open_ < options_.max_connections) {
        ++open_;
        lock.unlock();
        try {
          return connect();
        } catch (...) {
          lock.lock();
          --open_;
          available_.notify_one();
          throw;
        }
      }
      if (available_.wait_until(lock, deadline) == std::cv_status::timeout) {
        throw TransientConflict("all " + std::to_string(options_.max_connections) +
                                " PostgreSQL connections are busy");
      }
    }
  }

  void release(std::unique_ptr<pqxx::connection> conn) {
    {
      std::lock_guard lock(mutex_);
      if (conn && conn->is_open()) {
        idle_.push_back(std::move(conn));
      } else {
        --open_;
      }
    }
    available_.notify_one();
  }

 private:
  std::unique_ptr<pqxx::connection> connect() {
    std::unique_ptr<pqxx::connection> conn;
    try {
      conn = std::make_unique<pqxx::connection>(url_);
      // Keep "relation already exists, skipping" and friends off stderr.
      conn->set_variable("client_min_messages", "warning");
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot connect to PostgreSQL at " + redact_database_url(url_) +
                               ": " + e.what());
    }
    return conn;
  }

  std::string url_;
  PostgresOptions options_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int open_ = 0;
};

PostgresTransaction::PostgresTransaction(PostgresDatabase& owner,
                                         std::unique_ptr<pqxx::connection> conn)
    : owner_(owner), conn_(std::move(conn)) {
  try {
    work_ = std::make_unique<pqxx::work>(*conn_);
  } catch (...) {
    conn_.reset();
    owner_.release(nullptr);  // counts the connection as closed
    throw;
  }
}

PostgresTransaction::~PostgresTransaction() {
  try {
    work_.reset();  // aborts if not committed
  } catch (...) {
  }
  owner_.release(std::move(conn_));
}

}  // namespace

std::string redact_database_url(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto at = url.find('@', scheme + 3);
  const auto slash = url.find('/', scheme + 3);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return url;
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::unique_ptr<Database> open_postgres(const std::string& url, const PostgresOptions& options) {
  return std::make_unique<PostgresDatabase>(url, options);
}

}  // namespace kit::storage
