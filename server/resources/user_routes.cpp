// User administration (admin) and changing one's own password (everyone).
#include <nlohmann/json.hpp>

#include "contract/json_reader.h"
#include "core/common/error.h"
#include "server/api/api_error.h"
#include "server/api/auth.h"
#include "server/api/services.h"
#include "server/resources/modules.h"
#include "storage/stores/account_store.h"
#include "storage/stores/patient_store.h"

namespace kit::server {

namespace {

using storage::AccountStore;

nlohmann::json user_json(const storage::User& u) {
  return {{"id", u.id},
          {"username", u.username},
          {"role", u.role},
          {"patient_id", u.patient_id ? nlohmann::json(*u.patient_id) : nlohmann::json(nullptr)},
          {"disabled", u.disabled},
          {"created_at", iso8601_ms(u.created_at_ms)},
          {"updated_at", iso8601_ms(u.updated_at_ms)},
          {"version", u.version}};
}

// With the account's last password reset by an admin: who, when, and whether that password is
// still in force (the owner has not chosen their own since).
nlohmann::json user_json(storage::Transaction& tx, const storage::User& u) {
  nlohmann::json out = user_json(u);
  const std::optional<storage::PasswordReset> reset = AccountStore(tx).last_password_reset(u.id);
  out["password_reset_by"] = reset ? nlohmann::json(reset->by_user_id) : nlohmann::json(nullptr);
  out["password_reset_at"] = reset ? nlohmann::json(iso8601_ms(reset->at_ms)) : nlohmann::json();
  out["password_reset_by_admin"] = reset && reset->in_force;
  // The second factor: on or not, and the last time an admin cleared it.
  const auto factor = AccountStore(tx).totp_factor(u.id);
  const auto cleared = AccountStore(tx).last_totp_clear(u.id);
  out["totp_enabled"] = factor && factor->confirmed();
  out["totp_cleared_by"] = cleared ? nlohmann::json(cleared->by_user_id) : nlohmann::json(nullptr);
  out["totp_cleared_at"] = cleared ? nlohmann::json(iso8601_ms(cleared->at_ms)) : nlohmann::json();
  return out;
}

// A patient's account is part of the patient's record: the audit row names the patient.
storage::User load_user(RouteContext& ctx, std::int64_t id) {
  std::optional<storage::User> user = AccountStore(ctx.tx()).find_user(id);
  if (!user) throw ApiError::not_found("user");
  if (user->patient_id) ctx.set_patient(*user->patient_id);
  return *user;
}

Role read_role(contract::ObjectReader& r, const std::string& key) {
  const std::string name = r.string(key);
  auto role = role_from_name(name);
  if (!role) {
    throw kit::InputError(r.path_of(key),
                          "must be admin, physician, nurse, front_desk, patient or director");
  }
  return *role;
}

Response list_users(RouteContext& ctx) {
  nlohmann::json out = nlohmann::json::array();
  for (const storage::User& u : AccountStore(ctx.tx()).users()) {
    if (u.patient_id) ctx.add_listed_patient(*u.patient_id);  // a patient account names its patient
    out.push_back(user_json(u));
  }
  return json_response(out);
}

Response create_user_route(RouteContext& ctx) {
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string username = r.string("username");
  const std::string password = r.string("password");
  const Role role = read_role(r, "role");
  std::optional<std::int64_t> patient_id;
  if (auto p = r.optional_integer("patient_id")) patient_id = static_cast<std::int64_t>(*p);
  r.finish();
  check_username("username", username);
  check_new_password("password", password);
  if (role == Role::patient && !patient_id) {
    throw kit::InputError("patient_id", "patient accounts must name their patient");
  }
  if (role != Role::patient && patient_id) {
    throw kit::InputError("patient_id", "only patient accounts link a patient");
  }
  storage::Transaction& tx = ctx.tx();
  AccountStore accounts(tx);
  if (patient_id) {
    ctx.set_patient(*patient_id);
    if (!storage::PatientStore(tx).find(*patient_id)) {
      throw kit::InputError("patient_id", "no such patient");
    }
    if (accounts.patient_has_account(*patient_id)) {
      throw ApiError::conflict("this patient already has an account", "patient_id");
    }
  }
  if (accounts.username_taken(username)) {
    throw ApiError::conflict("this username is taken", "username");
  }
  const std::int64_t id =
      create_user(tx, username, password, role, patient_id, ctx.services().now_ms());
  const storage::User user = load_user(ctx, id);
  return json_response_with_etag(user_json(user), user.version, 201);
}

Response get_user(RouteContext& ctx) {
  const storage::User user = load_user(ctx, ctx.id_param("id"));
  return json_response_with_etag(user_json(ctx.tx(), user), user.version);
}

Response patch_user(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  const storage::User before = load_user(ctx, id);
  ctx.require_if_match(before.version);
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  std::optional<bool> disabled = r.optional_boolean("disabled");
  std::optional<Role> role;
  if (r.has("role")) role = read_role(r, "role");
  r.finish();
  const bool is_patient = before.role == "patient";
  if (role && (is_patient != (*role == Role::patient))) {
    throw kit::InputError("role", "staff and patient accounts cannot be converted into each other");
  }
  if (id == ctx.user().user_id && ((disabled && *disabled) || (role && *role != Role::admin))) {
    throw ApiError::conflict("you cannot disable or demote your own account");
  }
  const bool now_disabled = disabled ? *disabled : before.disabled;
  const std::string new_role = role ? std::string(role_name(*role)) : before.role;
  AccountStore accounts(ctx.tx());
  // The version guard also holds against a writer in another process between read and write.
  if (!accounts.update_access(id, before.version, now_disabled, new_role,
                              ctx.services().now_ms())) {
    throw ApiError::precondition_failed();
  }
  // A disabled account or a changed role must not keep the access its logins were given.
  if (now_disabled || new_role != before.role) accounts.end_user_logins(id);
  const storage::User after = load_user(ctx, id);
  return json_response_with_etag(user_json(after), after.version);
}

Response reset_password(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string password = r.string("password");
  // An admin who knows a clinician's password can sign in as them: the reset is confirmed with
  // the admin's own password (counted toward the admin's lock-out like a login), and recorded on
  // the account (who, when) so the owner is told and what the account does next is read against it.
  const std::string admin_password = r.string("admin_password");
  r.finish();
  check_new_password("password", password);
  // Both before the request's transaction opens: hashing never holds the write lock.
  verify_own_password(ctx.services(), ctx.user(), admin_password, "admin_password");
  const std::string hash = hash_password(password);
  const storage::User before = load_user(ctx, id);
  AccountStore accounts(ctx.tx());
  accounts.reset_password_hash(id, hash, ctx.user().user_id, ctx.services().now_ms());
  accounts.end_user_logins(id);
  // A reset also lifts a lock-out: the admin has just given the owner a working password.
  accounts.clear_throttle(before.username);
  const storage::User after = load_user(ctx, id);
  return json_response_with_etag(user_json(ctx.tx(), after), after.version);
}

// An owner who lost their authenticator and their recovery codes: an admin clears the second
// factor, confirmed with the admin's own password like a password reset (an admin who could clear
// it silently could take the account over with a reset). Ends the account's logins; kept on the
// account (totp_cleared_by, totp_cleared_at) and shown to the owner (GET /auth/me
// totp_cleared_by_admin) until they enrol again.
Response clear_totp(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string admin_password = r.string("admin_password");
  r.finish();
  if (id == ctx.user().user_id) {
    // Otherwise a stolen admin login plus the admin's password would drop the admin's own code.
    throw ApiError::forbidden(
        "switch your own second factor off with POST /api/v1/auth/totp/disable (password and "
        "code)");
  }
  verify_own_password(ctx.services(), ctx.user(), admin_password, "admin_password");
  load_user(ctx, id);  // 404 for no such account
  AccountStore accounts(ctx.tx());
  const auto factor = accounts.totp_factor(id);
  if (!factor) throw ApiError::conflict("this account has no second factor");
  accounts.remove_totp(id);
  accounts.record_totp_clear(id, ctx.user().user_id, ctx.services().now_ms());
  accounts.end_user_logins(id);
  const storage::User after = load_user(ctx, id);
  return json_response_with_etag(user_json(ctx.tx(), after), after.version);
}

Response change_own_password_route(RouteContext& ctx) {
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string current = r.string("current_password");
  const std::string replacement = r.string("new_password");
  r.finish();
  // Own short transactions (the request's is never opened): hashing runs outside them.
  change_own_password(ctx.services(), ctx.user(), current, replacement);
  return json_response({{"changed", true}});
}

}  // namespace

void register_user_routes(Router& router) {
  const Access admin = access_roles({Role::admin});
  // Account administration is audited: it grants or removes access to patient records.
  router.add({"GET", "/api/v1/users", "List staff and patient accounts", "users", admin, true,
              list_users, 200});
  router.add({"POST", "/api/v1/users", "Create a staff or patient account", "users", admin, true,
              create_user_route, 201});
  router.add({"GET", "/api/v1/users/{id}", "One account (with its ETag)", "users", admin, true,
              get_user, 200});
  router.add({"PATCH", "/api/v1/users/{id}",
              "Disable or enable an account, or change a staff role (If-Match required)", "users",
              admin, true, patch_user, 200});
  router.add({"POST", "/api/v1/users/{id}/password",
              "Reset an account's password, confirmed with the admin's own password "
              "(admin_password); ends its logins and is shown to the owner",
              "users", admin, true, reset_password, 200});
  router.add({"POST", "/api/v1/users/{id}/totp/clear",
              "Clear an account's second factor, confirmed with the admin's own password "
              "(admin_password); ends its logins and is shown to the owner",
              "users", admin, true, clear_totp, 200});
  router.add({"POST", "/api/v1/auth/password",
              "Change your own password (ends your other sessions)", "auth", access_any_user(),
              false, change_own_password_route, 200, /*audited=*/true,
              /*before_second_factor=*/true});
}

}  // namespace kit::server
