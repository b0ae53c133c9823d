// The engine's HMAC: an EVP_PKEY_HMAC pkey method and ASN.1 method. A key
// "vhsm:KEYID" names a VHSM key, whose MAC vhsmd computes over the data
// streamed to it; any other HMAC key is computed here with OpenSSL's HMAC.
#include <openssl/core_names.h>
#include <openssl/engine.h>
#include <openssl/evp.h>
#include <string.h>

#include <memory>
#include <string>

#include "vhsm/engine/internal/engine_common.h"

namespace vhsm::engine::engine_internal {

// ---- HMAC: pkey method + ASN.1 method for EVP_PKEY_HMAC ------------------------

// The key: the raw bytes given to EVP_PKEY_new_raw_private_key, kept in an
// ASN1_OCTET_STRING as OpenSSL's own HMAC keys are.
int HmacSetPrivKey(EVP_PKEY* pkey, const unsigned char* priv, size_t len) {
  ASN1_OCTET_STRING* os = ASN1_OCTET_STRING_new();
  if (os == nullptr || !ASN1_OCTET_STRING_set(os, priv, static_cast<int>(len)) ||
      !EVP_PKEY_assign(pkey, EVP_PKEY_HMAC, os)) {
    ASN1_OCTET_STRING_free(os);
    return 0;
  }
  return 1;
}

void HmacFreeKey(EVP_PKEY* pkey) {
  auto* os = static_cast<ASN1_OCTET_STRING*>(EVP_PKEY_get0(pkey));
  if (os == nullptr) return;
  if (os->data != nullptr) OPENSSL_cleanse(os->data, static_cast<size_t>(os->length));
  ASN1_OCTET_STRING_free(os);
}

int HmacKeySize(const EVP_PKEY*) { return EVP_MAX_MD_SIZE; }

// One MAC in progress: either in VHSM (remote context id) or local.
struct MacState {
  std::shared_ptr<vhsm::Client> client;  // set for VHSM keys
  std::string key_id;
  size_t md_size = 0;
  std::string md_name;
  uint32_t remote_ctx = 0;  // 0: not started in vhsmd yet
  std::string buffer;       // data not yet sent to vhsmd
  vhsm::engine::EvpMacCtxPtr local;
  bool failed = false;
};

constexpr size_t kSendChunk = 60000;

struct HmacCtx {
  const EVP_MD* md = nullptr;
  std::string key;                // the EVP_PKEY's bytes: "vhsm:ID" or a real key
  std::shared_ptr<MacState> mac;  // started at the first update or final;
                                  // shared with duplicates made for Final
  HmacCtx() = default;
  HmacCtx(const HmacCtx&) = default;
  ~HmacCtx() { OPENSSL_cleanse(key.data(), key.size()); }
};

int HmacInit(EVP_PKEY_CTX* ctx) {
  EVP_PKEY_CTX_set_data(ctx, new HmacCtx());
  return 1;
}

int HmacCopy(EVP_PKEY_CTX* dst, const EVP_PKEY_CTX* src) {
  auto* from = static_cast<HmacCtx*>(EVP_PKEY_CTX_get_data(src));
  EVP_PKEY_CTX_set_data(dst, new HmacCtx(*from));
  return 1;
}

void HmacCleanup(EVP_PKEY_CTX* ctx) {
  delete static_cast<HmacCtx*>(EVP_PKEY_CTX_get_data(ctx));
  EVP_PKEY_CTX_set_data(ctx, nullptr);
}

int HmacCtrl(EVP_PKEY_CTX* ctx, int type, int, void* p2) {
  auto* h = static_cast<HmacCtx*>(EVP_PKEY_CTX_get_data(ctx));
  switch (type) {
    case EVP_PKEY_CTRL_MD:
      h->md = static_cast<const EVP_MD*>(p2);
      return 1;
    case EVP_PKEY_CTRL_DIGESTINIT:
      return 1;
    default:
      return -2;
  }
}

bool FlushRemote(MacState& m) {
  if (m.buffer.empty()) return true;
  if (m.remote_ctx == 0) {
    auto ctx = m.client->MacInit(m.key_id);
    if (!ctx.ok()) {
      RaiseStatus(ctx.status());
      m.failed = true;
      return false;
    }
    m.remote_ctx = *ctx;
  }
  vhsm::Status s = m.client->MacUpdate(m.remote_ctx, m.buffer);
  OPENSSL_cleanse(m.buffer.data(), m.buffer.size());
  m.buffer.clear();
  if (!s.ok()) {
    RaiseStatus(s);
    m.failed = true;
  }
  return s.ok();
}

const EVP_MD* DigestOf(HmacCtx* h, EVP_MD_CTX* mctx) {
  const EVP_MD* md = EVP_MD_CTX_get0_md(mctx);
  if (md == nullptr) md = h->md;
  return md != nullptr ? md : EVP_sha256();
}

// Start begins the MAC once the digest is known: locally for an ordinary
// key, in vhsmd for "vhsm:ID".
bool Start(HmacCtx* h, EVP_MD_CTX* mctx) {
  if (h->mac) return !h->mac->failed;
  const EVP_MD* md = DigestOf(h, mctx);
  std::string key_id = vhsm::engine::KeyIdFrom(h->key, false);
  auto state = std::make_shared<MacState>();
  if (key_id.empty()) {
    // An ordinary HMAC key: computed here, exactly as OpenSSL would.
    vhsm::engine::EvpMacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", "provider=default"));
    if (mac) state->local.reset(EVP_MAC_CTX_new(mac.get()));
    std::string digest = EVP_MD_get0_name(md);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest.data(), 0),
        OSSL_PARAM_construct_end()};
    static const unsigned char kEmpty[1] = {0};
    const unsigned char* key =
        h->key.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(h->key.data());
    if (!state->local || !EVP_MAC_init(state->local.get(), key, h->key.size(), params)) {
      return false;
    }
  } else {
    // The MAC starts in vhsmd only once more than a frame of data arrived;
    // short messages take a single one-shot request at Final.
    state->client = ClientOrRaise();
    if (!state->client) return false;
    state->key_id = key_id;
    state->md_size = static_cast<size_t>(EVP_MD_get_size(md));
    state->md_name = EVP_MD_get0_name(md);
  }
  h->mac = std::move(state);
  return true;
}

