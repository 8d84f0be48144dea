#include "server/api/auth.h"

#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <set>
#include <stdexcept>
#include <vector>

#include "core/common/error.h"
#include "server/api/api_error.h"
#include "server/api/audit.h"
#include "server/api/services.h"
#include "server/api/totp.h"
#include "storage/stores/account_store.h"

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

namespace {
std::atomic<std::int64_t> g_password_hash_operations{0};
thread_local SeedPasswordMemo* t_seed_memo = nullptr;
}  // namespace

std::int64_t password_hash_operations() { return g_password_hash_operations.load(); }

SeedPasswordMemo::SeedPasswordMemo() : previous_(t_seed_memo) { t_seed_memo = this; }

SeedPasswordMemo::~SeedPasswordMemo() {
  t_seed_memo = previous_;
  if (!password.empty()) sodium_memzero(password.data(), password.size());
}

namespace {
// The memo of this thread, if it holds `password` (compared in constant time).
SeedPasswordMemo* memo_for(const std::string& password) {
  SeedPasswordMemo* memo = t_seed_memo;
  if (memo == nullptr || memo->hash.empty() || memo->password.size() != password.size() ||
      sodium_memcmp(memo->password.data(), password.data(), password.size()) != 0) {
    return nullptr;
  }
  return memo;
}
void remember(const std::string& hash, const std::string& password) {
  if (t_seed_memo != nullptr && t_seed_memo->hash.empty()) {
    t_seed_memo->password = password;
    t_seed_memo->hash = hash;
  }
}
}  // namespace

std::string hash_password(const std::string& password) {
  if (SeedPasswordMemo* memo = memo_for(password)) return memo->hash;
  ensure_sodium();
  ++g_password_hash_operations;
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw std::runtime_error("password hashing ran out of memory");
  }
  remember(out, password);
  return std::string(out);
}

bool verify_password(const std::string& hash, const std::string& password) {
  ensure_sodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  if (SeedPasswordMemo* memo = memo_for(password); memo != nullptr && memo->hash == hash) {
    return true;
  }
  ++g_password_hash_operations;
  const bool ok = crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
  if (ok) remember(hash, password);
  return ok;
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
  return storage::AccountStore(tx).create_user({.username = username,
                                                .password_hash = hash_password(password),
                                                .role = std::string(role_name(role)),
                                                .patient_id = patient_id,
                                                .at_ms = now_ms});
}

std::string login_cookie(const std::string& token, int max_age_seconds, bool secure) {
  std::string c = std::string(kLoginCookie) + "=" + token +
                  "; HttpOnly; SameSite=Strict; Path=/; Max-Age=" +
                  std::to_string(token.empty() ? 0 : max_age_seconds);
  if (secure) c += "; Secure";
  return c;
}

