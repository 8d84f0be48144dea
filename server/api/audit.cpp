#include "server/api/audit.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "server/api/auth.h"

namespace kit::server {

namespace {

const char* kGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

nlohmann::json opt(const std::optional<std::int64_t>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// The canonical text of a row: a JSON array in a fixed order, ASCII-only, so that the same row
// always hashes the same whatever the back end or platform.
std::string canonical(std::int64_t seq, const AuditEntry& e) {
  nlohmann::json a =
      nlohmann::json::array({seq, e.at_ms, opt(e.user_id), e.username, e.role, e.action,
                             opt(e.patient_id), e.remote_address, e.outcome, e.status});
  return a.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

std::string chain_hash(const std::string& prev, std::int64_t seq, const AuditEntry& e) {
  return sha256_hex(prev + "|" + canonical(seq, e));
}

}  // namespace

ChainHead append_audit(storage::Transaction& tx, const AuditEntry& entry) {
  return append_audit_rows(tx, {entry});
}

ChainHead append_audit_rows(storage::Transaction& tx, const std::vector<AuditEntry>& entries) {
  if (entries.empty()) throw std::logic_error("append_audit_rows: no rows");
  const auto n = static_cast<std::int64_t>(entries.size());
  // Updating the head first takes its row lock (PostgreSQL), so concurrent appends queue here and
  // each sees the hash its predecessor wrote.
  storage::Rows head =
      tx.query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, last_hash", {n});
  if (head.empty()) throw std::runtime_error("audit_head row is missing");
  std::int64_t seq = head.front().i64("seq") - n;
  std::string prev = head.front().text("last_hash");
  // Inserts of 10 rows (120 parameters): SQLite finds each numbered parameter in a list, so
  // binding grows with the square of the parameters per statement (measured: 50 rows a statement
  // cost more CPU than 10).
  constexpr std::size_t kBatch = 10;
  for (std::size_t first = 0; first < entries.size(); first += kBatch) {
    const std::size_t last = std::min(entries.size(), first + kBatch);
    std::string sql =
        "INSERT INTO audit_log (seq, at_ms, user_id, username, role, action, patient_id, "
        "remote_address, outcome, status, prev_hash, hash) VALUES ";
    std::vector<storage::Value> params;
    params.reserve((last - first) * 12);
    for (std::size_t i = first; i < last; ++i) {
      const AuditEntry& e = entries[i];
      ++seq;
      const std::string hash = chain_hash(prev, seq, e);
      sql += i == first ? "(" : ", (";
      for (int k = 1; k <= 12; ++k) {
        sql += (k == 1 ? "$" : ", $") + std::to_string(params.size() + static_cast<std::size_t>(k));
      }
      sql += ")";
      params.insert(
          params.end(),
          {seq, e.at_ms, e.user_id ? storage::Value(*e.user_id) : storage::null(), e.username,
           e.role, e.action, e.patient_id ? storage::Value(*e.patient_id) : storage::null(),
           e.remote_address, e.outcome, static_cast<std::int64_t>(e.status), prev, hash});
      prev = hash;
    }
    tx.exec(sql, params);
  }
  tx.exec("UPDATE audit_head SET last_hash = $1 WHERE id = 1", {prev});
  return ChainHead{seq, prev};
}

struct AuditBatcher::State {
  struct Round {
    std::vector<AuditEntry> rows;
    bool done = false;
    std::exception_ptr error;
    std::condition_variable cv;  // its callers wait here: woken when it is done, or to write it
  };
  std::mutex mutex;
  std::shared_ptr<Round> open;  // collecting rows, not yet being written
  bool writing = false;         // a caller is writing a round
  Stats stats;
};

AuditBatcher::AuditBatcher(storage::Database& db) : db_(db), state_(std::make_unique<State>()) {}
AuditBatcher::~AuditBatcher() = default;

void AuditBatcher::append(const std::vector<AuditEntry>& rows) {
  if (rows.empty()) return;
  State& st = *state_;
  std::unique_lock lock(st.mutex);
  ++st.stats.appends;
  if (!st.open) st.open = std::make_shared<State::Round>();
  const std::shared_ptr<State::Round> mine = st.open;
  mine->rows.insert(mine->rows.end(), rows.begin(), rows.end());
  while (!mine->done) {
    if (st.writing) {
      mine->cv.wait(lock);
      continue;
    }
    // Nobody is writing, and this caller's round is not done: it is the open round (a round
    // leaves `open` only to be written). Write it, with every row queued until the writer's turn
    // comes (rows that arrive while it waits for the turn join this round, not the next).
    st.writing = true;
    lock.unlock();
    std::shared_ptr<State::Round> round;
    std::exception_ptr error;
    try {
      std::unique_ptr<storage::Transaction> tx = db_.begin();
      lock.lock();
      round = std::move(st.open);
      lock.unlock();
      append_audit_rows(*tx, round->rows);
      tx->commit();  // returns once the rows are durable (the batch's COMMIT)
    } catch (...) {
      error = std::current_exception();
    }
    if (!lock.owns_lock()) lock.lock();
    if (!round) round = std::move(st.open);  // begin() failed: the open round fails with it
    round->done = true;
    round->error = error;
    ++st.stats.rounds;
    st.stats.rows += static_cast<std::int64_t>(round->rows.size());
    st.writing = false;
    round->cv.notify_all();                 // its callers return
    if (st.open) st.open->cv.notify_one();  // one caller of the next round writes it
  }
  if (mine->error) std::rethrow_exception(mine->error);
}

AuditBatcher::Stats AuditBatcher::stats() const {
  std::lock_guard lock(state_->mutex);
  return state_->stats;
}

ChainCheck verify_chain(storage::Transaction& tx) {
  ChainCheck check;
  std::string prev = kGenesis;
  std::int64_t expected_seq = 1;
  std::int64_t after = 0;
  for (;;) {
    storage::Rows rows = tx.query(
        "SELECT id, seq, at_ms, user_id, username, role, action, patient_id, remote_address, "
        "outcome, status, prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 1000",
        {after});
    if (rows.empty()) break;
    for (const storage::Row& r : rows) {
      AuditEntry e;
      e.at_ms = r.i64("at_ms");
      e.user_id = r.opt_i64("user_id");
      e.username = r.text("username");
      e.role = r.text("role");
      e.action = r.text("action");
      e.patient_id = r.opt_i64("patient_id");
      e.remote_address = r.text("remote_address");
      e.outcome = r.text("outcome");
      e.status = static_cast<int>(r.i64("status"));
      const std::int64_t seq = r.i64("seq");
      const std::string stored_hash = r.text("hash");
      ++check.rows;
      if (check.ok && (seq != expected_seq || r.text("prev_hash") != prev ||
                       chain_hash(prev, seq, e) != stored_hash)) {
        check.ok = false;
        check.first_bad_id = r.i64("id");
      }
      prev = stored_hash;
      expected_seq = seq + 1;
      after = seq;
    }
  }
  check.head = ChainHead{expected_seq - 1, prev};
  // A deleted tail leaves no bad row behind but no longer reaches the head.
  storage::Rows head = tx.query("SELECT seq, last_hash FROM audit_head WHERE id = 1");
  if (head.empty() || head.front().i64("seq") != expected_seq - 1 ||
      head.front().text("last_hash") != prev) {
    check.ok = false;
    check.head_matches = false;
  }
  return check;
}

}  // namespace kit::server
