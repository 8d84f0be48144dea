// POST /api/v1/auth/login, POST /api/v1/auth/logout, GET /api/v1/auth/me, and the second factor:
// POST /api/v1/auth/totp/{enrol,confirm,disable} (docs/security.md, Second factor).
#include <nlohmann/json.hpp>

#include "contract/json_reader.h"
#include "server/api/api_error.h"
#include "server/api/auth.h"
#include "server/api/services.h"
#include "server/demo/demo.h"
#include "server/api/totp.h"
#include "server/resources/modules.h"
#include "storage/stores/account_store.h"

namespace kit::server {

namespace {

nlohmann::json user_json(const Principal& p) {
  return {{"id", p.user_id},
          {"username", p.username},
          {"role", std::string(role_name(p.role))},
          {"patient_id", p.patient_id ? nlohmann::json(*p.patient_id) : nlohmann::json(nullptr)}};
}

bool secure_cookie(const RouteContext& ctx, Services& services) {
  return services.config().tls || ctx.request().tls;
}

Response do_login(RouteContext& ctx) {
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string username = r.string("username");
  const std::string password = r.string("password");
  SecondFactor second;
  second.totp_code = r.optional_string("totp_code");
  second.recovery_code = r.optional_string("recovery_code");
  r.finish();
  if (second.totp_code && second.recovery_code) {
    throw kit::InputError("recovery_code", "send totp_code or recovery_code, not both");
  }
  if (second.totp_code) check_totp_code_format("totp_code", *second.totp_code);
  if (second.recovery_code) {
    second.recovery_code = normalise_recovery_code("recovery_code", *second.recovery_code);
  }
  Services& services = ctx.services();
  // Its own short transactions: the password hash runs outside any of them.
  LoginResult result = login(services, username, password, ctx.request().remote_address, second);
  Response resp = json_response(
      {{"token", result.token},
       {"csrf_token", result.csrf_token},
       {"expires_at", iso8601_ms(result.expires_at_ms)},
       {"user", user_json(result.principal)},
       {"second_factor_enrolment_required", result.principal.second_factor_enrolment_required}});
  resp.set_header("Set-Cookie", login_cookie(result.token, services.config().login_ttl_minutes * 60,
                                             secure_cookie(ctx, services)));
  resp.set_header("Cache-Control", "no-store");
  return resp;
}

Response do_logout(RouteContext& ctx) {
  const Principal& who = ctx.user();
  storage::AccountStore(ctx.tx()).end_login(std::stoll(who.login_id));
  Response resp = json_response({{"logged_out", true}});
  resp.set_header("Set-Cookie", login_cookie("", 0, secure_cookie(ctx, ctx.services())));
  return resp;
}

Response do_me(RouteContext& ctx) {
  const Principal& who = ctx.user();
  const auto login = storage::AccountStore(ctx.tx()).find_login(std::stoll(who.login_id));
  nlohmann::json body = {{"user", user_json(who)},
                         {"csrf_token", login ? login->csrf_token : std::string()},
                         {"via_cookie", who.via_cookie}};
  // The owner is told while the password in force is one an admin set.
  const auto reset = storage::AccountStore(ctx.tx()).last_password_reset(who.user_id);
  body["password_reset_by_admin"] = reset && reset->in_force;
  // The second factor: on or not, required by the clinic's policy or not, and whether an admin
  // cleared it since the owner last enrolled (the owner is told, as for a password reset).
  storage::AccountStore accounts(ctx.tx());
  const auto factor = accounts.totp_factor(who.user_id);
  const bool enabled = factor && factor->confirmed();
  const auto cleared = accounts.last_totp_clear(who.user_id);
  body["totp_enabled"] = enabled;
  body["totp_required"] = totp_required(ctx.services().config(), who.role);
  body["totp_cleared_by_admin"] =
      cleared.has_value() && (!enabled || *factor->confirmed_at_ms < cleared->at_ms);
  body["recovery_codes_left"] = enabled ? accounts.recovery_codes_left(who.user_id) : 0;
  body["second_factor_enrolment_required"] = who.second_factor_enrolment_required;
  Response resp = json_response(body);
  resp.set_header("Cache-Control", "no-store");
  return resp;
}

// What a sign-in page needs to know before anyone signs in: whether this is a demo clinic (the
// page then says so, and names the demo accounts; never their password, which only the server's
// log shows).
Response do_info(RouteContext& ctx) {
  const bool demo = ctx.services().config().demo;
  nlohmann::json body = {{"service", "kit"}, {"api", "v1"}, {"demo", demo}};
  body["demo_accounts"] = demo ? nlohmann::json(demo_usernames()) : nlohmann::json::array();
  return json_response(body);
}

// Enrolment, step 1: the current password again (counted toward the lock-out like a login), then a
// new secret, pending until a first code confirms it. Starting again replaces a pending secret.
Response do_totp_enrol(RouteContext& ctx) {
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string password = r.string("password");
  r.finish();
  const Principal& who = ctx.user();
  // Before the request's transaction opens: hashing never holds the write lock.
  verify_own_password(ctx.services(), who, password, "password");
  storage::AccountStore accounts(ctx.tx());
  const auto factor = accounts.totp_factor(who.user_id);
  if (factor && factor->confirmed()) {
    throw ApiError::conflict(
        "a second factor is already on: switch it off first (POST "
        "/api/v1/auth/totp/disable) to enrol a new one");
  }
  const std::string secret = new_totp_secret();
  accounts.start_totp(who.user_id, secret, ctx.services().now_ms());
  Response resp = json_response({{"secret_base32", secret},
                                 {"otpauth_uri", totp::otpauth_uri("KIT", who.username, secret)},
                                 {"algorithm", "SHA1"},
                                 {"digits", totp::kDigits},
                                 {"period_seconds", totp::kStepMs / 1000}});
  resp.set_header("Cache-Control", "no-store");
  return resp;
}

// Enrolment, step 2: the first code from the app proves it holds the secret. Answers the ten
// recovery codes, once (only their hashes are kept), and ends the account's other logins (they
// were opened without the second factor).
Response do_totp_confirm(RouteContext& ctx) {
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string code = r.string("code");
  r.finish();
  check_totp_code_format("code", code);
  const Principal& who = ctx.user();
  Services& services = ctx.services();
  const auto pending = storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    return storage::AccountStore(tx).totp_factor(who.user_id);
  });
  if (!pending || pending->confirmed()) {
    throw ApiError::conflict(pending ? "the second factor is already on"
                                     : "no enrolment started: POST /api/v1/auth/totp/enrol first");
  }
  const std::int64_t attempt = begin_own_attempt(services, who, "code");
  const std::int64_t now = services.now_ms();
  storage::AccountStore accounts(ctx.tx());
  const auto factor = accounts.totp_factor(who.user_id);
  if (!factor || factor->confirmed() || factor->secret_base32 != pending->secret_base32 ||
      !accept_totp_code(ctx.tx(), who.user_id, code, now)) {
    ctx.tx_slot().reset();  // rolls back; the refusal is audited by the router
    own_attempt_failed(services, who, attempt);
    throw ApiError(ErrorKind::forbidden, "wrong or already used code", "code",
                   "invalid_second_factor");
  }
  accounts.confirm_totp(who.user_id, now);
  const std::vector<std::string> codes = new_recovery_codes();
  std::vector<std::string> hashes;
  for (const std::string& c : codes)
    hashes.push_back(recovery_code_hash(normalise_recovery_code("code", c)));
  accounts.replace_recovery_codes(who.user_id, hashes, now);
  accounts.clear_throttle(who.username);
  accounts.end_user_logins(who.user_id, std::stoll(who.login_id));
  Response resp = json_response({{"totp_enabled", true}, {"recovery_codes", codes}});
  resp.set_header("Cache-Control", "no-store");
  return resp;
}

