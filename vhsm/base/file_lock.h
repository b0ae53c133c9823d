// An exclusive lock on a file, held for as long as its UniqueFd is open:
// how one process claims something that two must never use at once (one
// vhsmd per SQLite store). flock(2), so the kernel drops the lock when the
// holder dies, however it dies; no stale lock to clean up by hand.
//
// Misuse: flock locks do not work across NFS mounts; keep such a file on a
// local file system. The lock file is left behind on purpose (removing it
// would let a second process lock a fresh inode while the first holds the
// old one).
#ifndef VHSM_BASE_FILE_LOCK_H_
#define VHSM_BASE_FILE_LOCK_H_

#include <string>

#include "vhsm/base/status.h"
#include "vhsm/base/unique_fd.h"

namespace vhsm {

// LockFileExclusive creates path if needed (mode 0600), locks it without
// waiting and writes this process's pid into it. FailedPrecondition ("PATH
// is locked by process N", N as the holder wrote it) when another open file
// holds the lock, in this process or another; Unavailable with the system's
// reason when the file cannot be opened or locked.
Result<UniqueFd> LockFileExclusive(const std::string& path);

}  // namespace vhsm

#endif  // VHSM_BASE_FILE_LOCK_H_
