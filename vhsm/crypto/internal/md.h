// Internal to vhsm/crypto: the libcrypto EVP_MD for a DigestAlg.
#ifndef VHSM_CRYPTO_INTERNAL_MD_H_
#define VHSM_CRYPTO_INTERNAL_MD_H_

#include <openssl/err.h>
#include <openssl/evp.h>

#include <atomic>

#include "vhsm/crypto/digest_alg.h"

namespace vhsm::crypto::internal {

// LegacyMd: libcrypto's built-in EVP_MD (OpenSSL 3 fetches it again on
// every init that uses it).
inline const EVP_MD* LegacyMd(DigestAlg alg) {
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

inline const EVP_MD* EvpMd(DigestAlg alg) {
#if defined(OPENSSL_IS_BORINGSSL) || OPENSSL_VERSION_NUMBER < 0x30000000L
  return LegacyMd(alg);
#else
  // Fetched once, kept for the process: OpenSSL 3 fetches an EVP_sha256()
  // again on every EVP_DigestInit_ex or EVP_DigestSignInit (a name lookup
  // in the provider tables under a lock; 9 % of the audit writer's time).
  // A fetch that fails (no provider loaded yet, inside a program that loads
  // its providers itself) is not kept: the implicit fetch serves, as before.
  static std::atomic<EVP_MD*> cache[4];
  const int i = static_cast<int>(alg);  // kSha1, kSha256, kSha384, kSha512
  EVP_MD* md = cache[i].load(std::memory_order_acquire);
  if (md != nullptr) return md;
  md = EVP_MD_fetch(nullptr, EVP_MD_get0_name(LegacyMd(alg)), nullptr);
  if (md == nullptr) {
    ERR_clear_error();
    return LegacyMd(alg);
  }
  EVP_MD* expected = nullptr;
  if (!cache[i].compare_exchange_strong(expected, md, std::memory_order_acq_rel)) {
    EVP_MD_free(md);  // another thread kept its own first
    return expected;
  }
  return md;
#endif
}

}  // namespace vhsm::crypto::internal

#endif  // VHSM_CRYPTO_INTERNAL_MD_H_
