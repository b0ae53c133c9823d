// ECDSA signature encodings: DER (what OpenSSL and X.509 use) and the raw
// r || s of fixed width (what PKCS#11 and JOSE use). Pure byte handling,
// thread-safe.
#ifndef VHSM_CRYPTO_ECDSA_SIG_H_
#define VHSM_CRYPTO_ECDSA_SIG_H_

#include "vhsm/base/status.h"
#include "vhsm/crypto/bytes.h"

namespace vhsm::crypto {

// EcdsaDerToRaw: SEQUENCE { INTEGER r, INTEGER s } to r || s, each n bytes
// (32 for P-256, 48 for P-384). InvalidArgument for anything else.
Result<Bytes> EcdsaDerToRaw(ByteView der, size_t n);
// EcdsaRawToDer: r || s (even length) to DER.
Result<Bytes> EcdsaRawToDer(ByteView raw);

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_ECDSA_SIG_H_
