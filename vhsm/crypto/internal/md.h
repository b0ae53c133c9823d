// Internal to vhsm/crypto: the libcrypto EVP_MD for a DigestAlg.
#ifndef VHSM_CRYPTO_INTERNAL_MD_H_
#define VHSM_CRYPTO_INTERNAL_MD_H_

#include <openssl/evp.h>

#include "vhsm/crypto/digest_alg.h"

namespace vhsm::crypto::internal {

inline const EVP_MD* EvpMd(DigestAlg alg) {
  switch (alg) {
    case DigestAlg::kSha1:
      return EVP_sha1();
    case DigestAlg::kSha256:
      return EVP_sha256();
    case DigestAlg::kSha384:
      return EVP_sha384();
    case DigestAlg::kSha512:
      return EVP_sha512();
  }
  return nullptr;
}

}  // namespace vhsm::crypto::internal

#endif  // VHSM_CRYPTO_INTERNAL_MD_H_