// The password policy (docs/security.md, Passwords): 12 to 1024 bytes and at least 12 characters,
// not only whitespace, and at least 5 distinct characters (refuses "            " and
// "aaaaaaaaaaaa"). A change must also differ from the current password (change_own_password).
void check_new_password(const std::string& field, const std::string& password) {
  if (password.size() > kMaxPassword) throw kit::InputError(field, "must be at most 1024 bytes");
  // Characters are UTF-8 code points: a byte that is not a continuation byte starts one.
  std::set<std::string> distinct;
  std::size_t characters = 0;
  bool only_whitespace = true;
  for (std::size_t i = 0; i < password.size();) {
    std::size_t end = i + 1;
    while (end < password.size() && (static_cast<unsigned char>(password[end]) & 0xC0) == 0x80) {
      ++end;
    }
    const std::string character = password.substr(i, end - i);
    if (character.find_first_not_of(" \t\n\r\f\v") != std::string::npos) only_whitespace = false;
    distinct.insert(character);
    ++characters;
    i = end;
  }
  if (characters < 12) throw kit::InputError(field, "must be at least 12 characters");
  if (only_whitespace) throw kit::InputError(field, "must not be only spaces");
  if (distinct.size() < 5) throw kit::InputError(field, "must use at least 5 different characters");
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

std::int64_t lock_window_ms(const ServerConfig& cfg) {
  return static_cast<std::int64_t>(cfg.login_lock_minutes) * 60'000;
}

// Counts this attempt BEFORE the password is checked, in one atomic statement: parallel guesses
// each take a number, and only the first login_max_failures are ever verified. Returns the
// attempt's number within the failure window.
// nullopt when the name is locked now (read in the same statement, see count_failed_login).
std::optional<std::int64_t> count_attempt(storage::Transaction& tx, const ServerConfig& cfg,
                                          const std::string& username, std::int64_t now) {
  storage::AccountStore accounts(tx);
  accounts.forget_stale_throttles(now - lock_window_ms(cfg), now);
  return accounts.count_failed_login(username, now, now - lock_window_ms(cfg));
}

void lock(storage::Transaction& tx, const ServerConfig& cfg, const std::string& username,
          std::int64_t now) {
  storage::AccountStore(tx).lock_username(username, now + lock_window_ms(cfg), now);
}

// Counts the attempt and locks the name when it is the one past the budget. Returns the attempt's
// number, or nullopt when the name is locked (now, or by this attempt): nothing may be checked.
std::optional<std::int64_t> take_attempt(storage::Transaction& tx, const ServerConfig& cfg,
                                         const std::string& username, std::int64_t now) {
  const std::optional<std::int64_t> counted = count_attempt(tx, cfg, username, now);
  if (counted && *counted > cfg.login_max_failures) {
    lock(tx, cfg, username, now);
    return std::nullopt;
  }
  return counted;
}

// At most this many password hashes are computed at once (Argon2id takes tens of MB and tens of
// ms each): a flood of logins is refused fast (503) instead of tying up every worker and memory.
constexpr int kMaxConcurrentPasswordChecks = 4;
std::atomic<int> password_checks_in_flight{0};

class PasswordCheckSlot {
 public:
  PasswordCheckSlot() {
    if (password_checks_in_flight.fetch_add(1) >= kMaxConcurrentPasswordChecks) {
      password_checks_in_flight.fetch_sub(1);
      throw ApiError(ErrorKind::unavailable, "too many sign-ins at once: try again in a moment", "",
                     "busy");
    }
  }
  ~PasswordCheckSlot() { password_checks_in_flight.fetch_sub(1); }
  PasswordCheckSlot(const PasswordCheckSlot&) = delete;
  PasswordCheckSlot& operator=(const PasswordCheckSlot&) = delete;
};

// One audit row per login attempt: the username attempted (never the password), the account
// when it exists, allowed or denied with the status answered.
void audit_login(storage::Transaction& tx, std::int64_t now, const std::string& username,
                 std::optional<std::int64_t> user_id, const std::string& role,
                 const std::string& remote_address, int status) {
  AuditEntry e;
  e.at_ms = now;
  e.user_id = user_id;
  e.username = username.substr(0, kMaxUsername);
  e.role = role;
  e.action = "POST /api/v1/auth/login";
  e.remote_address = remote_address;
  e.outcome = status < 400 ? "allowed" : "denied";
  e.status = status;
  append_audit(tx, e);
}

bool is_locked(storage::Transaction& tx, const std::string& username, std::int64_t now) {
  const auto throttle = storage::AccountStore(tx).throttle(username);
  return throttle && throttle->locked_at(now);
}

}  // namespace

void change_own_password(Services& services, const Principal& who, const std::string& current,
                         const std::string& replacement) {
  check_new_password("new_password", replacement);
  const std::int64_t now = services.now_ms();
  const ServerConfig& cfg = services.config();
  const PasswordCheckSlot slot;
  std::string hash;
  bool locked = false;
  std::int64_t attempt = 0;
  storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    const std::optional<std::int64_t> counted = take_attempt(tx, cfg, who.username, now);
    locked = !counted;
    attempt = counted.value_or(0);
    const auto account = storage::AccountStore(tx).credentials(who.user_id);
    hash = account ? account->password_hash : std::string();
  });
  if (locked)
    throw ApiError(ErrorKind::rate_limited, "too many failed attempts: try again later", "",
                   "locked");
  if (!verify_password(hash, current.substr(0, kMaxPassword))) {
    storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
      if (attempt >= cfg.login_max_failures) lock(tx, cfg, who.username, now);
    });
    throw ApiError(ErrorKind::forbidden, "the current password is wrong", "current_password",
                   "invalid_credentials");
  }
  // The current password has just been verified against the stored hash, so comparing with it is
  // comparing with that hash (without a second Argon2id run).
  if (replacement == current.substr(0, kMaxPassword)) {
    storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
      storage::AccountStore(tx).clear_throttle(who.username);  // the current password was right
    });
    throw kit::InputError("new_password", "must differ from the current password");
  }
  const std::string new_hash = hash_password(replacement);
  storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    storage::AccountStore accounts(tx);
    accounts.set_password_hash(who.user_id, new_hash, now);
    accounts.clear_throttle(who.username);  // the attempt counted above proved the password
    std::optional<std::int64_t> keep;
    if (!who.login_id.empty()) keep = std::stoll(who.login_id);
    accounts.end_user_logins(who.user_id, keep);
  });
}

