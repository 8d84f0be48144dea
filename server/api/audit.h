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
  std::string username;       // "" for anonymous
  std::string role;           // "" for anonymous
  std::string action;         // "GET /api/v1/patients/{id}"
  std::optional<std::int64_t> patient_id;
  std::string remote_address;
  std::string outcome;        // "allowed" or "denied"
  int status = 0;             // HTTP status answered
};

// Appends within the caller's transaction (serialised on the chain head).
void append_audit(storage::Transaction& tx, const AuditEntry& entry);

struct ChainCheck {
  bool ok = true;
  std::int64_t rows = 0;
  std::optional<std::int64_t> first_bad_id;
};
ChainCheck verify_chain(storage::Transaction& tx);

}  // namespace kit::server
