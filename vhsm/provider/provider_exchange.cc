// The provider's ECDH, for ordinary EC keys only.
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <string.h>

#include <string>

#include "vhsm/provider/internal/provider_common.h"

namespace vhsm::engine::provider {
namespace {

// ---- ECDH, for ordinary EC keys only (see Key) ------------------------------------------

struct ExchCtx {
  explicit ExchCtx(ProvCtx* p) : pc(p) {}
  ProvCtx* pc;
  EvpPkeyCtxPtr delegate;
};

void* ExchNew(void* provctx) { return new ExchCtx(static_cast<ProvCtx*>(provctx)); }

void ExchFree(void* ctx) { delete static_cast<ExchCtx*>(ctx); }

void* ExchDup(void* ctx) {
  auto* x = static_cast<ExchCtx*>(ctx);
  auto* d = new ExchCtx(x->pc);
  if (x->delegate != nullptr) d->delegate.reset(EVP_PKEY_CTX_dup(x->delegate.get()));
  return d;
}

int ExchInit(void* ctx, void* provkey, const OSSL_PARAM params[]) {
  auto* x = static_cast<ExchCtx*>(ctx);
  const Key* k = KeyOf(provkey);
  if (k == nullptr || k->full == nullptr) {
    Raise(x->pc, "key exchange with a VHSM key is not supported");
    return 0;
  }
  x->delegate.reset(EVP_PKEY_CTX_new_from_pkey(x->pc->libctx, k->full.get(), nullptr));
  return x->delegate != nullptr && EVP_PKEY_derive_init_ex(x->delegate.get(), params) == 1;
}

int ExchSetPeer(void* ctx, void* provpeer) {
  auto* x = static_cast<ExchCtx*>(ctx);
  const Key* peer = KeyOf(provpeer);
  return x->delegate != nullptr && peer != nullptr && peer->pub != nullptr &&
         EVP_PKEY_derive_set_peer(x->delegate.get(), peer->pub.get()) == 1;
}

int ExchDerive(void* ctx, unsigned char* secret, size_t* secretlen, size_t outlen) {
  auto* x = static_cast<ExchCtx*>(ctx);
  if (x->delegate == nullptr) return 0;
  *secretlen = outlen;
  return EVP_PKEY_derive(x->delegate.get(), secret, secretlen) == 1;
}

int ExchSetParams(void* ctx, const OSSL_PARAM params[]) {
  auto* x = static_cast<ExchCtx*>(ctx);
  return x->delegate != nullptr && EVP_PKEY_CTX_set_params(x->delegate.get(), params) == 1;
}

const OSSL_PARAM* ExchSettableParams(void*, void*) {
  static const OSSL_PARAM kParams[] = {
      OSSL_PARAM_int(OSSL_EXCHANGE_PARAM_EC_ECDH_COFACTOR_MODE, nullptr),
      OSSL_PARAM_utf8_string(OSSL_EXCHANGE_PARAM_KDF_TYPE, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_EXCHANGE_PARAM_KDF_DIGEST, nullptr, 0),
      OSSL_PARAM_size_t(OSSL_EXCHANGE_PARAM_KDF_OUTLEN, nullptr),
      OSSL_PARAM_octet_string(OSSL_EXCHANGE_PARAM_KDF_UKM, nullptr, 0),
      OSSL_PARAM_END};
  return kParams;
}

}  // namespace

const OSSL_DISPATCH kEcdh[] = {FN(OSSL_FUNC_KEYEXCH_NEWCTX, ExchNew),
                               FN(OSSL_FUNC_KEYEXCH_FREECTX, ExchFree),
                               FN(OSSL_FUNC_KEYEXCH_DUPCTX, ExchDup),
                               FN(OSSL_FUNC_KEYEXCH_INIT, ExchInit),
                               FN(OSSL_FUNC_KEYEXCH_SET_PEER, ExchSetPeer),
                               FN(OSSL_FUNC_KEYEXCH_DERIVE, ExchDerive),
                               FN(OSSL_FUNC_KEYEXCH_SET_CTX_PARAMS, ExchSetParams),
                               FN(OSSL_FUNC_KEYEXCH_SETTABLE_CTX_PARAMS, ExchSettableParams),
                               {0, nullptr}};

}  // namespace vhsm::engine::provider
