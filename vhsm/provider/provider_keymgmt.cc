// The provider's EC, ED25519 and RSA key management.
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <string.h>

#include <memory>
#include <string>
#include <utility>

#include "vhsm/provider/internal/provider_common.h"

namespace vhsm::engine::provider {
namespace {

// ---- keymgmt ---------------------------------------------------------------------------

template <Kind K>
void* KmNew(void* provctx) {
  auto k = std::make_shared<Key>();
  k->pc = static_cast<ProvCtx*>(provctx);
  k->kind = K;
  return NewKeyData(std::move(k));
}

void KmFree(void* keydata) { FreeKeyData(keydata); }

// The store passes a reference to a keydata pointer it holds; loading takes a
// reference of our own.
void* KmLoad(const void* reference, size_t size) {
  const void* keydata = nullptr;
  if (size != sizeof(keydata)) return nullptr;
  memcpy(&keydata, reference, sizeof(keydata));
  return keydata == nullptr ? nullptr : NewKeyData(KeyDataOf(keydata));
}

int KmHas(const void* keydata, int selection) {
  const Key* k = KeyOf(keydata);
  if (k == nullptr) return 0;
  if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) == 0) return 1;  // nothing required
  if (k->pub == nullptr) return 0;
  if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) && !k->has_private) return 0;
  return 1;
}

int KmSetParams(void* keydata, const OSSL_PARAM params[]) {
  Key* k = KeyOf(keydata);
  if (k->pub == nullptr || !k->key_id.empty()) return k->pub == nullptr ? 0 : 1;
  return EVP_PKEY_set_params(k->pub.get(), const_cast<OSSL_PARAM*>(params));
}

const OSSL_PARAM* KmSettableParams(void*) {
  static const OSSL_PARAM kParams[] = {
      OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0), OSSL_PARAM_END};
  return kParams;
}

int KmGetParams(void* keydata, OSSL_PARAM params[]) {
  Key* k = KeyOf(keydata);
  if (k->pub == nullptr) return 0;
  // Bits, security bits, max size, group, public key, default digest: the
  // default provider knows them from the public key.
  return EVP_PKEY_get_params(k->pub.get(), params);
}

const OSSL_PARAM* KmGettableParams(void* provctx) {
  static const OSSL_PARAM kParams[] = {
      OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, nullptr),
      OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, nullptr),
      OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, nullptr),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
      OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0),
      OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0),
      OSSL_PARAM_END};
  return kParams;
}

int KmExport(void* keydata, int selection, OSSL_CALLBACK* cb, void* cbarg) {
  Key* k = KeyOf(keydata);
  if (k->pub == nullptr) return 0;
  EVP_PKEY* from = k->pub.get();
  if (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) {
    // A VHSM private key cannot be exported: that is the point. Said, so
    // that `openssl pkey -in vhsm:K` does not fail without a word.
    if (k->full == nullptr) {
      Raise(k->pc, "the private part of key '" + k->key_id + "' never leaves vhsmd");
      return 0;
    }
    from = k->full.get();
  }
  OSSL_PARAM* params = nullptr;
  if (EVP_PKEY_todata(from, selection, &params) != 1) return 0;
  int ok = cb(params, cbarg);
  OSSL_PARAM_free(params);
  return ok;
}

template <Kind K>
const OSSL_PARAM* KmIoTypes(int) {
  static const OSSL_PARAM kEcTypes[] = {
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, nullptr, 0),
      OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0),
      OSSL_PARAM_BN(OSSL_PKEY_PARAM_PRIV_KEY, nullptr, 0),
      OSSL_PARAM_END};
  static const OSSL_PARAM kEdTypes[] = {
      OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0),
      OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PRIV_KEY, nullptr, 0), OSSL_PARAM_END};
  static const OSSL_PARAM kRsaTypes[] = {
      OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, nullptr, 0),
      OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, nullptr, 0),
      OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_D, nullptr, 0),
      OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_FACTOR1, nullptr, 0),
      OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_FACTOR2, nullptr, 0),
      OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_EXPONENT1, nullptr, 0),
      OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_EXPONENT2, nullptr, 0),
      OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_COEFFICIENT1, nullptr, 0),
      OSSL_PARAM_END};
  return K == Kind::kEc ? kEcTypes : K == Kind::kEd ? kEdTypes : kRsaTypes;
}

