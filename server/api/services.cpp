#include "server/api/services.h"

#include <iostream>
#include <mutex>

#include "core/common/calendar.h"
#include "server/api/audit.h"
#include "server/api/audit_anchor.h"
#include "server/api/snapshot_cache.h"
#include "server/api/test_clock.h"

namespace kit::server {

Services::Services(storage::Database& db, ServerConfig config)
    : db_(db),
      config_(std::move(config)),
      audit_batcher_(std::make_shared<AuditBatcher>(db)),
      snapshot_cache_(std::make_shared<SnapshotCache>()) {}

void Services::audit_rows_committed(std::int64_t rows) {
  if (anchor_ != nullptr) anchor_->rows_committed(rows);
}

void Services::set_test_clock(TestClock* clock) {
  test_clock_ = clock;
  if (clock != nullptr) {
    clock_ = [clock] { return clock->now_ms(); };
  } else {
    clock_ = nullptr;
  }
}

std::string iso8601_ms(std::int64_t ms) { return calendar::format_utc_ms(ms); }

void Services::log_event(const std::string& level, const std::string& msg,
                         const nlohmann::json& fields) const {
  if (event_log_) {
    event_log_(level, msg, fields);
    return;
  }
  nlohmann::json line = {{"ts", iso8601_ms(now_ms())}, {"level", level}, {"msg", msg}};
  if (fields.is_object()) {
    for (const auto& [k, v] : fields.items()) line[k] = v;
  }
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::clog << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace kit::server
