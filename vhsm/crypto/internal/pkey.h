// Internal to vhsm/crypto: what PrivateKey and PublicKey hold (an EVP_PKEY),
// shared by asymmetric_key.cc (parsing, encoding) and asymmetric_ops.cc
// (signatures, decryption, agreement).
#ifndef VHSM_CRYPTO_INTERNAL_PKEY_H_
#define VHSM_CRYPTO_INTERNAL_PKEY_H_

#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/crypto/internal/openssl_util.h"

namespace vhsm::crypto {

struct PrivateKey::Impl {
  internal::EvpPkeyPtr pkey;
};
struct PublicKey::Impl {
  internal::EvpPkeyPtr pkey;
};

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_INTERNAL_PKEY_H_
