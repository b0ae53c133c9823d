// The VHSM OpenSSL 3 provider ("vhsm", built as vhsm.so).
//
// - store: the "vhsm" URI scheme. "vhsm:KEYID" loads a private key object
//   whose operations go to vhsmd; "vhsm:KEYID?type=public" its public key.
// - keymgmt EC (P-256) and ED25519 for those objects: public parts only
//   (export, get_params, match); the private key never leaves vhsmd.
// - signature ECDSA (raw digest and digest-sign with any digest OpenSSL
//   computes here, signed in vhsmd as a SHA-256-sized digest) and ED25519.
// - mac HMAC: key "vhsm:KEYID" is computed in vhsmd; every other key is
//   handed to the default provider's HMAC.
// Every algorithm carries "provider=vhsm". Credentials: provider parameters
// vhsm-user, vhsm-password-file, vhsm-port-id (openssl.cnf), else VHSM_USER,
// VHSM_PASSWORD, VHSM_PASSWORD_FILE, VHSM_PORT_ID, else the store asks for the
// password through OpenSSL's passphrase callback.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <string.h>

#include <atomic>
#include <memory>
#include <string>

#include "vhsm/engine/connection.h"

namespace {

using vhsm::engine::Connection;

struct ProvCtx {
  const OSSL_CORE_HANDLE* handle = nullptr;
  OSSL_LIB_CTX* libctx = nullptr;  // our own library context, for the default provider
  Connection connection;
};

// ---- errors: through the core's error functions --------------------------------

OSSL_FUNC_core_new_error_fn* c_new_error = nullptr;
OSSL_FUNC_core_set_error_debug_fn* c_set_error_debug = nullptr;
OSSL_FUNC_core_vset_error_fn* c_vset_error = nullptr;
constexpr int kReason = 1;

void Raise(const ProvCtx* pc, const std::string& message) {
  if (c_new_error == nullptr || pc == nullptr) return;
  c_new_error(pc->handle);
  c_set_error_debug(pc->handle, "vhsm provider", 0, "vhsm");
  va_list none{};
  std::string fmt = "vhsm: " + message;
  // %% in the message must not be read as a conversion.
  std::string escaped;
  for (char c : fmt) {
    escaped += c;
    if (c == '%') escaped += '%';
  }
  c_vset_error(pc->handle, kReason, escaped.c_str(), none);
}

std::shared_ptr<vhsm::Client> ClientOf(ProvCtx* pc) {
  auto c = pc->connection.Get();
  if (!c.ok()) {
    Raise(pc, c.status().message());
    return nullptr;
  }
  return *c;
}

// ---- key objects -----------------------------------------------------------------

// A key this keymgmt holds: either a VHSM key (key_id set; only its public
// part is here) or an ordinary key (full set), which happens when an
// application that loaded this provider first generates or imports an EC or
// Ed25519 key: those are delegated to the default provider in our own library
// context, so ordinary operations keep working unchanged.
struct Key {
  ProvCtx* pc = nullptr;
  std::string key_id;  // a VHSM key's id; empty for ordinary keys
  bool is_ec = true;
  bool has_private = false;
  EVP_PKEY* pub = nullptr;   // public part (or domain parameters), our libctx
  EVP_PKEY* full = nullptr;  // ordinary keys only: the whole key, our libctx
  std::atomic<int> refs{1};
};

Key* KeyRef(Key* k) {
  k->refs++;
  return k;
}

void KeyUnref(Key* k) {
  if (k != nullptr && --k->refs == 0) {
    EVP_PKEY_free(k->pub);
    EVP_PKEY_free(k->full);
    delete k;
  }
}

// SetOrdinary makes k hold the ordinary key pkey (taking references of its
// own; the caller keeps its reference).
void SetOrdinary(Key* k, EVP_PKEY* pkey, bool has_private) {
  EVP_PKEY_free(k->pub);
  EVP_PKEY_free(k->full);
  EVP_PKEY_up_ref(pkey);
  k->pub = pkey;
  k->full = nullptr;
  if (has_private) {
    EVP_PKEY_up_ref(pkey);
    k->full = pkey;
  }
  k->has_private = has_private;
}

// ---- store ---------------------------------------------------------------------------

struct StoreCtx {
  ProvCtx* pc;
  std::string key_id;
  bool want_public = false;
  bool done = false;
};

void* StoreOpen(void* provctx, const char* uri) {
  std::string u = uri ? uri : "";
  std::string id = vhsm::engine::KeyIdFrom(u, false);
  if (id.empty()) return nullptr;  // not ours
  auto* sc = new StoreCtx{static_cast<ProvCtx*>(provctx), id};
  size_t q = id.find('?');
  if (q != std::string::npos) {
    std::string query = id.substr(q + 1);
    sc->key_id = id.substr(0, q);
    if (query == "type=public") {
      sc->want_public = true;
    } else if (query != "type=private") {
      Raise(sc->pc, "unknown query '" + query + "' in " + u);
      delete sc;
      return nullptr;
    }
  }
  return sc;
}

const OSSL_PARAM* StoreSettable(void*) {
  static const OSSL_PARAM kNone[] = {OSSL_PARAM_END};
  return kNone;
}
int StoreSetParams(void*, const OSSL_PARAM[]) { return 1; }

int StoreLoad(void* loaderctx, OSSL_CALLBACK* object_cb, void* object_cbarg,
              OSSL_PASSPHRASE_CALLBACK* pw_cb, void* pw_cbarg) {
  auto* sc = static_cast<StoreCtx*>(loaderctx);
  sc->done = true;
  ProvCtx* pc = sc->pc;
  auto client = pc->connection.Get();
  if (!client.ok() && client.status().code() == vhsm::StatusCode::kUnauthenticated &&
      client.status().message().find("no VHSM password") != std::string::npos &&
      pw_cb != nullptr) {
    // Neither configured nor in the environment: ask, as OpenSSL asks for
    // any key's passphrase.
    char buf[1024];
    size_t len = 0;
    OSSL_PARAM info[] = {OSSL_PARAM_END};
    if (pw_cb(buf, sizeof(buf), &len, info, pw_cbarg)) {
      pc->connection.SetPassword(std::string(buf, len));
      OPENSSL_cleanse(buf, sizeof(buf));
      client = pc->connection.Get();
    }
  }
  if (!client.ok()) {
    Raise(pc, client.status().message());
    return 0;
  }
  auto pem = (*client)->PublicKeyPem(sc->key_id);
  if (!pem.ok()) {
    Raise(pc, pem.status().message());
    return 0;
  }
  BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
  EVP_PKEY* pub = PEM_read_bio_PUBKEY_ex(bio, nullptr, nullptr, nullptr, pc->libctx, nullptr);
  BIO_free(bio);
  if (pub == nullptr) {
    Raise(pc, "vhsmd returned an unreadable public key");
    return 0;
  }
  auto* key = new Key();
  key->pc = pc;
  key->key_id = sc->key_id;
  key->is_ec = EVP_PKEY_is_a(pub, "EC");
  key->has_private = !sc->want_public;
  key->pub = pub;
  int object_type = OSSL_OBJECT_PKEY;
  const char* data_type = key->is_ec ? "EC" : "ED25519";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &object_type),
      OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE, const_cast<char*>(data_type), 0),
      OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_REFERENCE, &key, sizeof(key)),
      OSSL_PARAM_construct_end()};
  int ok = object_cb(params, object_cbarg);
  KeyUnref(key);  // the keymgmt took its own reference if it wanted one
  return ok;
}

