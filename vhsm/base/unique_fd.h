// UniqueFd: a file descriptor owned by one object and closed when it goes.
// Move-only. Misuse: close()ing get() by hand double-closes; release() it.
#ifndef VHSM_BASE_UNIQUE_FD_H_
#define VHSM_BASE_UNIQUE_FD_H_

#include <unistd.h>

namespace vhsm {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(o.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace vhsm

#endif  // VHSM_BASE_UNIQUE_FD_H_