// KmImport makes an ordinary key (public, private or domain parameters only)
// in the default provider.
template <Kind K>
int KmImport(void* keydata, int selection, const OSSL_PARAM params[]) {
  Key* k = KeyOf(keydata);
  if (!k->key_id.empty()) return 0;
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(k->pc->libctx, KindName(K), nullptr));
  EVP_PKEY* pkey = nullptr;
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, selection, const_cast<OSSL_PARAM*>(params)) != 1) {
    return 0;
  }
  EvpPkeyPtr owned(pkey);
  SetOrdinary(k, pkey, (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0);
  return 1;
}

// Key generation: always ordinary keys, by the default provider (VHSM keys
// are generated with `vhsm key generate`, inside vhsmd).
struct GenCtx {
  ProvCtx* pc;
  Kind kind;
  EvpPkeyCtxPtr ctx;
  int selection;
};

template <Kind K>
void* KmGenInit(void* provctx, int selection, const OSSL_PARAM params[]) {
  auto* pc = static_cast<ProvCtx*>(provctx);
  std::unique_ptr<GenCtx> g(
      new GenCtx{pc, K, EvpPkeyCtxPtr(EVP_PKEY_CTX_new_from_name(pc->libctx, KindName(K), nullptr)),
                 selection});
  EVP_PKEY_CTX* ctx = g->ctx.get();
  bool keypair = (selection & OSSL_KEYMGMT_SELECT_KEYPAIR) != 0;
  if (ctx == nullptr || (keypair ? EVP_PKEY_keygen_init(ctx) : EVP_PKEY_paramgen_init(ctx)) != 1 ||
      (params != nullptr && EVP_PKEY_CTX_set_params(ctx, params) != 1)) {
    return nullptr;
  }
  return g.release();
}

int KmGenSetParams(void* genctx, const OSSL_PARAM params[]) {
  auto* g = static_cast<GenCtx*>(genctx);
  return EVP_PKEY_CTX_set_params(g->ctx.get(), params);
}

template <Kind K>
const OSSL_PARAM* KmGenSettableParams(void*, void*) {
  static const OSSL_PARAM kEcParams[] = {
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, nullptr, 0),
      OSSL_PARAM_END};
  static const OSSL_PARAM kRsaParams[] = {OSSL_PARAM_size_t(OSSL_PKEY_PARAM_RSA_BITS, nullptr),
                                          OSSL_PARAM_size_t(OSSL_PKEY_PARAM_RSA_PRIMES, nullptr),
                                          OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, nullptr, 0),
                                          OSSL_PARAM_END};
  static const OSSL_PARAM kNone[] = {OSSL_PARAM_END};
  return K == Kind::kEc ? kEcParams : K == Kind::kRsa ? kRsaParams : kNone;
}

int KmGenSetTemplate(void* genctx, void* templ) {
  auto* g = static_cast<GenCtx*>(genctx);
  Key* t = KeyOf(templ);
  if (t == nullptr || t->pub == nullptr) return 1;
  // Take the template's domain parameters (the curve).
  OSSL_PARAM* params = nullptr;
  if (EVP_PKEY_todata(t->pub.get(), EVP_PKEY_KEY_PARAMETERS, &params) != 1) return 0;
  int ok = EVP_PKEY_CTX_set_params(g->ctx.get(), params);
  OSSL_PARAM_free(params);
  return ok;
}