int StoreEof(void* loaderctx) { return static_cast<StoreCtx*>(loaderctx)->done ? 1 : 0; }

int StoreClose(void* loaderctx) {
  delete static_cast<StoreCtx*>(loaderctx);
  return 1;
}

const OSSL_DISPATCH kStoreFunctions[] = {
    {OSSL_FUNC_STORE_OPEN, reinterpret_cast<void (*)(void)>(StoreOpen)},
    {OSSL_FUNC_STORE_SETTABLE_CTX_PARAMS, reinterpret_cast<void (*)(void)>(StoreSettable)},
    {OSSL_FUNC_STORE_SET_CTX_PARAMS, reinterpret_cast<void (*)(void)>(StoreSetParams)},
    {OSSL_FUNC_STORE_LOAD, reinterpret_cast<void (*)(void)>(StoreLoad)},
    {OSSL_FUNC_STORE_EOF, reinterpret_cast<void (*)(void)>(StoreEof)},
    {OSSL_FUNC_STORE_CLOSE, reinterpret_cast<void (*)(void)>(StoreClose)},
    {0, nullptr}};

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
      OSSL_PARAM_BN(OSSL_PKEY_PARAM_PRIV_KEY, nullptr, 0), OSSL_PARAM_END};
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
  auto* g = new GenCtx{pc, kEc, EVP_PKEY_CTX_new_from_name(pc->libctx, kEc ? "EC" : "ED25519", nullptr),
                       selection};
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

const char* KmEcOperationName(int operation_id) {
  switch (operation_id) {
    case OSSL_OP_SIGNATURE: return "ECDSA";
    case OSSL_OP_KEYEXCH: return "ECDH";
    default: return nullptr;
  }
}
const char* KmEdOperationName(int operation_id) {
  return operation_id == OSSL_OP_SIGNATURE ? "ED25519" : nullptr;
}

#define FN(id, f) {id, reinterpret_cast<void (*)(void)>(f)}

const OSSL_DISPATCH kEcKeymgmt[] = {
    FN(OSSL_FUNC_KEYMGMT_NEW, KmNew<true>),
    FN(OSSL_FUNC_KEYMGMT_GEN_INIT, KmGenInit<true>),
    FN(OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS, KmGenSetParams),
    FN(OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS, KmGenSettableParams<true>),
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
    FN(OSSL_FUNC_KEYMGMT_EXPORT_TYPES, KmIoTypes<true>),
    FN(OSSL_FUNC_KEYMGMT_IMPORT, KmImport<true>),
    FN(OSSL_FUNC_KEYMGMT_IMPORT_TYPES, KmIoTypes<true>),
    FN(OSSL_FUNC_KEYMGMT_MATCH, KmMatch),
    FN(OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, KmEcOperationName),
    {0, nullptr}};

const OSSL_DISPATCH kEdKeymgmt[] = {
    FN(OSSL_FUNC_KEYMGMT_NEW, KmNew<false>),
    FN(OSSL_FUNC_KEYMGMT_GEN_INIT, KmGenInit<false>),
    FN(OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS, KmGenSetParams),
    FN(OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS, KmGenSettableParams<false>),
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
    FN(OSSL_FUNC_KEYMGMT_EXPORT_TYPES, KmIoTypes<false>),
    FN(OSSL_FUNC_KEYMGMT_IMPORT, KmImport<false>),
    FN(OSSL_FUNC_KEYMGMT_IMPORT_TYPES, KmIoTypes<false>),
    FN(OSSL_FUNC_KEYMGMT_MATCH, KmMatch),
    FN(OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, KmEdOperationName),
    {0, nullptr}};

// ---- signatures ------------------------------------------------------------------------

