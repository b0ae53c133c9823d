#include "vhsm/base/read_file.h"

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
  if (fd < 0) return NotFound("cannot read " + path + ": " + strerror(errno));
  Result<std::string> data = ReadWholeFd(fd, path);
  close(fd);
  return data;
}

}  // namespace vhsm
