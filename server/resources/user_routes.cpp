// User administration (admin) and changing one's own password (everyone).
#include <nlohmann/json.hpp>

#include "contract/json_reader.h"
#include "core/common/error.h"
#include "server/api/api_error.h"
#include "server/api/auth.h"
#include "server/api/services.h"
#include "server/resources/modules.h"

namespace kit::server {

namespace {

constexpr const char* kUserColumns =
    "id, username, role, patient_id, disabled, created_at_ms, updated_at_ms, version";

nlohmann::json user_json(const storage::Row& r) {
  auto pid = r.opt_i64("patient_id");
  return {{"id", r.i64("id")},
          {"username", r.text("username")},
          {"role", r.text("role")},
          {"patient_id", pid ? nlohmann::json(*pid) : nlohmann::json(nullptr)},
          {"disabled", r.i64("disabled") != 0},
          {"created_at", iso8601_ms(r.i64("created_at_ms"))},
          {"updated_at", iso8601_ms(r.i64("updated_at_ms"))},
          {"version", r.i64("version")}};
}

storage::Row load_user(RouteContext& ctx, std::int64_t id) {
  storage::Rows rows =
      ctx.tx().query(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = $1", {id});
  if (rows.empty()) throw ApiError::not_found("user");
  if (auto pid = rows.front().opt_i64("patient_id")) ctx.set_patient(*pid);
  return rows.front();
}

Role read_role(contract::ObjectReader& r, const std::string& key) {
  const std::string name = r.string(key);
  auto role = role_from_name(name);
  if (!role) {
    throw kit::InputError(r.path_of(key), "must be admin, physician, nurse, front_desk or patient");
  }
  return *role;
}

Response list_users(RouteContext& ctx) {
  storage::Rows rows =
      ctx.tx().query(std::string("SELECT ") + kUserColumns + " FROM users ORDER BY username");
  nlohmann::json out = nlohmann::json::array();
  for (const storage::Row& r : rows) out.push_back(user_json(r));
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
  if (patient_id) {
    ctx.set_patient(*patient_id);
    if (tx.query("SELECT id FROM patients WHERE id = $1", {*patient_id}).empty()) {
      throw kit::InputError("patient_id", "no such patient");
    }
    if (!tx.query("SELECT id FROM users WHERE patient_id = $1", {*patient_id}).empty()) {
      throw ApiError::conflict("this patient already has an account", "patient_id");
    }
  }
  if (!tx.query("SELECT id FROM users WHERE username = $1", {username}).empty()) {
    throw ApiError::conflict("this username is taken", "username");
  }
  const std::int64_t id =
      create_user(tx, username, password, role, patient_id, ctx.services().now_ms());
  storage::Row row = load_user(ctx, id);
  return json_response_with_etag(user_json(row), row.i64("version"), 201);
}

Response get_user(RouteContext& ctx) {
  storage::Row row = load_user(ctx, ctx.id_param("id"));
  return json_response_with_etag(user_json(row), row.i64("version"));
}

Response patch_user(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  storage::Row row = load_user(ctx, id);
  ctx.require_if_match(row.i64("version"));
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  std::optional<bool> disabled = r.optional_boolean("disabled");
  std::optional<Role> role;
  if (r.has("role")) role = read_role(r, "role");
  r.finish();
  const bool is_patient = row.text("role") == "patient";
  if (role && (is_patient != (*role == Role::patient))) {
    throw kit::InputError("role", "staff and patient accounts cannot be converted into each other");
  }
  if (id == ctx.user().user_id && ((disabled && *disabled) || (role && *role != Role::admin))) {
    throw ApiError::conflict("you cannot disable or demote your own account");
  }
  const bool now_disabled = disabled ? *disabled : row.i64("disabled") != 0;
  const std::string new_role = role ? std::string(role_name(*role)) : row.text("role");
  const std::int64_t changed = ctx.tx().exec(
      "UPDATE users SET disabled = $2, role = $3, updated_at_ms = $4, version = version + 1 "
      "WHERE id = $1 AND version = $5",
      {id, static_cast<std::int64_t>(now_disabled ? 1 : 0), new_role, ctx.services().now_ms(),
       row.i64("version")});
  if (changed != 1) throw ApiError::precondition_failed();
  if (now_disabled || new_role != row.text("role")) end_user_logins(ctx.tx(), id);
  storage::Row after = load_user(ctx, id);
  return json_response_with_etag(user_json(after), after.i64("version"));
}

Response reset_password(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string password = r.string("password");
  r.finish();
  check_new_password("password", password);
  const std::string hash = hash_password(password);  // before the transaction opens
  storage::Row row = load_user(ctx, id);
  ctx.tx().exec(
      "UPDATE users SET password_hash = $2, updated_at_ms = $3, version = version + 1 WHERE id = "
      "$1",
      {id, hash, ctx.services().now_ms()});
  end_user_logins(ctx.tx(), id);
  ctx.tx().exec("DELETE FROM login_throttle WHERE username = $1", {row.text("username")});
  storage::Row after = load_user(ctx, id);
  return json_response_with_etag(user_json(after), after.i64("version"));
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
              "Reset an account's password (ends its sessions)", "users", admin, true,
              reset_password, 200});
  router.add({"POST", "/api/v1/auth/password",
              "Change your own password (ends your other sessions)", "auth", access_any_user(),
              false, change_own_password_route, 200});
}

}  // namespace kit::server
