// AES key wrap: RFC 3394 (KW, input a multiple of 8 bytes, at least 16) and
// RFC 5649 (KWP, any length from 1 byte). Wrapping carries its own
// integrity check (a 64-bit or 32-bit IV check, not an AEAD tag: do not use
// it for data). VHSM wraps keys for `vhsm key export --wrap-with` with KWP.
// Keys are 16, 24 or 32 bytes. Unwrap refuses any damaged input with one
// message. Thread-safe (pure).
#ifndef VHSM_CRYPTO_KEY_WRAP_H_
#define VHSM_CRYPTO_KEY_WRAP_H_

#include "vhsm/base/status.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/secret_bytes.h"

namespace vhsm::crypto {

enum class WrapMode { kKw, kKwp };

// AesKeyWrap wraps key material under kek; InvalidArgument for a bad KEK
// size or an input KW cannot take.
Result<Bytes> AesKeyWrap(WrapMode mode, ByteView kek, ByteView plaintext);
// AesKeyUnwrap unwraps; InvalidArgument "key unwrap failed" for anything
// that does not check out.
Result<SecretBytes> AesKeyUnwrap(WrapMode mode, ByteView kek, ByteView wrapped);

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_KEY_WRAP_H_
