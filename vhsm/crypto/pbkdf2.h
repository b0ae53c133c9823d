// PBKDF2-HMAC-SHA256 (RFC 8018), the password-to-key function of the store.
//
// Slow on purpose: at the store's default of 600,000 iterations one call
// takes a few hundred milliseconds. Iterations below 1, or outputs of 0 or
// more than 1024 bytes, are InvalidArgument. Thread-safe.
#ifndef VHSM_CRYPTO_PBKDF2_H_
#define VHSM_CRYPTO_PBKDF2_H_

#include <cstdint>

#include "vhsm/base/status.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/secret_bytes.h"

namespace vhsm::crypto {

Result<SecretBytes> Pbkdf2HmacSha256(ByteView password, ByteView salt, uint32_t iterations,
                                     size_t out_len);

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_PBKDF2_H_
