#include "vhsm/crypto/constant_time.h"

#include <openssl/crypto.h>

namespace vhsm::crypto {

bool ConstantTimeEquals(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace vhsm::crypto
