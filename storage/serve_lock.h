#pragma once
// Who holds a SQLite data folder. `kit serve` holds a shared lock on `<data>/kit.db.serve-lock`
// for as long as it runs (several servers may share one folder); `kit restore` needs the lock
// exclusively, so it cannot replace a database under a running server (which would keep its old
// logins and caches and write on). flock(2): released by the kernel when the process ends, even
// on kill -9, so a crashed server never leaves the folder locked.
#include <filesystem>

namespace kit::storage {

class ServeLock {
 public:
  enum class Mode { shared, exclusive };
  // Does not block. held() is false when another process holds the lock incompatibly.
  ServeLock(const std::filesystem::path& data_dir, Mode mode);
  ~ServeLock();
  ServeLock(const ServeLock&) = delete;
  ServeLock& operator=(const ServeLock&) = delete;
  bool held() const { return held_; }

 private:
  int fd_ = -1;
  bool held_ = false;
};

}  // namespace kit::storage
