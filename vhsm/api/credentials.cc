#include "vhsm/api/credentials.h"

#include <string.h>

#include <cstdlib>
#include <utility>

#include "vhsm/base/file_io.h"

namespace vhsm {

Result<std::string> ReadPasswordFile(const std::string& path) {
  Result<std::string> read = ReadWholeFile(path);
  if (!read.ok()) return NotFound("cannot read password file " + path);
  std::string pw = std::move(read).value();
  size_t end = pw.size();
  if (end > 0 && pw[end - 1] == '\n') {
    --end;
    if (end > 0 && pw[end - 1] == '\r') --end;
  }
  pw.resize(end);  // in place: no second copy of the password
  if (pw.empty()) return InvalidArgument("password file " + path + " is empty");
  return pw;
}

std::optional<Result<std::string>> PasswordFromEnvironment() {
  if (const char* env = std::getenv("VHSM_PASSWORD"); env != nullptr && *env != '\0') {
    return Result<std::string>(std::string(env));
  }
  if (const char* env = std::getenv("VHSM_PASSWORD_FILE"); env != nullptr && *env != '\0') {
    return ReadPasswordFile(env);
  }
  return std::nullopt;
}

}  // namespace vhsm
