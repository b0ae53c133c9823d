// Where a VHSM password comes from, with one rule for everyone (the
// commands, the engine, the provider): a password file's contents less one
// trailing line ending ("\n" or "\r\n"), so "pw\n" and "pw\r\n" both mean
// "pw" and a password may itself end in spaces or "\r".
#ifndef VHSM_API_CREDENTIALS_H_
#define VHSM_API_CREDENTIALS_H_

#include <optional>
#include <string>

#include "vhsm/base/status.h"

namespace vhsm {

// ReadPasswordFile: NotFound when the file cannot be read, InvalidArgument
// when it holds no password. The read buffer is wiped; the caller wipes
// the result when done.
Result<std::string> ReadPasswordFile(const std::string& path);

// PasswordFromEnvironment: $VHSM_PASSWORD, else the file named by
// $VHSM_PASSWORD_FILE; nullopt when neither is set.
std::optional<Result<std::string>> PasswordFromEnvironment();

}  // namespace vhsm

#endif  // VHSM_API_CREDENTIALS_H_