void verify_witness(Services& services, std::int64_t witness_user_id, std::int64_t caller_user_id,
                    const std::string& password) {
  if (witness_user_id == caller_user_id) {
    throw ApiError::rule_refused("the witness must be a second staff member", "witness_user_id");
  }
  const ServerConfig& cfg = services.config();
  const std::int64_t now = services.now_ms();
  // One password, one budget: a guess at a colleague's password as their witness counts toward the
  // same lock-out as a guess at their sign-in (the throttle is keyed by their username), so the
  // witness route adds no guesses. An id with no account gets a throttle of its own ("witness:" +
  // id; usernames never hold ':'), so unknown ids lock exactly like real ones.
  std::string key = "witness:" + std::to_string(witness_user_id);
  const ApiError refused(ErrorKind::rule_refused,
                         "the witness could not be confirmed (an active physician or nurse other "
                         "than you, with their own password)",
                         "witness_password");
  const PasswordCheckSlot slot;
  bool locked = false;
  std::int64_t attempt = 0;
  std::string hash;
  bool eligible = false;
  storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    const auto found = storage::AccountStore(tx).credentials(witness_user_id);
    if (found) {
      key = found->user.username;
      eligible =
          !found->user.disabled && (found->user.role == "physician" || found->user.role == "nurse");
      hash = found->password_hash;
    }
    const std::optional<std::int64_t> counted = take_attempt(tx, cfg, key, now);
    locked = !counted;
    attempt = counted.value_or(0);
  });
  if (locked) {
    throw ApiError(ErrorKind::rate_limited,
                   "too many failed witness confirmations: try again in " +
                       std::to_string(cfg.login_lock_minutes) + " minutes",
                   "witness_password", "locked");
  }
  // The expensive part runs outside any transaction; an unknown witness costs the same.
  const bool ok =
      verify_password(hash.empty() ? dummy_hash() : hash, password.substr(0, kMaxPassword)) &&
      eligible && !hash.empty();
  storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    if (ok) {
      storage::AccountStore(tx).clear_throttle(key);
    } else if (attempt >= cfg.login_max_failures) {
      lock(tx, cfg, key, now);
    }
  });
  if (!ok) throw refused;
}

