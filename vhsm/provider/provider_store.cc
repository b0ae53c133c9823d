// The provider's store: the "vhsm" URI scheme.
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <string.h>

#include <memory>
#include <string>
#include <utility>

#include "vhsm/provider/internal/provider_common.h"

namespace vhsm::engine::provider {
namespace {

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
      client.status().message().find("no VHSM password") != std::string::npos && pw_cb != nullptr) {
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
  BioPtr bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
  EVP_PKEY* pub =
      bio ? PEM_read_bio_PUBKEY_ex(bio.get(), nullptr, nullptr, nullptr, pc->libctx, nullptr)
          : nullptr;
  if (pub == nullptr) {
    Raise(pc, "vhsmd returned an unreadable public key");
    return 0;
  }
  EvpPkeyPtr owned(pub);
  auto key = std::make_shared<Key>();
  if (EVP_PKEY_is_a(pub, "EC")) {
    key->kind = Kind::kEc;
  } else if (EVP_PKEY_is_a(pub, "ED25519")) {
    key->kind = Kind::kEd;
  } else if (EVP_PKEY_is_a(pub, "RSA")) {
    key->kind = Kind::kRsa;
  } else {
    Raise(pc, "key '" + sc->key_id + "' is of a type OpenSSL cannot use through VHSM (" +
                  EVP_PKEY_get0_type_name(pub) + "; use vhsm key derive)");
    return 0;
  }
  key->pc = pc;
  key->key_id = sc->key_id;
  key->has_private = !sc->want_public;
  key->pub = std::move(owned);
  int object_type = OSSL_OBJECT_PKEY;
  const char* data_type = KindName(key->kind);
  void* keydata = NewKeyData(std::move(key));
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &object_type),
      OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE, const_cast<char*>(data_type),
                                       0),
      OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_REFERENCE, &keydata, sizeof(keydata)),
      OSSL_PARAM_construct_end()};
  int ok = object_cb(params, object_cbarg);
  FreeKeyData(keydata);  // the keymgmt's load took its own reference if it wanted one
  return ok;
}

int StoreEof(void* loaderctx) { return static_cast<StoreCtx*>(loaderctx)->done ? 1 : 0; }

int StoreClose(void* loaderctx) {
  delete static_cast<StoreCtx*>(loaderctx);
  return 1;
}

}  // namespace

const OSSL_DISPATCH kStoreFunctions[] = {
    {OSSL_FUNC_STORE_OPEN, reinterpret_cast<void (*)(void)>(StoreOpen)},
    {OSSL_FUNC_STORE_SETTABLE_CTX_PARAMS, reinterpret_cast<void (*)(void)>(StoreSettable)},
    {OSSL_FUNC_STORE_SET_CTX_PARAMS, reinterpret_cast<void (*)(void)>(StoreSetParams)},
    {OSSL_FUNC_STORE_LOAD, reinterpret_cast<void (*)(void)>(StoreLoad)},
    {OSSL_FUNC_STORE_EOF, reinterpret_cast<void (*)(void)>(StoreEof)},
    {OSSL_FUNC_STORE_CLOSE, reinterpret_cast<void (*)(void)>(StoreClose)},
    {0, nullptr}};

}  // namespace vhsm::engine::provider
