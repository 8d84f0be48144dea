#pragma once
// Append-only audit log of every read or write of patient data. Rows are hash-chained
// (hash = SHA-256(previous hash | canonical row)), so any edit or deletion breaks the chain, which
// verify_chain detects. No API route updates or deletes audit rows.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"

namespace kit::server {

struct AuditEntry {
  std::int64_t at_ms = 0;
  std::optional<std::int64_t> user_id;
  std::string username;  // "" for anonymous
  std::string role;      // "" for anonymous
  std::string action;    // "GET /api/v1/patients/{id}"
  std::optional<std::int64_t> patient_id;
  std::string remote_address;
  std::string outcome;  // "allowed" or "denied"
  int status = 0;       // HTTP status answered
};

// The chain head after an append: the last row's seq and hash.
struct ChainHead {
  std::int64_t seq = 0;
  std::string hash;
};

// Appends within the caller's transaction (serialised on the chain head).
ChainHead append_audit(storage::Transaction& tx, const AuditEntry& entry);
// Appends several rows in order, taking the head once and inserting 10 rows a statement: a list
// read attributed to each of the 50 patients on its page costs 7 statements, not 150.
ChainHead append_audit_rows(storage::Transaction& tx, const std::vector<AuditEntry>& entries);

// Group commit of audit rows (docs/adr/0021-write-path-and-load.md, addendum session 5, perf3):
// reads run on readers and write nothing but their audit rows; instead of a writer transaction
// each, the rows of concurrent reads are appended together. append() queues the caller's rows in
// the open round; the first caller that finds no round being written writes the open round (its
// own and every row queued so far) in one writer transaction (append_audit_rows: the chain head
// taken once) and commits it, while the next round fills. Every caller returns only once the
// round holding its rows is committed (Transaction::commit: durable), or rethrows that round's
// error (nothing of the round was saved). So a read's answer still leaves only after its audit
// row is durable; the chain order is the order the rows were queued.
class AuditBatcher {
 public:
  explicit AuditBatcher(storage::Database& db);
  ~AuditBatcher();
  AuditBatcher(const AuditBatcher&) = delete;
  AuditBatcher& operator=(const AuditBatcher&) = delete;
  void append(const std::vector<AuditEntry>& rows);

  struct Stats {
    std::int64_t appends = 0;  // append() calls
    std::int64_t rounds = 0;   // writer transactions (committed or failed)
    std::int64_t rows = 0;
  };
  Stats stats() const;

 private:
  struct State;  // audit.cpp (keeps <mutex> out of this header)
  storage::Database& db_;
  std::unique_ptr<State> state_;
};

struct ChainCheck {
  bool ok = true;
  std::int64_t rows = 0;
  std::optional<std::int64_t> first_bad_id;
  // The head the chain reaches (seq 0 and the genesis hash when empty), and whether the
  // audit_head row agrees with it.
  ChainHead head;
  bool head_matches = true;
};
ChainCheck verify_chain(storage::Transaction& tx);

}  // namespace kit::server
