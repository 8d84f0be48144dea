// What live updates watch (storage/stores/change_store.h).
#include "storage/stores/change_store.h"

namespace kit::storage {

std::int64_t ChangeStore::latest_write() {
  // A backward walk of the primary key that stops at the first write: recent rows are mostly
  // writes, so this reads a handful of rows however long the log is.
  Rows rows = tx_.query(
      "SELECT id FROM audit_log WHERE outcome = 'allowed' AND action NOT LIKE 'GET %' "
      "ORDER BY id DESC LIMIT 1");
  return rows.empty() ? 0 : rows.front().i64("id");
}

}  // namespace kit::storage
