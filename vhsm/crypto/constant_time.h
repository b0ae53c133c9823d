// ConstantTimeEquals compares MACs, tags and tokens without leaking, through
// timing, where the first difference is. The lengths are not secret: unequal
// lengths return false at once. Thread-safe.
#ifndef VHSM_CRYPTO_CONSTANT_TIME_H_
#define VHSM_CRYPTO_CONSTANT_TIME_H_

#include "vhsm/crypto/bytes.h"

namespace vhsm::crypto {

bool ConstantTimeEquals(ByteView a, ByteView b);

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_CONSTANT_TIME_H_
