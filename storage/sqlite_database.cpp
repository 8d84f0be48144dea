// SQLite back end. Settings, and why:
// - journal_mode=WAL: readers never block the writer, so `kit backup` and reporting queries run
// while
//   the clinic writes.
// - synchronous=FULL: an acknowledged write must survive power loss. In WAL mode NORMAL only syncs
//   the WAL at checkpoints, so the last commits before a power cut may be lost (the database stays
//   consistent, but an acknowledged dose or consent would vanish). FULL syncs the WAL on every
//   commit; at a clinic's write rate the cost (one fsync per transaction) is invisible.
// - foreign_keys=ON on every connection (SQLite's default is off, per connection).
// - BEGIN IMMEDIATE for every transaction: the write lock is taken at BEGIN, so two transactions
// never
//   both read and then fail to upgrade to writing (SQLITE_BUSY mid-transaction, which no retry of a
//   single statement can fix). Inside one process transactions queue on a semaphore (fair, no
//   sleep-polling); between processes busy_timeout waits for the lock. A clinic writes a few rows a
//   second: serialised transactions are simple and correct.
// - A small pool: one connection per transaction in flight, reused afterwards.
#include "storage/sqlite_database.h"

#include <SQLiteCpp/Database.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <semaphore>
#include <thread>
#include <vector>

