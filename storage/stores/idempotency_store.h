#pragma once
// Stored answers to idempotent retries (storage/migrations/0012_idempotency.sql): one named
// operation per question, as every store (docs/storage.md).
#include <cstdint>
#include <optional>
#include <string>

#include "storage/database.h"

namespace kit::storage {

struct StoredAnswer {
  std::int64_t user_id = 0;
  std::string key;
  std::string method;
  std::string path;
  std::string request_sha256;
  std::optional<std::int64_t> patient_id;
  int status = 200;
  std::string content_type;
  std::string headers_json;  // [["ETag","\"3\""], ...]
  std::string response_body;
  std::int64_t created_at_ms = 0;
};

class IdempotencyStore {
 public:
  explicit IdempotencyStore(Transaction& tx) : tx_(tx) {}
  // The answer kept for this account's key, if it is younger than `not_before_ms`.
  std::optional<StoredAnswer> find(std::int64_t user_id, const std::string& key,
                                   std::int64_t not_before_ms);
  // Keeps an answer; a second answer for the same account and key is the database's
  // ConstraintViolation (two retries raced: the later one rolls back).
  void remember(const StoredAnswer& answer);
  // Removes this account's answers older than `before_ms` (copies of answers, not records).
  void purge_older_than(std::int64_t user_id, std::int64_t before_ms);

 private:
  Transaction& tx_;
};

}  // namespace kit::storage
