// AES-256-GCM with a 96-bit nonce and a 128-bit tag (NIST SP 800-38D).
//
// Seal returns ciphertext || tag; Open checks the tag before returning any
// plaintext and fails with DataLoss on any modification of key, nonce, AAD,
// ciphertext or tag. Never seal twice with one (key, nonce): use
// SealWithRandomNonce, which draws a fresh nonce and prepends it, unless the
// caller has a counter of its own. Only 256-bit keys and 96-bit nonces are
// accepted (InvalidArgument otherwise). Thread-safe (no shared state).
#ifndef VHSM_CRYPTO_AEAD_H_
#define VHSM_CRYPTO_AEAD_H_

#include "vhsm/base/status.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/secret_bytes.h"

namespace vhsm::crypto {

inline constexpr size_t kAesGcmKeySize = 32;
inline constexpr size_t kAesGcmNonceSize = 12;
inline constexpr size_t kAesGcmTagSize = 16;

// AesGcmSeal returns ciphertext || tag.
Result<Bytes> AesGcmSeal(ByteView key, ByteView nonce, ByteView plaintext,
                         ByteView aad);
// AesGcmOpen takes ciphertext || tag; DataLoss when the tag does not match.
// The plaintext is returned as a secret since it usually is one.
Result<SecretBytes> AesGcmOpen(ByteView key, ByteView nonce,
                               ByteView ciphertext_and_tag, ByteView aad);

// SealWithRandomNonce returns nonce || ciphertext || tag.
Result<Bytes> AesGcmSealWithRandomNonce(ByteView key, ByteView plaintext,
                                        ByteView aad);
// OpenWithNonce takes nonce || ciphertext || tag.
Result<SecretBytes> AesGcmOpenWithNonce(ByteView key, ByteView sealed,
                                        ByteView aad);

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_AEAD_H_
