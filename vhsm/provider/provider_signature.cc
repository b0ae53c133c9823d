// The provider's ECDSA (P-256, P-384) and Ed25519 signatures.
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <string.h>

#include <string>
#include <utility>

#include "vhsm/provider/internal/provider_common.h"

namespace vhsm::engine::provider {
namespace {

// ---- signatures ------------------------------------------------------------------------

struct SigCtx {
  ProvCtx* pc = nullptr;
  KeyData key;
  bool is_ec = true;
  EvpMdCtxPtr md;  // VHSM digest-sign: the hash, computed here
  std::string mdname = "SHA256";
  std::string buffer;  // VHSM Ed25519 digest-sign data
  // Everything that is not signing with a VHSM key (signing with ordinary
  // keys, verifying with any key) is done by the default provider through
  // these, in our own library context.
  EvpMdCtxPtr delegate;
  EvpPkeyCtxPtr pdelegate;
};

template <bool kEc>
void* SigNew(void* provctx, const char*) {
  auto* s = new SigCtx();
  s->pc = static_cast<ProvCtx*>(provctx);
  s->is_ec = kEc;
  return s;
}

void SigReset(SigCtx* s) {
  s->md.reset();
  s->delegate.reset();
  s->pdelegate.reset();
  s->buffer.clear();
}

void SigFree(void* ctx) {
  auto* s = static_cast<SigCtx*>(ctx);
  SigReset(s);
  delete s;
}

void* SigDup(void* ctx) {
  auto* s = static_cast<SigCtx*>(ctx);
  auto* d = new SigCtx();
  d->pc = s->pc;
  d->key = s->key;
  d->is_ec = s->is_ec;
  d->mdname = s->mdname;
  d->buffer = s->buffer;
  auto dup = [](const EVP_MD_CTX* from) {  // EVP_MD_CTX_dup is OpenSSL 3.1+
    EvpMdCtxPtr to(from != nullptr ? EVP_MD_CTX_new() : nullptr);
    if (to != nullptr && EVP_MD_CTX_copy_ex(to.get(), from) != 1) to.reset();
    return to;
  };
  d->md = dup(s->md.get());
  d->delegate = dup(s->delegate.get());
  if (s->pdelegate != nullptr) d->pdelegate.reset(EVP_PKEY_CTX_dup(s->pdelegate.get()));
  return d;
}

int SigSetParams(void* ctx, const OSSL_PARAM params[]);

bool TakeKey(SigCtx* s, void* provkey) {
  KeyData k = KeyDataOf(provkey);
  if (k == nullptr || k->pub == nullptr) return false;
  SigReset(s);
  s->key = std::move(k);
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
    s->pdelegate.reset(EVP_PKEY_CTX_new_from_pkey(s->pc->libctx, s->key->full.get(), nullptr));
    return s->pdelegate != nullptr && EVP_PKEY_sign_init_ex(s->pdelegate.get(), params) == 1;
  }
  return SigSetParams(ctx, params);
}

int SigVerifyInit(void* ctx, void* provkey, const OSSL_PARAM params[]) {
  auto* s = static_cast<SigCtx*>(ctx);
  if (!TakeKey(s, provkey)) return 0;
  s->pdelegate.reset(EVP_PKEY_CTX_new_from_pkey(s->pc->libctx, s->key->pub.get(), nullptr));
  return s->pdelegate != nullptr && EVP_PKEY_verify_init_ex(s->pdelegate.get(), params) == 1;
}

int SigVerify(void* ctx, const unsigned char* sig, size_t siglen, const unsigned char* tbs,
              size_t tbslen) {
  auto* s = static_cast<SigCtx*>(ctx);
  return s->pdelegate != nullptr &&
         EVP_PKEY_verify(s->pdelegate.get(), sig, siglen, tbs, tbslen) == 1;
}

// Sign a digest in vhsmd. ECDSA signs the leftmost bits of a digest as
// long as the curve's order: a longer digest is cut, a shorter one padded on
// the left (the same integer), and sent as the curve's own hash.
int SignDigest(SigCtx* s, const unsigned char* dgst, size_t dlen, unsigned char* sig,
               size_t* siglen, size_t sigsize) {
  const bool p384 = EVP_PKEY_get_bits(s->key->pub.get()) == 384;
  return SignInVhsm(s->pc, *s->key, vhsm::engine::EcdsaDigest(dgst, dlen, p384 ? 48 : 32),
                    /*prehashed=*/true, "", p384 ? "sha384" : "sha256", sig, siglen, sigsize);
}

int SigSign(void* ctx, unsigned char* sig, size_t* siglen, size_t sigsize, const unsigned char* tbs,
            size_t tbslen) {
  auto* s = static_cast<SigCtx*>(ctx);
  if (s->pdelegate != nullptr) return EVP_PKEY_sign(s->pdelegate.get(), sig, siglen, tbs, tbslen);
  if (!s->is_ec) {
    Raise(s->pc, "Ed25519 signs messages, not digests: use digest-sign");
    return 0;
  }
  if (sig == nullptr) {
    *siglen = static_cast<size_t>(EVP_PKEY_get_size(s->key->pub.get()));
    return 1;
  }
  return SignDigest(s, tbs, tbslen, sig, siglen, sigsize);
}

int SigDigestSignInit(void* ctx, const char* mdname, void* provkey, const OSSL_PARAM params[]) {
  auto* s = static_cast<SigCtx*>(ctx);
  if (!TakeKey(s, provkey)) return 0;
  if (mdname != nullptr && *mdname != '\0') s->mdname = mdname;
  if (s->key->full != nullptr) {
    s->delegate.reset(EVP_MD_CTX_new());
    return s->delegate != nullptr &&
           EVP_DigestSignInit_ex(s->delegate.get(), nullptr, s->is_ec ? s->mdname.c_str() : nullptr,
                                 s->pc->libctx, nullptr, s->key->full.get(), params) == 1;
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
  EvpMdPtr md(EVP_MD_fetch(s->pc->libctx, s->mdname.c_str(), nullptr));
  if (md == nullptr) {
    Raise(s->pc, "unknown digest " + s->mdname);
    return 0;
  }
  s->md.reset(EVP_MD_CTX_new());
  return s->md != nullptr && EVP_DigestInit_ex(s->md.get(), md.get(), nullptr) == 1;
}

int SigDigestSignUpdate(void* ctx, const unsigned char* data, size_t len) {
  auto* s = static_cast<SigCtx*>(ctx);
  if (s->delegate != nullptr) return EVP_DigestSignUpdate(s->delegate.get(), data, len);
  if (!s->is_ec) {
    s->buffer.append(reinterpret_cast<const char*>(data), len);
    return 1;
  }
  return s->md != nullptr && EVP_DigestUpdate(s->md.get(), data, len);
}

int EdSign(SigCtx* s, const std::string& msg, unsigned char* sig, size_t* siglen, size_t sigsize) {
  return SignInVhsm(s->pc, *s->key, msg, /*prehashed=*/false, "", "", sig, siglen, sigsize);
}

int SigDigestSignFinal(void* ctx, unsigned char* sig, size_t* siglen, size_t sigsize) {
  auto* s = static_cast<SigCtx*>(ctx);
  if (s->delegate != nullptr) {
    *siglen = sigsize;
    return EVP_DigestSignFinal(s->delegate.get(), sig, siglen);
  }
  if (sig == nullptr) {
    *siglen = static_cast<size_t>(EVP_PKEY_get_size(s->key->pub.get()));
    return 1;
  }
  if (!s->is_ec) return EdSign(s, s->buffer, sig, siglen, sigsize);
  unsigned char dgst[EVP_MAX_MD_SIZE];
  unsigned int dlen = 0;
  if (s->md == nullptr || !EVP_DigestFinal_ex(s->md.get(), dgst, &dlen)) return 0;
  return SignDigest(s, dgst, dlen, sig, siglen, sigsize);
}

int SigDigestSign(void* ctx, unsigned char* sig, size_t* siglen, size_t sigsize,
                  const unsigned char* tbs, size_t tbslen) {
  auto* s = static_cast<SigCtx*>(ctx);
  if (s->delegate != nullptr) {
    *siglen = sigsize;
    return EVP_DigestSign(s->delegate.get(), sig, siglen, tbs, tbslen);
  }
  if (sig == nullptr) {
    *siglen = static_cast<size_t>(EVP_PKEY_get_size(s->key->pub.get()));
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
  s->delegate.reset(EVP_MD_CTX_new());
  return s->delegate != nullptr &&
         EVP_DigestVerifyInit_ex(s->delegate.get(), nullptr, s->is_ec ? s->mdname.c_str() : nullptr,
                                 s->pc->libctx, nullptr, s->key->pub.get(), params) == 1;
}

int SigDigestVerifyUpdate(void* ctx, const unsigned char* data, size_t len) {
  auto* s = static_cast<SigCtx*>(ctx);
  return s->delegate != nullptr && EVP_DigestVerifyUpdate(s->delegate.get(), data, len) == 1;
}

int SigDigestVerifyFinal(void* ctx, const unsigned char* sig, size_t siglen) {
  auto* s = static_cast<SigCtx*>(ctx);
  return s->delegate != nullptr && EVP_DigestVerifyFinal(s->delegate.get(), sig, siglen) == 1;
}

int SigDigestVerify(void* ctx, const unsigned char* sig, size_t siglen, const unsigned char* tbs,
                    size_t tbslen) {
  auto* s = static_cast<SigCtx*>(ctx);
  return s->delegate != nullptr &&
         EVP_DigestVerify(s->delegate.get(), sig, siglen, tbs, tbslen) == 1;
}

int SigGetParams(void* ctx, OSSL_PARAM params[]) {
  auto* s = static_cast<SigCtx*>(ctx);
  OSSL_PARAM* p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_ALGORITHM_ID);
  if (p != nullptr) {
    // DER AlgorithmIdentifiers: ecdsa-with-SHA256/384/512 (RFC 5758), Ed25519 (RFC 8410).
    static const unsigned char kEcdsaSha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                                 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
    static const unsigned char kEcdsaSha384[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                                 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
    static const unsigned char kEcdsaSha512[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                                 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04};
    static const unsigned char kEd25519[] = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70};
    const unsigned char* der = kEd25519;
    size_t len = sizeof(kEd25519);
    if (s->is_ec) {
      const std::string hash = VhsmHashName(s->mdname);  // OpenSSL may spell it "sha384"
      if (hash == "sha384") {
        der = kEcdsaSha384, len = sizeof(kEcdsaSha384);
      } else if (hash == "sha512") {
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
  const OSSL_PARAM* p =
      params ? OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST) : nullptr;
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

}  // namespace

const OSSL_DISPATCH kEcdsa[] = {FN(OSSL_FUNC_SIGNATURE_NEWCTX, SigNew<true>),
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

const OSSL_DISPATCH kEdDsa[] = {FN(OSSL_FUNC_SIGNATURE_NEWCTX, SigNew<false>),
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

}  // namespace vhsm::engine::provider
