#pragma once
// What a read found in the database, kept for the next read of the same thing while the data is
// unchanged (docs/adr/0030-snapshot-cache.md). An entry is filed under the data generation of the
// snapshot it was read in (storage::Transaction::data_generation(), migration 0017) and found only
// by a read whose own snapshot has the same generation: same generation, same data, so the
// answer is what the database would give. Nothing time-dependent is kept (the caller computes
// "now"-relative figures after the lookup), nothing else is assumed about how long an entry stays
// right, and a back end without a generation (PostgreSQL) never caches.
//
// Used for the chair board, which every chair-side screen refreshes every few seconds while the
// data changes a few times a second at most. Thread-safe; a handful of entries (one per key; the
// oldest generation goes first once `capacity` keys are held).
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <typeindex>
#include <typeinfo>

namespace kit::server {

class SnapshotCache {
 public:
  explicit SnapshotCache(std::size_t capacity = 16) : capacity_(capacity) {}

  // The value stored under `key` for exactly this generation, or null (none, another generation,
  // another type, or no generation).
  template <class T>
  std::shared_ptr<const T> find(const std::string& key, std::optional<std::int64_t> generation) {
    if (!generation) return nullptr;
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(key);
    if (it == entries_.end() || it->second.generation != *generation ||
        it->second.type != std::type_index(typeid(T))) {
      ++misses_;
      return nullptr;
    }
    ++hits_;
    return std::static_pointer_cast<const T>(it->second.value);
  }

  // Files `value` under `key` for `generation` (nothing without one). A value of a newer
  // generation already there stays: a slow read must not replace a fresher answer.
  template <class T>
  void store(const std::string& key, std::optional<std::int64_t> generation,
             std::shared_ptr<const T> value) {
    if (!generation || !value) return;
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(key);
    if (it != entries_.end()) {
      if (it->second.generation > *generation) return;
      it->second = Entry{*generation, std::type_index(typeid(T)), std::move(value)};
      return;
    }
    if (entries_.size() >= capacity_) evict_oldest();
    entries_.emplace(key, Entry{*generation, std::type_index(typeid(T)), std::move(value)});
  }

  struct Stats {
    std::int64_t hits = 0;
    std::int64_t misses = 0;
  };
  Stats stats() const {
    std::lock_guard lock(mutex_);
    return {hits_, misses_};
  }

 private:
  struct Entry {
    std::int64_t generation;
    std::type_index type;
    std::shared_ptr<const void> value;
  };

  void evict_oldest() {
    auto oldest = entries_.begin();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.generation < oldest->second.generation) oldest = it;
    }
    if (oldest != entries_.end()) entries_.erase(oldest);
  }

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  std::int64_t hits_ = 0;
  std::int64_t misses_ = 0;
};

}  // namespace kit::server
