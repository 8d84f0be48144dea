#pragma once
// The account store: users, their logins (table `logins`: one row per logged-in client, holding
// only the SHA-256 of its token) and the per-username failed-login counter `login_throttle`
// (tables in storage/migrations/0001_accounts_audit.sql). Follows the store pattern of
// docs/storage.md: named operations over the caller's transaction, plain records, one row->record
// function per type; "not found" is std::nullopt. Hashing, token generation, the lock-out policy
// and the role names' meaning stay with the caller (server/api/auth.cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"

namespace kit::storage {

// An account without its password hash, which only login and password changes read
// (UserCredentials).
struct User {
  std::int64_t id = 0;
  std::string username;
  std::string role;                        // admin | physician | nurse | front_desk | patient
  std::optional<std::int64_t> patient_id;  // patient accounts: the one record they may see
  bool disabled = false;
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t version = 0;
};

struct UserCredentials {
  User user;
  std::string password_hash;  // Argon2id, libsodium crypto_pwhash_str format
};

struct NewUser {
  std::string username;
  std::string password_hash;
  std::string role;
  std::optional<std::int64_t> patient_id;
  std::int64_t at_ms = 0;
};

struct Login {
  std::int64_t id = 0;
  std::string token_hash;  // SHA-256 of the token; the token itself is never stored
  std::int64_t user_id = 0;
  std::string csrf_token;
  std::int64_t created_at_ms = 0;
  std::int64_t last_seen_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::string remote_address;

  // A login is good up to, not including, its expiry instant.
  bool expired_at(std::int64_t now_ms) const { return expires_at_ms <= now_ms; }
};

struct NewLogin {
  std::string token_hash;
  std::int64_t user_id = 0;
  std::string csrf_token;
  std::int64_t at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::string remote_address;
};

// A login and its account, read together on every authenticated request.
struct LoginOfUser {
  Login login;
  User user;
};

// Consecutive failed logins of one username, known or not.
struct LoginThrottle {
  std::string username;
  std::int64_t failures = 0;
  std::int64_t locked_until_ms = 0;  // 0: never locked
  std::int64_t updated_at_ms = 0;

  bool locked_at(std::int64_t now_ms) const { return locked_until_ms > now_ms; }
};

// The last password reset by an admin.
struct PasswordReset {
  std::int64_t by_user_id = 0;
  std::int64_t at_ms = 0;
  bool in_force = false;  // the password is still the one the admin set
};

// An account's second factor (TOTP, RFC 6238; table user_totp, migration 0009).
struct TotpFactor {
  std::int64_t user_id = 0;
  std::string secret_base32;  // 20 random bytes, base32 (RFC 4648)
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> confirmed_at_ms;  // nullopt: enrolment started, not yet confirmed
  std::int64_t last_step = -1;                  // the newest time step accepted (replay guard)

  bool confirmed() const { return confirmed_at_ms.has_value(); }
};

// The last time an admin cleared the account's second factor.
struct TotpClear {
  std::int64_t by_user_id = 0;
  std::int64_t at_ms = 0;
};

class AccountStore {
 public:
  explicit AccountStore(Transaction& tx) : tx_(tx) {}

