// The provider's RSA signatures: PKCS#1 v1.5 and PSS in vhsmd for VHSM keys;
// everything else (ordinary keys, verification) by the default provider.
//
// A VHSM key's context keeps a "shadow": a default-provider verification
// context on the key's public half that receives every parameter the
// application sets (padding, salt length, digest, MGF1). At signing time the
// parameters are read back from it, and it answers the X.509 AlgorithmIdentifier,
// so parameter parsing and encoding are OpenSSL's own. vhsmd signs PSS with a
// salt as long as the hash only; another requested length is refused.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rsa.h>
#include <string.h>

#include <string>
#include <utility>

#include "vhsm/provider/internal/provider_common.h"

namespace vhsm::engine::provider {
namespace {

struct RsaSigCtx {
  ProvCtx* pc = nullptr;
  KeyData key;
  EvpPkeyCtxPtr shadow;     // VHSM keys: parameters, algorithm id
  EvpMdCtxPtr md;           // VHSM digest-sign: the hash, computed here
  EvpMdCtxPtr delegate;     // ordinary keys and all verification: digest-sign/verify
  EvpPkeyCtxPtr pdelegate;  // ordinary keys and all verification: sign/verify
};

void* RsaNew(void* provctx, const char*) {
  auto* s = new RsaSigCtx();
  s->pc = static_cast<ProvCtx*>(provctx);
  return s;
}

void RsaReset(RsaSigCtx* s) {
  s->shadow.reset();
  s->md.reset();
  s->delegate.reset();
  s->pdelegate.reset();
}

void RsaFree(void* ctx) { delete static_cast<RsaSigCtx*>(ctx); }

EvpMdCtxPtr DupMd(const EVP_MD_CTX* from) {  // EVP_MD_CTX_dup is OpenSSL 3.1+
  EvpMdCtxPtr to(from != nullptr ? EVP_MD_CTX_new() : nullptr);
  if (to != nullptr && EVP_MD_CTX_copy_ex(to.get(), from) != 1) to.reset();
  return to;
}

EvpPkeyCtxPtr DupPkey(const EVP_PKEY_CTX* from) {
  return EvpPkeyCtxPtr(from != nullptr ? EVP_PKEY_CTX_dup(const_cast<EVP_PKEY_CTX*>(from))
                                       : nullptr);
}

void* RsaDup(void* ctx) {
  auto* s = static_cast<RsaSigCtx*>(ctx);
  auto* d = new RsaSigCtx();
  d->pc = s->pc;
  d->key = s->key;
  d->shadow = DupPkey(s->shadow.get());
  d->md = DupMd(s->md.get());
  d->delegate = DupMd(s->delegate.get());
  d->pdelegate = DupPkey(s->pdelegate.get());
  return d;
}

bool TakeKey(RsaSigCtx* s, void* provkey) {
  KeyData k = KeyDataOf(provkey);
  if (k == nullptr || k->pub == nullptr) return false;
  RsaReset(s);
  s->key = std::move(k);
  return true;
}

bool IsVhsmKey(const RsaSigCtx* s) { return s->key->full == nullptr; }

bool CanSignInVhsm(RsaSigCtx* s) {
  if (s->key->has_private && !s->key->key_id.empty()) return true;
  Raise(s->pc, "this key has no private part here");
  return false;
}

// Shadow makes the VHSM key's parameter context (with md when given).
int Shadow(RsaSigCtx* s, const EVP_MD* md, const OSSL_PARAM params[]) {
  s->shadow.reset(EVP_PKEY_CTX_new_from_pkey(s->pc->libctx, s->key->pub.get(), nullptr));
  return s->shadow != nullptr && EVP_PKEY_verify_init_ex(s->shadow.get(), nullptr) == 1 &&
         (md == nullptr || EVP_PKEY_CTX_set_signature_md(s->shadow.get(), md) == 1) &&
         (params == nullptr || EVP_PKEY_CTX_set_params(s->shadow.get(), params) == 1);
}

int RsaSignInit(void* ctx, void* provkey, const OSSL_PARAM params[]) {
  auto* s = static_cast<RsaSigCtx*>(ctx);
  if (!TakeKey(s, provkey)) return 0;
  if (!IsVhsmKey(s)) {
    s->pdelegate.reset(EVP_PKEY_CTX_new_from_pkey(s->pc->libctx, s->key->full.get(), nullptr));
    return s->pdelegate != nullptr && EVP_PKEY_sign_init_ex(s->pdelegate.get(), params) == 1;
  }
  return CanSignInVhsm(s) && Shadow(s, nullptr, params);
}

// ShadowParams: what the application asked for, as the shadow holds it.
struct ShadowParams {
  int pad = 0;
  int saltlen = 0;
  std::string md;    // empty: not set
  std::string mgf1;  // empty: not set (the signature digest)
};

bool ReadShadow(RsaSigCtx* s, ShadowParams* out) {
  char md[64] = {0}, mgf1[64] = {0};
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_SIGNATURE_PARAM_PAD_MODE, &out->pad),
      OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, md, sizeof(md)),
      OSSL_PARAM_construct_end()};
  if (EVP_PKEY_CTX_get_params(s->shadow.get(), params) != 1) {
    Raise(s->pc, "cannot read the RSA signature parameters");
    return false;
  }
  out->md = md;
  if (out->pad != RSA_PKCS1_PSS_PADDING) return true;
  OSSL_PARAM pss[] = {
      OSSL_PARAM_construct_int(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, &out->saltlen),
      OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST, mgf1, sizeof(mgf1)),
      OSSL_PARAM_construct_end()};
  if (EVP_PKEY_CTX_get_params(s->shadow.get(), pss) != 1) {
    Raise(s->pc, "cannot read the PSS parameters");
    return false;
  }
  out->mgf1 = mgf1;
  return true;
}

