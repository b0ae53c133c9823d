// The provider's EC and ED25519 key management.
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

// ---- keymgmt ---------------------------------------------------------------------------

template <bool kEc>
void* KmNew(void* provctx) {
  auto* k = new Key();
  k->pc = static_cast<ProvCtx*>(provctx);
  k->is_ec = kEc;
  return k;
}

void KmFree(void* keydata) { KeyUnref(static_cast<Key*>(keydata)); }

void* KmLoad(const void* reference, size_t size) {
  if (size != sizeof(Key*)) return nullptr;
  Key* k = nullptr;
  memcpy(&k, reference, sizeof(k));
  return KeyRef(k);
}

int KmHas(const void* keydata, int selection) {
  auto* k = static_cast<const Key*>(keydata);
  if (k == nullptr) return 0;
  if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) == 0) return 1;  // nothing required
  if (k->pub == nullptr) return 0;
  if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) && !k->has_private) return 0;
  return 1;
}

int KmSetParams(void* keydata, const OSSL_PARAM params[]) {
  auto* k = static_cast<Key*>(keydata);
  if (k->pub == nullptr || !k->key_id.empty()) return k->pub == nullptr ? 0 : 1;
  return EVP_PKEY_set_params(k->pub, const_cast<OSSL_PARAM*>(params));
}

const OSSL_PARAM* KmSettableParams(void*) {
  static const OSSL_PARAM kParams[] = {
      OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0), OSSL_PARAM_END};
  return kParams;
}

int KmGetParams(void* keydata, OSSL_PARAM params[]) {
  auto* k = static_cast<Key*>(keydata);
  if (k->pub == nullptr) return 0;
  // Bits, security bits, max size, group, public key, default digest: the
  // default provider knows them from the public key.
  return EVP_PKEY_get_params(k->pub, params);
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
  auto* k = static_cast<Key*>(keydata);
  if (k->pub == nullptr) return 0;
  EVP_PKEY* from = k->pub;
  if (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) {
    // A VHSM private key cannot be exported: that is the point.
    if (k->full == nullptr) return 0;
    from = k->full;
  }
  OSSL_PARAM* params = nullptr;
  if (EVP_PKEY_todata(from, selection, &params) != 1) return 0;
  int ok = cb(params, cbarg);
  OSSL_PARAM_free(params);
  return ok;
}

template <bool kEc>
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
  return kEc ? kEcTypes : kEdTypes;
}

// KmImport makes an ordinary key (public, private or domain parameters only)
// in the default provider.
template <bool kEc>
int KmImport(void* keydata, int selection, const OSSL_PARAM params[]) {
  auto* k = static_cast<Key*>(keydata);
  if (!k->key_id.empty()) return 0;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(k->pc->libctx, kEc ? "EC" : "ED25519", nullptr);
  EVP_PKEY* pkey = nullptr;
  int ok = ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1 &&
           EVP_PKEY_fromdata(ctx, &pkey, selection, const_cast<OSSL_PARAM*>(params)) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!ok) return 0;
  SetOrdinary(k, pkey, (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0);
  EVP_PKEY_free(pkey);
  return 1;
}

// Key generation: always ordinary keys, by the default provider (VHSM keys
// are generated with `vhsm key generate`, inside vhsmd).
struct GenCtx {
  ProvCtx* pc;
  bool is_ec;
  EVP_PKEY_CTX* ctx;
  int selection;
};

template <bool kEc>
void* KmGenInit(void* provctx, int selection, const OSSL_PARAM params[]) {
  auto* pc = static_cast<ProvCtx*>(provctx);
  auto* g = new GenCtx{
      pc, kEc, EVP_PKEY_CTX_new_from_name(pc->libctx, kEc ? "EC" : "ED25519", nullptr), selection};
  bool keypair = (selection & OSSL_KEYMGMT_SELECT_KEYPAIR) != 0;
  if (g->ctx == nullptr ||
      (keypair ? EVP_PKEY_keygen_init(g->ctx) : EVP_PKEY_paramgen_init(g->ctx)) != 1 ||
      (params != nullptr && EVP_PKEY_CTX_set_params(g->ctx, params) != 1)) {
    EVP_PKEY_CTX_free(g->ctx);
    delete g;
    return nullptr;
  }
  return g;
}

