#pragma once
// Accounts and logins. Passwords: Argon2id (libsodium crypto_pwhash_str, interactive limits).
// Login tokens: 32 random bytes, given to the client once (bearer token and HttpOnly cookie);
// the database keeps only their SHA-256, so a copy of the database cannot be used to log in.
// The SQL is in storage/stores/account_store.h; the policy (hashing, lock-out, CSRF) is here.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/api/principal.h"
#include "server/http/message.h"
#include "storage/database.h"

namespace kit::server {

class Services;
struct ServerConfig;

std::string hash_password(const std::string& password);
bool verify_password(const std::string& hash, const std::string& password);
// How many Argon2id hashes and verifications this process has computed (each ~0.1 s and 64 MiB).
std::int64_t password_hash_operations();

// While one lives, on the thread that made it: a password hashed or verified by hash_password /
// verify_password is remembered, so that the same password hashes to the same string again and a
// verification of that exact (hash, password) pair succeeds without recomputing Argon2id. For the
// demo seed only (server/demo/demo.cpp: its accounts share one password, and the seeder logs in
// and witnesses with it): ~14 Argon2id computations become one. Wrong passwords are never
// remembered and always pay the full cost; the remembered password is wiped when it ends.
class SeedPasswordMemo {
 public:
  SeedPasswordMemo();
  ~SeedPasswordMemo();
  SeedPasswordMemo(const SeedPasswordMemo&) = delete;
  SeedPasswordMemo& operator=(const SeedPasswordMemo&) = delete;
  std::string password;
  std::string hash;  // empty until the first hash or successful verification

 private:
  SeedPasswordMemo* previous_;
};

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
// `read`: the request's own read transaction (a GET's, on a WAL reader), used for the lookup
// instead of a snapshot of its own; the lookup still moves to a writer transaction where it must
// write.
std::optional<Principal> authenticate(const Request& req, Services& services,
                                      std::optional<Principal>* csrf_refused = nullptr,
                                      storage::Transaction* read = nullptr);

// Login: checks the lock-out, verifies the password (hashing a dummy on unknown usernames so the
// answer takes as long), counts failures per username (known or not) and locks the name for
// ServerConfig::login_lock_minutes after login_max_failures consecutive failures.
// Throws ApiError 401 "invalid_credentials" or 429 "locked". Every outcome is appended to the audit
// log ("POST /api/v1/auth/login": the username attempted, never the password; allowed or denied).
//
// An account with a confirmed second factor also needs `second.totp_code` (six digits, RFC 6238,
// a step not accepted before) or `second.recovery_code` (each usable once): without either, 401
// "second_factor_required" (field totp_code) and no login; a wrong one, 401
// "invalid_second_factor". Either counts toward the username's lock-out like a wrong password (the
// attempt is counted before anything is checked) and is audited like any login attempt. Check the
// codes' format first (check_totp_code_format, normalise_recovery_code).
struct SecondFactor {
  std::optional<std::string> totp_code;
  std::optional<std::string> recovery_code;  // normalised (normalise_recovery_code)
};
struct LoginResult {
  Principal principal;
  std::string token;       // bearer token and cookie value (only its SHA-256 is stored)
  std::string csrf_token;  // to send as X-CSRF-Token on writes made with the cookie
  std::int64_t expires_at_ms = 0;
};
LoginResult login(Services& services, const std::string& username, const std::string& password,
                  const std::string& remote_address, const SecondFactor& second = {});

// ---- Second factor (TOTP, RFC 6238; docs/security.md "Second factor", ADR 10) ----------------

// Whether the clinic requires a second factor of this role (ServerConfig::totp_required_roles).
bool totp_required(const ServerConfig& config, Role role);
// A TOTP code must be six digits (400 naming `field` otherwise).
void check_totp_code_format(const std::string& field, const std::string& code);
// A recovery code as printed (XXXX-XXXX-XXXX-XXXX) or typed loosely (lower case, without dashes or
// spaces): 16 characters of the base32 alphabet, upper case. 400 naming `field` otherwise.
std::string normalise_recovery_code(const std::string& field, const std::string& code);
// A new secret: 20 random bytes (libsodium randombytes_buf), base32.
std::string new_totp_secret();
// Ten new recovery codes (80 random bits each, printed XXXX-XXXX-XXXX-XXXX); store only
// recovery_code_hash of each.
std::vector<std::string> new_recovery_codes();
std::string recovery_code_hash(const std::string& normalised_code);

// The caller proves a sensitive act on their own account (confirming or switching off the second
// factor) with a code. The attempt is counted under the caller's username like a login, in a
// transaction of its own, before anything is checked: begin_own_attempt answers the attempt's
// number, or throws 429 "locked" (field `field`); after a failed check, own_attempt_failed locks
// the name once the attempts reach login_max_failures. Call both outside the request's transaction.
std::int64_t begin_own_attempt(Services& services, const Principal& who, const std::string& field);
void own_attempt_failed(Services& services, const Principal& who, std::int64_t attempt);
// Checks `code` against the account's factor (confirmed or pending) at now_ms and, if it matches a
// step after the last accepted one, records that step as accepted (in `tx`, so the check and the
// use commit together). False for no factor, a wrong code or a replay.
bool accept_totp_code(storage::Transaction& tx, std::int64_t user_id, const std::string& code,
                      std::int64_t now_ms);

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
