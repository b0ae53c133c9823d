#include "vhsm/api/credentials.h"

#include <string.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace vhsm {

Result<std::string> ReadPasswordFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read password file " + path);
  std::string pw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t end = pw.size();
  if (end > 0 && pw[end - 1] == '\n') {
    --end;
    if (end > 0 && pw[end - 1] == '\r') --end;
  }
  std::string out = pw.substr(0, end);
  if (!pw.empty()) explicit_bzero(pw.data(), pw.size());
  if (out.empty()) return InvalidArgument("password file " + path + " is empty");
  return out;
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
