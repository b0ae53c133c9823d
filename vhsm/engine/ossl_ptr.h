// Internal to vhsm/engine: owning pointers for the OpenSSL objects the
// engine and the provider hold (like vhsm/crypto/internal/openssl_util.h
// for the crypto layer). Every such object is owned by one of these from
// the moment it is made; none is freed by hand.
#ifndef VHSM_ENGINE_OSSL_PTR_H_
#define VHSM_ENGINE_OSSL_PTR_H_

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>

namespace vhsm::engine {

template <typename T, void (*F)(T*)>
struct OsslDeleter {
  void operator()(T* p) const { F(p); }
};
template <typename T, void (*F)(T*)>
using OsslPtr = std::unique_ptr<T, OsslDeleter<T, F>>;

inline void BioFree(BIO* b) { BIO_free(b); }

using BioPtr = OsslPtr<BIO, BioFree>;
using EvpPkeyPtr = OsslPtr<EVP_PKEY, EVP_PKEY_free>;
using EvpMacPtr = OsslPtr<EVP_MAC, EVP_MAC_free>;
using EvpMacCtxPtr = OsslPtr<EVP_MAC_CTX, EVP_MAC_CTX_free>;
using EvpMdPtr = OsslPtr<EVP_MD, EVP_MD_free>;
using EvpMdCtxPtr = OsslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using EvpPkeyCtxPtr = OsslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using EcdsaSigPtr = OsslPtr<ECDSA_SIG, ECDSA_SIG_free>;
// The engine API is deprecated in OpenSSL 3; its owners are still needed.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
using EcKeyPtr = OsslPtr<EC_KEY, EC_KEY_free>;
using EcKeyMethodPtr = OsslPtr<EC_KEY_METHOD, EC_KEY_METHOD_free>;
using RsaPtr = OsslPtr<RSA, RSA_free>;
using RsaMethodPtr = OsslPtr<RSA_METHOD, RSA_meth_free>;
using EvpPkeyMethPtr = OsslPtr<EVP_PKEY_METHOD, EVP_PKEY_meth_free>;
using EvpPkeyAsn1MethPtr = OsslPtr<EVP_PKEY_ASN1_METHOD, EVP_PKEY_asn1_free>;
#pragma GCC diagnostic pop
using OsslLibCtxPtr = OsslPtr<OSSL_LIB_CTX, OSSL_LIB_CTX_free>;

}  // namespace vhsm::engine

#endif  // VHSM_ENGINE_OSSL_PTR_H_
