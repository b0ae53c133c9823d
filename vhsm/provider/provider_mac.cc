// The provider's HMAC: vhsm:KEYID keys in vhsmd, others by the default provider.
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

// ---- HMAC ---------------------------------------------------------------------------------

struct MacCtx {
  ProvCtx* pc = nullptr;
  EvpMacCtxPtr local;  // the default provider's HMAC, for ordinary keys
  std::string digest = "SHA256";
  std::string key;     // as given: "vhsm:ID" or real key bytes
  std::string buffer;  // data for vhsmd
  bool remote = false;
  ~MacCtx() { OPENSSL_cleanse(key.data(), key.size()); }
};

void* MacNew(void* provctx) {
  auto* m = new MacCtx();
  m->pc = static_cast<ProvCtx*>(provctx);
  return m;
}

void MacFree(void* ctx) { delete static_cast<MacCtx*>(ctx); }

// DigestSize is the output size of the named digest (0 when unknown).
size_t DigestSize(ProvCtx* pc, const std::string& name) {
  EvpMdPtr md(EVP_MD_fetch(pc->libctx, name.c_str(), nullptr));
  return md ? static_cast<size_t>(EVP_MD_get_size(md.get())) : 0;
}

void* MacDup(void* ctx) {
  auto* m = static_cast<MacCtx*>(ctx);
  auto* d = new MacCtx();
  d->pc = m->pc;
  d->digest = m->digest;
  d->key = m->key;
  d->buffer = m->buffer;
  d->remote = m->remote;
  if (m->local) d->local.reset(EVP_MAC_CTX_dup(m->local.get()));
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
  if (m->local == nullptr) m->local.reset(EVP_MAC_CTX_new(m->pc->local_hmac.get()));
  OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, m->digest.data(), 0),
                    OSSL_PARAM_construct_end()};
  return m->local != nullptr &&
         EVP_MAC_init(m->local.get(), reinterpret_cast<const unsigned char*>(m->key.data()),
                      m->key.size(), p);
}

int MacUpdate(void* ctx, const unsigned char* data, size_t len) {
  auto* m = static_cast<MacCtx*>(ctx);
  if (!m->remote) return m->local != nullptr && EVP_MAC_update(m->local.get(), data, len);
  m->buffer.append(reinterpret_cast<const char*>(data), len);
  return 1;
}

int MacFinal(void* ctx, unsigned char* out, size_t* outl, size_t outsize) {
  auto* m = static_cast<MacCtx*>(ctx);
  if (!m->remote) {
    return m->local != nullptr && EVP_MAC_final(m->local.get(), out, outl, outsize);
  }
  auto client = ClientOf(m->pc);
  if (!client) return 0;
  auto mac = client->Mac(vhsm::engine::KeyIdFrom(m->key, false), m->buffer);  // streams if long
  OPENSSL_cleanse(m->buffer.data(), m->buffer.size());
  m->buffer.clear();
  if (!mac.ok()) {
    Raise(m->pc, mac.status().message());
    return 0;
  }
  size_t want = DigestSize(m->pc, m->digest);
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
    if (!OSSL_PARAM_set_size_t(p, DigestSize(m->pc, m->digest))) return 0;
  }
  return 1;
}

const OSSL_PARAM* MacGettableCtxParams(void*, void*) {
  static const OSSL_PARAM kParams[] = {OSSL_PARAM_size_t(OSSL_MAC_PARAM_SIZE, nullptr),
                                       OSSL_PARAM_END};
  return kParams;
}

const OSSL_PARAM* MacSettableCtxParams(void*, void*) {
  static const OSSL_PARAM kParams[] = {OSSL_PARAM_utf8_string(OSSL_MAC_PARAM_DIGEST, nullptr, 0),
                                       OSSL_PARAM_octet_string(OSSL_MAC_PARAM_KEY, nullptr, 0),
                                       OSSL_PARAM_END};
  return kParams;
}

}  // namespace

const OSSL_DISPATCH kHmac[] = {FN(OSSL_FUNC_MAC_NEWCTX, MacNew),
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

}  // namespace vhsm::engine::provider
