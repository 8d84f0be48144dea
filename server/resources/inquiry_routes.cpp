// The public inquiry form and the front desk's queue.
#include <nlohmann/json.hpp>

#include "contract/json_reader.h"
#include "core/common/error.h"
#include "server/api/api_error.h"
#include "server/api/services.h"
#include "server/resources/modules.h"

namespace kit::server {

namespace {

constexpr const char* kColumns =
    "id, name, contact, contact_kind, reason, message, status, note, created_at_ms, updated_at_ms, "
    "version";

// JSON text is valid UTF-8 once parsed, so counting non-continuation bytes counts characters.
std::size_t characters(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

bool has_control(const std::string& s, bool allow_newlines) {
  for (unsigned char c : s) {
    if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) continue;
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

bool is_email(const std::string& s) {
  if (s.size() > 254) return false;
  const auto at = s.find('@');
  if (at == std::string::npos || at == 0 || s.find('@', at + 1) != std::string::npos) return false;
  const std::string domain = s.substr(at + 1);
  const auto dot = domain.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 2 > domain.size()) return false;
  for (unsigned char c : s) {
    if (c <= 0x20 || c == 0x7F || c == '<' || c == '>' || c == ',' || c == ';' || c == '"')
      return false;
  }
  return domain.find("..") == std::string::npos;
}

bool is_phone(const std::string& s) {
  if (s.size() > 32) return false;
  int digits = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == '+') {
      if (i != 0) return false;
    } else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
      return false;
    }
  }
  return digits >= 7 && digits <= 15;
}

bool valid_reason(const std::string& r) {
  return r == "depression" || r == "ptsd" || r == "ocd" || r == "chronic_pain" || r == "other";
}

bool valid_status(const std::string& s) {
  return s == "new" || s == "contacted" || s == "scheduled" || s == "closed";
}

nlohmann::json inquiry_json(const storage::Row& r) {
  return {{"id", r.i64("id")},
          {"name", r.text("name")},
          {"contact", r.text("contact")},
          {"contact_kind", r.text("contact_kind")},
          {"reason", r.text("reason")},
          {"message", r.text("message")},
          {"status", r.text("status")},
          {"note", r.text("note")},
          {"created_at", iso8601_ms(r.i64("created_at_ms"))},
          {"updated_at", iso8601_ms(r.i64("updated_at_ms"))},
          {"version", r.i64("version")}};
}

Response submit(RouteContext& ctx) {
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string name = trim(r.string("name"));
  const std::string contact = trim(r.string("contact"));
  const std::string reason = r.string("reason");
  const std::string message = r.optional_string("message").value_or("");
  r.finish();
  if (name.empty() || characters(name) > 200 || has_control(name, false)) {
    throw kit::InputError("name", "must be 1 to 200 characters on one line");
  }
  std::string kind;
  if (is_email(contact)) {
    kind = "email";
  } else if (is_phone(contact)) {
    kind = "phone";
  } else {
    throw kit::InputError("contact", "must be an email address or a phone number (7 to 15 digits)");
  }
  if (!valid_reason(reason)) {
    throw kit::InputError("reason", "must be depression, ptsd, ocd, chronic_pain or other");
  }
  if (characters(message) > 5000 || has_control(message, true)) {
    throw kit::InputError("message", "must be at most 5000 characters of text");
  }

  Services& services = ctx.services();
  const std::int64_t now = services.now_ms();
  const std::string& remote = ctx.request().remote_address;
  storage::Transaction& tx = ctx.tx();
  // Counted in the database, so the limit holds across server processes.
  storage::Rows recent = tx.query(
      "SELECT COUNT(*) AS n FROM inquiries WHERE remote_address = $1 AND created_at_ms > $2",
      {remote, now - 3'600'000});
  if (recent.front().i64("n") >= services.config().inquiry_limit_per_hour) {
    throw ApiError(ErrorKind::rate_limited,
                   "too many inquiries from your address; please try again in an hour or call us");
  }
  storage::Rows rows = tx.query(
      "INSERT INTO inquiries (name, contact, contact_kind, reason, message, status, note, "
      "remote_address, created_at_ms, updated_at_ms, version) "
      "VALUES ($1, $2, $3, $4, $5, 'new', '', $6, $7, $7, 1) RETURNING id",
      {name, contact, kind, reason, message, remote, now});
  // The public gets a receipt, not the record.
  return json_response(
      {{"id", rows.front().i64("id")}, {"status", "new"}, {"received_at", iso8601_ms(now)}}, 201);
}