struct SigCtx {
  ProvCtx* pc = nullptr;
  Key* key = nullptr;
  bool is_ec = true;
  EVP_MD_CTX* md = nullptr;  // VHSM digest-sign: the hash, computed here
  std::string mdname = "SHA256";
  std::string buffer;        // VHSM Ed25519 digest-sign data
  // Everything that is not signing with a VHSM key (signing with ordinary
  // keys, verifying with any key) is done by the default provider through
  // these, in our own library context.
  EVP_MD_CTX* delegate = nullptr;
  EVP_PKEY_CTX* pdelegate = nullptr;
};

template <bool kEc>
void* SigNew(void* provctx, const char*) {
  auto* s = new SigCtx();
  s->pc = static_cast<ProvCtx*>(provctx);
  s->is_ec = kEc;
  return s;
}

void SigReset(SigCtx* s) {
  EVP_MD_CTX_free(s->md);
  EVP_MD_CTX_free(s->delegate);
  EVP_PKEY_CTX_free(s->pdelegate);
  s->md = s->delegate = nullptr;
  s->pdelegate = nullptr;
  s->buffer.clear();
}

void SigFree(void* ctx) {
  auto* s = static_cast<SigCtx*>(ctx);
  SigReset(s);
  KeyUnref(s->key);
  delete s;
}

void* SigDup(void* ctx) {
  auto* s = static_cast<SigCtx*>(ctx);
  auto* d = new SigCtx();
  d->pc = s->pc;
  d->key = s->key ? KeyRef(s->key) : nullptr;
  d->is_ec = s->is_ec;
  d->mdname = s->mdname;
  d->buffer = s->buffer;
  auto dup = [](EVP_MD_CTX* from) {  // EVP_MD_CTX_dup is OpenSSL 3.1+
    EVP_MD_CTX* to = EVP_MD_CTX_new();
    if (to != nullptr && EVP_MD_CTX_copy_ex(to, from) != 1) {
      EVP_MD_CTX_free(to);
      to = nullptr;
    }
    return to;
  };
  if (s->md != nullptr) d->md = dup(s->md);
  if (s->delegate != nullptr) d->delegate = dup(s->delegate);
  if (s->pdelegate != nullptr) d->pdelegate = EVP_PKEY_CTX_dup(s->pdelegate);
  return d;
}

int SigSetParams(void* ctx, const OSSL_PARAM params[]);

bool TakeKey(SigCtx* s, void* provkey) {
  auto* k = static_cast<Key*>(provkey);
  if (k == nullptr || k->pub == nullptr) return false;
  SigReset(s);
  KeyUnref(s->key);
  s->key = KeyRef(k);
  return true;
}

int SigInit(void* ctx, void* provkey, const OSSL_PARAM params[]) {
  auto* s = static_cast<SigCtx*>(ctx);
  if (!TakeKey(s, provkey)) return 0;
  if (!s->key->full && (!s->key->has_private || s->key->key_id.empty())) {
    Raise(s->pc, "this key has no private part here");
    return 0;
  }
  if (s->key->full != nullptr) {
    s->pdelegate = EVP_PKEY_CTX_new_from_pkey(s->pc->libctx, s->key->full, nullptr);
    return s->pdelegate != nullptr && EVP_PKEY_sign_init_ex(s->pdelegate, params) == 1;
  }
  return SigSetParams(ctx, params);
}

int SigVerifyInit(void* ctx, void* provkey, const OSSL_PARAM params[]) {
  auto* s = static_cast<SigCtx*>(ctx);
  if (!TakeKey(s, provkey)) return 0;
  s->pdelegate = EVP_PKEY_CTX_new_from_pkey(s->pc->libctx, s->key->pub, nullptr);
  return s->pdelegate != nullptr && EVP_PKEY_verify_init_ex(s->pdelegate, params) == 1;
}

int SigVerify(void* ctx, const unsigned char* sig, size_t siglen, const unsigned char* tbs,
              size_t tbslen) {
  auto* s = static_cast<SigCtx*>(ctx);
  return s->pdelegate != nullptr && EVP_PKEY_verify(s->pdelegate, sig, siglen, tbs, tbslen) == 1;
}

// Sign a digest in vhsmd: ECDSA uses the leftmost 256 bits of the digest.
int SignDigest(SigCtx* s, const unsigned char* dgst, size_t dlen, unsigned char* sig,
               size_t* siglen, size_t sigsize) {
  std::string digest(32, '\0');
  if (dlen >= 32) {
    memcpy(digest.data(), dgst, 32);
  } else {
    memcpy(digest.data() + (32 - dlen), dgst, dlen);
  }
  auto client = ClientOf(s->pc);
  if (!client) return 0;
  auto out = client->Sign(s->key->key_id, digest, /*prehashed=*/true);
  if (!out.ok()) {
    Raise(s->pc, out.status().message());
    return 0;
  }
  if (out->size() > sigsize) return 0;
  memcpy(sig, out->data(), out->size());
  *siglen = out->size();
  return 1;
}

int SigSign(void* ctx, unsigned char* sig, size_t* siglen, size_t sigsize,
            const unsigned char* tbs, size_t tbslen) {
  auto* s = static_cast<SigCtx*>(ctx);
  if (s->pdelegate != nullptr) return EVP_PKEY_sign(s->pdelegate, sig, siglen, tbs, tbslen);
  if (!s->is_ec) {
    Raise(s->pc, "Ed25519 signs messages, not digests: use digest-sign");
    return 0;
  }
  if (sig == nullptr) {
    *siglen = 72;
    return 1;
  }
  return SignDigest(s, tbs, tbslen, sig, siglen, sigsize);
}

