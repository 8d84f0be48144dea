// POST /api/v1/auth/login, POST /api/v1/auth/logout, GET /api/v1/auth/me.
#include <nlohmann/json.hpp>

#include "contract/json_reader.h"
#include "server/api/api_error.h"
#include "server/api/auth.h"
#include "server/api/services.h"
#include "server/demo/demo.h"
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
  r.finish();
  Services& services = ctx.services();
  // Its own short transactions: the password hash runs outside any of them.
  LoginResult result = login(services, username, password, ctx.request().remote_address);
  Response resp = json_response({{"token", result.token},
                                 {"csrf_token", result.csrf_token},
                                 {"expires_at", iso8601_ms(result.expires_at_ms)},
                                 {"user", user_json(result.principal)}});
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

}  // namespace

void register_auth_routes(Router& router) {
  router.add({"POST", "/api/v1/auth/login",
              "Log in: answers a bearer token and sets the HttpOnly session cookie", "auth",
              access_public(), false, do_login, 200});
  router.add({"GET", "/api/v1/info",
              "Public facts for the sign-in page: the API version and whether this is a demo "
              "clinic (with the demo account names; never a password)",
              "auth", access_public(), false, do_info, 200});
  router.add({"POST", "/api/v1/auth/logout", "End the current session", "auth", access_any_user(),
              false, do_logout, 200});
  router.add({"GET", "/api/v1/auth/me", "Who am I (and the CSRF token of a cookie session)", "auth",
              access_any_user(), false, do_me, 200});
}

}  // namespace kit::server
