#pragma once
// What live updates watch (server/serve/change_feed.h): the latest allowed write in the audit
// log. Every write of patient data and every `audited` route leaves an audit row in the write's
// own transaction, so this number moves exactly when something a screen shows may have changed,
// in this process or another one on the same database. Reads (also audited) do not move it, or a
// screen refetching on each notice would notify itself for ever.
#include <cstdint>

#include "storage/database.h"

namespace kit::storage {

class ChangeStore {
 public:
  explicit ChangeStore(Transaction& tx) : tx_(tx) {}
  // The id of the newest allowed non-GET audit row; 0 when there is none.
  std::int64_t latest_write();

 private:
  Transaction& tx_;
};

}  // namespace kit::storage
