// Stored answers to idempotent retries (storage/stores/idempotency_store.h).
#include "storage/stores/idempotency_store.h"

namespace kit::storage {

std::optional<StoredAnswer> IdempotencyStore::find(std::int64_t user_id, const std::string& key,
                                                   std::int64_t not_before_ms) {
  Rows rows = tx_.query(
      "SELECT user_id, idempotency_key, method, path, request_sha256, patient_id, status, "
      "content_type, headers_json, response_body, created_at_ms FROM idempotency_keys "
      "WHERE user_id = $1 AND idempotency_key = $2 AND created_at_ms >= $3",
      {user_id, key, not_before_ms});
  if (rows.empty()) return std::nullopt;
  const Row& r = rows.front();
  StoredAnswer a;
  a.user_id = r.i64("user_id");
  a.key = r.text("idempotency_key");
  a.method = r.text("method");
  a.path = r.text("path");
  a.request_sha256 = r.text("request_sha256");
  a.patient_id = r.opt_i64("patient_id");
  a.status = static_cast<int>(r.i64("status"));
  a.content_type = r.text("content_type");
  a.headers_json = r.text("headers_json");
  a.response_body = r.text("response_body");
  a.created_at_ms = r.i64("created_at_ms");
  return a;
}

void IdempotencyStore::remember(const StoredAnswer& a) {
  tx_.exec(
      "INSERT INTO idempotency_keys (user_id, idempotency_key, method, path, request_sha256, "
      "patient_id, status, content_type, headers_json, response_body, created_at_ms) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
      {a.user_id, a.key, a.method, a.path, a.request_sha256,
       a.patient_id ? Value{*a.patient_id} : null(), std::int64_t{a.status}, a.content_type,
       a.headers_json, a.response_body, a.created_at_ms});
}

void IdempotencyStore::purge_older_than(std::int64_t user_id, std::int64_t before_ms) {
  tx_.exec("DELETE FROM idempotency_keys WHERE user_id = $1 AND created_at_ms < $2",
           {user_id, before_ms});
}

}  // namespace kit::storage