int SigDigestSignInit(void* ctx, const char* mdname, void* provkey, const OSSL_PARAM params[]) {
  auto* s = static_cast<SigCtx*>(ctx);
  if (!TakeKey(s, provkey)) return 0;
  if (mdname != nullptr && *mdname != '\0') s->mdname = mdname;
  if (s->key->full != nullptr) {
    s->delegate = EVP_MD_CTX_new();
    return s->delegate != nullptr &&
           EVP_DigestSignInit_ex(s->delegate, nullptr, s->is_ec ? s->mdname.c_str() : nullptr,
                                 s->pc->libctx, nullptr, s->key->full, params) == 1;
  }
  if (!s->key->has_private || s->key->key_id.empty()) {
    Raise(s->pc, "this key has no private part here");
    return 0;
  }
  if (!s->is_ec) {
    if (mdname != nullptr && *mdname != '\0') {
      Raise(s->pc, "Ed25519 takes no digest");
      return 0;
    }
    return 1;
  }
  EVP_MD* md = EVP_MD_fetch(s->pc->libctx, s->mdname.c_str(), nullptr);
  if (md == nullptr) {
    Raise(s->pc, "unknown digest " + s->mdname);
    return 0;
  }
  s->md = EVP_MD_CTX_new();
  int ok = EVP_DigestInit_ex(s->md, md, nullptr);
  EVP_MD_free(md);
  return ok;
}

int SigDigestSignUpdate(void* ctx, const unsigned char* data, size_t len) {
  auto* s = static_cast<SigCtx*>(ctx);
  if (s->delegate != nullptr) return EVP_DigestSignUpdate(s->delegate, data, len);
  if (!s->is_ec) {
    s->buffer.append(reinterpret_cast<const char*>(data), len);
    return 1;
  }
  return s->md != nullptr && EVP_DigestUpdate(s->md, data, len);
}

int EdSign(SigCtx* s, const std::string& msg, unsigned char* sig, size_t* siglen,
           size_t sigsize) {
  auto client = ClientOf(s->pc);
  if (!client) return 0;
  auto out = client->Sign(s->key->key_id, msg);
  if (!out.ok()) {
    Raise(s->pc, out.status().message());
    return 0;
  }
  if (out->size() > sigsize) return 0;
  memcpy(sig, out->data(), out->size());
  *siglen = out->size();
  return 1;
}

int SigDigestSignFinal(void* ctx, unsigned char* sig, size_t* siglen, size_t sigsize) {
  auto* s = static_cast<SigCtx*>(ctx);
  if (s->delegate != nullptr) {
    *siglen = sigsize;
    return EVP_DigestSignFinal(s->delegate, sig, siglen);
  }
  if (sig == nullptr) {
    *siglen = s->is_ec ? 72 : 64;
    return 1;
  }
  if (!s->is_ec) return EdSign(s, s->buffer, sig, siglen, sigsize);
  unsigned char dgst[EVP_MAX_MD_SIZE];
  unsigned int dlen = 0;
  if (s->md == nullptr || !EVP_DigestFinal_ex(s->md, dgst, &dlen)) return 0;
  return SignDigest(s, dgst, dlen, sig, siglen, sigsize);
}

int SigDigestSign(void* ctx, unsigned char* sig, size_t* siglen, size_t sigsize,
                  const unsigned char* tbs, size_t tbslen) {
  auto* s = static_cast<SigCtx*>(ctx);
  if (s->delegate != nullptr) {
    *siglen = sigsize;
    return EVP_DigestSign(s->delegate, sig, siglen, tbs, tbslen);
  }
  if (sig == nullptr) {
    *siglen = s->is_ec ? 72 : 64;
    return 1;
  }
  if (!s->is_ec) {
    return EdSign(s, std::string(reinterpret_cast<const char*>(tbs), tbslen), sig, siglen, sigsize);
  }
  return SigDigestSignUpdate(ctx, tbs, tbslen) && SigDigestSignFinal(ctx, sig, siglen, sigsize);
}

int SigDigestVerifyInit(void* ctx, const char* mdname, void* provkey, const OSSL_PARAM params[]) {
  auto* s = static_cast<SigCtx*>(ctx);
  if (!TakeKey(s, provkey)) return 0;
  if (mdname != nullptr && *mdname != '\0') s->mdname = mdname;
  s->delegate = EVP_MD_CTX_new();
  return s->delegate != nullptr &&
         EVP_DigestVerifyInit_ex(s->delegate, nullptr, s->is_ec ? s->mdname.c_str() : nullptr,
                                 s->pc->libctx, nullptr, s->key->pub, params) == 1;
}

int SigDigestVerifyUpdate(void* ctx, const unsigned char* data, size_t len) {
  auto* s = static_cast<SigCtx*>(ctx);
  return s->delegate != nullptr && EVP_DigestVerifyUpdate(s->delegate, data, len) == 1;
}

int SigDigestVerifyFinal(void* ctx, const unsigned char* sig, size_t siglen) {
  auto* s = static_cast<SigCtx*>(ctx);
  return s->delegate != nullptr && EVP_DigestVerifyFinal(s->delegate, sig, siglen) == 1;
}

int SigDigestVerify(void* ctx, const unsigned char* sig, size_t siglen, const unsigned char* tbs,
                    size_t tbslen) {
  auto* s = static_cast<SigCtx*>(ctx);
  return s->delegate != nullptr && EVP_DigestVerify(s->delegate, sig, siglen, tbs, tbslen) == 1;
}

