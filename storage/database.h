#pragma once
// One storage interface, two back ends (SQLite by default, PostgreSQL for scale), in the manner of
// Orthanc's IDatabaseWrapper but at the SQL level: repositories write portable SQL with $1, $2 ...
// placeholders; each back end binds them its own way. Transactions roll back unless committed.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace kit::storage {

using Value = std::variant<std::monostate, std::int64_t, double, std::string>;
inline Value null() { return std::monostate{}; }

class Row {
 public:
  Row(std::shared_ptr<const std::vector<std::string>> names, std::vector<Value> values)
      : names_(std::move(names)), values_(std::move(values)) {}
  const Value& at(std::string_view column) const;
  bool is_null(std::string_view column) const;
  std::int64_t i64(std::string_view column) const;
  std::optional<std::int64_t> opt_i64(std::string_view column) const;
  double f64(std::string_view column) const;  // integers widen
  std::optional<double> opt_f64(std::string_view column) const;
  std::string text(std::string_view column) const;
  std::optional<std::string> opt_text(std::string_view column) const;
  const std::vector<std::string>& names() const { return *names_; }
  const std::vector<Value>& values() const { return values_; }

 private:
  std::shared_ptr<const std::vector<std::string>> names_;
  std::vector<Value> values_;
};
using Rows = std::vector<Row>;

// A UNIQUE, FOREIGN KEY or CHECK constraint refused the write (the API answers 409).
class ConstraintViolation : public std::runtime_error {
 public:
  explicit ConstraintViolation(const std::string& what) : std::runtime_error(what) {}
};
// A concurrent transaction won (PostgreSQL serialization failure, SQLite busy): retry the request.
class TransientConflict : public std::runtime_error {
 public:
  explicit TransientConflict(const std::string& what) : std::runtime_error(what) {}
};

// A read transaction (Database::begin_read) was asked to write. Nothing ran; the caller runs its
// work again in a writer transaction (the router does: a GET that writes, such as one that raises
// an alert, runs once more on the writer).
class NeedsWriter : public std::runtime_error {
 public:
  explicit NeedsWriter(const std::string& what) : std::runtime_error(what) {}
};

// The storage cannot take a write: its disk is full (`storage_full`), its file system or file is
// read-only (`storage_read_only`), or it failed an I/O (`storage_io_error`). Nothing of the
// transaction was stored. The API answers 503 with the code (server/api/router.cpp, ADR 0018).
class StorageUnavailable : public std::runtime_error {
 public:
  StorageUnavailable(std::string code, const std::string& what)
      : std::runtime_error(what), code_(std::move(code)) {}
  const std::string& code() const noexcept { return code_; }

 private:
  std::string code_;
};

class Transaction {
 public:
  virtual ~Transaction() = default;
  // Placeholders are $1, $2, ... in both back ends.
  virtual Rows query(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  // Returns the number of rows changed.
  virtual std::int64_t exec(std::string_view sql, const std::vector<Value>& params = {}) = 0;
  virtual void commit() = 0;
  // A number that changes whenever a commit changes any data other than the audit log (migration
  // 0017), read in this transaction's own snapshot: two snapshots with the same number hold the
  // same data, so what was read in one may be served for the other (server/api/snapshot_cache.h).
  // nullopt where the back end keeps no such number (PostgreSQL) or the snapshot may hold this
  // transaction's own uncommitted writes (a write transaction).
  virtual std::optional<std::int64_t> data_generation() { return std::nullopt; }
};

// Transactions committed together (see Database::commit_group). finish() makes them durable and
// throws if that fails; destroyed without finish(), what the group wrote is rolled back where the
// back end grouped it.
class CommitGroup {
 public:
  virtual ~CommitGroup() = default;
  virtual void finish() {}
};

class Database {
 public:
  virtual ~Database() = default;
  virtual std::string backend() const = 0;  // "sqlite" or "postgresql"
  // Write transactions serialise where the back end needs it (SQLite: BEGIN IMMEDIATE).
  virtual std::unique_ptr<Transaction> begin() = 0;
  // A read-only transaction on a snapshot of committed data that runs beside the writer, or
  // nullptr where the back end has none (then use begin()). SQLite: a pooled WAL reader connection
  // (docs/adr/0021-write-path-and-load.md, "Reads off the writer"); exec() and any statement that
  // writes throw NeedsWriter before running. A write whose commit() has returned is visible to
  // every read begun after it. PostgreSQL: nullptr (its transactions already run in parallel).
  // Inside this thread's own commit group: nullptr (the group's work is not committed yet, and the
  // thread must see it).
  virtual std::unique_ptr<Transaction> begin_read() { return nullptr; }
  // A consistent copy of the whole database while it is in use (SQLite online backup API; for
  // PostgreSQL, pg_dump is the tool and this throws).
  virtual void backup_to(const std::filesystem::path& file) = 0;
  // A bulk load by this thread (the demo seed): until the group's finish(), this thread's
  // transactions commit into one batch with one COMMIT at the end (SQLite: one fsync instead of
  // one per transaction; docs/adr/0021-write-path-and-load.md), and the load is all or nothing.
  // Another thread's transactions that join the batch are acknowledged only after finish(). Where
  // the back end does not group (PostgreSQL), each transaction commits on its own as usual.
  virtual std::unique_ptr<CommitGroup> commit_group() { return std::make_unique<CommitGroup>(); }
};

// url empty or "sqlite:" -> SQLite file kit.db in data_dir; "postgresql://..." -> PostgreSQL.
// Runs the versioned migrations before returning.
std::unique_ptr<Database> open_database(const std::string& url,
                                        const std::filesystem::path& data_dir);

// Runs `fn(tx)` in a transaction, committing at the end; retries TransientConflict a few times.
template <class Fn>
auto with_transaction(Database& db, Fn&& fn) {
  for (int attempt = 0;; ++attempt) {
    try {
      auto tx = db.begin();
      if constexpr (std::is_void_v<decltype(fn(*tx))>) {
        fn(*tx);
        tx->commit();
        return;
      } else {
        auto result = fn(*tx);
        tx->commit();
        return result;
      }
    } catch (const TransientConflict&) {
      if (attempt >= 8) throw;
    }
  }
}

}  // namespace kit::storage
