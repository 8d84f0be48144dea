#pragma once
// Routes are data: method, pattern, who may call it, whether it touches patient data, and the
// handler. The router authenticates, enforces the access rule, opens the transaction, calls the
// handler, writes the audit row for patient data and `audited` routes (allowed or denied) and maps
// errors to JSON. The same table feeds the OpenAPI document and the role-matrix test.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "server/api/principal.h"
#include "server/http/message.h"
#include "storage/database.h"

namespace kit::server {

class Services;  // everything a handler may use (database, audit, clock, config):
                 // server/api/services.h

struct Access {
  bool is_public = false;     // no session needed (login, public inquiry form, healthz)
  std::set<Role> roles;       // roles allowed
  bool patient_self = false;  // additionally: a patient on their own record ({patient_id} or own)
};

class RouteContext {
 public:
  RouteContext(const Request& req, std::map<std::string, std::string> params,
               std::optional<Principal> principal, Services& services);

  const Request& request() const { return req_; }
  const std::string& param(const std::string& name) const;  // path parameter, e.g. "id"
  std::int64_t id_param(const std::string& name) const;  // 400 naming it if not a positive integer
  const std::optional<Principal>& principal() const { return principal_; }
  const Principal& user() const;  // 401 if anonymous
  Services& services() { return services_; }
  // The request's transaction (opened on first use, committed by the router after the handler).
  // For a GET where the back end has readers (SQLite) it is a read transaction on a snapshot of
  // committed data, beside the writer, and cannot write; the router then writes the audit row in a
  // writer transaction of its own (docs/adr/0021-write-path-and-load.md, "Reads off the writer").
  storage::Transaction& tx();
  // The router's: the transaction for the audit row and the remembered answer. A read transaction
  // is ended first (its reads are done) and a writer transaction takes its place.
  storage::Transaction& write_tx();
  void use_read_transaction() { read_ = true; }
  // The router's: the read transaction the request was authenticated in becomes the request's
  // (one snapshot per read request; use_read_transaction() first).
  void adopt_read_transaction(std::unique_ptr<storage::Transaction> read) {
    if (!read_ || tx_ || !read) return;
    tx_ = std::move(read);
    tx_is_read_ = true;
  }
  // The router's: true while the request's transaction is a read transaction on a reader (it has
  // written nothing), so that its audit rows may go through the AuditBatcher. Never in a commit
  // group's thread (the demo seed), which gets no reader.
  bool read_only_so_far() const { return tx_ && tx_is_read_; }
  // The router's: ends the read transaction, if one is open (its reads are done).
  void end_read();
  // The patient this request reads or writes, for the audit log and the patient_self rule.
  void set_patient(std::int64_t patient_id) { patient_id_ = patient_id; }
  std::optional<std::int64_t> patient() const { return patient_id_; }
  // Handlers call this before touching a patient's record: enforces patient_self for patients.
  void require_patient_access(std::int64_t patient_id);
  // A list read: a patient whose data the answer carries. The router writes one audit row per
  // listed patient (each at most once, beside the patient set above), so each patient's access
  // log shows who listed them, when and through which route; an answer that lists nobody leaves
  // one row without a patient. Bounded by the answer: a page of 50 patients is 50 rows.
  void add_listed_patient(std::int64_t patient_id) { listed_.insert(patient_id); }
  const std::set<std::int64_t>& listed_patients() const { return listed_; }
  // Optimistic concurrency: the If-Match header must equal the current ETag ("\"<version>\"").
  void require_if_match(std::int64_t current_version) const;

  std::unique_ptr<storage::Transaction>& tx_slot() { return tx_; }

 private:
  const Request& req_;
  std::map<std::string, std::string> params_;
  std::optional<Principal> principal_;
  Services& services_;
  std::unique_ptr<storage::Transaction> tx_;
  bool read_ = false;        // a GET: tx() opens a read transaction where the back end has one
  bool tx_is_read_ = false;  // tx_ is a read transaction
  std::optional<std::int64_t> patient_id_;
  std::set<std::int64_t> listed_;
};

using Handler = std::function<Response(RouteContext&)>;

struct Route {
  std::string method;   // "GET", "POST", "PUT", "PATCH", "DELETE"
  std::string pattern;  // "/api/v1/patients/{id}/assessments"
  std::string summary;  // one line, for OpenAPI
  std::string tag;      // OpenAPI tag, e.g. "patients"
  Access access;
  // Every call is audited (who, role, what, patient, when, where, outcome).
  bool patient_data = false;
  Handler handler;
  int success_status = 200;
  // Every call is audited like patient data, although the route names no patient (changing one's
  // own password, receiving, editing and adjusting controlled-substance stock).
  bool audited = false;
  // Reachable by a login whose role the clinic requires a second factor of, before it has enrolled
  // one (its own account, logout, password and the enrolment: ServerConfig::totp_required_roles).
  bool before_second_factor = false;
};

class Router {
 public:
  void add(Route route);
  Response dispatch(const Request& req, Services& services) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> segments_;  // routes_[i].pattern split at '/', once
};

// Helpers for handlers.
Response json_response(const nlohmann::json& body, int status = 200);
Response json_response_with_etag(const nlohmann::json& body, std::int64_t version,
                                 int status = 200);
// Prefer throwing a kit::Error; this shapes {"error":{"kind","code","message","field"}}.
Response error_response(int status, const std::string& code, const std::string& message,
                        const std::string& field, const std::string& kind = "");
nlohmann::json parse_body(const Request& req);  // 400 "body" on malformed JSON

// Registers every API route (server/api/routes.cpp lists the modules).
void register_all_routes(Router& router);

}  // namespace kit::server