// SignDigestInVhsm signs a finished digest with the shadow's parameters.
int SignDigestInVhsm(RsaSigCtx* s, const unsigned char* dgst, size_t dlen, unsigned char* sig,
                     size_t* siglen, size_t sigsize) {
  ShadowParams p;
  if (!ReadShadow(s, &p)) return 0;
  std::string hash = !p.md.empty() ? VhsmHashName(p.md)
                     : dlen == 32  ? "sha256"
                     : dlen == 48  ? "sha384"
                     : dlen == 64  ? "sha512"
                                   : "";
  if (hash.empty()) {
    Raise(s->pc, "VHSM signs RSA over SHA-256, SHA-384 or SHA-512 only");
    return 0;
  }
  if (p.pad != RSA_PKCS1_PADDING && p.pad != RSA_PKCS1_PSS_PADDING) {
    Raise(s->pc, "VHSM signs RSA with PKCS#1 v1.5 or PSS padding only");
    return 0;
  }
  if (p.pad == RSA_PKCS1_PSS_PADDING) {
    bool salt_ok = p.saltlen == RSA_PSS_SALTLEN_DIGEST || p.saltlen == RSA_PSS_SALTLEN_AUTO ||
                   p.saltlen == RSA_PSS_SALTLEN_MAX || static_cast<size_t>(p.saltlen) == dlen;
    if (!salt_ok || (!p.mgf1.empty() && VhsmHashName(p.mgf1) != hash)) {
      Raise(s->pc, "VHSM signs PSS with a salt as long as the hash and MGF1 with the same hash");
      return 0;
    }
    // What was signed is what the algorithm identifier will say.
    if (EVP_PKEY_CTX_set_rsa_pss_saltlen(s->shadow.get(), RSA_PSS_SALTLEN_DIGEST) != 1) return 0;
  }
  return SignInVhsm(s->pc, *s->key, std::string(reinterpret_cast<const char*>(dgst), dlen),
                    /*prehashed=*/true, p.pad == RSA_PKCS1_PSS_PADDING ? "pss" : "pkcs1", hash, sig,
                    siglen, sigsize);
}

