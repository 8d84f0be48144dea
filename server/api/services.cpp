#include "server/api/services.h"

#include "core/common/calendar.h"

namespace kit::server {

std::string iso8601_ms(std::int64_t ms) { return calendar::format_utc_ms(ms); }

}  // namespace kit::server