int SigGetParams(void* ctx, OSSL_PARAM params[]) {
  auto* s = static_cast<SigCtx*>(ctx);
  OSSL_PARAM* p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_ALGORITHM_ID);
  if (p != nullptr) {
    // DER AlgorithmIdentifiers: ecdsa-with-SHA256/384/512 (RFC 5758), Ed25519 (RFC 8410).
    static const unsigned char kEcdsaSha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                                 0xce, 0x3d, 0x04, 0x03, 0x02};
    static const unsigned char kEcdsaSha384[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                                 0xce, 0x3d, 0x04, 0x03, 0x03};
    static const unsigned char kEcdsaSha512[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                                 0xce, 0x3d, 0x04, 0x03, 0x04};
    static const unsigned char kEd25519[] = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70};
    const unsigned char* der = kEd25519;
    size_t len = sizeof(kEd25519);
    if (s->is_ec) {
      if (s->mdname == "SHA384" || s->mdname == "SHA2-384") {
        der = kEcdsaSha384, len = sizeof(kEcdsaSha384);
      } else if (s->mdname == "SHA512" || s->mdname == "SHA2-512") {
        der = kEcdsaSha512, len = sizeof(kEcdsaSha512);
      } else {
        der = kEcdsaSha256, len = sizeof(kEcdsaSha256);
      }
    }
    if (!OSSL_PARAM_set_octet_string(p, der, len)) return 0;
  }
  p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST);
  if (p != nullptr && s->is_ec && !OSSL_PARAM_set_utf8_string(p, s->mdname.c_str())) return 0;
  return 1;
}

const OSSL_PARAM* SigGettableParams(void*, void*) {
  static const OSSL_PARAM kParams[] = {
      OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0), OSSL_PARAM_END};
  return kParams;
}

int SigSetParams(void* ctx, const OSSL_PARAM params[]) {
  auto* s = static_cast<SigCtx*>(ctx);
  const OSSL_PARAM* p = params ? OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST) : nullptr;
  if (p != nullptr) {
    const char* name = nullptr;
    if (!OSSL_PARAM_get_utf8_string_ptr(p, &name)) return 0;
    s->mdname = name;
  }
  return 1;
}

const OSSL_PARAM* SigSettableParams(void*, void*) {
  static const OSSL_PARAM kParams[] = {
      OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0), OSSL_PARAM_END};
  return kParams;
}

const OSSL_DISPATCH kEcdsa[] = {
    FN(OSSL_FUNC_SIGNATURE_NEWCTX, SigNew<true>),
    FN(OSSL_FUNC_SIGNATURE_FREECTX, SigFree),
    FN(OSSL_FUNC_SIGNATURE_DUPCTX, SigDup),
    FN(OSSL_FUNC_SIGNATURE_SIGN_INIT, SigInit),
    FN(OSSL_FUNC_SIGNATURE_SIGN, SigSign),
    FN(OSSL_FUNC_SIGNATURE_VERIFY_INIT, SigVerifyInit),
    FN(OSSL_FUNC_SIGNATURE_VERIFY, SigVerify),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, SigDigestSignInit),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, SigDigestSignUpdate),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL, SigDigestSignFinal),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT, SigDigestVerifyInit),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_UPDATE, SigDigestVerifyUpdate),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_FINAL, SigDigestVerifyFinal),
    FN(OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, SigGetParams),
    FN(OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS, SigGettableParams),
    FN(OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, SigSetParams),
    FN(OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, SigSettableParams),
    {0, nullptr}};

const OSSL_DISPATCH kEdDsa[] = {
    FN(OSSL_FUNC_SIGNATURE_NEWCTX, SigNew<false>),
    FN(OSSL_FUNC_SIGNATURE_FREECTX, SigFree),
    FN(OSSL_FUNC_SIGNATURE_DUPCTX, SigDup),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, SigDigestSignInit),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN, SigDigestSign),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT, SigDigestVerifyInit),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY, SigDigestVerify),
    FN(OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, SigGetParams),
    FN(OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS, SigGettableParams),
    FN(OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, SigSetParams),
    FN(OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, SigSettableParams),
    {0, nullptr}};

// ---- ECDH, for ordinary EC keys only (see Key) ------------------------------------------

struct ExchCtx {
  ProvCtx* pc;
  EVP_PKEY_CTX* delegate = nullptr;
};

void* ExchNew(void* provctx) { return new ExchCtx{static_cast<ProvCtx*>(provctx)}; }

void ExchFree(void* ctx) {
  auto* x = static_cast<ExchCtx*>(ctx);
  EVP_PKEY_CTX_free(x->delegate);
  delete x;
}

void* ExchDup(void* ctx) {
  auto* x = static_cast<ExchCtx*>(ctx);
  auto* d = new ExchCtx{x->pc};
  if (x->delegate != nullptr) d->delegate = EVP_PKEY_CTX_dup(x->delegate);
  return d;
}

int ExchInit(void* ctx, void* provkey, const OSSL_PARAM params[]) {
  auto* x = static_cast<ExchCtx*>(ctx);
  auto* k = static_cast<Key*>(provkey);
  if (k == nullptr || k->full == nullptr) {
    Raise(x->pc, "key exchange with a VHSM key is not supported");
    return 0;
  }
  EVP_PKEY_CTX_free(x->delegate);
  x->delegate = EVP_PKEY_CTX_new_from_pkey(x->pc->libctx, k->full, nullptr);
  return x->delegate != nullptr && EVP_PKEY_derive_init_ex(x->delegate, params) == 1;
}

int ExchSetPeer(void* ctx, void* provpeer) {
  auto* x = static_cast<ExchCtx*>(ctx);
  auto* peer = static_cast<Key*>(provpeer);
  return x->delegate != nullptr && peer != nullptr && peer->pub != nullptr &&
         EVP_PKEY_derive_set_peer(x->delegate, peer->pub) == 1;
}

int ExchDerive(void* ctx, unsigned char* secret, size_t* secretlen, size_t outlen) {
  auto* x = static_cast<ExchCtx*>(ctx);
  if (x->delegate == nullptr) return 0;
  *secretlen = outlen;
  return EVP_PKEY_derive(x->delegate, secret, secretlen) == 1;
}

