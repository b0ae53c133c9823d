// ReadWholeFile / ReadWholeFd: all of a file's bytes, read with read(2) into
// one buffer the caller owns.
//
// An ifstream copies what it reads through its own buffer, and a string
// grown by appending leaves each smaller copy in freed memory: a key file,
// a password or a plaintext read that way stays in the heap after the
// caller wipes its string, and ends up in a core. These size the buffer
// from fstat for a regular file (one allocation) and otherwise grow it by
// hand, wiping each buffer they leave behind; on error nothing read is
// kept. The caller wipes the result when it holds a secret.
#ifndef VHSM_BASE_READ_FILE_H_
#define VHSM_BASE_READ_FILE_H_

#include <string>

#include "vhsm/base/status.h"

namespace vhsm {

// NotFound (path and the system's reason) when it cannot be opened.
Result<std::string> ReadWholeFile(const std::string& path);
// Reads fd to its end (a file, a pipe, a terminal); `what` names it in
// errors. Does not close fd.
Result<std::string> ReadWholeFd(int fd, const std::string& what);

}  // namespace vhsm

#endif  // VHSM_BASE_READ_FILE_H_
