#include "vhsm/crypto/random.h"

#include <openssl/rand.h>

#include "vhsm/crypto/internal/openssl_util.h"

namespace vhsm::crypto {

Result<Bytes> RandomBytes(size_t n) {
  Bytes out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
    return internal::OpenSslError("RAND_bytes failed");
  }
  return out;
}

Result<SecretBytes> RandomSecret(size_t n) {
  SecretBytes out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
    return internal::OpenSslError("RAND_bytes failed");
  }
  return out;
}

}  // namespace vhsm::crypto