int ExchSetParams(void* ctx, const OSSL_PARAM params[]) {
  auto* x = static_cast<ExchCtx*>(ctx);
  return x->delegate != nullptr && EVP_PKEY_CTX_set_params(x->delegate, params) == 1;
}

const OSSL_PARAM* ExchSettableParams(void*, void*) {
  static const OSSL_PARAM kParams[] = {
      OSSL_PARAM_int(OSSL_EXCHANGE_PARAM_EC_ECDH_COFACTOR_MODE, nullptr),
      OSSL_PARAM_utf8_string(OSSL_EXCHANGE_PARAM_KDF_TYPE, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_EXCHANGE_PARAM_KDF_DIGEST, nullptr, 0),
      OSSL_PARAM_size_t(OSSL_EXCHANGE_PARAM_KDF_OUTLEN, nullptr),
      OSSL_PARAM_octet_string(OSSL_EXCHANGE_PARAM_KDF_UKM, nullptr, 0), OSSL_PARAM_END};
  return kParams;
}

const OSSL_DISPATCH kEcdh[] = {
    FN(OSSL_FUNC_KEYEXCH_NEWCTX, ExchNew),
    FN(OSSL_FUNC_KEYEXCH_FREECTX, ExchFree),
    FN(OSSL_FUNC_KEYEXCH_DUPCTX, ExchDup),
    FN(OSSL_FUNC_KEYEXCH_INIT, ExchInit),
    FN(OSSL_FUNC_KEYEXCH_SET_PEER, ExchSetPeer),
    FN(OSSL_FUNC_KEYEXCH_DERIVE, ExchDerive),
    FN(OSSL_FUNC_KEYEXCH_SET_CTX_PARAMS, ExchSetParams),
    FN(OSSL_FUNC_KEYEXCH_SETTABLE_CTX_PARAMS, ExchSettableParams),
    {0, nullptr}};

// ---- HMAC ---------------------------------------------------------------------------------

struct MacCtx {
  ProvCtx* pc = nullptr;
  EVP_MAC_CTX* local = nullptr;  // the default provider's HMAC, for ordinary keys
  std::string digest = "SHA256";
  std::string key;               // as given: "vhsm:ID" or real key bytes
  std::string buffer;            // data for vhsmd
  bool remote = false;
  ~MacCtx() {
    EVP_MAC_CTX_free(local);
    OPENSSL_cleanse(key.data(), key.size());
  }
};

void* MacNew(void* provctx) {
  auto* m = new MacCtx();
  m->pc = static_cast<ProvCtx*>(provctx);
  return m;
}

void MacFree(void* ctx) { delete static_cast<MacCtx*>(ctx); }

void* MacDup(void* ctx) {
  auto* m = static_cast<MacCtx*>(ctx);
  auto* d = new MacCtx();
  d->pc = m->pc;
  d->digest = m->digest;
  d->key = m->key;
  d->buffer = m->buffer;
  d->remote = m->remote;
  if (m->local != nullptr) d->local = EVP_MAC_CTX_dup(m->local);
  return d;
}

int MacSetParams(void* ctx, const OSSL_PARAM params[]) {
  auto* m = static_cast<MacCtx*>(ctx);
  if (params == nullptr) return 1;
  const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_MAC_PARAM_DIGEST);
  if (p != nullptr) {
    const char* name = nullptr;
    if (!OSSL_PARAM_get_utf8_string_ptr(p, &name)) return 0;
    m->digest = name;
  }
  p = OSSL_PARAM_locate_const(params, OSSL_MAC_PARAM_KEY);
  if (p != nullptr) {
    const void* data = nullptr;
    size_t len = 0;
    if (!OSSL_PARAM_get_octet_string_ptr(p, &data, &len)) return 0;
    OPENSSL_cleanse(m->key.data(), m->key.size());
    m->key.assign(static_cast<const char*>(data), len);
  }
  return 1;
}

int MacInit(void* ctx, const unsigned char* key, size_t keylen, const OSSL_PARAM params[]) {
  auto* m = static_cast<MacCtx*>(ctx);
  if (!MacSetParams(ctx, params)) return 0;
  if (key != nullptr) {
    OPENSSL_cleanse(m->key.data(), m->key.size());
    m->key.assign(reinterpret_cast<const char*>(key), keylen);
  }
  m->buffer.clear();
  m->remote = !vhsm::engine::KeyIdFrom(m->key, false).empty();
  if (m->remote) return 1;
  EVP_MAC_CTX_free(m->local);
  EVP_MAC* mac = EVP_MAC_fetch(m->pc->libctx, "HMAC", nullptr);
  m->local = mac ? EVP_MAC_CTX_new(mac) : nullptr;
  EVP_MAC_free(mac);
  OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, m->digest.data(), 0),
                    OSSL_PARAM_construct_end()};
  return m->local != nullptr &&
         EVP_MAC_init(m->local, reinterpret_cast<const unsigned char*>(m->key.data()),
                      m->key.size(), p);
}

int MacUpdate(void* ctx, const unsigned char* data, size_t len) {
  auto* m = static_cast<MacCtx*>(ctx);
  if (!m->remote) return m->local != nullptr && EVP_MAC_update(m->local, data, len);
  m->buffer.append(reinterpret_cast<const char*>(data), len);
  return 1;
}

