// Live updates (server/serve/change_feed.h).
#include "server/serve/change_feed.h"

#include "storage/stores/change_store.h"

namespace kit::server {

ChangeFeed::ChangeFeed(storage::Database& db, Publish publish, std::chrono::milliseconds interval)
    : db_(db), publish_(std::move(publish)), interval_(interval), thread_([this] { run(); }) {}

ChangeFeed::~ChangeFeed() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ChangeFeed::poke() {
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  wake_.notify_all();
}

void ChangeFeed::run() {
  std::int64_t last = -1;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      const std::int64_t seq = storage::with_transaction(
          db_, [](storage::Transaction& tx) { return storage::ChangeStore(tx).latest_write(); });
      if (seq != last) {
        last = seq;
        publish_(seq);
      }
    } catch (const std::exception&) {
      // The database is busy or away: the next look tries again; screens keep their last view.
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return poked_ || stopping_; });
    poked_ = false;
  }
}

}  // namespace kit::server
