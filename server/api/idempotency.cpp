// Idempotent writes (server/api/idempotency.h).
#include "server/api/idempotency.h"

#include <nlohmann/json.hpp>

#include "server/api/api_error.h"
#include "server/api/auth.h"
#include "storage/stores/idempotency_store.h"

namespace kit::server {

namespace {

constexpr std::size_t kMaxKeyLength = 255;

// Method, path and body, length-prefixed so no two requests share a digest input.
std::string request_digest(const Request& req) {
  return sha256_hex(std::to_string(req.method.size()) + ":" + req.method + "|" +
                    std::to_string(req.path.size()) + ":" + req.path + "|" + req.body);
}

kit::Error bad_key(const std::string& why) { return ApiError::bad_request("Idempotency-Key", why); }

}  // namespace

std::optional<IdempotentRequest> idempotent_request(const Request& req,
                                                    const std::optional<Principal>& who) {
  if (req.method != "POST" && req.method != "PATCH") return std::nullopt;
  auto header = req.header("idempotency-key");
  if (!header || !who) return std::nullopt;
  std::string key = *header;
  // A structured-field string ("...", RFC 8941 §3.3.3) or a bare token: the quotes are not part
  // of the key.
  if (key.size() >= 2 && key.front() == '"' && key.back() == '"') {
    key = key.substr(1, key.size() - 2);
  }
  if (key.empty()) throw bad_key("must not be empty");
  if (key.size() > kMaxKeyLength) throw bad_key("must be at most 255 characters");
  for (char c : key) {
    if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
      throw bad_key("must be visible ASCII characters without quotes or backslashes");
    }
  }
  return IdempotentRequest{who->user_id, key, request_digest(req)};
}

std::optional<Replay> find_replay(storage::Database& db, const IdempotentRequest& r,
                                  const Request& req, std::int64_t now_ms) {
  std::optional<storage::StoredAnswer> kept;
  storage::with_transaction(db, [&](storage::Transaction& tx) {
    kept = storage::IdempotencyStore(tx).find(r.user_id, r.key, now_ms - kIdempotencyKeepMs);
  });
  if (!kept) return std::nullopt;
  if (kept->request_sha256 != r.request_sha256) {
    throw kit::Error(ErrorKind::rule_refused,
                     "this Idempotency-Key was used for another request (" + kept->method + " " +
                         kept->path + "); use a new key for a new request",
                     "Idempotency-Key", "idempotency_key_reused");
  }
  (void)req;
  Replay replay;
  replay.patient_id = kept->patient_id;
  replay.response.status = kept->status;
  replay.response.content_type = kept->content_type;
  replay.response.body = kept->response_body;
  for (const auto& pair : nlohmann::json::parse(kept->headers_json)) {
    replay.response.set_header(pair.at(0).get<std::string>(), pair.at(1).get<std::string>());
  }
  replay.response.set_header("Idempotent-Replayed", "true");
  return replay;
}

void remember_answer(storage::Transaction& tx, const IdempotentRequest& r, const Request& req,
                     const Response& resp, std::optional<std::int64_t> patient_id,
                     std::int64_t now_ms) {
  if (resp.status < 200 || resp.status >= 300) return;  // refusals store nothing, kept or not
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& [name, value] : resp.headers) headers.push_back({name, value});
  storage::StoredAnswer a;
  a.user_id = r.user_id;
  a.key = r.key;
  a.method = req.method;
  a.path = req.path;
  a.request_sha256 = r.request_sha256;
  a.patient_id = patient_id;
  a.status = resp.status;
  a.content_type = resp.content_type;
  a.headers_json = headers.dump();
  a.response_body = resp.body;
  a.created_at_ms = now_ms;
  storage::IdempotencyStore store(tx);
  store.purge_older_than(r.user_id, now_ms - kIdempotencyKeepMs);
  try {
    store.remember(a);
  } catch (const storage::ConstraintViolation&) {
    throw kit::Error(ErrorKind::conflict,
                     "a request with this Idempotency-Key was being processed at the same time; "
                     "retry it to receive that request's answer",
                     "Idempotency-Key", "idempotency_key_in_use");
  }
}

}  // namespace kit::server
