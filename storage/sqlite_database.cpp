// SQLite back end. Settings, and why:
// - journal_mode=WAL: readers never block the writer, so `kit backup` and reporting queries run
//   while the clinic writes.
// - synchronous=FULL: an acknowledged write must survive power loss. In WAL mode NORMAL only syncs
//   the WAL at checkpoints, so the last commits before a power cut may be lost (the database stays
//   consistent, but an acknowledged dose or consent would vanish). FULL syncs the WAL on every
//   COMMIT.
// - foreign_keys=ON on every connection (SQLite's default is off, per connection).
// - One writer connection and group commit (docs/adr/0021-write-path-and-load.md). Transactions
//   take turns on the writer in arrival order (a FIFO queue: each waiter sleeps on its own
//   condition variable and is woken when its turn comes). The first turn of a batch runs BEGIN
//   IMMEDIATE; each transaction is a SAVEPOINT inside the batch (its own rollback undoes only its
//   own work); the turn that ends with nobody waiting (or a full or old batch) runs one COMMIT, one
//   fsync, for every transaction of the batch. commit() returns only after that COMMIT succeeded:
//   no caller is told "saved" before its rows are on disk. If the COMMIT fails, every transaction
//   of the batch gets the error (none of them was acknowledged). Between processes busy_timeout
//   waits for SQLite's lock, as before.
// - A small pool of other connections for backups.
#include "storage/sqlite_database.h"

#include <SQLiteCpp/Database.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>
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