int MacFinal(void* ctx, unsigned char* out, size_t* outl, size_t outsize) {
  auto* m = static_cast<MacCtx*>(ctx);
  if (!m->remote) return m->local != nullptr && EVP_MAC_final(m->local, out, outl, outsize);
  auto client = ClientOf(m->pc);
  if (!client) return 0;
  auto mac = client->Mac(vhsm::engine::KeyIdFrom(m->key, false), m->buffer);  // streams if long
  OPENSSL_cleanse(m->buffer.data(), m->buffer.size());
  m->buffer.clear();
  if (!mac.ok()) {
    Raise(m->pc, mac.status().message());
    return 0;
  }
  EVP_MD* md = EVP_MD_fetch(m->pc->libctx, m->digest.c_str(), nullptr);
  size_t want = md ? static_cast<size_t>(EVP_MD_get_size(md)) : 0;
  EVP_MD_free(md);
  if (mac->size() != want) {
    Raise(m->pc, "key is hmac-sha" + std::to_string(mac->size() * 8) + " but the digest is " +
                     m->digest + "; use SHA" + std::to_string(mac->size() * 8));
    return 0;
  }
  if (mac->size() > outsize) return 0;
  memcpy(out, mac->data(), mac->size());
  *outl = mac->size();
  return 1;
}

int MacGetParams(void* ctx, OSSL_PARAM params[]) {
  auto* m = static_cast<MacCtx*>(ctx);
  OSSL_PARAM* p = OSSL_PARAM_locate(params, OSSL_MAC_PARAM_SIZE);
  if (p != nullptr) {
    EVP_MD* md = EVP_MD_fetch(m->pc->libctx, m->digest.c_str(), nullptr);
    size_t size = md ? static_cast<size_t>(EVP_MD_get_size(md)) : 0;
    EVP_MD_free(md);
    if (!OSSL_PARAM_set_size_t(p, size)) return 0;
  }
  return 1;
}

const OSSL_PARAM* MacGettableCtxParams(void*, void*) {
  static const OSSL_PARAM kParams[] = {OSSL_PARAM_size_t(OSSL_MAC_PARAM_SIZE, nullptr),
                                       OSSL_PARAM_END};
  return kParams;
}

const OSSL_PARAM* MacSettableCtxParams(void*, void*) {
  static const OSSL_PARAM kParams[] = {
      OSSL_PARAM_utf8_string(OSSL_MAC_PARAM_DIGEST, nullptr, 0),
      OSSL_PARAM_octet_string(OSSL_MAC_PARAM_KEY, nullptr, 0), OSSL_PARAM_END};
  return kParams;
}

const OSSL_DISPATCH kHmac[] = {
    FN(OSSL_FUNC_MAC_NEWCTX, MacNew),
    FN(OSSL_FUNC_MAC_DUPCTX, MacDup),
    FN(OSSL_FUNC_MAC_FREECTX, MacFree),
    FN(OSSL_FUNC_MAC_INIT, MacInit),
    FN(OSSL_FUNC_MAC_UPDATE, MacUpdate),
    FN(OSSL_FUNC_MAC_FINAL, MacFinal),
    FN(OSSL_FUNC_MAC_GET_CTX_PARAMS, MacGetParams),
    FN(OSSL_FUNC_MAC_GETTABLE_CTX_PARAMS, MacGettableCtxParams),
    FN(OSSL_FUNC_MAC_SET_CTX_PARAMS, MacSetParams),
    FN(OSSL_FUNC_MAC_SETTABLE_CTX_PARAMS, MacSettableCtxParams),
    {0, nullptr}};

// ---- the provider ------------------------------------------------------------------------

const OSSL_ALGORITHM kStores[] = {
    {"vhsm", "provider=vhsm", kStoreFunctions, "VHSM keys (vhsm:KEYID)"}, {nullptr, nullptr, nullptr, nullptr}};
const OSSL_ALGORITHM kKeymgmts[] = {
    {"EC:id-ecPublicKey:1.2.840.10045.2.1", "provider=vhsm", kEcKeymgmt, "VHSM P-256 keys"},
    {"ED25519:1.3.101.112", "provider=vhsm", kEdKeymgmt, "VHSM Ed25519 keys"},
    {nullptr, nullptr, nullptr, nullptr}};
const OSSL_ALGORITHM kSignatures[] = {
    {"ECDSA", "provider=vhsm", kEcdsa, "ECDSA in VHSM"},
    {"ED25519:1.3.101.112", "provider=vhsm", kEdDsa, "Ed25519 in VHSM"},
    {nullptr, nullptr, nullptr, nullptr}};
const OSSL_ALGORITHM kKeyExchanges[] = {
    {"ECDH", "provider=vhsm", kEcdh, "ECDH on ordinary EC keys (default provider)"},
    {nullptr, nullptr, nullptr, nullptr}};
const OSSL_ALGORITHM kMacs[] = {
    {"HMAC", "provider=vhsm", kHmac, "HMAC with vhsm:KEYID keys in VHSM"},
    {nullptr, nullptr, nullptr, nullptr}};

const OSSL_ALGORITHM* QueryOperation(void*, int operation_id, int* no_cache) {
  *no_cache = 0;
  switch (operation_id) {
    case OSSL_OP_STORE: return kStores;
    case OSSL_OP_KEYMGMT: return kKeymgmts;
    case OSSL_OP_SIGNATURE: return kSignatures;
    case OSSL_OP_KEYEXCH: return kKeyExchanges;
    case OSSL_OP_MAC: return kMacs;
    default: return nullptr;
  }
}

const OSSL_ITEM* ReasonStrings(void*) {
  static const OSSL_ITEM kReasons[] = {{kReason, const_cast<char*>("vhsm")}, {0, nullptr}};
  return kReasons;
}

int GetParams(void*, OSSL_PARAM params[]) {
  OSSL_PARAM* p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME);
  if (p != nullptr && !OSSL_PARAM_set_utf8_ptr(p, "VHSM provider")) return 0;
  p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS);
  if (p != nullptr && !OSSL_PARAM_set_int(p, 1)) return 0;
  return 1;
}