size_t MaxSize(const RsaSigCtx* s) {
  return static_cast<size_t>(EVP_PKEY_get_size(s->key->pub.get()));
}

int RsaSign(void* ctx, unsigned char* sig, size_t* siglen, size_t sigsize, const unsigned char* tbs,
            size_t tbslen) {
  auto* s = static_cast<RsaSigCtx*>(ctx);
  if (s->pdelegate != nullptr) return EVP_PKEY_sign(s->pdelegate.get(), sig, siglen, tbs, tbslen);
  if (s->shadow == nullptr) return 0;
  if (sig == nullptr) {
    *siglen = MaxSize(s);
    return 1;
  }
  return SignDigestInVhsm(s, tbs, tbslen, sig, siglen, sigsize);
}

int RsaVerifyInit(void* ctx, void* provkey, const OSSL_PARAM params[]) {
  auto* s = static_cast<RsaSigCtx*>(ctx);
  if (!TakeKey(s, provkey)) return 0;
  s->pdelegate.reset(EVP_PKEY_CTX_new_from_pkey(s->pc->libctx, s->key->pub.get(), nullptr));
  return s->pdelegate != nullptr && EVP_PKEY_verify_init_ex(s->pdelegate.get(), params) == 1;
}

int RsaVerify(void* ctx, const unsigned char* sig, size_t siglen, const unsigned char* tbs,
              size_t tbslen) {
  auto* s = static_cast<RsaSigCtx*>(ctx);
  return s->pdelegate != nullptr &&
         EVP_PKEY_verify(s->pdelegate.get(), sig, siglen, tbs, tbslen) == 1;
}

int RsaDigestSignInit(void* ctx, const char* mdname, void* provkey, const OSSL_PARAM params[]) {
  auto* s = static_cast<RsaSigCtx*>(ctx);
  if (!TakeKey(s, provkey)) return 0;
  std::string name = mdname != nullptr && *mdname != '\0' ? mdname : "SHA256";
  if (!IsVhsmKey(s)) {
    s->delegate.reset(EVP_MD_CTX_new());
    return s->delegate != nullptr &&
           EVP_DigestSignInit_ex(s->delegate.get(), nullptr, name.c_str(), s->pc->libctx, nullptr,
                                 s->key->full.get(), params) == 1;
  }
  if (!CanSignInVhsm(s)) return 0;
  EvpMdPtr md(EVP_MD_fetch(s->pc->libctx, name.c_str(), nullptr));
  if (md == nullptr) {
    Raise(s->pc, "unknown digest " + name);
    return 0;
  }
  s->md.reset(EVP_MD_CTX_new());
  return s->md != nullptr && EVP_DigestInit_ex(s->md.get(), md.get(), nullptr) == 1 &&
         Shadow(s, md.get(), params);
}

int RsaDigestSignUpdate(void* ctx, const unsigned char* data, size_t len) {
  auto* s = static_cast<RsaSigCtx*>(ctx);
  if (s->delegate != nullptr) return EVP_DigestSignUpdate(s->delegate.get(), data, len);
  return s->md != nullptr && EVP_DigestUpdate(s->md.get(), data, len) == 1;
}

int RsaDigestSignFinal(void* ctx, unsigned char* sig, size_t* siglen, size_t sigsize) {
  auto* s = static_cast<RsaSigCtx*>(ctx);
  if (s->delegate != nullptr) {
    *siglen = sigsize;
    return EVP_DigestSignFinal(s->delegate.get(), sig, siglen);
  }
  if (sig == nullptr) {
    *siglen = MaxSize(s);
    return 1;
  }
  unsigned char dgst[EVP_MAX_MD_SIZE];
  unsigned int dlen = 0;
  if (s->md == nullptr || EVP_DigestFinal_ex(s->md.get(), dgst, &dlen) != 1) return 0;
  return SignDigestInVhsm(s, dgst, dlen, sig, siglen, sigsize);
}

