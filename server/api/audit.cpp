#include "server/api/audit.h"

#include <nlohmann/json.hpp>

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

void append_audit(storage::Transaction& tx, const AuditEntry& entry) {
  // Updating the head first takes its row lock (PostgreSQL), so concurrent appends queue here and
  // each sees the hash its predecessor wrote.
  storage::Rows head =
      tx.query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash");
  if (head.empty()) throw std::runtime_error("audit_head row is missing");
  const std::int64_t seq = head.front().i64("seq");
  const std::string prev = head.front().text("last_hash");
  const std::string hash = chain_hash(prev, seq, entry);
  tx.exec(
      "INSERT INTO audit_log (seq, at_ms, user_id, username, role, action, patient_id, "
      "remote_address, outcome, status, prev_hash, hash) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
      {seq, entry.at_ms, entry.user_id ? storage::Value(*entry.user_id) : storage::null(),
       entry.username, entry.role, entry.action,
       entry.patient_id ? storage::Value(*entry.patient_id) : storage::null(), entry.remote_address,
       entry.outcome, static_cast<std::int64_t>(entry.status), prev, hash});
  tx.exec("UPDATE audit_head SET last_hash = $1 WHERE id = 1", {hash});
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
  // A deleted tail leaves no bad row behind but no longer reaches the head.
  storage::Rows head = tx.query("SELECT seq, last_hash FROM audit_head WHERE id = 1");
  if (head.empty() || head.front().i64("seq") != expected_seq - 1 ||
      head.front().text("last_hash") != prev) {
    check.ok = false;
  }
  return check;
}

}  // namespace kit::server
