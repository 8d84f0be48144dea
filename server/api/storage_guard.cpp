#include "server/api/storage_guard.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace kit::server {

namespace {
constexpr std::uint64_t kMiB = 1024ULL * 1024ULL;
constexpr auto kCheckEvery = std::chrono::seconds(1);
}  // namespace

StorageGuard::StorageGuard(std::filesystem::path folder, std::uint64_t reserve_bytes, Log log)
    : folder_(std::move(folder)),
      reserve_file_(folder_ / kReserveFileName),
      reserve_bytes_(reserve_bytes),
      log_(std::move(log)) {}

void StorageGuard::start() {
  std::lock_guard lock(mutex_);
  if (reserve_bytes_ == 0) {
    std::error_code ec;
    std::filesystem::remove(reserve_file_, ec);
    return;
  }
  std::string error;
  if (!put_reserve_back(&error) && log_) {
    log_("warn", "storage: no room for the reserve file; a full disk will also stop reads",
         {{"file", reserve_file_.string()}, {"bytes", reserve_bytes_}, {"error", error}});
  }
}

bool StorageGuard::put_reserve_back(std::string* error) {
  const int fd = ::open(reserve_file_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (error) *error = std::strerror(errno);
    return false;
  }
  // Allocated blocks, not a sparse file: its room is really taken, and really given back.
  int rc = ::ftruncate(fd, static_cast<off_t>(reserve_bytes_));
  if (rc == 0)
    rc = ::posix_fallocate(fd, 0, static_cast<off_t>(reserve_bytes_));
  else
    rc = errno;
  if (rc == 0 && ::fsync(fd) != 0) rc = errno;
  ::close(fd);
  if (rc != 0) {
    if (error) *error = std::strerror(rc);
    std::error_code ec;
    std::filesystem::remove(reserve_file_, ec);  // half a reserve would only take room
    return false;
  }
  return true;
}

std::uint64_t StorageGuard::free_bytes() const {
  struct statvfs s {};
  if (::statvfs(folder_.c_str(), &s) != 0) return 0;
  return static_cast<std::uint64_t>(s.f_bavail) * static_cast<std::uint64_t>(s.f_frsize);
}

bool StorageGuard::disk_full() {
  std::lock_guard lock(mutex_);
  const bool was_refusing = refusing_.exchange(true);
  // The clock of the space check starts when refusing starts; the refusals that follow (each
  // reports the full disk again) must not keep pushing the check back.
  if (!was_refusing) last_check_ = std::chrono::steady_clock::now();
  std::error_code ec;
  const bool released = std::filesystem::remove(reserve_file_, ec);
  if (released) releases_.fetch_add(1);
  if (!was_refusing && log_) {
    log_("error",
         "storage: the disk is full; writes are refused until space is freed, reads go on in the "
         "reserve",
         {{"folder", folder_.string()},
          {"reserve_released_bytes", released ? reserve_bytes_ : 0},
          {"free_bytes", free_bytes()}});
  }
  return released;
}

bool StorageGuard::writes_refused() {
  if (!refusing_.load()) return false;
  std::lock_guard lock(mutex_);
  if (!refusing_.load()) return false;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_check_ < kCheckEvery) return true;
  last_check_ = now;
  // Room for the reserve and as much again (at least 1 MiB), so that writing resumes with room.
  const std::uint64_t need = reserve_bytes_ + std::max<std::uint64_t>(reserve_bytes_, kMiB);
  const std::uint64_t free = free_bytes();
  if (free < need) return true;
  std::string error;
  if (reserve_bytes_ > 0 && !put_reserve_back(&error)) return true;
  refusing_.store(false);
  if (log_) {
    log_("warn", "storage: space is back; writes are accepted again",
         {{"folder", folder_.string()}, {"free_bytes", free}, {"reserve_bytes", reserve_bytes_}});
  }
  return false;
}

}  // namespace kit::server
