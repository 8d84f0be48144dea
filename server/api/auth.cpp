#include "server/api/auth.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <vector>

#include "core/common/error.h"
#include "server/api/api_error.h"
#include "server/api/services.h"

namespace kit::server {

namespace {

void ensure_sodium() {
  static const int ready = sodium_init();
  if (ready < 0) throw std::runtime_error("libsodium failed to initialise");
}

bool state_changing(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

bool equal_constant_time(const std::string& a, const std::string& b) {
  if (a.size() != b.size() || a.empty()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// A hash of a password nobody has, verified against when the username is unknown so that the
// answer takes as long as for a real account.
const std::string& dummy_hash() {
  static const std::string hash = hash_password(random_token(24));
  return hash;
}

constexpr std::size_t kMaxUsername = 256;
constexpr std::size_t kMaxPassword = 1024;
constexpr std::size_t kMaxToken = 128;

std::optional<std::string> bearer_token(const Request& req) {
  auto h = req.header("authorization");
  if (!h) return std::nullopt;
  const std::string& v = *h;
  if (v.size() < 7) return std::string();
  std::string scheme = v.substr(0, 7);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "bearer ") return std::string();  // present but not ours: no fallback to cookie
  std::string token = v.substr(7);
  while (!token.empty() && token.front() == ' ') token.erase(token.begin());
  while (!token.empty() && token.back() == ' ') token.pop_back();
  return token;
}

}  // namespace

std::string sha256_hex(const std::string& data) {
  ensure_sodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(2 * sizeof digest);
  for (unsigned char c : digest) {
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 0xF]);
  }
  return out;
}

std::string random_token(std::size_t bytes) {
  ensure_sodium();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(), variant);
  out.resize(std::char_traits<char>::length(out.c_str()));
  sodium_memzero(raw.data(), raw.size());
  return out;
}

std::string hash_password(const std::string& password) {
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw std::runtime_error("password hashing ran out of memory");
  }
  return std::string(out);
}

bool verify_password(const std::string& hash, const std::string& password) {
  ensure_sodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::int64_t create_user(storage::Transaction& tx, const std::string& username,
                         const std::string& password, Role role,
                         std::optional<std::int64_t> patient_id, std::int64_t now_ms) {
  if (role == Role::patient && !patient_id) {
    throw ApiError::bad_request("patient_id", "patient accounts must name their patient");
  }
  if (role != Role::patient && patient_id) {
    throw ApiError::bad_request("patient_id", "only patient accounts link a patient");
  }
  const std::string hash = hash_password(password);
  storage::Rows rows = tx.query(
      "INSERT INTO users (username, password_hash, role, patient_id, disabled, created_at_ms, "
      "updated_at_ms, version) VALUES ($1, $2, $3, $4, 0, $5, $5, 1) RETURNING id",
      {username, hash, std::string(role_name(role)),
       patient_id ? storage::Value(*patient_id) : storage::null(), now_ms});
  return rows.at(0).i64("id");
}

std::string login_cookie(const std::string& token, int max_age_seconds, bool secure) {
  std::string c = std::string(kLoginCookie) + "=" + token +
                  "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" +
                  std::to_string(token.empty() ? 0 : max_age_seconds);
  if (secure) c += "; Secure";
  return c;
}

void end_login(storage::Transaction& tx, std::int64_t session_id) {
  tx.exec("DELETE FROM logins WHERE id = $1", {session_id});
}

void end_user_logins(storage::Transaction& tx, std::int64_t user_id,
                       std::optional<std::int64_t> except_login_id) {
  if (except_login_id) {
    tx.exec("DELETE FROM logins WHERE user_id = $1 AND id <> $2", {user_id, *except_login_id});
  } else {
    tx.exec("DELETE FROM logins WHERE user_id = $1", {user_id});
  }
}

std::string login_csrf_token(storage::Transaction& tx, std::int64_t session_id) {
  storage::Rows rows = tx.query("SELECT csrf_token FROM logins WHERE id = $1", {session_id});
  return rows.empty() ? std::string() : rows.front().text("csrf_token");
}

void check_new_password(const std::string& field, const std::string& password) {
  if (password.size() < 12) throw kit::InputError(field, "must be at least 12 characters");
  if (password.size() > kMaxPassword) throw kit::InputError(field, "must be at most 1024 bytes");
}

void check_username(const std::string& field, const std::string& username) {
  if (username.size() < 3 || username.size() > 64) {
    throw kit::InputError(field, "must be 3 to 64 characters");
  }
  for (char c : username) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                    c == '-' || c == '@';
    if (!ok) throw kit::InputError(field, "may only contain a-z, 0-9, '.', '_', '-' and '@'");
  }
}

