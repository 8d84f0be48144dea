#pragma once
// Idempotent writes: a client may send `Idempotency-Key` on an authenticated POST or PATCH
// (IETF draft-ietf-httpapi-idempotency-key-header-07). The first successful answer is kept with
// the request's own transaction, so the write and its answer commit together; a retry of the same
// request with the same key gets that answer again (`Idempotent-Replayed: true`) and stores
// nothing. The chair-side app sends one with every pump event, so a retry over flaky Wi-Fi never
// doubles an event.
//  - the key: 1-255 visible ASCII characters, bare or as a structured-field string ("...");
//    anything else is 400 naming `Idempotency-Key`;
//  - the same key with another method, path or body: 422 `idempotency_key_reused` (draft §2.7);
//  - two requests with one key at once: the later one rolls back, 409 `idempotency_key_in_use`,
//    and its retry gets the first one's answer;
//  - refusals (4xx/5xx) are not kept: a refusal stores nothing, so its retry runs again;
//  - public routes (sign-in, the inquiry form) ignore the header: there is no account to scope
//    the key to, and a sign-in answer (a token) is never stored;
//  - keys are kept 24 hours (policy), then purged.
#include <cstdint>
#include <optional>
#include <string>

#include "server/api/principal.h"
#include "server/http/message.h"
#include "storage/database.h"

namespace kit::server {

inline constexpr std::int64_t kIdempotencyKeepMs = 24LL * 60 * 60 * 1000;  // policy: one day

struct IdempotentRequest {
  std::int64_t user_id = 0;
  std::string key;
  std::string request_sha256;
};

// The request's key, when it has one and the method takes one; 400 naming `Idempotency-Key` for a
// malformed one.
std::optional<IdempotentRequest> idempotent_request(const Request& req,
                                                    const std::optional<Principal>& who);

struct Replay {
  Response response;
  std::optional<std::int64_t> patient_id;
};

// The answer kept for this key (read in a transaction of its own, so nothing is held while the
// handler runs); 422 if the key was used for another request.
std::optional<Replay> find_replay(storage::Database& db, const IdempotentRequest& r,
                                  const Request& req, std::int64_t now_ms);

// Keeps a successful answer in the request's transaction (purging this account's expired keys);
// 409 `idempotency_key_in_use` when a concurrent request with the same key got there first.
void remember_answer(storage::Transaction& tx, const IdempotentRequest& r, const Request& req,
                     const Response& resp, std::optional<std::int64_t> patient_id,
                     std::int64_t now_ms);

}  // namespace kit::server
