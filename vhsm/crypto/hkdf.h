// HKDF (RFC 5869) over HMAC: turns a shared secret from key agreement into
// key material. Built on hmac.h, so it is the same under OpenSSL and
// BoringSSL.
//
// Misuse: ikm must be secret and high-entropy (a DH output), not a
// password; use PBKDF2 for those. Output up to 255 hash lengths.
// Thread-safe (pure).
#ifndef VHSM_CRYPTO_HKDF_H_
#define VHSM_CRYPTO_HKDF_H_

#include "vhsm/base/status.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/digest_alg.h"
#include "vhsm/crypto/secret_bytes.h"

namespace vhsm::crypto {

// Hkdf returns length bytes of HKDF-Expand(HKDF-Extract(salt, ikm), info).
// An empty salt means a hash length of zeros (RFC 5869 section 2.2).
// InvalidArgument for length 0 or above 255 * hash length.
Result<SecretBytes> Hkdf(DigestAlg alg, ByteView ikm, ByteView salt, ByteView info, size_t length);

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_HKDF_H_
