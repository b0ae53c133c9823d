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

#include <memory>
#include <string>

#include "vhsm/base/status.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/secret_bytes.h"

namespace vhsm::crypto {

inline constexpr size_t kAesGcmKeySize = 32;
inline constexpr size_t kAesGcmNonceSize = 12;
inline constexpr size_t kAesGcmTagSize = 16;

// AesGcmSeal returns ciphertext || tag.
Result<Bytes> AesGcmSeal(ByteView key, ByteView nonce, ByteView plaintext, ByteView aad);
// AesGcmOpen takes ciphertext || tag; DataLoss when the tag does not match.
// The plaintext is returned as a secret since it usually is one.
Result<SecretBytes> AesGcmOpen(ByteView key, ByteView nonce, ByteView ciphertext_and_tag,
                               ByteView aad);

// SealWithRandomNonce returns nonce || ciphertext || tag.
Result<Bytes> AesGcmSealWithRandomNonce(ByteView key, ByteView plaintext, ByteView aad);
// OpenWithNonce takes nonce || ciphertext || tag.
Result<SecretBytes> AesGcmOpenWithNonce(ByteView key, ByteView sealed, ByteView aad);

// AesGcmKey: one AES-256-GCM key, expanded once, for many messages (the
// secure channel's transport keys). Seal/Open write into a caller's buffer,
// which the caller reuses and wipes: no allocation, no key schedule, no
// cipher fetch per message. Misuse: never reuse a nonce with one key (the
// caller's counter guarantees it). Not thread-safe per object; move-only;
// the expanded key is wiped on destruction.
class AesGcmKey {
 public:
  static Result<AesGcmKey> Create(ByteView key);
  AesGcmKey(AesGcmKey&&) noexcept;
  AesGcmKey& operator=(AesGcmKey&&) noexcept;
  ~AesGcmKey();

  // Seal sets *out to ciphertext || tag.
  Status Seal(ByteView nonce, ByteView plaintext, ByteView aad, std::string* out);
  // Open sets *out to the plaintext; DataLoss (and *out wiped, empty) when
  // the tag does not match.
  Status Open(ByteView nonce, ByteView ciphertext_and_tag, ByteView aad, std::string* out);

 private:
  struct Ctx;
  explicit AesGcmKey(std::unique_ptr<Ctx> ctx);
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_AEAD_H_
