#pragma once
// Append-only audit log of every read or write of patient data. Rows are hash-chained
// (hash = SHA-256(previous hash | canonical row)), so any edit or deletion breaks the chain, which
// verify_chain detects. No API route updates or deletes audit rows.
#include <cstdint>
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