namespace kit::storage {
namespace {

namespace fs = std::filesystem;

std::string excerpt(std::string_view sql) {
  std::string s(sql.substr(0, 160));
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return sql.size() > 160 ? s + "..." : s;
}

// A full disk, a read-only file or file system, or a failed I/O (ADR 0018): the storage fault
// taxonomy, by the result code and, for an I/O error, by the errno the VFS saw or else by asking
// the file system itself (SQLite does not always keep the errno of the failed write).
void throw_if_storage_fault(sqlite3* db, int rc, const std::string& message) {
  const int primary = rc & 0xff;
  if (primary != SQLITE_FULL && primary != SQLITE_READONLY && primary != SQLITE_IOERR &&
      primary != SQLITE_CANTOPEN) {
    return;
  }
  const int sys = db ? sqlite3_system_errno(db) : 0;
  bool fs_read_only = false;
  bool fs_full = false;
  const char* file = db ? sqlite3_db_filename(db, "main") : nullptr;
  if ((primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN) && file && *file) {
    // A one-byte probe file beside the database: EROFS also for a file system the kernel
    // turned read-only after a fault (ext4 "emergency_ro" keeps the mount flags rw).
    const fs::path probe = fs::path(file).parent_path() / ".kit-storage-probe";
    const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int probe_errno = fd < 0 ? errno : 0;
    if (fd >= 0) {
      if (::write(fd, "x", 1) != 1 || ::fsync(fd) != 0) probe_errno = errno;
      ::close(fd);
      ::unlink(probe.c_str());
    }
    struct statvfs st {};
    const bool stat_ok = ::statvfs(fs::path(file).parent_path().c_str(), &st) == 0;
    fs_read_only = probe_errno == EROFS || (stat_ok && (st.f_flag & ST_RDONLY) != 0);
    fs_full = probe_errno == ENOSPC || probe_errno == EDQUOT || (stat_ok && st.f_bavail == 0);
  }
  const bool io = primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN;
  if (primary == SQLITE_READONLY ||
      (io && (sys == EROFS || sys == EACCES || sys == EPERM || fs_read_only))) {
    throw StorageUnavailable("storage_read_only", "SQLite: the database is read-only: " + message);
  }
  if (primary == SQLITE_FULL || (io && (sys == ENOSPC || sys == EDQUOT || fs_full))) {
    throw StorageUnavailable("storage_full", "SQLite: the disk is full: " + message);
  }
  if (primary == SQLITE_IOERR) {
    throw StorageUnavailable("storage_io_error", "SQLite: I/O error " + std::to_string(rc) +
                                                     " (errno " + std::to_string(sys) +
                                                     "): " + message);
  }
}

[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view sql) {
  const int primary = rc & 0xff;
  const std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (primary == SQLITE_CONSTRAINT) throw ConstraintViolation(message);
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    throw TransientConflict("SQLite database is busy: " + message);
  }
  throw_if_storage_fault(db, rc, message + (sql.empty() ? "" : " (in: " + excerpt(sql) + ")"));
  std::string what = "SQLite error: " + message;
  if (!sql.empty()) what += " (in: " + excerpt(sql) + ")";
  throw std::runtime_error(what);
}

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

struct RawDbDeleter {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using RawDb = std::unique_ptr<sqlite3, RawDbDeleter>;

// Creates `file` empty with mode 0600 unless it exists, so that SQLite never creates a clinic
// database or backup readable by other local users. SQLite gives the -wal, -shm and -journal
// files the mode of the database file, so they are private too. An existing file is left as is.
void create_private_file(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
  } else if (errno != EEXIST) {
    throw std::runtime_error("cannot create " + file.string() + ": " + std::strerror(errno));
  }
}

RawDb open_raw(const fs::path& file, int flags, int busy_timeout_ms) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
  RawDb guard(db);
  if (rc != SQLITE_OK) {
    throw std::runtime_error("cannot open SQLite database " + file.string() + ": " +
                             (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  return guard;
}

std::string translate_placeholders(std::string_view sql, std::vector<int>* numbers) {
  std::string out;
  out.reserve(sql.size());
  std::size_t i = 0;
  const std::size_t n = sql.size();
  while (i < n) {
    const char c = sql[i];
    if (c == '\'' || c == '"' || c == '`') {  // literal or quoted identifier; '' escapes '
      const std::size_t start = i++;
      while (i < n) {
        if (sql[i] == c) {
          if (i + 1 < n && sql[i + 1] == c) {
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        ++i;
      }
      out.append(sql.substr(start, i - start));
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      const std::size_t end = sql.find('\n', i);
      const std::size_t stop = end == std::string_view::npos ? n : end;
      out.append(sql.substr(i, stop - i));
      i = stop;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      const std::size_t end = sql.find("*/", i + 2);
      const std::size_t stop = end == std::string_view::npos ? n : end + 2;
      out.append(sql.substr(i, stop - i));
      i = stop;
    } else if (c == '$' && i + 1 < n && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      out.push_back('?');
      ++i;
      int k = 0;
      while (i < n && sql[i] >= '0' && sql[i] <= '9') {
        if (k < 100000) k = k * 10 + (sql[i] - '0');
        out.push_back(sql[i]);
        ++i;
      }
      if (numbers) numbers->push_back(k);
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

void bind(sqlite3* db, sqlite3_stmt* st, int index, const Value& v, std::string_view sql) {
  int rc = SQLITE_OK;
  if (std::holds_alternative<std::monostate>(v)) {
    rc = sqlite3_bind_null(st, index);
  } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
    rc = sqlite3_bind_int64(st, index, *i);
  } else if (const auto* d = std::get_if<double>(&v)) {
    rc = sqlite3_bind_double(st, index, *d);
  } else {
    const auto& s = std::get<std::string>(v);
    rc = sqlite3_bind_text64(st, index, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  }
  if (rc != SQLITE_OK) throw_sqlite(db, rc, sql);
}

Value column_value(sqlite3_stmt* st, int i) {
  switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
      return static_cast<std::int64_t>(sqlite3_column_int64(st, i));
    case SQLITE_FLOAT:
      return sqlite3_column_double(st, i);
    case SQLITE_NULL:
      return std::monostate{};
    case SQLITE_BLOB: {
      const void* p = sqlite3_column_blob(st, i);
      const int n = sqlite3_column_bytes(st, i);
      return std::string(static_cast<const char*>(p), p ? static_cast<std::size_t>(n) : 0);
    }
    default: {
      const unsigned char* p = sqlite3_column_text(st, i);
      const int n = sqlite3_column_bytes(st, i);
      return std::string(reinterpret_cast<const char*>(p), p ? static_cast<std::size_t>(n) : 0);
    }
  }
}

// Runs every statement in `sql` (migrations hold several), binding ?N to params[N-1]. Returns the
// rows of the last statement that produced any; `changes` gets the rows changed by DML.
Rows run(sqlite3* db, std::string_view portable_sql, const std::vector<Value>& params,
         std::int64_t* changes) {
  std::vector<int> numbers;
  const std::string sql = translate_placeholders(portable_sql, &numbers);
  // Check the parameter list against the SQL before anything runs (PostgreSQL refuses both too).
  std::vector<bool> used(params.size(), false);
  for (int k : numbers) {
    if (k < 1 || static_cast<std::size_t>(k) > params.size()) {
      throw std::invalid_argument("SQL uses $" + std::to_string(k) + " but " +
                                  std::to_string(params.size()) +
                                  " parameters were given (in: " + excerpt(portable_sql) + ")");
    }
    used[static_cast<std::size_t>(k - 1)] = true;
  }
  for (std::size_t i = 0; i < used.size(); ++i) {
    if (!used[i]) {
      throw std::invalid_argument("parameter $" + std::to_string(i + 1) +
                                  " is not used by the SQL (in: " + excerpt(portable_sql) + ")");
    }
  }
  const char* tail = sql.c_str();
  const char* const end = sql.c_str() + sql.size();
  Rows rows;
  std::int64_t changed = 0;
  while (tail < end) {
    sqlite3_stmt* raw = nullptr;
    const char* next = nullptr;
    int rc = sqlite3_prepare_v2(db, tail, static_cast<int>(end - tail), &raw, &next);
    if (rc != SQLITE_OK) throw_sqlite(db, rc, portable_sql);
    tail = next;
    if (!raw) continue;  // whitespace or a comment
    Stmt st(raw);
    const int count = sqlite3_bind_parameter_count(raw);
    for (int i = 1; i <= count; ++i) {
      const char* name = sqlite3_bind_parameter_name(raw, i);
      if (!name) continue;  // a gap in the numbering ($1 and $3 used, not $2)
      if (name[0] != '?') {
        throw std::invalid_argument("use $N placeholders, not " + std::string(name) +
                                    " (in: " + excerpt(portable_sql) + ")");
      }
      if (static_cast<std::size_t>(i) > params.size()) {
        throw std::invalid_argument("SQL uses $" + std::to_string(i) + " but " +
                                    std::to_string(params.size()) +
                                    " parameters were given (in: " + excerpt(portable_sql) + ")");
      }
      bind(db, raw, i, params[static_cast<std::size_t>(i - 1)], portable_sql);
    }
    const int columns = sqlite3_column_count(raw);
    std::shared_ptr<std::vector<std::string>> names;
    if (columns > 0) {
      auto n = std::make_shared<std::vector<std::string>>();
      for (int i = 0; i < columns; ++i) n->emplace_back(sqlite3_column_name(raw, i));
      names = std::move(n);
      rows.clear();
    }
    const sqlite3_int64 before = sqlite3_total_changes64(db);
    for (;;) {
      rc = sqlite3_step(raw);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) throw_sqlite(db, rc, portable_sql);
      std::vector<Value> values;
      values.reserve(static_cast<std::size_t>(columns));
      for (int i = 0; i < columns; ++i) values.push_back(column_value(raw, i));
      rows.emplace_back(names, std::move(values));
    }
    if (sqlite3_total_changes64(db) != before) changed += sqlite3_changes64(db);
  }
  if (changes) *changes = changed;
  return rows;
}

void exec_simple(sqlite3* db, const char* sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string message = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
      throw TransientConflict("SQLite database is busy: " + message);
    }
    throw_if_storage_fault(db, rc, message + " (in: " + sql + ")");
    throw std::runtime_error("SQLite error: " + message + " (in: " + sql + ")");
  }
}

void fsync_path(const fs::path& p, bool directory) {
  const int fd = ::open(p.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
  if (fd < 0) throw std::runtime_error("cannot open " + p.string() + " to sync it");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw std::runtime_error("fsync failed on " + p.string());
}

// Copies the main database of `src` into `dest` with the online backup API, in one step: one read
// transaction on the source, so the copy is a consistent snapshot.
void backup_step_all(sqlite3* src, sqlite3* dest, int busy_timeout_ms, const std::string& what) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
  for (;;) {
    sqlite3_backup* b = sqlite3_backup_init(dest, "main", src, "main");
    if (!b) throw std::runtime_error(what + ": " + sqlite3_errmsg(dest));
    const int rc = sqlite3_backup_step(b, -1);
    const int finish = sqlite3_backup_finish(b);
    if (rc == SQLITE_DONE && finish == SQLITE_OK) return;
    const int primary = (rc == SQLITE_DONE ? finish : rc) & 0xff;
    if ((primary == SQLITE_BUSY || primary == SQLITE_LOCKED) &&
        std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    throw std::runtime_error(what + ": " + sqlite3_errstr(rc == SQLITE_DONE ? finish : rc) + " (" +
                             sqlite3_errmsg(dest) + ")");
  }
}

void backup_handle_to(sqlite3* src, const fs::path& to, int busy_timeout_ms) {
  const fs::path tmp = fs::path(to.string() + ".tmp-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove(tmp, ec);
  fs::remove(fs::path(tmp.string() + "-journal"), ec);
  try {
    {
      create_private_file(tmp);
      RawDb dest = open_raw(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, busy_timeout_ms);
      backup_step_all(src, dest.get(), busy_timeout_ms, "backup to " + to.string() + " failed");
      // The copied header says WAL; a backup is one self-contained file, so switch it back.
      exec_simple(dest.get(), "PRAGMA journal_mode=DELETE");
    }
    fsync_path(tmp, false);
    fs::rename(tmp, to);
    fsync_path(to.has_parent_path() ? to.parent_path() : fs::path("."), true);
  } catch (...) {
    fs::remove(tmp, ec);
    fs::remove(fs::path(tmp.string() + "-journal"), ec);
    fs::remove(fs::path(tmp.string() + "-wal"), ec);
    fs::remove(fs::path(tmp.string() + "-shm"), ec);
    throw;
  }
}

class SqliteDatabase;

class SqliteTransaction final : public Transaction {
 public:
  SqliteTransaction(SqliteDatabase& owner, std::unique_ptr<SQLite::Database> conn);
  ~SqliteTransaction() override;
  Rows query(std::string_view sql, const std::vector<Value>& params) override {
    check_usable();
    try {
      return run(conn_->getHandle(), sql, params, nullptr);
    } catch (...) {
      failed_ = true;
      throw;
    }
  }
  std::int64_t exec(std::string_view sql, const std::vector<Value>& params) override {
    check_usable();
    std::int64_t changes = 0;
    try {
      run(conn_->getHandle(), sql, params, &changes);
    } catch (...) {
      failed_ = true;
      throw;
    }
    return changes;
  }
  void commit() override {
    check_usable();
    exec_simple(conn_->getHandle(), "COMMIT");
    done_ = true;
  }

 private:
  // After an error the transaction is finished, as in PostgreSQL (where the server refuses every
  // later statement): the same code then behaves the same on both back ends.
  void check_usable() const {
    if (done_) throw std::logic_error("transaction already committed");
    if (failed_) {
      throw std::logic_error("transaction failed earlier; it can only be rolled back");
    }
  }
  SqliteDatabase& owner_;
  std::unique_ptr<SQLite::Database> conn_;
  bool done_ = false;
  bool failed_ = false;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(fs::path file, SqliteOptions options) : file_(std::move(file)), options_(options) {
    // Open one connection now so that a bad path fails here, and WAL mode (persistent in the
    // file) is set before anyone else connects.
    release(connect());
  }

  std::string backend() const override { return "sqlite"; }

  std::unique_ptr<Transaction> begin() override {
    if (!writer_.try_acquire_for(std::chrono::milliseconds(options_.busy_timeout_ms))) {
      throw TransientConflict("SQLite database is busy: another transaction held it for " +
                              std::to_string(options_.busy_timeout_ms) + " ms");
    }
    std::unique_ptr<SQLite::Database> conn;
    try {
      conn = acquire();
      exec_simple(conn->getHandle(), "BEGIN IMMEDIATE");
    } catch (...) {
      if (conn) release(std::move(conn));
      writer_.release();
      throw;
    }
    return std::make_unique<SqliteTransaction>(*this, std::move(conn));
  }

  void backup_to(const fs::path& file) override {
    auto conn = acquire();
    try {
      backup_handle_to(conn->getHandle(), file, options_.busy_timeout_ms);
    } catch (...) {
      release(std::move(conn));
      throw;
    }
    release(std::move(conn));
  }

  void finish(std::unique_ptr<SQLite::Database> conn) {
    release(std::move(conn));
    writer_.release();
  }

 private:
  std::unique_ptr<SQLite::Database> connect() {
    int flags = SQLite::OPEN_READWRITE | SQLite::OPEN_FULLMUTEX;
    if (options_.create) {
      flags |= SQLite::OPEN_CREATE;
      create_private_file(file_);
    }
    std::unique_ptr<SQLite::Database> conn;
    try {
      conn = std::make_unique<SQLite::Database>(file_.string(), flags, options_.busy_timeout_ms);
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot open SQLite database " + file_.string() + ": " + e.what());
    }
    sqlite3* db = conn->getHandle();
    sqlite3_extended_result_codes(db, 1);
    // journal_mode needs the write lock the first time; the busy timeout covers a racing process.
    Rows mode = run(db, "PRAGMA journal_mode=WAL", {}, nullptr);
    if (mode.empty() || mode.front().text("journal_mode") != "wal") {
      throw std::runtime_error("cannot put " + file_.string() + " in WAL mode");
    }
    exec_simple(db, "PRAGMA synchronous=FULL");
    exec_simple(db, "PRAGMA foreign_keys=ON");
    return conn;
  }

  std::unique_ptr<SQLite::Database> acquire() {
    {
      std::lock_guard lock(pool_mutex_);
      if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        return conn;
      }
    }
    return connect();
  }

  void release(std::unique_ptr<SQLite::Database> conn) {
    // A connection still inside a transaction (a failed ROLLBACK) is closed, never reused.
    if (!conn || sqlite3_get_autocommit(conn->getHandle()) == 0) return;
    std::lock_guard lock(pool_mutex_);
    if (idle_.size() < static_cast<std::size_t>(options_.max_idle_connections)) {
      idle_.push_back(std::move(conn));
    }
  }

  fs::path file_;
  SqliteOptions options_;
  std::binary_semaphore writer_{1};  // released by whichever thread ends the transaction
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<SQLite::Database>> idle_;
};

SqliteTransaction::SqliteTransaction(SqliteDatabase& owner, std::unique_ptr<SQLite::Database> conn)
    : owner_(owner), conn_(std::move(conn)) {}

SqliteTransaction::~SqliteTransaction() {
  if (!done_) {
    char* err = nullptr;
    sqlite3_exec(conn_->getHandle(), "ROLLBACK", nullptr, nullptr, &err);
    sqlite3_free(err);
  }
  owner_.finish(std::move(conn_));
}

}  // namespace

std::string sqlite_placeholders(std::string_view sql) {
  return translate_placeholders(sql, nullptr);
}

std::unique_ptr<Database> open_sqlite(const fs::path& file, const SqliteOptions& options) {
  if (!options.create && !fs::exists(file)) {
    throw std::runtime_error("no SQLite database at " + file.string());
  }
  return std::make_unique<SqliteDatabase>(file, options);
}

void sqlite_backup_file(const fs::path& from, const fs::path& to) {
  if (!fs::exists(from)) throw std::runtime_error("no SQLite database at " + from.string());
  // Read-write (not read-only) so that the WAL index of a live database can be shared; a backup
  // file on read-only media opens read-only.
  RawDb src;
  try {
    src = open_raw(from, SQLITE_OPEN_READWRITE, 30000);
  } catch (const std::runtime_error&) {
    src = open_raw(from, SQLITE_OPEN_READONLY, 30000);
  }
  backup_handle_to(src.get(), to, 30000);
}

void sqlite_restore_into(const fs::path& from, const fs::path& into, int busy_timeout_ms) {
  RawDb src = open_raw(from, SQLITE_OPEN_READONLY, busy_timeout_ms);
  RawDb dest = open_raw(into, SQLITE_OPEN_READWRITE, busy_timeout_ms);
  backup_step_all(src.get(), dest.get(), busy_timeout_ms,
                  "restore into " + into.string() + " failed");
}

std::string sqlite_integrity_check(const fs::path& file) {
  if (!fs::is_regular_file(file)) throw std::runtime_error("no such file: " + file.string());
  RawDb db = open_raw(file, SQLITE_OPEN_READONLY, 5000);
  Rows rows;
  try {
    rows = run(db.get(), "PRAGMA integrity_check", {}, nullptr);
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + " is not a readable SQLite database: " + e.what());
  }
  std::string result;
  for (const auto& r : rows) {
    const auto& v = r.values().front();
    if (const auto* s = std::get_if<std::string>(&v)) result += (result.empty() ? "" : "; ") + *s;
  }
  return result;
}

std::int64_t sqlite_schema_version(const fs::path& file) {
  RawDb db = open_raw(file, SQLITE_OPEN_READONLY, 5000);
  Rows t = run(db.get(),
               "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND "
               "name = 'schema_migrations'",
               {}, nullptr);
  if (t.empty() || t.front().i64("n") == 0) return 0;
  Rows v = run(db.get(), "SELECT max(version) AS v FROM schema_migrations", {}, nullptr);
  if (v.empty()) return 0;
  return v.front().opt_i64("v").value_or(0);  // 64-bit: a huge version must not wrap to a small one
}

std::vector<std::string> sqlite_table_names(const fs::path& file) {
  RawDb db = open_raw(file, SQLITE_OPEN_READONLY, 5000);
  std::vector<std::string> out;
  for (const Row& r : run(db.get(),
                          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                          "'sqlite_%' ORDER BY name",
                          {}, nullptr)) {
    out.push_back(r.text("name"));
  }
  return out;
}

}  // namespace kit::storage
