#include "vhsm/crypto/internal/openssl_util.h"

#include <openssl/err.h>

namespace vhsm::crypto::internal {

Status OpenSslError(const std::string& what) {
  std::string message = what;
  bool first = true;
  unsigned long err;  // NOLINT: libcrypto's type
  while ((err = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof(buf));
    message += first ? ": " : "; ";
    message += buf;
    first = false;
  }
  return Internal(message);
}

void ClearErrors() { ERR_clear_error(); }

}  // namespace vhsm::crypto::internal