// Switching it off needs the password and a current code (or a recovery code).
Response do_totp_disable(RouteContext& ctx) {
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string password = r.string("password");
  const std::optional<std::string> code = r.optional_string("code");
  std::optional<std::string> recovery = r.optional_string("recovery_code");
  r.finish();
  if (code.has_value() == recovery.has_value()) {
    throw kit::InputError("code", "send code (6 digits) or recovery_code, one of them");
  }
  if (code) check_totp_code_format("code", *code);
  if (recovery) recovery = normalise_recovery_code("recovery_code", *recovery);
  const Principal& who = ctx.user();
  Services& services = ctx.services();
  const auto factor = storage::with_transaction(services.db(), [&](storage::Transaction& tx) {
    return storage::AccountStore(tx).totp_factor(who.user_id);
  });
  if (!factor || !factor->confirmed()) throw ApiError::conflict("no second factor is on");
  verify_own_password(services, who, password, "password");
  const std::string field = code ? "code" : "recovery_code";
  const std::int64_t attempt = begin_own_attempt(services, who, field);
  const std::int64_t now = services.now_ms();
  storage::AccountStore accounts(ctx.tx());
  const bool ok = code
                      ? accept_totp_code(ctx.tx(), who.user_id, *code, now)
                      : accounts.use_recovery_code(who.user_id, recovery_code_hash(*recovery), now);
  if (!ok) {
    ctx.tx_slot().reset();
    own_attempt_failed(services, who, attempt);
    throw ApiError(ErrorKind::forbidden, "wrong or already used code", field,
                   "invalid_second_factor");
  }
  accounts.remove_totp(who.user_id);
  accounts.clear_throttle(who.username);
  return json_response({{"totp_enabled", false}});
}

}  // namespace

void register_auth_routes(Router& router) {
  router.add({"POST", "/api/v1/auth/login",
              "Log in: answers a bearer token and sets the HttpOnly session cookie (accounts with "
              "a second factor also send totp_code or recovery_code)",
              "auth", access_public(), false, do_login, 200});
  router.add({"GET", "/api/v1/info",
              "Public facts for the sign-in page: the API version and whether this is a demo "
              "clinic (with the demo account names; never a password)",
              "auth", access_public(), false, do_info, 200});
  router.add({"POST", "/api/v1/auth/logout", "End the current session", "auth", access_any_user(),
              false, do_logout, 200, false, /*before_second_factor=*/true});
  router.add({"GET", "/api/v1/auth/me",
              "Who am I (the CSRF token of a cookie session, the second factor's state)", "auth",
              access_any_user(), false, do_me, 200, false, /*before_second_factor=*/true});
  // The second factor is for staff and directors: patients are refused (403).
  const Access staff =
      access_roles({Role::admin, Role::physician, Role::nurse, Role::front_desk, Role::director});
  router.add({"POST", "/api/v1/auth/totp/enrol",
              "Start enrolling a second factor (TOTP): the current password again; answers the "
              "secret and its otpauth:// URI",
              "auth", staff, false, do_totp_enrol, 200, /*audited=*/true,
              /*before_second_factor=*/true});
  router.add({"POST", "/api/v1/auth/totp/confirm",
              "Confirm the second factor with a first code; answers ten recovery codes, once",
              "auth", staff, false, do_totp_confirm, 200, /*audited=*/true,
              /*before_second_factor=*/true});
  router.add({"POST", "/api/v1/auth/totp/disable",
              "Switch the second factor off: the password and a code (or a recovery code)", "auth",
              staff, false, do_totp_disable, 200, /*audited=*/true,
              /*before_second_factor=*/true});
}

}  // namespace kit::server
