#include "server/api/services.h"

#include "core/common/calendar.h"
#include "server/api/audit_anchor.h"

namespace kit::server {

void Services::audit_rows_committed(std::int64_t rows) {
  if (anchor_ != nullptr) anchor_->rows_committed(rows);
}

std::string iso8601_ms(std::int64_t ms) { return calendar::format_utc_ms(ms); }

}  // namespace kit::server