LoginResult login(Services& services, const std::string& username, const std::string& password,
                  const std::string& remote_address, const SecondFactor& second) {
  const ServerConfig& cfg = services.config();
  const std::int64_t now = services.now_ms();
  const ApiError invalid(ErrorKind::unauthenticated, "wrong username or password", "",
                         "invalid_credentials");
  const ApiError locked(ErrorKind::rate_limited,
                        "too many failed logins: this account is locked for " +
                            std::to_string(cfg.login_lock_minutes) + " minutes",
                        "", "locked");

  const PasswordCheckSlot slot;
  const auto denied = [&](std::optional<std::int64_t> user_id, const std::string& role, int status,
                          bool lock_name) {
    storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
      if (lock_name) lock(tx, cfg, username, now);
      audit_login(tx, now, username, user_id, role, remote_address, status);
    });
  };
  if (username.empty() || username.size() > kMaxUsername || password.size() > kMaxPassword) {
    verify_password(dummy_hash(), password.substr(0, kMaxPassword));
    denied(std::nullopt, "", 401, false);
    throw invalid;
  }

  struct Account {
    std::int64_t id;
    std::string hash;
    Role role;
    std::optional<std::int64_t> patient_id;
    bool disabled;
    bool second_factor = false;  // a confirmed TOTP factor: a code is needed
  };
  std::optional<Account> account;
  bool locked_now = false;
  std::int64_t attempt = 0;
  storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    account.reset();
    const std::optional<std::int64_t> counted = take_attempt(tx, cfg, username, now);
    locked_now = !counted;
    attempt = counted.value_or(0);
    if (auto found = storage::AccountStore(tx).credentials_by_username(username)) {
      if (auto role = role_from_name(found->user.role)) {
        account = Account{found->user.id, found->password_hash, *role, found->user.patient_id,
                          found->user.disabled};
        const auto factor = storage::AccountStore(tx).totp_factor(found->user.id);
        account->second_factor = factor && factor->confirmed();
      }
    }
  });
  const std::optional<std::int64_t> account_id =
      account ? std::optional<std::int64_t>(account->id) : std::nullopt;
  const std::string account_role = account ? std::string(role_name(account->role)) : "";
  if (locked_now) {
    denied(account_id, account_role, 429, false);
    throw locked;
  }

  // The expensive part runs outside any transaction.
  bool password_ok = false;
  if (account) {
    password_ok = verify_password(account->hash, password);
  } else {
    verify_password(dummy_hash(), password);
  }
  const bool ok = password_ok && account && !account->disabled;

  if (!ok) {
    denied(account_id, account_role, 401, attempt >= cfg.login_max_failures);
    throw invalid;
  }
  // The second factor: its attempt was counted with the password's above, so wrong codes lock the
  // name exactly like wrong passwords, and only the first login_max_failures are ever checked.
  if (account->second_factor && !second.totp_code && !second.recovery_code) {
    denied(account_id, account_role, 401, attempt >= cfg.login_max_failures);
    throw ApiError(ErrorKind::unauthenticated,
                   "this account has a second factor: send totp_code, the six digits of your "
                   "authenticator app (or one of your recovery codes as recovery_code)",
                   "totp_code", "second_factor_required");
  }
  const std::string second_field = second.recovery_code ? "recovery_code" : "totp_code";

  LoginResult result;
  bool second_factor_ok = true;
  const bool granted = storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    // A concurrent run of failures may have locked the name meanwhile: the lock wins.
    if (is_locked(tx, username, now)) return false;
    storage::AccountStore accounts(tx);
    if (account->second_factor) {
      // Checked and spent in the transaction that opens the login: a code or recovery code
      // accepted here is used, and two parallel uses cannot both pass.
      second_factor_ok = second.recovery_code
                             ? accounts.use_recovery_code(
                                   account->id, recovery_code_hash(*second.recovery_code), now)
                             : accept_totp_code(tx, account->id, *second.totp_code, now);
      if (!second_factor_ok) return false;
    }
    accounts.clear_throttle(username);
    result.token = random_token(32);
    result.csrf_token = random_token(32);
    result.expires_at_ms = now + static_cast<std::int64_t>(cfg.login_ttl_minutes) * 60'000;
    const std::int64_t login_id = accounts.add_login({.token_hash = sha256_hex(result.token),
                                                      .user_id = account->id,
                                                      .csrf_token = result.csrf_token,
                                                      .at_ms = now,
                                                      .expires_at_ms = result.expires_at_ms,
                                                      .remote_address = remote_address});
    // Housekeeping: this user's expired logins.
    accounts.end_expired_logins(account->id, now);
    audit_login(tx, now, username, account->id, account_role, remote_address, 200);
    result.principal.login_id = std::to_string(login_id);
    return true;
  });
  if (!second_factor_ok) {
    denied(account_id, account_role, 401, attempt >= cfg.login_max_failures);
    throw ApiError(ErrorKind::unauthenticated,
                   second_field == "recovery_code" ? "wrong or already used recovery code"
                                                   : "wrong or already used code",
                   second_field, "invalid_second_factor");
  }
  if (!granted) {
    denied(account_id, account_role, 429, false);
    throw locked;
  }
  result.principal.user_id = account->id;
  result.principal.username = username;
  result.principal.role = account->role;
  result.principal.patient_id = account->patient_id;
  result.principal.via_cookie = false;
  result.principal.second_factor_enrolment_required =
      totp_required(cfg, account->role) && !account->second_factor;
  return result;
}