  // Users.
  // Enabled, version 1; returns the id. A taken username or patient is a ConstraintViolation.
  std::int64_t create_user(const NewUser& user);
  std::optional<User> find_user(std::int64_t user_id);
  // Ordered by username.
  std::vector<User> users();
  bool username_taken(const std::string& username);
  bool patient_has_account(std::int64_t patient_id);
  // Sets disabled and role if the account is still at expected_version (and bumps it); false if it
  // changed meanwhile.
  bool update_access(std::int64_t user_id, std::int64_t expected_version, bool disabled,
                     const std::string& role, std::int64_t now_ms);
  std::optional<UserCredentials> credentials(std::int64_t user_id);
  std::optional<UserCredentials> credentials_by_username(const std::string& username);
  // Replaces the password hash and bumps the version (a reset or the owner's own change).
  void set_password_hash(std::int64_t user_id, const std::string& password_hash,
                         std::int64_t now_ms);
  // Enables the account again with a new password hash and bumps the version (the demo's accounts,
  // reseeded with the password of this start).
  void enable_with_password_hash(std::int64_t user_id, const std::string& password_hash,
                                 std::int64_t now_ms);
  // An admin's reset: sets the hash and records who and when, and the hash set, and bumps the
  // version. The reset stays in force (last_password_reset) until the hash changes again.
  void reset_password_hash(std::int64_t user_id, const std::string& password_hash,
                           std::int64_t by_user_id, std::int64_t now_ms);
  // The account's last reset by an admin; nullopt if there was none.
  std::optional<PasswordReset> last_password_reset(std::int64_t user_id);

  // Second factor.
  std::optional<TotpFactor> totp_factor(std::int64_t user_id);
  // Starts (or restarts) an enrolment with a new secret: any unconfirmed factor is replaced. The
  // caller makes sure no confirmed one exists.
  void start_totp(std::int64_t user_id, const std::string& secret_base32, std::int64_t now_ms);
  // Accepts `step` if it is after the last accepted one, in one statement (two parallel uses of a
  // code cannot both pass); false otherwise.
  bool accept_totp_step(std::int64_t user_id, std::int64_t step);
  void confirm_totp(std::int64_t user_id, std::int64_t now_ms);
  // Removes the factor and its recovery codes.
  void remove_totp(std::int64_t user_id);
  // Replaces the account's recovery codes with these (SHA-256 hex of each code).
  void replace_recovery_codes(std::int64_t user_id, const std::vector<std::string>& code_hashes,
                              std::int64_t now_ms);
  // Spends the unused recovery code with this hash, in one statement; false if there is none.
  bool use_recovery_code(std::int64_t user_id, const std::string& code_hash, std::int64_t now_ms);
  std::int64_t recovery_codes_left(std::int64_t user_id);
  void record_totp_clear(std::int64_t user_id, std::int64_t by_user_id, std::int64_t now_ms);
  std::optional<TotpClear> last_totp_clear(std::int64_t user_id);

  // Logins.
  std::int64_t add_login(const NewLogin& login);
  std::optional<Login> find_login(std::int64_t login_id);
  // The login holding this token hash, expired or not, with its account.
  std::optional<LoginOfUser> login_by_token_hash(const std::string& token_hash);
  void touch_login(std::int64_t login_id, std::int64_t now_ms);
  void end_login(std::int64_t login_id);
  // Every login of the user, but `except_login_id` when given (the caller's own).
  void end_user_logins(std::int64_t user_id,
                       std::optional<std::int64_t> except_login_id = std::nullopt);
  // Housekeeping: the user's logins expired at now_ms.
  void end_expired_logins(std::int64_t user_id, std::int64_t now_ms);

  // Failed-login throttling.
  std::optional<LoginThrottle> throttle(const std::string& username);
  // Counts one attempt atomically and returns the count; failures last updated before
  // window_start_ms are forgotten first. A name locked at now_ms is not counted and answers
  // nullopt: the lock is read in the same statement, so an attempt racing a lock (PostgreSQL
  // re-reads the row once the locker commits) can never start a fresh count behind it.
  std::optional<std::int64_t> count_failed_login(const std::string& username, std::int64_t now_ms,
                                                 std::int64_t window_start_ms);
  // Removes throttle rows untouched since before_ms and not locked at now_ms.
  void forget_stale_throttles(std::int64_t before_ms, std::int64_t now_ms);
  // Locks the username until locked_until_ms and starts its count again.
  void lock_username(const std::string& username, std::int64_t locked_until_ms,
                     std::int64_t now_ms);
  // A successful login or a password reset forgets the failures (and any lock).
  void clear_throttle(const std::string& username);

 private:
  Transaction& tx_;
};

}  // namespace kit::storage
