#pragma once
// A real SQLite database in a temporary folder, real Services and the full route table, driven
// through Router::dispatch (no sockets). Accounts are inserted directly with one precomputed
// Argon2id hash, and sessions are opened directly, so tests stay fast; the login route is tested
// on its own.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>

#include "server/api/auth.h"
#include "server/api/router.h"
#include "server/api/services.h"
#include "storage/database.h"

namespace kit::server::testing {

inline const std::string kPassword = "correct horse battery staple";

inline const std::string& password_hash_once() {
  static const std::string hash = hash_password(kPassword);
  return hash;
}

struct Caller {
  std::optional<Role> role;  // nullopt: anonymous
  std::int64_t user_id = 0;
  std::string username;
  std::string token;
  std::string csrf;
  std::optional<std::int64_t> patient_id;
};

class ApiFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("kit-api-test-" + std::to_string(rd()) + "-" + std::to_string(counter++));
    db_ = storage::open_database("", dir_);
    ServerConfig cfg;
    cfg.login_max_failures = 3;
    cfg.login_lock_minutes = 15;
    cfg.inquiry_limit_per_hour = 3;
    cfg.login_ttl_minutes = 60;
    services_ = std::make_unique<Services>(*db_, cfg);
    services_->set_clock([this] { return now_ms_.load(); });
    register_all_routes(router_);
  }
  void TearDown() override {
    services_.reset();
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A patient row (the patients table belongs to migration 0003).
  std::int64_t add_patient(const std::string& mrn) {
    return storage::with_transaction(*db_, [&](storage::Transaction& tx) {
      return tx
          .query(
              "INSERT INTO patients (mrn, given_name, family_name, date_of_birth, sex, indication, "
              "created_at_ms, updated_at_ms) VALUES ($1, 'Ada', 'Test', '1980-01-01', 'female', "
              "'depression', $2, $2) RETURNING id",
              {mrn, now_ms_.load()})
          .front()
          .i64("id");
    });
  }

  std::int64_t add_user(const std::string& username, Role role,
                        std::optional<std::int64_t> patient_id = std::nullopt) {
    return storage::with_transaction(*db_, [&](storage::Transaction& tx) {
      return tx
          .query(
              "INSERT INTO users (username, password_hash, role, patient_id, disabled, "
              "created_at_ms, updated_at_ms, version) VALUES ($1, $2, $3, $4, 0, $5, $5, 1) "
              "RETURNING id",
              {username, password_hash_once(), std::string(role_name(role)),
               patient_id ? storage::Value(*patient_id) : storage::null(), now_ms_.load()})
          .front()
          .i64("id");
    });
  }

  // Opens a session directly (what login does after the password check).
  Caller session_for(std::int64_t user_id, const std::string& username, Role role,
                     std::optional<std::int64_t> patient_id = std::nullopt) {
    Caller c;
    c.role = role;
    c.user_id = user_id;
    c.username = username;
    c.patient_id = patient_id;
    c.token = random_token(32);
    c.csrf = random_token(32);
    storage::with_transaction(*db_, [&](storage::Transaction& tx) {
      tx.exec(
          "INSERT INTO logins (token_hash, user_id, csrf_token, created_at_ms, last_seen_ms, "
          "expires_at_ms, remote_address) VALUES ($1, $2, $3, $4, $4, $5, '127.0.0.1')",
          {sha256_hex(c.token), user_id, c.csrf, now_ms_.load(), now_ms_.load() + 3'600'000});
    });
    return c;
  }

  Caller make_caller(Role role, std::optional<std::int64_t> patient_id = std::nullopt) {
    const std::string name = std::string(role_name(role)) + std::to_string(++users_);
    const std::int64_t id = add_user(name, role, patient_id);
    return session_for(id, name, role, patient_id);
  }

  static Request request(const std::string& method, const std::string& path,
                         const std::string& body = "") {
    Request r;
    r.method = method;
    r.path = path;
    r.body = body;
    if (!body.empty()) r.headers["content-type"] = "application/json";
    r.remote_address = "10.0.0.7";
    return r;
  }

  Response call(Request req, const Caller* who = nullptr) {
    if (who && who->role) req.headers["authorization"] = "Bearer " + who->token;
    return router_.dispatch(req, *services_);
  }
  Response call(const std::string& method, const std::string& path, const Caller& who,
                const nlohmann::json& body = nullptr) {
    return call(request(method, path, body.is_null() ? "" : body.dump()), &who);
  }
  Response anon(const std::string& method, const std::string& path,
                const nlohmann::json& body = nullptr) {
    return call(request(method, path, body.is_null() ? "" : body.dump()), nullptr);
  }

  static nlohmann::json body(const Response& r) {
    return r.body.empty() ? nlohmann::json() : nlohmann::json::parse(r.body);
  }
  static std::string header(const Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }
  // Asserts the error shape and returns error.code.
  static std::string error_code(const Response& r) {
    const nlohmann::json b = body(r);
    EXPECT_TRUE(b.contains("error")) << r.body;
    if (!b.contains("error")) return "";
    EXPECT_TRUE(b["error"]["code"].is_string());
    EXPECT_TRUE(b["error"]["message"].is_string());
    return b["error"]["code"].get<std::string>();
  }
  static std::string error_field(const Response& r) {
    const nlohmann::json b = body(r);
    return b["error"].value("field", "");
  }

  std::int64_t audit_rows() {
    return storage::with_transaction(*db_, [](storage::Transaction& tx) {
      return tx.query("SELECT COUNT(*) AS n FROM audit_log").front().i64("n");
    });
  }
  storage::Rows last_audit(int n = 1) {
    return storage::with_transaction(*db_, [&](storage::Transaction& tx) {
      return tx.query("SELECT * FROM audit_log ORDER BY seq DESC LIMIT $1",
                      {static_cast<std::int64_t>(n)});
    });
  }

  std::filesystem::path dir_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<Services> services_;
  Router router_;
  std::atomic<std::int64_t> now_ms_{1'800'000'000'000};
  int users_ = 0;
};

}  // namespace kit::server::testing
