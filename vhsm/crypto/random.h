// Random bytes from libcrypto's CSPRNG, seeded by the OS. Use these for salts,
// nonces, session ids and keys; never rand() or std::random_device directly.
// Thread-safe.
#ifndef VHSM_CRYPTO_RANDOM_H_
#define VHSM_CRYPTO_RANDOM_H_

#include <cstddef>

#include "vhsm/base/status.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/secret_bytes.h"

namespace vhsm::crypto {

// RandomBytes returns n random bytes, or Internal if the generator failed.
Result<Bytes> RandomBytes(size_t n);
// RandomSecret is RandomBytes for secrets (keys, master keys).
Result<SecretBytes> RandomSecret(size_t n);

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_RANDOM_H_
