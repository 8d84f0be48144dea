#pragma once
// What handlers may use. One instance per server process, shared by all requests (thread-safe).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "storage/database.h"

namespace kit::server {

struct ServerConfig {
  bool demo = false;
  bool tls = false;                          // cookies get Secure when true
  int session_ttl_minutes = 12 * 60;
  int login_max_failures = 5;                // then the account locks for login_lock_minutes
  int login_lock_minutes = 15;
  int inquiry_limit_per_hour = 10;           // per remote address
};

class Services {
 public:
  Services(storage::Database& db, ServerConfig config) : db_(db), config_(std::move(config)) {}
  storage::Database& db() { return db_; }
  const ServerConfig& config() const { return config_; }
  // Wall clock in milliseconds since the epoch; replaceable in tests.
  std::int64_t now_ms() const {
    return clock_ ? clock_()
                  : std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  }
  void set_clock(std::function<std::int64_t()> clock) { clock_ = std::move(clock); }

 private:
  storage::Database& db_;
  ServerConfig config_;
  std::function<std::int64_t()> clock_;
};

// ISO-8601 UTC text for a millisecond timestamp ("2026-11-24T14:56:10.123Z").
std::string iso8601_ms(std::int64_t ms);

}  // namespace kit::server