int HmacUpdate(EVP_MD_CTX* mctx, const void* data, size_t count) {
  auto* h = static_cast<HmacCtx*>(EVP_PKEY_CTX_get_data(EVP_MD_CTX_get_pkey_ctx(mctx)));
  if (h == nullptr || !Start(h, mctx)) return 0;
  MacState& m = *h->mac;
  if (m.local != nullptr) {
    return EVP_MAC_update(m.local.get(), static_cast<const unsigned char*>(data), count);
  }
  m.buffer.append(static_cast<const char*>(data), count);
  if (m.buffer.size() >= kSendChunk) return FlushRemote(m) ? 1 : 0;
  return 1;
}

int HmacSignctxInit(EVP_PKEY_CTX* ctx, EVP_MD_CTX* mctx) {
  auto* h = static_cast<HmacCtx*>(EVP_PKEY_CTX_get_data(ctx));
  EVP_PKEY* pkey = EVP_PKEY_CTX_get0_pkey(ctx);
  auto* os = static_cast<ASN1_OCTET_STRING*>(EVP_PKEY_get0(pkey));
  if (h == nullptr || os == nullptr) return 0;
  h->key.assign(reinterpret_cast<const char*>(os->data), static_cast<size_t>(os->length));
  h->mac.reset();
  EVP_MD_CTX_set_flags(mctx, EVP_MD_CTX_FLAG_NO_INIT);
  EVP_MD_CTX_set_update_fn(mctx, HmacUpdate);
  return 1;
}

int HmacSignctx(EVP_PKEY_CTX* ctx, unsigned char* sig, size_t* siglen, EVP_MD_CTX* mctx) {
  auto* h = static_cast<HmacCtx*>(EVP_PKEY_CTX_get_data(ctx));
  if (h == nullptr) return 0;
  size_t size = static_cast<size_t>(EVP_MD_get_size(DigestOf(h, mctx)));
  if (sig == nullptr) {
    *siglen = size;
    return 1;
  }
  if (!Start(h, mctx)) return 0;
  MacState& m = *h->mac;
  if (m.local != nullptr) {
    return EVP_MAC_final(m.local.get(), sig, siglen, *siglen);
  }
  vhsm::Result<vhsm::Bytes> out = vhsm::Internal("unset");
  if (m.remote_ctx == 0) {
    out = m.client->Mac(m.key_id, m.buffer);  // one round trip
    OPENSSL_cleanse(m.buffer.data(), m.buffer.size());
    m.buffer.clear();
  } else {
    if (!FlushRemote(m)) return 0;
    out = m.client->MacFinal(m.remote_ctx);
  }
  m.failed = true;  // a MAC can be finished only once
  if (!out.ok()) {
    RaiseStatus(out.status());
    return 0;
  }
  if (out->size() != m.md_size) {
    RaiseError("key '" + m.key_id + "' is hmac-sha" + std::to_string(out->size() * 8) +
               " but the digest is " + m.md_name + "; use -sha" + std::to_string(out->size() * 8));
    return 0;
  }
  if (out->size() > *siglen) return 0;
  memcpy(sig, out->data(), out->size());
  *siglen = out->size();
  return 1;
}

}  // namespace vhsm::engine::engine_internal
