// The account store (storage/stores/account_store.h): the SQL of users, logins and the failed-login
// counter.
#include "storage/stores/account_store.h"

#include <array>
#include <string_view>

namespace kit::storage {
namespace {

// The columns each record is read from, listed once. The login join reads the user's under a
// prefix ("u_"), since a login has columns of the same names (id, created_at_ms).
constexpr std::array<const char*, 8> kUserColumns = {
    "id",       "username",      "role",          "patient_id",
    "disabled", "created_at_ms", "updated_at_ms", "version"};
constexpr std::array<const char*, 8> kLoginColumns = {
    "id",           "token_hash",    "user_id",       "csrf_token", "created_at_ms",
    "last_seen_ms", "expires_at_ms", "remote_address"};
constexpr const char* kThrottleColumns = "username, failures, locked_until_ms, updated_at_ms";

// "id, username, ..." or, with a table alias, "u.id, u.username, ..." and with a prefix too,
// "u.id AS u_id, u.username AS u_username, ...".
template <std::size_t N>
std::string column_list(const std::array<const char*, N>& columns, std::string_view alias = "",
                        std::string_view prefix = "") {
  std::string out;
  for (const char* column : columns) {
    if (!out.empty()) out += ", ";
    if (!alias.empty()) out += std::string(alias) + ".";
    out += column;
    if (!prefix.empty()) out += " AS " + std::string(prefix) + column;
  }
  return out;
}

Value opt(const std::optional<std::int64_t>& v) { return v ? Value(*v) : null(); }

User user_from_row(const Row& r, std::string_view prefix = "") {
  const auto col = [&](const char* name) { return std::string(prefix) + name; };
  User u;
  u.id = r.i64(col("id"));
  u.username = r.text(col("username"));
  u.role = r.text(col("role"));
  u.patient_id = r.opt_i64(col("patient_id"));
  u.disabled = r.i64(col("disabled")) != 0;
  u.created_at_ms = r.i64(col("created_at_ms"));
  u.updated_at_ms = r.i64(col("updated_at_ms"));
  u.version = r.i64(col("version"));
  return u;
}

UserCredentials credentials_from_row(const Row& r) {
  return UserCredentials{user_from_row(r), r.text("password_hash")};
}

Login login_from_row(const Row& r) {
  Login l;
  l.id = r.i64("id");
  l.token_hash = r.text("token_hash");
  l.user_id = r.i64("user_id");
  l.csrf_token = r.text("csrf_token");
  l.created_at_ms = r.i64("created_at_ms");
  l.last_seen_ms = r.i64("last_seen_ms");
  l.expires_at_ms = r.i64("expires_at_ms");
  l.remote_address = r.text("remote_address");
  return l;
}

LoginOfUser login_of_user_from_row(const Row& r) {
  return LoginOfUser{login_from_row(r), user_from_row(r, "u_")};
}

LoginThrottle throttle_from_row(const Row& r) {
  LoginThrottle t;
  t.username = r.text("username");
  t.failures = r.i64("failures");
  t.locked_until_ms = r.i64("locked_until_ms");
  t.updated_at_ms = r.i64("updated_at_ms");
  return t;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Users

std::int64_t AccountStore::create_user(const NewUser& u) {
  return tx_
      .query(
          "INSERT INTO users (username, password_hash, role, patient_id, disabled, created_at_ms, "
          "updated_at_ms, version) VALUES ($1, $2, $3, $4, 0, $5, $5, 1) RETURNING id",
          {u.username, u.password_hash, u.role, opt(u.patient_id), u.at_ms})
      .front()
      .i64("id");
}

std::optional<User> AccountStore::find_user(std::int64_t user_id) {
  const Rows rows =
      tx_.query("SELECT " + column_list(kUserColumns) + " FROM users WHERE id = $1", {user_id});
  if (rows.empty()) return std::nullopt;
  return user_from_row(rows.front());
}

std::vector<User> AccountStore::users() {
  std::vector<User> out;
  for (const Row& r :
       tx_.query("SELECT " + column_list(kUserColumns) + " FROM users ORDER BY username")) {
    out.push_back(user_from_row(r));
  }
  return out;
}

bool AccountStore::username_taken(const std::string& username) {
  return !tx_.query("SELECT id FROM users WHERE username = $1", {username}).empty();
}

bool AccountStore::patient_has_account(std::int64_t patient_id) {
  return !tx_.query("SELECT id FROM users WHERE patient_id = $1", {patient_id}).empty();
}

bool AccountStore::update_access(std::int64_t user_id, std::int64_t expected_version, bool disabled,
                                 const std::string& role, std::int64_t now_ms) {
  return tx_.exec(
             "UPDATE users SET disabled = $2, role = $3, updated_at_ms = $4, version = version + 1 "
             "WHERE id = $1 AND version = $5",
             {user_id, std::int64_t{disabled ? 1 : 0}, role, now_ms, expected_version}) == 1;
}

std::optional<UserCredentials> AccountStore::credentials(std::int64_t user_id) {
  const Rows rows =
      tx_.query("SELECT " + column_list(kUserColumns) + ", password_hash FROM users WHERE id = $1",
                {user_id});
  if (rows.empty()) return std::nullopt;
  return credentials_from_row(rows.front());
}

std::optional<UserCredentials> AccountStore::credentials_by_username(const std::string& username) {
  const Rows rows = tx_.query(
      "SELECT " + column_list(kUserColumns) + ", password_hash FROM users WHERE username = $1",
      {username});
  if (rows.empty()) return std::nullopt;
  return credentials_from_row(rows.front());
}

void AccountStore::set_password_hash(std::int64_t user_id, const std::string& password_hash,
                                     std::int64_t now_ms) {
  tx_.exec(
      "UPDATE users SET password_hash = $2, updated_at_ms = $3, version = version + 1 "
      "WHERE id = $1",
      {user_id, password_hash, now_ms});
}

void AccountStore::enable_with_password_hash(std::int64_t user_id, const std::string& password_hash,
                                             std::int64_t now_ms) {
  tx_.exec(
      "UPDATE users SET password_hash = $2, disabled = 0, updated_at_ms = $3, "
      "version = version + 1 WHERE id = $1",
      {user_id, password_hash, now_ms});
}

void AccountStore::reset_password_hash(std::int64_t user_id, const std::string& password_hash,
                                       std::int64_t by_user_id, std::int64_t now_ms) {
  tx_.exec(
      "UPDATE users SET password_hash = $1, password_reset_hash = $1, password_reset_by = $2, "
      "password_reset_at_ms = $3, updated_at_ms = $3, version = version + 1 WHERE id = $4",
      {password_hash, by_user_id, now_ms, user_id});
}

std::optional<PasswordReset> AccountStore::last_password_reset(std::int64_t user_id) {
  const Rows rows = tx_.query(
      "SELECT password_reset_by, password_reset_at_ms, CAST(CASE WHEN password_reset_hash = "
      "password_hash THEN 1 ELSE 0 END AS BIGINT) AS in_force FROM users WHERE id = $1 AND "
      "password_reset_by IS NOT NULL",
      {user_id});
  if (rows.empty()) return std::nullopt;
  return PasswordReset{rows.front().i64("password_reset_by"),
                       rows.front().i64("password_reset_at_ms"), rows.front().i64("in_force") != 0};
}

// ---------------------------------------------------------------------------------------------
// Second factor

std::optional<TotpFactor> AccountStore::totp_factor(std::int64_t user_id) {
  const Rows rows = tx_.query(
      "SELECT user_id, secret_base32, created_at_ms, confirmed_at_ms, last_step FROM user_totp "
      "WHERE user_id = $1",
      {user_id});
  if (rows.empty()) return std::nullopt;
  const Row& r = rows.front();
  TotpFactor f;
  f.user_id = r.i64("user_id");
  f.secret_base32 = r.text("secret_base32");
  f.created_at_ms = r.i64("created_at_ms");
  f.confirmed_at_ms = r.opt_i64("confirmed_at_ms");
  f.last_step = r.i64("last_step");
  return f;
}

void AccountStore::start_totp(std::int64_t user_id, const std::string& secret_base32,
                              std::int64_t now_ms) {
  tx_.exec("DELETE FROM user_totp WHERE user_id = $1 AND confirmed_at_ms IS NULL", {user_id});
  tx_.exec(
      "INSERT INTO user_totp (user_id, secret_base32, created_at_ms, confirmed_at_ms, last_step) "
      "VALUES ($1, $2, $3, NULL, -1)",
      {user_id, secret_base32, now_ms});
}

bool AccountStore::accept_totp_step(std::int64_t user_id, std::int64_t step) {
  return tx_.exec("UPDATE user_totp SET last_step = $2 WHERE user_id = $1 AND last_step < $2",
                  {user_id, step}) == 1;
}

void AccountStore::confirm_totp(std::int64_t user_id, std::int64_t now_ms) {
  tx_.exec("UPDATE user_totp SET confirmed_at_ms = $2 WHERE user_id = $1", {user_id, now_ms});
}

void AccountStore::remove_totp(std::int64_t user_id) {
  tx_.exec("DELETE FROM totp_recovery_codes WHERE user_id = $1", {user_id});
  tx_.exec("DELETE FROM user_totp WHERE user_id = $1", {user_id});
}

void AccountStore::replace_recovery_codes(std::int64_t user_id,
                                          const std::vector<std::string>& code_hashes,
                                          std::int64_t now_ms) {
  tx_.exec("DELETE FROM totp_recovery_codes WHERE user_id = $1", {user_id});
  for (const std::string& hash : code_hashes) {
    tx_.exec(
        "INSERT INTO totp_recovery_codes (user_id, code_hash, created_at_ms, used_at_ms) "
        "VALUES ($1, $2, $3, NULL)",
        {user_id, hash, now_ms});
  }
}

bool AccountStore::use_recovery_code(std::int64_t user_id, const std::string& code_hash,
                                     std::int64_t now_ms) {
  return tx_.exec(
             "UPDATE totp_recovery_codes SET used_at_ms = $3 WHERE user_id = $1 AND "
             "code_hash = $2 AND used_at_ms IS NULL",
             {user_id, code_hash, now_ms}) == 1;
}

std::int64_t AccountStore::recovery_codes_left(std::int64_t user_id) {
  return tx_
      .query(
          "SELECT COUNT(*) AS n FROM totp_recovery_codes WHERE user_id = $1 AND used_at_ms IS NULL",
          {user_id})
      .front()
      .i64("n");
}

void AccountStore::record_totp_clear(std::int64_t user_id, std::int64_t by_user_id,
                                     std::int64_t now_ms) {
  tx_.exec(
      "UPDATE users SET totp_cleared_by = $2, totp_cleared_at_ms = $3, updated_at_ms = $3, "
      "version = version + 1 WHERE id = $1",
      {user_id, by_user_id, now_ms});
}

std::optional<TotpClear> AccountStore::last_totp_clear(std::int64_t user_id) {
  const Rows rows = tx_.query(
      "SELECT totp_cleared_by, totp_cleared_at_ms FROM users WHERE id = $1 AND "
      "totp_cleared_by IS NOT NULL",
      {user_id});
  if (rows.empty()) return std::nullopt;
  return TotpClear{rows.front().i64("totp_cleared_by"), rows.front().i64("totp_cleared_at_ms")};
}

// ---------------------------------------------------------------------------------------------
// Logins

std::int64_t AccountStore::add_login(const NewLogin& l) {
  return tx_
      .query(
          "INSERT INTO logins (token_hash, user_id, csrf_token, created_at_ms, last_seen_ms, "
          "expires_at_ms, remote_address) VALUES ($1, $2, $3, $4, $4, $5, $6) RETURNING id",
          {l.token_hash, l.user_id, l.csrf_token, l.at_ms, l.expires_at_ms, l.remote_address})
      .front()
      .i64("id");
}

std::optional<Login> AccountStore::find_login(std::int64_t login_id) {
  const Rows rows =
      tx_.query("SELECT " + column_list(kLoginColumns) + " FROM logins WHERE id = $1", {login_id});
  if (rows.empty()) return std::nullopt;
  return login_from_row(rows.front());
}

std::optional<LoginOfUser> AccountStore::login_by_token_hash(const std::string& token_hash) {
  const Rows rows = tx_.query("SELECT " + column_list(kLoginColumns, "s") + ", " +
                                  column_list(kUserColumns, "u", "u_") +
                                  " FROM logins s JOIN users u ON u.id = s.user_id "
                                  "WHERE s.token_hash = $1",
                              {token_hash});
  if (rows.empty()) return std::nullopt;
  return login_of_user_from_row(rows.front());
}

void AccountStore::touch_login(std::int64_t login_id, std::int64_t now_ms) {
  tx_.exec("UPDATE logins SET last_seen_ms = $2 WHERE id = $1", {login_id, now_ms});
}

void AccountStore::end_login(std::int64_t login_id) {
  tx_.exec("DELETE FROM logins WHERE id = $1", {login_id});
}

void AccountStore::end_user_logins(std::int64_t user_id,
                                   std::optional<std::int64_t> except_login_id) {
  if (except_login_id) {
    tx_.exec("DELETE FROM logins WHERE user_id = $1 AND id <> $2", {user_id, *except_login_id});
  } else {
    tx_.exec("DELETE FROM logins WHERE user_id = $1", {user_id});
  }
}

void AccountStore::end_expired_logins(std::int64_t user_id, std::int64_t now_ms) {
  tx_.exec("DELETE FROM logins WHERE user_id = $1 AND expires_at_ms <= $2", {user_id, now_ms});
}

// ---------------------------------------------------------------------------------------------
// Failed-login throttling

std::optional<LoginThrottle> AccountStore::throttle(const std::string& username) {
  const Rows rows = tx_.query(
      std::string("SELECT ") + kThrottleColumns + " FROM login_throttle WHERE username = $1",
      {username});
  if (rows.empty()) return std::nullopt;
  return throttle_from_row(rows.front());
}

std::optional<std::int64_t> AccountStore::count_failed_login(const std::string& username,
                                                             std::int64_t now_ms,
                                                             std::int64_t window_start_ms) {
  // One statement, so concurrent attempts (in several processes) each count. Failures older
  // than the window are forgotten: the count starts again at 1. A locked row is left as it is
  // and reported, in the same statement: reading the lock in a statement of its own let an
  // attempt that waited on the locker's row see failures = 0 after the lock and take number 1.
  const Row row =
      tx_.query(
             "INSERT INTO login_throttle (username, failures, locked_until_ms, updated_at_ms) "
             "VALUES ($1, 1, 0, $2) ON CONFLICT (username) DO UPDATE SET "
             "failures = CASE WHEN login_throttle.locked_until_ms > $2 THEN "
             "login_throttle.failures "
             "WHEN login_throttle.updated_at_ms < $3 THEN 1 "
             "ELSE login_throttle.failures + 1 END, "
             "updated_at_ms = CASE WHEN login_throttle.locked_until_ms > $2 "
             "THEN login_throttle.updated_at_ms ELSE $2 END "
             "RETURNING failures, locked_until_ms",
             {username, now_ms, window_start_ms})
          .front();
  if (row.i64("locked_until_ms") > now_ms) return std::nullopt;
  return row.i64("failures");
}

void AccountStore::forget_stale_throttles(std::int64_t before_ms, std::int64_t now_ms) {
  // Unknown usernames leave rows too: they expire instead of growing without end.
  tx_.exec("DELETE FROM login_throttle WHERE updated_at_ms < $1 AND locked_until_ms < $2",
           {before_ms, now_ms});
}

void AccountStore::lock_username(const std::string& username, std::int64_t locked_until_ms,
                                 std::int64_t now_ms) {
  tx_.exec(
      "UPDATE login_throttle SET failures = 0, locked_until_ms = $2, updated_at_ms = $3 "
      "WHERE username = $1",
      {username, locked_until_ms, now_ms});
}

void AccountStore::clear_throttle(const std::string& username) {
  tx_.exec("DELETE FROM login_throttle WHERE username = $1", {username});
}

}  // namespace kit::storage
