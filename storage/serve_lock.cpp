#include "storage/serve_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

namespace kit::storage {

ServeLock::ServeLock(const std::filesystem::path& data_dir, Mode mode) {
  const std::filesystem::path file = data_dir / "kit.db.serve-lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw std::runtime_error("cannot open the lock file " + file.string());
  held_ = ::flock(fd_, (mode == Mode::shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0;
}

ServeLock::~ServeLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

}  // namespace kit::storage
