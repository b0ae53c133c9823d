// Internal to vhsm/crypto: owning pointers for libcrypto objects and the
// conversion of libcrypto's error queue into a Status. Works with OpenSSL 3
// and BoringSSL. Nothing outside vhsm/crypto may include this file.
#ifndef VHSM_CRYPTO_INTERNAL_OPENSSL_UTIL_H_
#define VHSM_CRYPTO_INTERNAL_OPENSSL_UTIL_H_

#include <openssl/bio.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

#include "vhsm/base/status.h"

namespace vhsm::crypto::internal {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};

using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EvpCipherCtxPtr =
    std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;

inline void BioFreeAll(BIO* b) { BIO_free_all(b); }
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BioFreeAll>>;

// OpenSslError returns an Internal status "WHAT: <libcrypto errors>" and
// empties the calling thread's error queue.
Status OpenSslError(const std::string& what);

// ClearErrors empties the calling thread's error queue (after an expected
// failure, e.g. a signature that does not verify).
void ClearErrors();

}  // namespace vhsm::crypto::internal

#endif  // VHSM_CRYPTO_INTERNAL_OPENSSL_UTIL_H_
