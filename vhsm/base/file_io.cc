#include "vhsm/base/file_io.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace vhsm {
namespace {

void Wipe(std::string* s) {
  if (!s->empty()) explicit_bzero(s->data(), s->size());
}

}  // namespace

Result<std::string> ReadWholeFd(int fd, const std::string& what) {
  struct stat st;
  size_t size = 64 * 1024;
  // One byte more than the file, so that the read seeing its end needs no
  // bigger buffer (at least a page: /proc's files say they are empty).
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    size = std::max<size_t>(static_cast<size_t>(st.st_size) + 1, 4096);
  }
  std::string buf(size, '\0');
  size_t len = 0;
  for (;;) {
    if (len == buf.size()) {
      std::string bigger(buf.size() * 2, '\0');
      memcpy(bigger.data(), buf.data(), len);
      Wipe(&buf);
      buf.swap(bigger);
    }
    ssize_t n = read(fd, buf.data() + len, buf.size() - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      Wipe(&buf);
      return Unavailable("cannot read " + what + ": " + strerror(err));
    }
    if (n == 0) break;
    len += static_cast<size_t>(n);
  }
  buf.resize(len);  // shrinking keeps the one allocation
  return buf;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const std::string why = "cannot read " + path + ": " + strerror(errno);
    return errno == ENOENT ? NotFound(why) : Unavailable(why);
  }
  Result<std::string> data = ReadWholeFd(fd, path);
  close(fd);
  return data;
}

bool WriteAllFd(int fd, std::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) errno = EIO;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

Status WriteFileAtomically(const std::string& path, std::string_view data, mode_t mode) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Unavailable("cannot create " + tmp + ": " + strerror(errno));
  bool ok = fchmod(fd, mode) == 0 && WriteAllFd(fd, data) && fsync(fd) == 0;
  int err = errno;
  if (close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (ok && rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    unlink(tmp.c_str());
    return Unavailable("cannot write " + path + ": " + strerror(err));
  }
  return Status::Ok();
}

}  // namespace vhsm