// Checks the parameter list against the $N numbers the SQL uses, before anything runs
// (PostgreSQL refuses both too).
void check_parameters(const std::vector<int>& numbers, std::size_t given,
                      std::string_view portable_sql) {
  std::vector<bool> used(given, false);
  for (int k : numbers) {
    if (k < 1 || static_cast<std::size_t>(k) > given) {
      throw std::invalid_argument("SQL uses $" + std::to_string(k) + " but " +
                                  std::to_string(given) +
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
}

// Resets a statement however its run ends, so that none stays active (an active statement would
// block the COMMIT) and none keeps copies of bound values.
struct ResetGuard {
  sqlite3_stmt* st;
  ~ResetGuard() {
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
};

// Binds params to one prepared statement and steps it to the end; rows (if it has columns) replace
// `rows`; `changed` adds the rows changed by DML.
void step_statement(sqlite3* db, sqlite3_stmt* raw, const std::vector<Value>& params,
                    std::string_view portable_sql, std::shared_ptr<std::vector<std::string>>& names,
                    Rows& rows, std::int64_t& changed) {
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
  if (columns > 0) {
    if (!names || names->size() != static_cast<std::size_t>(columns)) {
      auto n = std::make_shared<std::vector<std::string>>();
      for (int i = 0; i < columns; ++i) n->emplace_back(sqlite3_column_name(raw, i));
      names = std::move(n);
    }
    rows.clear();
  }
  const sqlite3_int64 before = sqlite3_total_changes64(db);
  for (;;) {
    const int rc = sqlite3_step(raw);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) throw_sqlite(db, rc, portable_sql);
    std::vector<Value> values;
    values.reserve(static_cast<std::size_t>(columns));
    for (int i = 0; i < columns; ++i) values.push_back(column_value(raw, i));
    rows.emplace_back(names, std::move(values));
  }
  if (sqlite3_total_changes64(db) != before) changed += sqlite3_changes64(db);
}

// Prepared statements of one connection, by their portable SQL: the writer runs the same few
// hundred statements all day, and preparing one costs more than running it. Only SQL that is one
// statement is kept; at most kMaxStatements of them (generated SQL with varying shapes beyond that
// is prepared each time).
class StatementCache {
 public:
  static constexpr std::size_t kMaxStatements = 1024;
  struct Entry {
    Stmt stmt;
    std::vector<int> numbers;
    std::shared_ptr<std::vector<std::string>> names;
  };
  Entry* find(std::string_view sql) {
    auto it = map_.find(std::string(sql));
    return it == map_.end() ? nullptr : &it->second;
  }
  bool has_room() const { return map_.size() < kMaxStatements; }
  Entry* add(std::string_view sql, Entry entry) {
    return &map_.emplace(std::string(sql), std::move(entry)).first->second;
  }
  void clear() { map_.clear(); }

 private:
  std::unordered_map<std::string, Entry> map_;
};

bool only_space_or_comments(const char* p, const char* end) {
  while (p < end) {
    if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r' || *p == ';') {
      ++p;
    } else {
      return false;
    }
  }
  return true;
}

// Runs every statement in `sql` (migrations hold several), binding ?N to params[N-1]. Returns the
// rows of the last statement that produced any; `changes` gets the rows changed by DML. With a
// cache, single statements are prepared once per connection.
// A read transaction's statement that would write: refused before it runs.
void require_read_only(sqlite3_stmt* st, bool read_only, std::string_view portable_sql) {
  if (read_only && sqlite3_stmt_readonly(st) == 0) {
    throw NeedsWriter("a read transaction cannot write (in: " + excerpt(portable_sql) + ")");
  }
}

Rows run(sqlite3* db, std::string_view portable_sql, const std::vector<Value>& params,
         std::int64_t* changes, StatementCache* cache = nullptr, bool read_only = false) {
  Rows rows;
  std::int64_t changed = 0;
  if (cache) {
    if (StatementCache::Entry* e = cache->find(portable_sql)) {
      require_read_only(e->stmt.get(), read_only, portable_sql);
      check_parameters(e->numbers, params.size(), portable_sql);
      ResetGuard reset{e->stmt.get()};
      step_statement(db, e->stmt.get(), params, portable_sql, e->names, rows, changed);
      if (changes) *changes = changed;
      return rows;
    }
  }
  std::vector<int> numbers;
  const std::string sql = translate_placeholders(portable_sql, &numbers);
  check_parameters(numbers, params.size(), portable_sql);
  const char* tail = sql.c_str();
  const char* const end = sql.c_str() + sql.size();
  while (tail < end) {
    sqlite3_stmt* raw = nullptr;
    const char* next = nullptr;
    int rc = sqlite3_prepare_v2(db, tail, static_cast<int>(end - tail), &raw, &next);
    if (rc != SQLITE_OK) throw_sqlite(db, rc, portable_sql);
    const bool first = tail == sql.c_str();
    tail = next;
    if (!raw) continue;  // whitespace or a comment
    Stmt st(raw);
    require_read_only(raw, read_only, portable_sql);
    std::shared_ptr<std::vector<std::string>> names;
    if (cache && first && cache->has_room() && only_space_or_comments(next, end)) {
      StatementCache::Entry* e =
          cache->add(portable_sql, StatementCache::Entry{std::move(st), numbers, nullptr});
      ResetGuard reset{e->stmt.get()};
      step_statement(db, e->stmt.get(), params, portable_sql, e->names, rows, changed);
      continue;
    }
    step_statement(db, raw, params, portable_sql, names, rows, changed);
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

// A transaction-control statement (BEGIN, COMMIT, SAVEPOINT, RELEASE) run on every transaction:
// prepared once per connection and kept in its cache (sqlite3_exec parses it each time: 4 % of the
// server's CPU under the clinic mix, docs/performance.md). Errors as exec_simple's.
void exec_cached(sqlite3* db, StatementCache& cache, const char* sql) {
  run(db, sql, {}, nullptr, &cache);
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

// One group commit: the transactions that ran between one BEGIN IMMEDIATE and its COMMIT.
struct Batch {
  bool done = false;         // COMMIT (or the batch's rollback) has happened
  std::exception_ptr error;  // set if the batch was not committed
  std::int64_t transactions = 0;
  std::chrono::steady_clock::time_point opened;
};

class SqliteTransaction final : public Transaction {
 public:
  SqliteTransaction(SqliteDatabase& owner, sqlite3* db, StatementCache* cache,
                    std::shared_ptr<Batch> batch)
      : owner_(owner), db_(db), cache_(cache), batch_(std::move(batch)) {}
  ~SqliteTransaction() override;
  Rows query(std::string_view sql, const std::vector<Value>& params) override {
    check_usable();
    try {
      return run(db_, sql, params, nullptr, cache_);
    } catch (...) {
      failed_ = true;
      throw;
    }
  }
  std::int64_t exec(std::string_view sql, const std::vector<Value>& params) override {
    check_usable();
    std::int64_t changes = 0;
    try {
      run(db_, sql, params, &changes, cache_);
    } catch (...) {
      failed_ = true;
      throw;
    }
    return changes;
  }
  void commit() override;

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
  sqlite3* db_;
  StatementCache* cache_;
  std::shared_ptr<Batch> batch_;
  bool done_ = false;
  bool failed_ = false;
  bool turn_ended_ = false;
};

// A WAL reader connection (query_only) and its prepared statements.
struct Reader {
  std::unique_ptr<SQLite::Database> conn;
  StatementCache statements;  // destroyed before conn
};

// A read transaction on a reader: BEGIN (deferred; the first SELECT takes the WAL snapshot) ...
// COMMIT, then the reader goes back to the pool.
class SqliteReadTransaction final : public Transaction {
 public:
  SqliteReadTransaction(SqliteDatabase& owner, std::unique_ptr<Reader> reader);
  ~SqliteReadTransaction() override;
  Rows query(std::string_view sql, const std::vector<Value>& params) override {
    if (!reader_) throw std::logic_error("transaction already committed");
    if (failed_) throw std::logic_error("transaction failed earlier; it can only be rolled back");
    try {
      return run(reader_->conn->getHandle(), sql, params, nullptr, &reader_->statements, true);
    } catch (const NeedsWriter&) {
      throw;  // nothing ran
    } catch (...) {
      failed_ = true;
      throw;
    }
  }
  std::int64_t exec(std::string_view sql, const std::vector<Value>&) override {
    throw NeedsWriter("a read transaction cannot write (in: " + excerpt(sql) + ")");
  }
  void commit() override;
  std::optional<std::int64_t> data_generation() override;

 private:
  SqliteDatabase& owner_;
  std::unique_ptr<Reader> reader_;
  bool failed_ = false;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(fs::path file, SqliteOptions options) : file_(std::move(file)), options_(options) {
    // Open the writer connection now so that a bad path fails here, and WAL mode (persistent in
    // the file) is set before anyone else connects.
    writer_ = connect();
    if (!options_.read_only) {
      sqlite3_update_hook(writer_->getHandle(), &SqliteDatabase::on_row_changed, this);
      // A DELETE without WHERE empties a table at once (the truncate optimization) and calls no
      // update hook; an authorizer that answers SQLITE_IGNORE to deletes turns the optimization
      // off (the rows are then deleted one by one, each reported).
      // https://sqlite.org/lang_delete.html
      sqlite3_set_authorizer(writer_->getHandle(), &SqliteDatabase::rows_deleted_one_by_one, this);
    }
  }

  ~SqliteDatabase() override {
    // Every transaction has ended (they hold a reference to this object); a batch left open (it
    // cannot be: the last turn commits) would roll back on close.
  }

  std::string backend() const override { return "sqlite"; }

  std::unique_ptr<Transaction> begin() override {
    acquire_turn();
    std::shared_ptr<Batch> batch;
    try {
      {
        std::lock_guard lock(mutex_);
        if (in_own_group() && group_batch_ && group_batch_->done) {
          // SQLite rolled the bulk load's batch back (an error in one of its transactions).
          std::rethrow_exception(group_batch_->error);
        }
      }
      batch = open_batch_if_needed();
      exec_cached(writer_->getHandle(), statements_, "SAVEPOINT kit_tx");
      std::lock_guard lock(mutex_);
      if (in_own_group() && !group_batch_) group_batch_ = batch;
    } catch (...) {
      end_turn(nullptr);
      throw;
    }
    return std::make_unique<SqliteTransaction>(*this, writer_->getHandle(), &statements_,
                                               std::move(batch));
  }

  std::unique_ptr<CommitGroup> commit_group() override;

  std::unique_ptr<Transaction> begin_read() override {
    if (options_.read_only) return nullptr;
    {
      std::lock_guard lock(mutex_);
      if (in_own_group()) return nullptr;
    }
    std::unique_ptr<Reader> reader;
    {
      std::lock_guard lock(readers_mutex_);
      if (!idle_readers_.empty()) {
        reader = std::move(idle_readers_.back());
        idle_readers_.pop_back();
      }
    }
    if (!reader) {
      reader = std::make_unique<Reader>();
      reader->conn = connect_reader();
    }
    return std::make_unique<SqliteReadTransaction>(*this, std::move(reader));
  }

  // A reader back from a transaction: kept for the next one unless it is still inside a
  // transaction (a failed COMMIT or ROLLBACK) or the pool is full.
  void release_reader(std::unique_ptr<Reader> reader) {
    if (!reader || sqlite3_get_autocommit(reader->conn->getHandle()) == 0) return;
    std::lock_guard lock(readers_mutex_);
    if (idle_readers_.size() < kMaxIdleReaders) idle_readers_.push_back(std::move(reader));
  }

  // The group's end: one COMMIT for everything since commit_group() (throws if it fails), or,
  // `keep` false, a rollback of it.
  void end_group(bool keep) {
    acquire_turn();
    std::unique_lock lock(mutex_);
    const std::shared_ptr<Batch> mine = std::move(group_batch_);
    group_active_ = false;
    group_owner_ = {};
    std::exception_ptr error = mine && mine->done ? mine->error : nullptr;
    if (open_) {  // the group's batch, or one other threads opened during the group
      const std::shared_ptr<Batch> batch = std::move(open_);
      const bool commit = keep || batch != mine;
      lock.unlock();
      std::exception_ptr outcome;
      if (commit) {
        try {
          raise_generation_if_data_changed();
          exec_simple(writer_->getHandle(), "COMMIT");
        } catch (...) {
          outcome = std::current_exception();
          rollback_writer();
        }
      } else {
        rollback_writer();
        outcome = std::make_exception_ptr(
            TransientConflict("the bulk load this transaction joined was abandoned; nothing of it "
                              "was saved"));
      }
      lock.lock();
      close_batch(batch, outcome);
      if (batch == mine) error = outcome;
    }
    pass_turn();
    lock.unlock();
    if (keep && error) std::rethrow_exception(error);
  }

  // True for the thread that holds the commit group (with mutex_ held).
  bool in_own_group() const { return group_active_ && group_owner_ == std::this_thread::get_id(); }

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

  SqliteWriterStats stats() {
    std::lock_guard lock(mutex_);
    return stats_;
  }

  // Called by the turn's holder (a transaction ending). If `durable` is given, waits until that
  // batch is committed and rethrows its error if it was not.
  void end_turn(std::shared_ptr<Batch> durable) {
    std::unique_lock lock(mutex_);
    if (durable && in_own_group()) durable.reset();  // the group's finish() makes it durable
    if (open_ && !group_active_ &&
        (queue_.empty() || open_->transactions >= options_.group_commit_max_transactions ||
         std::chrono::steady_clock::now() - open_->opened >=
             std::chrono::milliseconds(options_.group_commit_max_age_ms))) {
      std::shared_ptr<Batch> batch = std::move(open_);
      lock.unlock();  // the turn is still ours: nobody else uses the writer connection
      std::exception_ptr error;
      try {
        raise_generation_if_data_changed();
        exec_cached(writer_->getHandle(), statements_, "COMMIT");
      } catch (...) {
        error = std::current_exception();
        rollback_writer();
      }
      lock.lock();
      close_batch(batch, error);
    }
    pass_turn();
    if (durable) {
      batch_done_.wait(lock, [&] { return durable->done; });
      if (durable->error) std::rethrow_exception(durable->error);
    }
  }

  // A transaction that ends without committing: undo its savepoint. If SQLite rolled the whole
  // batch back (it does on some errors: SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM, SQLITE_BUSY), the
  // transactions that released into it are told, and the next turn opens a new batch.
  void rollback_savepoint(const std::string& cause) {
    sqlite3* db = writer_->getHandle();
    bool whole_batch = sqlite3_get_autocommit(db) != 0;
    if (!whole_batch) {
      char* err = nullptr;
      const int rc = sqlite3_exec(db, "ROLLBACK TO kit_tx; RELEASE kit_tx", nullptr, nullptr, &err);
      sqlite3_free(err);
      if (rc != SQLITE_OK) {
        rollback_writer();
        whole_batch = true;
      }
    }
    if (whole_batch) {
      std::lock_guard lock(mutex_);
      if (open_) {
        close_batch(open_, std::make_exception_ptr(TransientConflict(
                               "SQLite rolled back the group commit this transaction was part "
                               "of, after another transaction's error (" +
                               cause + "); nothing of it was saved")));
        open_.reset();
      }
    }
  }

 private:
  void acquire_turn() {
    std::unique_lock lock(mutex_);
    if (!turn_held_ && queue_.empty()) {
      turn_held_ = true;
      return;
    }
    Waiter me;
    queue_.push_back(&me);
    ++stats_.waited;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.busy_timeout_ms);
    while (!me.granted) {
      if (me.cv.wait_until(lock, deadline) == std::cv_status::timeout && !me.granted) {
        queue_.erase(std::find(queue_.begin(), queue_.end(), &me));
        throw TransientConflict(
            "SQLite database is busy: the writer queue did not reach this "
            "transaction within " +
            std::to_string(options_.busy_timeout_ms) + " ms");
      }
    }
  }

  // With mutex_ held: hands the turn to the first waiter (arrival order), or frees it.
  void pass_turn() {
    if (queue_.empty()) {
      turn_held_ = false;
      return;
    }
    Waiter* next = queue_.front();
    queue_.pop_front();
    next->granted = true;
    next->cv.notify_one();
  }

  // With the turn held, mutex_ not held.
  std::shared_ptr<Batch> open_batch_if_needed() {
    {
      std::lock_guard lock(mutex_);
      if (open_) {
        ++open_->transactions;
        ++stats_.transactions;
        return open_;
      }
    }
    // A read-only file (a backup being verified) takes a plain BEGIN: it may only read.
    exec_cached(writer_->getHandle(), statements_,
                options_.read_only ? "BEGIN" : "BEGIN IMMEDIATE");
    auto batch = std::make_shared<Batch>();
    batch->opened = std::chrono::steady_clock::now();
    batch->transactions = 1;
    std::lock_guard lock(mutex_);
    ++stats_.transactions;
    open_ = batch;
    return batch;
  }

  // True once migration 0017's table is known to exist in the file (it never goes away).
  // `db`: a connection of this database, used by its current holder.
  bool generation_table_exists(sqlite3* db) {
    if (generation_table_.load(std::memory_order_acquire)) return true;
    if (run(db,
            "SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = "
            "'data_generation'",
            {}, nullptr)
            .empty()) {
      return false;
    }
    generation_table_.store(true, std::memory_order_release);
    return true;
  }

  // With the turn held, just before a batch's COMMIT: the batch changed data, so the data
  // generation moves in the same transaction (atomic with the change it stands for). Before
  // migration 0017 has created the table (the earlier migrations) there is nothing to raise.
  void raise_generation_if_data_changed() {
    if (!data_changed_) return;
    sqlite3* db = writer_->getHandle();
    if (!generation_table_exists(db)) return;
    exec_cached(db, statements_, "UPDATE data_generation SET n = n + 1 WHERE singleton = 1");
  }

  // sqlite3_update_hook on the writer: a row of `table` was inserted, updated or deleted by the
  // turn's holder. Audit rows and the generation itself do not count: every read appends audit
  // rows, and an answer read before them is still the same answer. (The hook is not called for
  // WITHOUT ROWID tables, of which KIT has none: tests/storage/data_generation_test.cpp checks.)
  // sqlite3_set_authorizer on the writer, called while a statement is prepared: IGNORE for a
  // DELETE turns the truncate optimization off (lang_delete.html). Not for SQLite's own tables,
  // nor for the DELETE check that DROP TABLE makes right after its SQLITE_DROP_TABLE check on the
  // same table: an IGNORE there would make the drop a no-op (the table rebuild of migration 0016
  // would fail; tests/storage/data_generation_test.cpp runs every migration).
  static int rows_deleted_one_by_one(void* self, int action, const char* table, const char*,
                                     const char*, const char*) {
    auto& me = *static_cast<SqliteDatabase*>(self);
    if (action == SQLITE_DROP_TABLE || action == SQLITE_DROP_TEMP_TABLE) {
      me.table_being_dropped_ = table ? table : "";
      return SQLITE_OK;
    }
    if (action != SQLITE_DELETE || table == nullptr) return SQLITE_OK;
    const std::string_view t(table);
    if (t.starts_with("sqlite_")) return SQLITE_OK;
    if (t == me.table_being_dropped_) {
      me.table_being_dropped_.clear();
      return SQLITE_OK;
    }
    return SQLITE_IGNORE;
  }

  static void on_row_changed(void* self, int, const char*, const char* table, sqlite3_int64) {
    const std::string_view t(table);
    if (t == "audit_log" || t == "audit_head" || t == "data_generation") return;
    static_cast<SqliteDatabase*>(self)->data_changed_ = true;
  }

 public:
  // Read by a read transaction on its own reader connection, in its snapshot (no turn needed).
  std::optional<std::int64_t> read_generation(sqlite3* reader_db, StatementCache& cache) {
    if (!generation_table_exists(reader_db)) return std::nullopt;
    const Rows rows = run(reader_db, "SELECT n FROM data_generation WHERE singleton = 1", {},
                          nullptr, &cache, true);
    if (rows.empty()) return std::nullopt;
    return rows.front().i64("n");
  }

 private:
  // With mutex_ held.
  void close_batch(const std::shared_ptr<Batch>& batch, std::exception_ptr error) {
    data_changed_ = false;  // committed (and counted) or rolled back
    batch->done = true;
    batch->error = std::move(error);
    if (batch->error) {
      ++stats_.failed_batches;
    } else {
      ++stats_.batches;
    }
    batch_done_.notify_all();
  }

  void rollback_writer() {
    sqlite3* db = writer_->getHandle();
    if (sqlite3_get_autocommit(db) == 0) {
      char* err = nullptr;
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, &err);
      sqlite3_free(err);
    }
  }

  std::unique_ptr<SQLite::Database> connect() {
    int flags = SQLite::OPEN_READWRITE | SQLite::OPEN_FULLMUTEX;
    if (options_.read_only) flags = SQLite::OPEN_READONLY | SQLite::OPEN_FULLMUTEX;
    if (options_.create && !options_.read_only) {
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
    if (options_.read_only) {
      exec_simple(db, "PRAGMA query_only=ON");
      return conn;
    }
    // journal_mode needs the write lock the first time; the busy timeout covers a racing process.
    Rows mode = run(db, "PRAGMA journal_mode=WAL", {}, nullptr);
    if (mode.empty() || mode.front().text("journal_mode") != "wal") {
      throw std::runtime_error("cannot put " + file_.string() + " in WAL mode");
    }
    exec_simple(db, "PRAGMA synchronous=FULL");
    exec_simple(db, "PRAGMA foreign_keys=ON");
    return conn;
  }

  std::unique_ptr<SQLite::Database> connect_reader() {
    std::unique_ptr<SQLite::Database> conn;
    try {
      conn = std::make_unique<SQLite::Database>(file_.string(),
                                                SQLite::OPEN_READWRITE | SQLite::OPEN_FULLMUTEX,
                                                options_.busy_timeout_ms);
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot open SQLite database " + file_.string() + ": " + e.what());
    }
    sqlite3* db = conn->getHandle();
    sqlite3_extended_result_codes(db, 1);
    exec_simple(db, "PRAGMA query_only=ON");
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

  struct Waiter {
    std::condition_variable cv;
    bool granted = false;
  };

  fs::path file_;
  SqliteOptions options_;
  std::unique_ptr<SQLite::Database> writer_;  // used only by the turn's holder
  StatementCache statements_;                 // the writer's (destroyed before it)
  std::mutex mutex_;                          // guards everything below
  bool turn_held_ = false;
  std::deque<Waiter*> queue_;    // waiting transactions, in arrival order
  std::shared_ptr<Batch> open_;  // the batch the writer connection is inside, if any
  std::condition_variable batch_done_;
  SqliteWriterStats stats_;
  bool group_active_ = false;    // a commit group holds the batch open
  std::thread::id group_owner_;  // the thread whose transactions do not wait for the COMMIT
  std::shared_ptr<Batch> group_batch_;
  // Set by on_row_changed() since the open batch began; read and reset by the turn's holder only.
  bool data_changed_ = false;
  std::string table_being_dropped_;  // rows_deleted_one_by_one(), with the turn held
  std::atomic<bool> generation_table_{false};
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<SQLite::Database>> idle_;
  // Reader connections kept open for reads (one per concurrent read at most; the server's worker
  // threads bound how many there are at once).
  static constexpr std::size_t kMaxIdleReaders = 32;
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<Reader>> idle_readers_;
};

SqliteReadTransaction::SqliteReadTransaction(SqliteDatabase& owner, std::unique_ptr<Reader> reader)
    : owner_(owner), reader_(std::move(reader)) {
  try {
    exec_cached(reader_->conn->getHandle(), reader_->statements, "BEGIN");
  } catch (...) {
    owner_.release_reader(std::move(reader_));
    throw;
  }
}

std::optional<std::int64_t> SqliteReadTransaction::data_generation() {
  if (!reader_) throw std::logic_error("transaction already committed");
  if (failed_) throw std::logic_error("transaction failed earlier; it can only be rolled back");
  try {
    return owner_.read_generation(reader_->conn->getHandle(), reader_->statements);
  } catch (...) {
    failed_ = true;
    throw;
  }
}

void SqliteReadTransaction::commit() {
  if (!reader_) throw std::logic_error("transaction already committed");
  if (failed_) throw std::logic_error("transaction failed earlier; it can only be rolled back");
  exec_cached(reader_->conn->getHandle(), reader_->statements, "COMMIT");
  owner_.release_reader(std::move(reader_));
}

SqliteReadTransaction::~SqliteReadTransaction() {
  if (!reader_) return;
  sqlite3* db = reader_->conn->getHandle();
  if (sqlite3_get_autocommit(db) == 0) {
    char* err = nullptr;
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, &err);
    sqlite3_free(err);
  }
  owner_.release_reader(std::move(reader_));
}

class SqliteCommitGroup final : public CommitGroup {
 public:
  explicit SqliteCommitGroup(SqliteDatabase& owner) : owner_(owner) {}
  ~SqliteCommitGroup() override {
    if (finished_) return;
    try {
      owner_.end_group(false);
    } catch (...) {  // a destructor must not throw; the batch is rolled back either way
    }
  }
  void finish() override {
    if (finished_) throw std::logic_error("commit group already finished");
    finished_ = true;
    owner_.end_group(true);
  }

 private:
  SqliteDatabase& owner_;
  bool finished_ = false;
};

std::unique_ptr<CommitGroup> SqliteDatabase::commit_group() {
  std::lock_guard lock(mutex_);
  if (group_active_) throw std::logic_error("a commit group is already open on this database");
  group_active_ = true;
  group_owner_ = std::this_thread::get_id();
  group_batch_.reset();
  return std::make_unique<SqliteCommitGroup>(*this);
}

void SqliteTransaction::commit() {
  check_usable();
  try {
    exec_cached(db_, *cache_, "RELEASE kit_tx");
  } catch (...) {
    failed_ = true;
    throw;
  }
  done_ = true;
  turn_ended_ = true;
  owner_.end_turn(batch_);  // returns once the batch's COMMIT is on disk, or throws its error
}

SqliteTransaction::~SqliteTransaction() {
  if (turn_ended_) return;
  try {
    owner_.rollback_savepoint(failed_ ? "a failed statement" : "a transaction rolled back");
    owner_.end_turn(nullptr);
  } catch (...) {
    // A destructor must not throw; end_turn without a batch to wait for throws nothing but
    // std::system_error from the mutex, which leaves nothing better to do.
  }
}

}  // namespace

SqliteWriterStats sqlite_writer_stats(Database& db) {
  if (auto* sqlite = dynamic_cast<SqliteDatabase*>(&db)) return sqlite->stats();
  return {};
}

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
