#include "server/api/router.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <iostream>
#include <nlohmann/json.hpp>

#include "contract/json_reader.h"
#include "core/common/error.h"
#include "core/common/error_kinds.h"
#include "server/api/api_error.h"
#include "server/api/audit.h"
#include "server/api/auth.h"
#include "server/api/idempotency.h"
#include "server/api/services.h"
#include "server/api/storage_guard.h"

namespace kit::server {

namespace {

constexpr int kMaxAttempts = 5;  // a request that keeps losing a write race answers 503

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  if (path.empty() || path.front() != '/') return out;
  std::size_t pos = 1;
  for (;;) {
    const std::size_t slash = path.find('/', pos);
    out.push_back(path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos));
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return out;
}

bool is_param(const std::string& seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

// Matches a path against a pattern; on success fills params and the literal-segment mask (used to
// prefer /audit/verify over /audit/{id}).
bool match(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
           std::map<std::string, std::string>& params, std::vector<bool>& literal) {
  if (pattern.size() != path.size()) return false;
  params.clear();
  literal.assign(pattern.size(), true);
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (is_param(pattern[i])) {
      if (path[i].empty()) return false;
      params[pattern[i].substr(1, pattern[i].size() - 2)] = path[i];
      literal[i] = false;
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

std::optional<std::int64_t> parse_positive(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

// The patient a patient-scoped route names in its path: {patient_id}, or {id} directly under
// /api/v1/patients.
std::optional<std::int64_t> path_patient(const Route& route,
                                         const std::map<std::string, std::string>& params) {
  if (auto it = params.find("patient_id"); it != params.end()) return parse_positive(it->second);
  if (route.pattern.rfind("/api/v1/patients/{id}", 0) == 0) {
    if (auto it = params.find("id"); it != params.end()) return parse_positive(it->second);
  }
  return std::nullopt;
}

Response error_from(const kit::Error& e) {
  const ErrorKindInfo& k = info(e.kind());
  return error_response(k.http_status, std::string(wire_code(e)), e.message(), e.field(),
                        std::string(k.name));
}

// What a storage fault means to the person at the screen (ADR 0018): 503, the code names the fault.
kit::Error storage_error(const storage::StorageUnavailable& e) {
  std::string message;
  if (e.code() == "storage_full") {
    message =
        "the clinic's data disk is full: nothing can be saved until an administrator frees space "
        "(records can still be read)";
  } else if (e.code() == "storage_read_only") {
    message =
        "the clinic's data folder is read-only: nothing can be saved, nor read (every read is "
        "recorded in the audit log), until an administrator makes it writable again";
  } else {
    message =
        "the clinic's data storage failed to read or write: nothing was saved; try again, and "
        "tell an administrator if it goes on";
  }
  return kit::Error(ErrorKind::unavailable, message, "", e.code());
}

// Maps the exception being handled to the answer: the one error taxonomy (core/common/error.h)
// through its one table (core/common/error_kinds.h). TransientConflict is rethrown for the retry
// loop. Anything else is a fault of the software: `internal`, never the caller's input.
Response current_exception_response(const Route& route, const Services& services) {
  try {
    throw;
  } catch (const kit::Error& e) {
    return error_from(e);
  } catch (const storage::ConstraintViolation&) {
    return error_from(kit::Error(ErrorKind::conflict,
                                 "the change conflicts with existing data (a duplicate or a "
                                 "missing link)"));
  } catch (const storage::TransientConflict&) {
    throw;
  } catch (const storage::NeedsWriter&) {
    throw;  // a GET that writes: the router runs it again on the writer
  } catch (const storage::StorageUnavailable& e) {
    if (e.code() == "storage_full" && services.storage_guard() != nullptr) {
      services.storage_guard()->disk_full();
    }
    services.log_event(
        "error", "storage unavailable",
        {{"route", route.method + " " + route.pattern}, {"code", e.code()}, {"error", e.what()}});
    Response resp = error_from(storage_error(e));
    resp.set_header("Retry-After", "30");
    return resp;
  } catch (const nlohmann::json::exception&) {
    // A body of the wrong shape read past the strict reader: still the caller's input.
    return error_from(
        kit::Error(ErrorKind::invalid_input, "the request body has the wrong shape", "body"));
  } catch (const std::exception& e) {
    services.log_event("error", "internal error",
                       {{"route", route.method + " " + route.pattern}, {"error", e.what()}});
    return error_from(kit::Error(ErrorKind::internal, "internal error"));
  } catch (...) {
    services.log_event("error", "internal error", {{"route", route.method + " " + route.pattern}});
    return error_from(kit::Error(ErrorKind::internal, "internal error"));
  }
}

AuditEntry audit_entry(const Route& route, const Request& req, const std::optional<Principal>& who,
                       std::optional<std::int64_t> patient_id, int status, std::int64_t now) {
  AuditEntry e;
  e.at_ms = now;
  if (who) {
    e.user_id = who->user_id;
    e.username = who->username;
    e.role = std::string(role_name(who->role));
  }
  e.action = route.method + " " + route.pattern;
  e.patient_id = patient_id;
  e.remote_address = req.remote_address;
  e.outcome = status < 400 ? "allowed" : "denied";
  e.status = status;
  return e;
}

// Denials and failures are recorded in a transaction of their own: the request's was rolled back.
void audit_separately(Services& services, const AuditEntry& entry) {
  try {
    storage::with_transaction(services.db(),
                              [&](storage::Transaction& tx) { append_audit(tx, entry); });
    services.audit_rows_committed(1);
  } catch (const std::exception& e) {
    services.log_event("error", "could not record audit row",
                       {{"action", entry.action}, {"status", entry.status}, {"error", e.what()}});
  }
}

void enforce_access(const Route& route, const std::map<std::string, std::string>& params,
                    const std::optional<Principal>& who, RouteContext& ctx) {
  if (route.access.is_public) return;
  if (!who) throw ApiError::unauthorized();
  if (who->second_factor_enrolment_required && !route.before_second_factor) {
    throw ApiError(ErrorKind::forbidden,
                   "the clinic requires a second factor for your role: enrol one first "
                   "(POST /api/v1/auth/totp/enrol)",
                   "", "second_factor_enrolment_required");
  }
  if (route.access.roles.count(who->role) != 0) return;
  if (who->role == Role::patient && route.access.patient_self) {
    if (!who->patient_id) throw ApiError::forbidden("this account is not linked to a patient");
    if (auto pid = path_patient(route, params)) ctx.require_patient_access(*pid);
    return;  // otherwise the handler must call require_patient_access (checked after it returns)
  }
  throw ApiError::forbidden();
}

Response run_once(const Route& route, const std::map<std::string, std::string>& params,
                  const Request& req, Services& services, bool reads_on_reader) {
  std::optional<Principal> who;
  std::optional<RouteContext> ctx;
  try {
    std::optional<Principal> refused;
    // A read request is authenticated in its own read transaction, which then serves the route:
    // one snapshot per request instead of two.
    std::unique_ptr<storage::Transaction> read;
    if (reads_on_reader) read = services.db().begin_read();
    try {
      who = authenticate(req, services, &refused, read.get());
    } catch (const ApiError&) {
      if (!route.access.is_public) {
        who = refused;  // a CSRF refusal is recorded against the login the cookie belongs to
        throw;
      }
      who.reset();  // a stale cookie without its CSRF header does not block public routes
    }
    ctx.emplace(req, params, who, services);
    if (reads_on_reader) {
      ctx->use_read_transaction();
      ctx->adopt_read_transaction(std::move(read));
    }
    enforce_access(route, params, who, *ctx);
    // A retry of a write already answered gets that answer and runs nothing (idempotency.h).
    const std::optional<IdempotentRequest> idempotent = idempotent_request(req, who);
    if (idempotent) {
      if (auto replay = find_replay(services.db(), *idempotent, req, services.now_ms())) {
        if (route.patient_data || route.audited) {
          audit_separately(services, audit_entry(route, req, who,
                                                 replay->patient_id ? replay->patient_id
                                                                    : path_patient(route, params),
                                                 replay->response.status, services.now_ms()));
        }
        return std::move(replay->response);
      }
    }
    // A full disk: writes are refused before they run, so that the room left (the reserve) keeps
    // the audit rows of reads (storage_guard.h). A replay above is a read and still answers.
    if (route.method != "GET" && services.storage_guard() != nullptr &&
        services.storage_guard()->writes_refused()) {
      throw storage::StorageUnavailable("storage_full",
                                        "writes are refused until the disk has room again");
    }
    Response resp = route.handler(*ctx);
    // patient_self safety net: a patient on a route not in their roles must have been checked
    // against their own record by the router or the handler.
    if (who && who->role == Role::patient && route.access.roles.count(Role::patient) == 0 &&
        !route.access.is_public && ctx->patient() != who->patient_id) {
      throw ApiError::forbidden("patients may only reach their own record");
    }
    // Nor may a list answer a patient with another patient's data (fail closed).
    if (who && who->role == Role::patient) {
      for (const std::int64_t pid : ctx->listed_patients()) {
        if (pid != who->patient_id) {
          throw ApiError::forbidden("patients may only reach their own record");
        }
      }
    }
    // A director sees aggregates only: no answer may name or list a patient (fail closed, like
    // the patient's net above; docs/adr/0026-director-role-and-small-cells.md).
    if (who && who->role == Role::director && (ctx->patient() || !ctx->listed_patients().empty())) {
      throw ApiError::forbidden("directors see aggregated outcomes, never a patient's record");
    }
    std::int64_t audit_rows = 0;
    if (route.patient_data || route.audited) {
      // One row per patient the answer carries: the patient the request named, then each listed
      // patient (a list read); none of them: one row without a patient.
      const std::optional<std::int64_t> named =
          ctx->patient() ? ctx->patient() : path_patient(route, params);
      const std::int64_t now = services.now_ms();
      std::vector<AuditEntry> rows;
      if (named) rows.push_back(audit_entry(route, req, who, named, resp.status, now));
      for (const std::int64_t pid : ctx->listed_patients()) {
        if (pid != named) rows.push_back(audit_entry(route, req, who, pid, resp.status, now));
      }
      if (rows.empty())
        rows.push_back(audit_entry(route, req, who, std::nullopt, resp.status, now));
      audit_rows = static_cast<std::int64_t>(rows.size());
      if (!idempotent && ctx->read_only_so_far()) {
        // A read: its rows join the next shared audit transaction; append() returns once they are
        // committed (ADR 0021, addendum perf3).
        ctx->end_read();
        services.audit_batcher().append(rows);
      } else {
        append_audit_rows(ctx->write_tx(), rows);
      }
    }
    if (idempotent) {
      remember_answer(ctx->write_tx(), *idempotent, req, resp,
                      ctx->patient() ? ctx->patient() : path_patient(route, params),
                      services.now_ms());
    }
    if (ctx->tx_slot()) {
      ctx->tx_slot()->commit();
      ctx->tx_slot().reset();
    }
    if (audit_rows > 0) services.audit_rows_committed(audit_rows);
    return resp;
  } catch (...) {
    std::optional<std::int64_t> patient;
    if (ctx) {
      ctx->tx_slot().reset();  // rolls back
      patient = ctx->patient();
    }
    Response resp = current_exception_response(route, services);  // rethrows TransientConflict
    if (route.patient_data || route.audited) {
      if (!patient) patient = path_patient(route, params);
      audit_separately(services,
                       audit_entry(route, req, who, patient, resp.status, services.now_ms()));
    }
    return resp;
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// RouteContext

RouteContext::RouteContext(const Request& req, std::map<std::string, std::string> params,
                           std::optional<Principal> principal, Services& services)
    : req_(req),
      params_(std::move(params)),
      principal_(std::move(principal)),
      services_(services) {}

const std::string& RouteContext::param(const std::string& name) const {
  auto it = params_.find(name);
  if (it == params_.end()) throw std::logic_error("route has no path parameter " + name);
  return it->second;
}

std::int64_t RouteContext::id_param(const std::string& name) const {
  auto v = parse_positive(param(name));
  if (!v) throw ApiError::bad_request(name, "must be a positive integer");
  return *v;
}

const Principal& RouteContext::user() const {
  if (!principal_) throw ApiError::unauthorized();
  return *principal_;
}

storage::Transaction& RouteContext::tx() {
  if (!tx_) {
    if (read_) tx_ = services_.db().begin_read();
    tx_is_read_ = tx_ != nullptr;
    if (!tx_) tx_ = services_.db().begin();
  }
  return *tx_;
}

void RouteContext::end_read() {
  if (tx_ && tx_is_read_) {
    tx_->commit();  // ends the snapshot; nothing was written
    tx_.reset();
    tx_is_read_ = false;
  }
}

storage::Transaction& RouteContext::write_tx() {
  if (tx_ && tx_is_read_) {
    tx_->commit();  // ends the snapshot; nothing was written
    tx_.reset();
    tx_is_read_ = false;
  }
  read_ = false;
  return tx();
}

void RouteContext::require_patient_access(std::int64_t patient_id) {
  set_patient(patient_id);
  const Principal& who = user();
  if (who.role == Role::patient && who.patient_id != patient_id) {
    throw ApiError::forbidden("patients may only reach their own record");
  }
}

void RouteContext::require_if_match(std::int64_t current_version) const {
  auto h = req_.header("if-match");
  if (!h || h->empty()) throw ApiError::precondition_required();
  const std::string want = "\"" + std::to_string(current_version) + "\"";
  // A list of ETags is allowed ("a", "b"); weak ETags (W/"n") never match a strong comparison.
  std::size_t pos = 0;
  const std::string& v = *h;
  while (pos <= v.size()) {
    std::size_t comma = v.find(',', pos);
    if (comma == std::string::npos) comma = v.size();
    std::string tag = v.substr(pos, comma - pos);
    while (!tag.empty() && tag.front() == ' ') tag.erase(tag.begin());
    while (!tag.empty() && tag.back() == ' ') tag.pop_back();
    if (tag == want) return;
    pos = comma + 1;
  }
  throw ApiError::precondition_failed();
}

// ---------------------------------------------------------------------------------------------
// Router

void Router::add(Route route) {
  if (route.pattern.empty() || route.pattern.front() != '/' || !route.handler) {
    throw std::logic_error("bad route " + route.method + " " + route.pattern);
  }
  for (const Route& r : routes_) {
    if (r.method == route.method && r.pattern == route.pattern) {
      throw std::logic_error("duplicate route " + route.method + " " + route.pattern);
    }
  }
  segments_.push_back(split_path(route.pattern));
  routes_.push_back(std::move(route));
}

Response Router::dispatch(const Request& req, Services& services) const {
  const std::vector<std::string> path = split_path(req.path);
  const Route* best = nullptr;
  std::map<std::string, std::string> best_params;
  std::vector<bool> best_literal;
  std::set<std::string> allowed;
  std::map<std::string, std::string> params;
  std::vector<bool> literal;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const Route& r = routes_[i];
    if (!match(segments_[i], path, params, literal)) continue;
    allowed.insert(r.method);
    if (r.method != req.method) continue;
    if (!best || literal > best_literal) {
      best = &r;
      best_params = params;
      best_literal = literal;
    }
  }
  if (!best) {
    if (allowed.empty()) return error_response(404, "not_found", "no such route", "");
    Response resp = error_response(405, "method_not_allowed",
                                   req.method + " is not allowed on " + req.path, "");
    std::string allow;
    for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    resp.set_header("Allow", allow);
    return resp;
  }
  bool ran_again_in_reserve = false;
  // A GET reads on a reader beside the writer where the back end has them (SQLite); one that turns
  // out to write runs again on the writer (docs/adr/0021-write-path-and-load.md).
  bool reads_on_reader = req.method == "GET";
  for (int attempt = 1;; ++attempt) {
    try {
      StorageGuard* guard = services.storage_guard();
      const std::uint64_t releases = guard ? guard->releases() : 0;
      Response resp = run_once(*best, best_params, req, services, reads_on_reader);
      // A read that found the disk full released the reserve: it runs once more in that room.
      if (resp.status == 503 && guard != nullptr && req.method == "GET" && !ran_again_in_reserve &&
          guard->releases() != releases) {
        ran_again_in_reserve = true;
        continue;
      }
      return resp;
    } catch (const storage::NeedsWriter&) {
      if (!reads_on_reader) throw;  // cannot happen: only read transactions refuse writes
      reads_on_reader = false;
      --attempt;
    } catch (const storage::TransientConflict&) {
      if (attempt >= kMaxAttempts) {
        Response resp =
            error_response(503, "busy", "the server is busy; try again", "", "unavailable");
        resp.set_header("Retry-After", "1");
        if (best->patient_data || best->audited) {
          std::optional<Principal> none;
          audit_separately(services, audit_entry(*best, req, none, path_patient(*best, best_params),
                                                 503, services.now_ms()));
        }
        return resp;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

Response json_response(const nlohmann::json& body, int status) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.content_type = "application/json";
  return r;
}

Response json_response_with_etag(const nlohmann::json& body, std::int64_t version, int status) {
  Response r = json_response(body, status);
  r.set_header("ETag", "\"" + std::to_string(version) + "\"");
  return r;
}

Response error_response(int status, const std::string& code, const std::string& message,
                        const std::string& field, const std::string& kind) {
  nlohmann::json err = {{"kind", kind.empty() ? code : kind}, {"code", code}, {"message", message}};
  if (!field.empty()) err["field"] = field;
  return json_response(nlohmann::json{{"error", err}}, status);
}

nlohmann::json parse_body(const Request& req) {
  if (req.body.empty()) throw ApiError::bad_request("body", "a JSON body is required");
  // Bodies are JSON and say so: a form or text/plain body is refused before it is read.
  const std::string type = req.header("content-type").value_or("");
  const std::string media = type.substr(0, type.find(';'));
  std::string lowered;
  for (char c : media) {
    if (c != ' ' && c != '\t')
      lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (lowered != "application/json") {
    throw ApiError(ErrorKind::unsupported_media_type,
                   "send the request body as Content-Type: application/json", "Content-Type");
  }
  return contract::parse_json_text(req.body, "body");
}

}  // namespace kit::server