std::optional<Principal> authenticate(const Request& req, Services& services,
                                      std::optional<Principal>* csrf_refused,
                                      storage::Transaction* read) {
  bool via_cookie = false;
  std::optional<std::string> token = bearer_token(req);
  if (!token) {
    token = req.cookie(kLoginCookie);
    via_cookie = token.has_value();
  }
  if (!token || token->empty() || token->size() > kMaxToken) return std::nullopt;

  const std::int64_t now = services.now_ms();
  const std::string token_hash = sha256_hex(*token);
  // `writable` false (a WAL reader, SQLite): the lookup stops and sets needs_write where it would
  // write (ending an expired login, refreshing last_seen_ms once a minute); the caller then runs it
  // again in a writer transaction. Most requests write nothing and never take the writer.
  auto resolve = [&](storage::Transaction& tx, bool writable,
                     bool& needs_write) -> std::optional<Principal> {
    storage::AccountStore accounts(tx);
    const std::optional<storage::LoginOfUser> found = accounts.login_by_token_hash(token_hash);
    if (!found) return std::nullopt;
    const storage::Login& login = found->login;
    const storage::User& user = found->user;
    // Shared clinical workstations: a login unused for login_idle_minutes ends, whatever its
    // absolute expiry (last_seen_ms is kept to the minute, so allow that minute).
    const std::int64_t idle_ms =
        static_cast<std::int64_t>(services.config().login_idle_minutes) * 60'000;
    const bool idle = now - login.last_seen_ms > idle_ms + 60'000;
    if (login.expired_at(now) || user.disabled || idle) {
      if (!writable) {
        needs_write = true;
        return std::nullopt;
      }
      accounts.end_login(login.id);
      return std::nullopt;
    }
    auto role = role_from_name(user.role);
    if (!role) return std::nullopt;
    Principal p;
    p.user_id = user.id;
    p.username = user.username;
    p.role = *role;
    p.patient_id = user.patient_id;
    p.login_id = std::to_string(login.id);
    p.via_cookie = via_cookie;
    if (totp_required(services.config(), p.role)) {
      const auto factor = accounts.totp_factor(user.id);
      p.second_factor_enrolment_required = !(factor && factor->confirmed());
    }
    if (via_cookie && state_changing(req.method)) {
      const std::string sent = req.header(kCsrfHeader).value_or("");
      if (!equal_constant_time(sent, login.csrf_token)) {
        if (csrf_refused) *csrf_refused = p;
        throw ApiError(ErrorKind::forbidden,
                       "cookie sessions must send the X-CSRF-Token header on writes",
                       "X-CSRF-Token", "csrf");
      }
    }
    // last_seen_ms is coarse (a minute) so that most requests write nothing.
    if (now - login.last_seen_ms >= 60'000) {
      if (!writable) {
        needs_write = true;
        return std::nullopt;
      }
      accounts.touch_login(login.id, now);
    }
    return p;
  };
  // The caller's read transaction, else one of our own (none where the back end has no readers).
  std::unique_ptr<storage::Transaction> own;
  if (read == nullptr) {
    own = services.db().begin_read();
    read = own.get();
  }
  if (read != nullptr) {
    bool needs_write = false;
    std::optional<Principal> p = resolve(*read, false, needs_write);
    if (own) own->commit();
    if (!needs_write) return p;
  }
  return storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    bool unused = false;
    return resolve(tx, true, unused);
  });
}

// The caller confirms a sensitive act with their own password (an admin resetting another
// account's password): counted and locked out under the caller's username like a login, hashed
// outside any transaction. Call it before the request's own transaction is opened.
void verify_own_password(Services& services, const Principal& who, const std::string& password,
                         const std::string& field) {
  const ServerConfig& cfg = services.config();
  const std::int64_t now = services.now_ms();
  const PasswordCheckSlot slot;
  bool locked = false;
  std::int64_t attempt = 0;
  std::string hash;
  storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    const std::optional<std::int64_t> counted = take_attempt(tx, cfg, who.username, now);
    locked = !counted;
    attempt = counted.value_or(0);
    const auto account = storage::AccountStore(tx).credentials(who.user_id);
    hash = account ? account->password_hash : std::string();
  });
  if (locked) {
    throw ApiError(ErrorKind::rate_limited, "too many failed attempts: try again later", field,
                   "locked");
  }
  const bool ok =
      verify_password(hash.empty() ? dummy_hash() : hash, password.substr(0, kMaxPassword)) &&
      !hash.empty();
  storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    if (ok) {
      storage::AccountStore(tx).clear_throttle(who.username);
    } else if (attempt >= cfg.login_max_failures) {
      lock(tx, cfg, who.username, now);
    }
  });
  if (!ok) {
    throw ApiError(ErrorKind::forbidden, "your own password is wrong", field,
                   "invalid_credentials");
  }
}