int RsaDigestVerifyInit(void* ctx, const char* mdname, void* provkey, const OSSL_PARAM params[]) {
  auto* s = static_cast<RsaSigCtx*>(ctx);
  if (!TakeKey(s, provkey)) return 0;
  s->delegate.reset(EVP_MD_CTX_new());
  return s->delegate != nullptr &&
         EVP_DigestVerifyInit_ex(s->delegate.get(), nullptr,
                                 mdname != nullptr && *mdname != '\0' ? mdname : "SHA256",
                                 s->pc->libctx, nullptr, s->key->pub.get(), params) == 1;
}

int RsaDigestVerifyUpdate(void* ctx, const unsigned char* data, size_t len) {
  auto* s = static_cast<RsaSigCtx*>(ctx);
  return s->delegate != nullptr && EVP_DigestVerifyUpdate(s->delegate.get(), data, len) == 1;
}

int RsaDigestVerifyFinal(void* ctx, const unsigned char* sig, size_t siglen) {
  auto* s = static_cast<RsaSigCtx*>(ctx);
  return s->delegate != nullptr && EVP_DigestVerifyFinal(s->delegate.get(), sig, siglen) == 1;
}

// ParamsCtx: the context that holds this operation's parameters.
EVP_PKEY_CTX* ParamsCtx(RsaSigCtx* s) {
  if (s->shadow != nullptr) return s->shadow.get();
  if (s->pdelegate != nullptr) return s->pdelegate.get();
  if (s->delegate != nullptr) return EVP_MD_CTX_get_pkey_ctx(s->delegate.get());
  return nullptr;
}

int RsaGetParams(void* ctx, OSSL_PARAM params[]) {
  EVP_PKEY_CTX* p = ParamsCtx(static_cast<RsaSigCtx*>(ctx));
  return p != nullptr && EVP_PKEY_CTX_get_params(p, params) == 1;
}

int RsaSetParams(void* ctx, const OSSL_PARAM params[]) {
  if (params == nullptr) return 1;
  EVP_PKEY_CTX* p = ParamsCtx(static_cast<RsaSigCtx*>(ctx));
  return p != nullptr && EVP_PKEY_CTX_set_params(p, params) == 1;
}

const OSSL_PARAM* RsaGettableParams(void*, void*) {
  static const OSSL_PARAM kParams[] = {
      OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, nullptr, 0),
      OSSL_PARAM_END};
  return kParams;
}

const OSSL_PARAM* RsaSettableParams(void*, void*) {
  static const OSSL_PARAM kParams[] = {
      OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PROPERTIES, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_PROPERTIES, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, nullptr, 0),
      OSSL_PARAM_END};
  return kParams;
}

}  // namespace

const OSSL_DISPATCH kRsaSignature[] = {
    FN(OSSL_FUNC_SIGNATURE_NEWCTX, RsaNew),
    FN(OSSL_FUNC_SIGNATURE_FREECTX, RsaFree),
    FN(OSSL_FUNC_SIGNATURE_DUPCTX, RsaDup),
    FN(OSSL_FUNC_SIGNATURE_SIGN_INIT, RsaSignInit),
    FN(OSSL_FUNC_SIGNATURE_SIGN, RsaSign),
    FN(OSSL_FUNC_SIGNATURE_VERIFY_INIT, RsaVerifyInit),
    FN(OSSL_FUNC_SIGNATURE_VERIFY, RsaVerify),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, RsaDigestSignInit),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, RsaDigestSignUpdate),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL, RsaDigestSignFinal),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT, RsaDigestVerifyInit),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_UPDATE, RsaDigestVerifyUpdate),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_FINAL, RsaDigestVerifyFinal),
    FN(OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, RsaGetParams),
    FN(OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS, RsaGettableParams),
    FN(OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, RsaSetParams),
    FN(OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, RsaSettableParams),
    {0, nullptr}};

}  // namespace vhsm::engine::provider
