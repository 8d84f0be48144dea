#pragma once
// A full disk under the SQLite database (ADR 0018, docs/reliability.md "Disk full and read-only
// data folder"). `kit serve` keeps a reserve file of `storage_reserve_mb` in the data folder. When
// a write finds the disk full, the reserve is released (deleted): reads still write their audit
// rows into that room, while the router refuses every write (503 `storage_full`) before its
// handler runs. On a request at most once a second the guard asks the file system for its free
// space; once there is room for the reserve and as much again, it puts the reserve back and writes
// resume, without a restart.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace kit::server {

class StorageGuard {
 public:
  using Log = std::function<void(const std::string& level, const std::string& msg,
                                 const nlohmann::json& fields)>;
  inline static const char* const kReserveFileName = "storage-reserve";

  // reserve_bytes 0: no reserve (reads fail with writes once the disk is full).
  StorageGuard(std::filesystem::path folder, std::uint64_t reserve_bytes, Log log);

  // At start: puts the reserve in place (logged when the disk has no room for it).
  void start();
  // A write found the disk full: releases the reserve and refuses writes until space returns.
  // Returns true if this call released it (so a read refused just now may run again).
  bool disk_full();
  // Whether writes are refused now; at most once a second, checks whether space returned and
  // then re-arms (the reserve back in place) and answers false.
  bool writes_refused();
  // Bumped each time the reserve is released.
  std::uint64_t releases() const { return releases_.load(); }

 private:
  bool put_reserve_back(std::string* error);
  std::uint64_t free_bytes() const;

  std::filesystem::path folder_;
  std::filesystem::path reserve_file_;
  std::uint64_t reserve_bytes_;
  Log log_;
  std::atomic<bool> refusing_{false};
  std::atomic<std::uint64_t> releases_{0};
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_check_{};
};

}  // namespace kit::server
