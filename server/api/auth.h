#pragma once
// Accounts and logins. Passwords: Argon2id (libsodium crypto_pwhash_str, interactive limits).
// Login tokens: 32 random bytes, given to the client once (bearer token and HttpOnly cookie);
// the database keeps only their SHA-256, so a copy of the database cannot be used to log in.
// The SQL is in storage/stores/account_store.h; the policy (hashing, lock-out, CSRF) is here.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "server/api/principal.h"
#include "server/http/message.h"
#include "storage/database.h"

namespace kit::server {

class Services;

std::string hash_password(const std::string& password);
bool verify_password(const std::string& hash, const std::string& password);

// A second clinician confirms their presence with their password (witnessed waste of a
// controlled substance). Throttled and locked out like a login (the attempt is counted before the
// check), hashed outside any transaction and within the server's bound on concurrent hashing, and
// refused with one answer for every wrong witness (unknown, not a clinician, disabled, wrong
// password), so the answers reveal nothing about accounts. Call it before the request's own
// transaction is opened.
void verify_witness(Services& services, std::int64_t witness_user_id, std::int64_t caller_user_id,
                    const std::string& password);

// Creates a user; role patient needs patient_id. Throws ConstraintViolation on a taken username.
std::int64_t create_user(storage::Transaction& tx, const std::string& username,
                         const std::string& password, Role role,
                         std::optional<std::int64_t> patient_id, std::int64_t now_ms);

// Resolves the caller from "Authorization: Bearer <token>" or the login cookie. Cookie logins
// making a state-changing request must send the X-CSRF-Token header matching the login's token
// (403 otherwise; the login the cookie belongs to is then left in *csrf_refused, when given, so
// the refusal can be audited against it). Returns nullopt for anonymous callers and expired logins.
std::optional<Principal> authenticate(const Request& req, Services& services,
                                      std::optional<Principal>* csrf_refused = nullptr);

// Login: checks the lock-out, verifies the password (hashing a dummy on unknown usernames so the
// answer takes as long), counts failures per username (known or not) and locks the name for
// ServerConfig::login_lock_minutes after login_max_failures consecutive failures.
// Throws ApiError 401 "invalid_credentials" or 429 "locked". Every outcome is appended to the audit
// log ("POST /api/v1/auth/login": the username attempted, never the password; allowed or denied).
struct LoginResult {
  Principal principal;
  std::string token;       // bearer token and cookie value (only its SHA-256 is stored)
  std::string csrf_token;  // to send as X-CSRF-Token on writes made with the cookie
  std::int64_t expires_at_ms = 0;
};
LoginResult login(Services& services, const std::string& username, const std::string& password,
                  const std::string& remote_address);

// Changes the caller's own password after checking the current one; a wrong current password
// counts as a failed login (lock-out applies). Ends the caller's other logins.
void change_own_password(Services& services, const Principal& who, const std::string& current,
                         const std::string& replacement);
// Password policy for new passwords: 12 to 1024 bytes. Throws InputError naming `field`.
void check_new_password(const std::string& field, const std::string& password);
// Usernames: 3 to 64 of a-z 0-9 . _ - @. Throws InputError naming `field`.
void check_username(const std::string& field, const std::string& username);

// "kit_session=<token>; HttpOnly; SameSite=Strict; Path=/; Max-Age=...[; Secure]"; an empty token
// clears the cookie.
std::string login_cookie(const std::string& token, int max_age_seconds, bool secure);

// Lower-case hex SHA-256, and URL-safe base64 of n random bytes.
std::string sha256_hex(const std::string& data);
std::string random_token(std::size_t bytes = 32);

// The caller confirms an act with their own password (`field` names it): counted and locked out
// under their username like a login; wrong: 403 invalid_credentials, locked: 429. Call it before
// the request's own transaction is opened.
void verify_own_password(Services& services, const Principal& who, const std::string& password,
                         const std::string& field);

inline constexpr const char* kLoginCookie = "kit_session";
inline constexpr const char* kCsrfHeader = "x-csrf-token";

}  // namespace kit::server