namespace {

void record_failure(storage::Transaction& tx, const ServerConfig& cfg, const std::string& username,
                    std::int64_t now) {
  storage::Rows f = tx.query(
      "INSERT INTO login_throttle (username, failures, locked_until_ms, updated_at_ms) "
      "VALUES ($1, 1, 0, $2) ON CONFLICT (username) DO UPDATE SET "
      "failures = login_throttle.failures + 1, updated_at_ms = $2 RETURNING failures",
      {username, now});
  if (f.front().i64("failures") >= cfg.login_max_failures) {
    tx.exec(
        "UPDATE login_throttle SET failures = 0, locked_until_ms = $2, updated_at_ms = $3 "
        "WHERE username = $1",
        {username, now + static_cast<std::int64_t>(cfg.login_lock_minutes) * 60'000, now});
  }
}

bool is_locked(storage::Transaction& tx, const std::string& username, std::int64_t now) {
  storage::Rows t =
      tx.query("SELECT locked_until_ms FROM login_throttle WHERE username = $1", {username});
  return !t.empty() && t.front().i64("locked_until_ms") > now;
}

}  // namespace

void change_own_password(Services& services, const Principal& who, const std::string& current,
                         const std::string& replacement) {
  check_new_password("new_password", replacement);
  const std::int64_t now = services.now_ms();
  std::string hash;
  bool locked = false;
  storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    locked = is_locked(tx, who.username, now);
    storage::Rows u = tx.query("SELECT password_hash FROM users WHERE id = $1", {who.user_id});
    hash = u.empty() ? std::string() : u.front().text("password_hash");
  });
  if (locked) throw ApiError(ErrorKind::rate_limited, "too many failed attempts: try again later", "", "locked");
  if (!verify_password(hash, current.substr(0, kMaxPassword))) {
    storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
      record_failure(tx, services.config(), who.username, now);
    });
    throw ApiError(ErrorKind::forbidden, "the current password is wrong", "current_password",
                   "invalid_credentials");
  }
  const std::string new_hash = hash_password(replacement);
  storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    tx.exec(
        "UPDATE users SET password_hash = $2, updated_at_ms = $3, version = version + 1 "
        "WHERE id = $1",
        {who.user_id, new_hash, now});
    std::optional<std::int64_t> keep;
    if (!who.login_id.empty()) keep = std::stoll(who.login_id);
    end_user_logins(tx, who.user_id, keep);
  });
}

