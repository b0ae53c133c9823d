// Internal to the engine (engine.cc, engine_keys.cc, engine_hmac.cc): its state, errors,
// client, and the HMAC methods Bind registers. Not for use elsewhere.
#ifndef VHSM_ENGINE_INTERNAL_ENGINE_COMMON_H_
#define VHSM_ENGINE_INTERNAL_ENGINE_COMMON_H_

#include <openssl/engine.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

#include "vhsm/base/status.h"
#include "vhsm/engine/connection.h"
#include "vhsm/engine/ossl_ptr.h"

namespace vhsm::engine::engine_internal {

// Owns the four methods it makes. Once Bind has registered them, OpenSSL
// frees the two pkey methods itself when the ENGINE goes (engine_free_util
// calls engine_pkey_meths_free and engine_pkey_asn1_meths_free before the
// destroy function), so Destroy lets go of those two and frees the EC and
// RSA methods; a failed Bind frees all four.
struct EngineState {
  Connection connection;
  int ec_ex_index = -1;
  int rsa_ex_index = -1;
  EcKeyMethodPtr ec_method;
  RsaMethodPtr rsa_method;
  EvpPkeyMethPtr hmac_pmeth;
  EvpPkeyAsn1MethPtr hmac_ameth;
};

// The engine loaded into this process (the shared object is loaded once per
// ENGINE; OpenSSL gives callbacks no user pointer for methods).
extern EngineState* g_state;

// RaiseError puts "vhsm engine: message" on OpenSSL's error queue.
void RaiseError(const std::string& message);
void RaiseStatus(const Status& s);
// ClientOrRaise returns the logged-in client, or null with an error raised.
std::shared_ptr<Client> ClientOrRaise();

// The key methods (engine_keys.cc): InitKeyMethods makes st's EC and RSA
// methods and ex-data indexes; false on failure. LoadPrivateKey and
// LoadPublicKey are the ENGINE's key loaders.
bool InitKeyMethods(EngineState* st);
EVP_PKEY* LoadPrivateKey(ENGINE* e, const char* id, UI_METHOD*, void*);
EVP_PKEY* LoadPublicKey(ENGINE* e, const char* id, UI_METHOD*, void*);

// The HMAC pkey and ASN.1 methods (engine_hmac.cc).
int HmacSetPrivKey(EVP_PKEY* pkey, const unsigned char* priv, size_t len);
void HmacFreeKey(EVP_PKEY* pkey);
int HmacKeySize(const EVP_PKEY*);
int HmacInit(EVP_PKEY_CTX* ctx);
int HmacCopy(EVP_PKEY_CTX* dst, const EVP_PKEY_CTX* src);
void HmacCleanup(EVP_PKEY_CTX* ctx);
int HmacCtrl(EVP_PKEY_CTX* ctx, int type, int p1, void* p2);
int HmacSignctxInit(EVP_PKEY_CTX* ctx, EVP_MD_CTX* mctx);
int HmacSignctx(EVP_PKEY_CTX* ctx, unsigned char* sig, size_t* siglen, EVP_MD_CTX* mctx);

}  // namespace vhsm::engine::engine_internal

#endif  // VHSM_ENGINE_INTERNAL_ENGINE_COMMON_H_
