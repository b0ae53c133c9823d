// Files read and written with read(2) and write(2), for data that may be
// secret (a key file, a password, a plaintext, vhsmd's own keys).
//
// An ifstream copies what it reads through its own buffer, and a string
// grown by appending leaves each smaller copy in freed memory: a secret
// read that way stays in the heap after the caller wipes its string, and
// ends up in a core. ReadWhole* size the buffer from fstat for a regular
// file (one allocation) and otherwise grow it by hand, wiping each buffer
// they leave behind; on error nothing read is kept. The caller wipes the
// result when it holds a secret. Writing goes straight from the caller's
// bytes to the file, with no stream buffer in between.
#ifndef VHSM_BASE_FILE_IO_H_
#define VHSM_BASE_FILE_IO_H_

#include <sys/types.h>

#include <string>
#include <string_view>

#include "vhsm/base/status.h"

namespace vhsm {

// NotFound when path does not exist; Unavailable (path and the system's
// reason) for any other failure.
Result<std::string> ReadWholeFile(const std::string& path);
// Reads fd to its end (a file, a pipe, a terminal); `what` names it in
// errors. Does not close fd.
Result<std::string> ReadWholeFd(int fd, const std::string& what);

// WriteAllFd writes all of data to fd (retrying short writes and EINTR);
// false with errno set on failure.
bool WriteAllFd(int fd, std::string_view data);
// WriteFileAtomically writes path through a temporary file in its
// directory (mode exactly `mode`, synced, renamed over path): readers see
// the old file or the new one, never half of one. Unavailable on failure,
// and the temporary file is gone.
Status WriteFileAtomically(const std::string& path, std::string_view data, mode_t mode);

}  // namespace vhsm

#endif  // VHSM_BASE_FILE_IO_H_