LoginResult login(Services& services, const std::string& username, const std::string& password,
                  const std::string& remote_address) {
  const ServerConfig& cfg = services.config();
  const std::int64_t now = services.now_ms();
  const ApiError invalid(ErrorKind::unauthenticated, "wrong username or password", "",
                        "invalid_credentials");
  const ApiError locked(ErrorKind::rate_limited,
                        "too many failed logins: this account is locked for " +
                            std::to_string(cfg.login_lock_minutes) + " minutes",
                        "", "locked");

  if (username.empty() || username.size() > kMaxUsername || password.size() > kMaxPassword) {
    verify_password(dummy_hash(), password.substr(0, kMaxPassword));
    throw invalid;
  }

  struct Account {
    std::int64_t id;
    std::string hash;
    Role role;
    std::optional<std::int64_t> patient_id;
    bool disabled;
  };
  std::optional<Account> account;
  bool locked_now = false;
  storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    account.reset();
    locked_now = is_locked(tx, username, now);
    storage::Rows u = tx.query(
        "SELECT id, password_hash, role, patient_id, disabled FROM users WHERE username = $1",
        {username});
    if (!u.empty()) {
      const storage::Row& r = u.front();
      auto role = role_from_name(r.text("role"));
      if (role) {
        account = Account{r.i64("id"), r.text("password_hash"), *role, r.opt_i64("patient_id"),
                          r.i64("disabled") != 0};
      }
    }
  });
  if (locked_now) throw locked;

  // The expensive part runs outside any transaction.
  bool password_ok = false;
  if (account) {
    password_ok = verify_password(account->hash, password);
  } else {
    verify_password(dummy_hash(), password);
  }
  const bool ok = password_ok && account && !account->disabled;

  if (!ok) {
    storage::with_transaction(
        services.db(), [&](storage::Transaction& tx) { record_failure(tx, cfg, username, now); });
    throw invalid;
  }

  LoginResult result;
  const bool granted = storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    // A concurrent run of failures may have locked the name meanwhile: the lock wins.
    if (is_locked(tx, username, now)) return false;
    tx.exec("DELETE FROM login_throttle WHERE username = $1", {username});
    result.token = random_token(32);
    result.csrf_token = random_token(32);
    result.expires_at_ms = now + static_cast<std::int64_t>(cfg.login_ttl_minutes) * 60'000;
    storage::Rows s = tx.query(
        "INSERT INTO logins (token_hash, user_id, csrf_token, created_at_ms, last_seen_ms, "
        "expires_at_ms, remote_address) VALUES ($1, $2, $3, $4, $4, $5, $6) RETURNING id",
        {sha256_hex(result.token), account->id, result.csrf_token, now, result.expires_at_ms,
         remote_address});
    // Housekeeping: expired sessions of this user.
    tx.exec("DELETE FROM logins WHERE user_id = $1 AND expires_at_ms <= $2", {account->id, now});
    result.principal.login_id = std::to_string(s.front().i64("id"));
    return true;
  });
  if (!granted) throw locked;
  result.principal.user_id = account->id;
  result.principal.username = username;
  result.principal.role = account->role;
  result.principal.patient_id = account->patient_id;
  result.principal.via_cookie = false;
  return result;
}

std::optional<Principal> authenticate(const Request& req, Services& services) {
  bool via_cookie = false;
  std::optional<std::string> token = bearer_token(req);
  if (!token) {
    token = req.cookie(kLoginCookie);
    via_cookie = token.has_value();
  }
  if (!token || token->empty() || token->size() > kMaxToken) return std::nullopt;

  const std::int64_t now = services.now_ms();
  const std::string token_hash = sha256_hex(*token);
  return storage::with_transaction(
      services.db(), [&](storage::Transaction& tx) -> std::optional<Principal> {
        storage::Rows rows = tx.query(
            "SELECT s.id AS session_id, s.csrf_token, s.expires_at_ms, s.last_seen_ms, "
            "u.id AS user_id, u.username, u.role, u.patient_id, u.disabled "
            "FROM logins s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
            {token_hash});
        if (rows.empty()) return std::nullopt;
        const storage::Row& r = rows.front();
        const std::int64_t session_id = r.i64("session_id");
        if (r.i64("expires_at_ms") <= now || r.i64("disabled") != 0) {
          end_login(tx, session_id);
          return std::nullopt;
        }
        auto role = role_from_name(r.text("role"));
        if (!role) return std::nullopt;
        if (via_cookie && state_changing(req.method)) {
          const std::string sent = req.header(kCsrfHeader).value_or("");
          if (!equal_constant_time(sent, r.text("csrf_token"))) {
            throw ApiError(ErrorKind::forbidden,
                           "cookie sessions must send the X-CSRF-Token header on writes",
                           "X-CSRF-Token", "csrf");
          }
        }
        if (now - r.i64("last_seen_ms") >= 60'000) {
          tx.exec("UPDATE logins SET last_seen_ms = $2 WHERE id = $1", {session_id, now});
        }
        Principal p;
        p.user_id = r.i64("user_id");
        p.username = r.text("username");
        p.role = *role;
        p.patient_id = r.opt_i64("patient_id");
        p.login_id = std::to_string(session_id);
        p.via_cookie = via_cookie;
        return p;
      });
}

}  // namespace kit::server
