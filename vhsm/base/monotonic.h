// MonotonicNs: CLOCK_MONOTONIC in nanoseconds (a vDSO call, no system call),
// for measuring short waits: the daemon's and libvhsm's spin windows.
#ifndef VHSM_BASE_MONOTONIC_H_
#define VHSM_BASE_MONOTONIC_H_

#include <time.h>

#include <cstdint>

namespace vhsm {

inline int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace vhsm

#endif  // VHSM_BASE_MONOTONIC_H_