void Teardown(void* provctx) {
  auto* pc = static_cast<ProvCtx*>(provctx);
  pc->connection.Reset();
  OSSL_LIB_CTX_free(pc->libctx);
  delete pc;
}

// TLS groups on EC keys. The TLS library uses a group only when the "EC"
// keymgmt it fetches belongs to the provider that announced the group; with
// this provider loaded first that keymgmt is ours (it delegates ordinary keys
// to the default provider), so we announce the NIST curves too.
struct TlsGroup {
  const char* name;
  const char* internal;
  unsigned int id;
  unsigned int security_bits;
};
const TlsGroup kTlsGroups[] = {{"secp256r1", "prime256v1", 23, 128},
                               {"P-256", "prime256v1", 23, 128},
                               {"secp384r1", "secp384r1", 24, 192},
                               {"P-384", "secp384r1", 24, 192},
                               {"secp521r1", "secp521r1", 25, 256},
                               {"P-521", "secp521r1", 25, 256}};

int GetCapabilities(void*, const char* capability, OSSL_CALLBACK* cb, void* arg) {
  if (strcmp(capability, "TLS-GROUP") != 0) return 0;
  for (const TlsGroup& g : kTlsGroups) {
    unsigned int id = g.id, bits = g.security_bits;
    int min_tls = 0x0301 /* TLS 1.0 */, max_tls = 0, min_dtls = 0xFEFF /* DTLS 1.0 */, max_dtls = 0;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_CAPABILITY_TLS_GROUP_NAME, const_cast<char*>(g.name), 0),
        OSSL_PARAM_construct_utf8_string(OSSL_CAPABILITY_TLS_GROUP_NAME_INTERNAL,
                                         const_cast<char*>(g.internal), 0),
        OSSL_PARAM_construct_utf8_string(OSSL_CAPABILITY_TLS_GROUP_ALG, const_cast<char*>("EC"), 0),
        OSSL_PARAM_construct_uint(OSSL_CAPABILITY_TLS_GROUP_ID, &id),
        OSSL_PARAM_construct_uint(OSSL_CAPABILITY_TLS_GROUP_SECURITY_BITS, &bits),
        OSSL_PARAM_construct_int(OSSL_CAPABILITY_TLS_GROUP_MIN_TLS, &min_tls),
        OSSL_PARAM_construct_int(OSSL_CAPABILITY_TLS_GROUP_MAX_TLS, &max_tls),
        OSSL_PARAM_construct_int(OSSL_CAPABILITY_TLS_GROUP_MIN_DTLS, &min_dtls),
        OSSL_PARAM_construct_int(OSSL_CAPABILITY_TLS_GROUP_MAX_DTLS, &max_dtls),
        OSSL_PARAM_construct_end()};
    if (!cb(params, arg)) return 0;
  }
  return 1;
}

const OSSL_DISPATCH kProviderFunctions[] = {
    FN(OSSL_FUNC_PROVIDER_GET_CAPABILITIES, GetCapabilities),
    FN(OSSL_FUNC_PROVIDER_TEARDOWN, Teardown),
    FN(OSSL_FUNC_PROVIDER_QUERY_OPERATION, QueryOperation),
    FN(OSSL_FUNC_PROVIDER_GET_REASON_STRINGS, ReasonStrings),
    FN(OSSL_FUNC_PROVIDER_GET_PARAMS, GetParams),
    {0, nullptr}};

}  // namespace

extern "C" __attribute__((visibility("default"))) int OSSL_provider_init(
    const OSSL_CORE_HANDLE* handle, const OSSL_DISPATCH* in, const OSSL_DISPATCH** out,
    void** provctx) {
  OSSL_FUNC_core_get_params_fn* get_params = nullptr;
  for (; in->function_id != 0; ++in) {
    switch (in->function_id) {
      case OSSL_FUNC_CORE_GET_PARAMS:
        get_params = OSSL_FUNC_core_get_params(in);
        break;
      case OSSL_FUNC_CORE_NEW_ERROR:
        c_new_error = OSSL_FUNC_core_new_error(in);
        break;
      case OSSL_FUNC_CORE_SET_ERROR_DEBUG:
        c_set_error_debug = OSSL_FUNC_core_set_error_debug(in);
        break;
      case OSSL_FUNC_CORE_VSET_ERROR:
        c_vset_error = OSSL_FUNC_core_vset_error(in);
        break;
      default:
        break;
    }
  }
  auto* pc = new ProvCtx();
  pc->handle = handle;
  // Our own library context with the default provider: public-key work and
  // ordinary HMAC keys are done there, never by recursion into ourselves.
  pc->libctx = OSSL_LIB_CTX_new();
  if (pc->libctx == nullptr || OSSL_PROVIDER_load(pc->libctx, "default") == nullptr) {
    delete pc;
    return 0;
  }
  if (get_params != nullptr) {
    char* user = nullptr;
    char* password_file = nullptr;
    char* port = nullptr;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_ptr("vhsm-user", &user, 0),
        OSSL_PARAM_construct_utf8_ptr("vhsm-password-file", &password_file, 0),
        OSSL_PARAM_construct_utf8_ptr("vhsm-port-id", &port, 0), OSSL_PARAM_construct_end()};
    if (get_params(handle, params)) {
      if (user != nullptr && *user) pc->connection.SetUser(user);
      if (password_file != nullptr && *password_file) pc->connection.SetPasswordFile(password_file);
      if (port != nullptr && *port) (void)pc->connection.SetPortId(port);
    }
  }
  *out = kProviderFunctions;
  *provctx = pc;
  return 1;
}