void* KmGen(void* genctx, OSSL_CALLBACK*, void*) {
  auto* g = static_cast<GenCtx*>(genctx);
  EVP_PKEY* pkey = nullptr;
  bool keypair = (g->selection & OSSL_KEYMGMT_SELECT_KEYPAIR) != 0;
  if ((keypair ? EVP_PKEY_generate(g->ctx.get(), &pkey) : EVP_PKEY_paramgen(g->ctx.get(), &pkey)) !=
      1) {
    return nullptr;
  }
  EvpPkeyPtr owned(pkey);
  auto k = std::make_shared<Key>();
  k->pc = g->pc;
  k->kind = g->kind;
  SetOrdinary(k.get(), pkey, keypair);
  return NewKeyData(std::move(k));
}

void KmGenCleanup(void* genctx) { delete static_cast<GenCtx*>(genctx); }

int KmMatch(const void* a, const void* b, int) {
  const Key* ka = KeyOf(a);
  const Key* kb = KeyOf(b);
  return ka != nullptr && kb != nullptr && ka->pub != nullptr && kb->pub != nullptr &&
         EVP_PKEY_eq(ka->pub.get(), kb->pub.get()) == 1;
}

template <Kind K>
const char* KmOperationName(int operation_id) {
  switch (operation_id) {
    case OSSL_OP_SIGNATURE:
      return K == Kind::kEc ? "ECDSA" : K == Kind::kEd ? "ED25519" : "RSA";
    case OSSL_OP_KEYEXCH:
      return K == Kind::kEc ? "ECDH" : nullptr;
    default:
      return nullptr;
  }
}

// One table for every key type; only the type-dependent entries differ.
template <Kind K>
const OSSL_DISPATCH kKeymgmtTable[] = {
    FN(OSSL_FUNC_KEYMGMT_NEW, KmNew<K>),
    FN(OSSL_FUNC_KEYMGMT_GEN_INIT, KmGenInit<K>),
    FN(OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS, KmGenSetParams),
    FN(OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS, KmGenSettableParams<K>),
    FN(OSSL_FUNC_KEYMGMT_GEN_SET_TEMPLATE, KmGenSetTemplate),
    FN(OSSL_FUNC_KEYMGMT_GEN, KmGen),
    FN(OSSL_FUNC_KEYMGMT_GEN_CLEANUP, KmGenCleanup),
    FN(OSSL_FUNC_KEYMGMT_SET_PARAMS, KmSetParams),
    FN(OSSL_FUNC_KEYMGMT_SETTABLE_PARAMS, KmSettableParams),
    FN(OSSL_FUNC_KEYMGMT_FREE, KmFree),
    FN(OSSL_FUNC_KEYMGMT_LOAD, KmLoad),
    FN(OSSL_FUNC_KEYMGMT_HAS, KmHas),
    FN(OSSL_FUNC_KEYMGMT_GET_PARAMS, KmGetParams),
    FN(OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, KmGettableParams),
    FN(OSSL_FUNC_KEYMGMT_EXPORT, KmExport),
    FN(OSSL_FUNC_KEYMGMT_EXPORT_TYPES, KmIoTypes<K>),
    FN(OSSL_FUNC_KEYMGMT_IMPORT, KmImport<K>),
    FN(OSSL_FUNC_KEYMGMT_IMPORT_TYPES, KmIoTypes<K>),
    FN(OSSL_FUNC_KEYMGMT_MATCH, KmMatch),
    FN(OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, KmOperationName<K>),
    {0, nullptr}};

}  // namespace

const OSSL_DISPATCH* const kEcKeymgmt = kKeymgmtTable<Kind::kEc>;
const OSSL_DISPATCH* const kEdKeymgmt = kKeymgmtTable<Kind::kEd>;
const OSSL_DISPATCH* const kRsaKeymgmt = kKeymgmtTable<Kind::kRsa>;

}  // namespace vhsm::engine::provider