// ---------------------------------------------------------------------------------------------
// Second factor

bool totp_required(const ServerConfig& config, Role role) {
  return config.totp_required_roles.count(std::string(role_name(role))) != 0;
}

void check_totp_code_format(const std::string& field, const std::string& code) {
  const bool digits =
      code.size() == static_cast<std::size_t>(totp::kDigits) &&
      std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) throw kit::InputError(field, "must be the 6 digits your authenticator app shows");
}

std::string normalise_recovery_code(const std::string& field, const std::string& code) {
  std::string out;
  for (char c : code.substr(0, 64)) {
    if (c == '-' || c == ' ') continue;
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  const bool ok = out.size() == 16 && std::all_of(out.begin(), out.end(), [](char c) {
                    return (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7');
                  });
  if (!ok) throw kit::InputError(field, "must be one of your recovery codes (XXXX-XXXX-XXXX-XXXX)");
  return out;
}

std::string new_totp_secret() {
  ensure_sodium();
  std::string raw(totp::kSecretBytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string encoded = totp::base32_encode(raw);
  sodium_memzero(raw.data(), raw.size());
  return encoded;
}

std::vector<std::string> new_recovery_codes() {
  ensure_sodium();
  std::vector<std::string> codes;
  while (codes.size() < 10) {
    std::string raw(10, '\0');  // 80 bits: 16 base32 characters
    randombytes_buf(raw.data(), raw.size());
    const std::string b32 = totp::base32_encode(raw);
    const std::string code = b32.substr(0, 4) + "-" + b32.substr(4, 4) + "-" + b32.substr(8, 4) +
                             "-" + b32.substr(12, 4);
    if (std::find(codes.begin(), codes.end(), code) == codes.end()) codes.push_back(code);
  }
  return codes;
}

std::string recovery_code_hash(const std::string& normalised_code) {
  return sha256_hex("kit-recovery-code:" + normalised_code);
}

std::int64_t begin_own_attempt(Services& services, const Principal& who, const std::string& field) {
  const ServerConfig& cfg = services.config();
  const std::int64_t now = services.now_ms();
  bool locked = false;
  std::int64_t attempt = 0;
  storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    const std::optional<std::int64_t> counted = take_attempt(tx, cfg, who.username, now);
    locked = !counted;
    attempt = counted.value_or(0);
  });
  if (locked) {
    throw ApiError(ErrorKind::rate_limited, "too many failed attempts: try again later", field,
                   "locked");
  }
  return attempt;
}

void own_attempt_failed(Services& services, const Principal& who, std::int64_t attempt) {
  const ServerConfig& cfg = services.config();
  if (attempt < cfg.login_max_failures) return;
  const std::int64_t now = services.now_ms();
  storage::with_transaction(services.db(),
                            [&](storage::Transaction& tx) { lock(tx, cfg, who.username, now); });
}

bool accept_totp_code(storage::Transaction& tx, std::int64_t user_id, const std::string& code,
                      std::int64_t now_ms) {
  storage::AccountStore accounts(tx);
  const std::optional<storage::TotpFactor> factor = accounts.totp_factor(user_id);
  if (!factor) return false;
  const std::optional<std::string> key = totp::base32_decode(factor->secret_base32);
  if (!key) throw std::runtime_error("a stored TOTP secret is not base32");
  const std::optional<std::int64_t> step =
      totp::matching_step(*key, code, totp::time_step(now_ms), factor->last_step);
  // The conditional update is the replay guard: a step at or before the last accepted one (also
  // one accepted by a parallel request a moment ago) changes no row.
  return step && accounts.accept_totp_step(user_id, *step);
}

}  // namespace kit::server
