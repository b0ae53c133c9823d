#include "vhsm/base/file_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>

namespace vhsm {
namespace {

// HolderPid reads the pid the holder wrote: digits only, else "".
std::string HolderPid(int fd) {
  char buf[32] = {};
  ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
  std::string pid;
  for (ssize_t i = 0; i < n && std::isdigit(static_cast<unsigned char>(buf[i])); ++i) {
    pid += buf[i];
  }
  return pid;
}

}  // namespace

Result<UniqueFd> LockFileExclusive(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return Unavailable("cannot open " + path + ": " + strerror(errno));
  int rc;
  do {
    rc = flock(fd.get(), LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    if (errno != EWOULDBLOCK) return Unavailable("cannot lock " + path + ": " + strerror(errno));
    std::string pid = HolderPid(fd.get());
    return FailedPrecondition(path + " is locked by " +
                              (pid.empty() ? "another process" : "process " + pid));
  }
  std::string me = std::to_string(getpid()) + "\n";
  if (ftruncate(fd.get(), 0) != 0 ||
      pwrite(fd.get(), me.data(), me.size(), 0) != static_cast<ssize_t>(me.size())) {
    return Unavailable("cannot write " + path + ": " + strerror(errno));
  }
  return fd;
}

}  // namespace vhsm