Response queue(RouteContext& ctx) {
  auto limit = query_int(ctx.request(), "limit", 1, 1000).value_or(500);
  std::vector<storage::Value> params;
  std::string sql = std::string("SELECT ") + kColumns + " FROM inquiries";
  if (auto it = ctx.request().query.find("status"); it != ctx.request().query.end()) {
    if (!valid_status(it->second)) {
      throw kit::InputError("status", "must be new, contacted, scheduled or closed");
    }
    params.push_back(it->second);
    sql += " WHERE status = $1";
  }
  params.push_back(limit);
  sql += " ORDER BY created_at_ms DESC, id DESC LIMIT $" + std::to_string(params.size());
  storage::Rows rows = ctx.tx().query(sql, params);
  nlohmann::json out = nlohmann::json::array();
  for (const storage::Row& r : rows) out.push_back(inquiry_json(r));
  return json_response(out);
}

storage::Row load(RouteContext& ctx, std::int64_t id) {
  storage::Rows rows =
      ctx.tx().query(std::string("SELECT ") + kColumns + " FROM inquiries WHERE id = $1", {id});
  if (rows.empty()) throw ApiError::not_found("inquiry");
  return rows.front();
}

Response get_one(RouteContext& ctx) {
  storage::Row row = load(ctx, ctx.id_param("id"));
  return json_response_with_etag(inquiry_json(row), row.i64("version"));
}

Response update(RouteContext& ctx) {
  const std::int64_t id = ctx.id_param("id");
  storage::Row row = load(ctx, id);
  ctx.require_if_match(row.i64("version"));
  const nlohmann::json body = parse_body(ctx.request());
  contract::ObjectReader r(body, "");
  const std::string status = r.optional_string("status").value_or(row.text("status"));
  const std::string note = r.optional_string("note").value_or(row.text("note"));
  r.finish();
  if (!valid_status(status)) {
    throw kit::InputError("status", "must be new, contacted, scheduled or closed");
  }
  if (characters(note) > 5000 || has_control(note, true)) {
    throw kit::InputError("note", "must be at most 5000 characters of text");
  }
  const std::int64_t changed = ctx.tx().exec(
      "UPDATE inquiries SET status = $2, note = $3, updated_at_ms = $4, version = version + 1 "
      "WHERE id = $1 AND version = $5",
      {id, status, note, ctx.services().now_ms(), row.i64("version")});
  if (changed != 1) throw ApiError::precondition_failed();
  storage::Row after = load(ctx, id);
  return json_response_with_etag(inquiry_json(after), after.i64("version"));
}

}  // namespace

void register_inquiry_routes(Router& router) {
  const Access desk = access_roles({Role::front_desk, Role::admin});
  // Inquiries are personal data of the public: every call is audited (no patient id yet).
  router.add({"POST", "/api/v1/inquiries",
              "The public inquiry form (no session; rate-limited per address)", "inquiries",
              access_public(), true, submit, 201});
  router.add({"GET", "/api/v1/inquiries", "The front desk's inquiry queue, newest first (?status=)",
              "inquiries", desk, true, queue, 200});
  router.add({"GET", "/api/v1/inquiries/{id}", "One inquiry (with its ETag)", "inquiries", desk,
              true, get_one, 200});
  router.add({"PATCH", "/api/v1/inquiries/{id}",
              "Work an inquiry: status and note (If-Match required)", "inquiries", desk, true,
              update, 200});
}

}  // namespace kit::server
