#pragma once
// Live updates: a thread that watches the database for new writes (storage::ChangeStore) and
// hands each new sequence number to the HTTP layer's event streams. It looks every `interval`
// (so writes by another kit serve on the same PostgreSQL reach this one's screens too) and at
// once when poke() says a write just committed here.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "storage/database.h"

namespace kit::server {

class ChangeFeed {
 public:
  using Publish = std::function<void(std::int64_t seq)>;
  ChangeFeed(storage::Database& db, Publish publish, std::chrono::milliseconds interval);
  ~ChangeFeed();  // stops the thread
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  void poke();

 private:
  void run();

  storage::Database& db_;
  Publish publish_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool poked_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace kit::server