int KmGenSetParams(void* genctx, const OSSL_PARAM params[]) {
  auto* g = static_cast<GenCtx*>(genctx);
  return EVP_PKEY_CTX_set_params(g->ctx, params);
}

template <bool kEc>
const OSSL_PARAM* KmGenSettableParams(void*, void*) {
  static const OSSL_PARAM kEcParams[] = {
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, nullptr, 0),
      OSSL_PARAM_END};
  static const OSSL_PARAM kNone[] = {OSSL_PARAM_END};
  return kEc ? kEcParams : kNone;
}

int KmGenSetTemplate(void* genctx, void* templ) {
  auto* g = static_cast<GenCtx*>(genctx);
  auto* t = static_cast<Key*>(templ);
  if (t == nullptr || t->pub == nullptr) return 1;
  // Take the template's domain parameters (the curve).
  OSSL_PARAM* params = nullptr;
  if (EVP_PKEY_todata(t->pub, EVP_PKEY_KEY_PARAMETERS, &params) != 1) return 0;
  int ok = EVP_PKEY_CTX_set_params(g->ctx, params);
  OSSL_PARAM_free(params);
  return ok;
}

void* KmGen(void* genctx, OSSL_CALLBACK*, void*) {
  auto* g = static_cast<GenCtx*>(genctx);
  EVP_PKEY* pkey = nullptr;
  bool keypair = (g->selection & OSSL_KEYMGMT_SELECT_KEYPAIR) != 0;
  if ((keypair ? EVP_PKEY_generate(g->ctx, &pkey) : EVP_PKEY_paramgen(g->ctx, &pkey)) != 1) {
    return nullptr;
  }
  auto* k = new Key();
  k->pc = g->pc;
  k->is_ec = g->is_ec;
  SetOrdinary(k, pkey, keypair);
  EVP_PKEY_free(pkey);
  return k;
}

void KmGenCleanup(void* genctx) {
  auto* g = static_cast<GenCtx*>(genctx);
  EVP_PKEY_CTX_free(g->ctx);
  delete g;
}

int KmMatch(const void* a, const void* b, int) {
  auto* ka = static_cast<const Key*>(a);
  auto* kb = static_cast<const Key*>(b);
  return ka->pub != nullptr && kb->pub != nullptr && EVP_PKEY_eq(ka->pub, kb->pub) == 1;
}

template <bool kEc>
const char* KmOperationName(int operation_id) {
  switch (operation_id) {
    case OSSL_OP_SIGNATURE:
      return kEc ? "ECDSA" : "ED25519";
    case OSSL_OP_KEYEXCH:
      return kEc ? "ECDH" : nullptr;
    default:
      return nullptr;
  }
}

// One table for both key types; only the type-dependent entries differ.
template <bool kEc>
const OSSL_DISPATCH kKeymgmtTable[] = {
    FN(OSSL_FUNC_KEYMGMT_NEW, KmNew<kEc>),
    FN(OSSL_FUNC_KEYMGMT_GEN_INIT, KmGenInit<kEc>),
    FN(OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS, KmGenSetParams),
    FN(OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS, KmGenSettableParams<kEc>),
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
    FN(OSSL_FUNC_KEYMGMT_EXPORT_TYPES, KmIoTypes<kEc>),
    FN(OSSL_FUNC_KEYMGMT_IMPORT, KmImport<kEc>),
    FN(OSSL_FUNC_KEYMGMT_IMPORT_TYPES, KmIoTypes<kEc>),
    FN(OSSL_FUNC_KEYMGMT_MATCH, KmMatch),
    FN(OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, KmOperationName<kEc>),
    {0, nullptr}};

}  // namespace

const OSSL_DISPATCH* const kEcKeymgmt = kKeymgmtTable<true>;
const OSSL_DISPATCH* const kEdKeymgmt = kKeymgmtTable<false>;

}  // namespace vhsm::engine::provider
