// PrivateKey and PublicKey operations: signatures (ECDSA, Ed25519, RSA
// PKCS#1 v1.5 and PSS), RSA-OAEP and key agreement (ECDH, X25519).
#include <openssl/rsa.h>

#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/crypto/ecdsa_presign.h"
#include "vhsm/crypto/internal/md.h"
#include "vhsm/crypto/internal/openssl_util.h"
#include "vhsm/crypto/internal/pkey.h"

namespace vhsm::crypto {
namespace {

#if defined(OPENSSL_IS_BORINGSSL)
constexpr int kSaltIsDigestLength = -1;  // BoringSSL's spelling of the same
#else
constexpr int kSaltIsDigestLength = RSA_PSS_SALTLEN_DIGEST;
#endif

struct Resolved {
  const EVP_MD* md = nullptr;  // null: Ed25519 (no separate hash) or raw PKCS#1
  bool pss = false;
  bool raw = false;
};

Result<Resolved> Resolve(KeyAlg alg, const SignParams& params) {
  VHSM_ASSIGN_OR_RETURN(std::optional<DigestAlg> hash, SignatureHash(alg, params));
  Resolved r;
  if (hash) r.md = internal::EvpMd(*hash);
  r.pss = params.scheme == SigScheme::kPss;
  r.raw = params.scheme == SigScheme::kPkcs1Raw;
  return r;
}

// SetPadding configures an RSA context for the scheme; no-op for others.
Status SetPadding(EVP_PKEY_CTX* pctx, KeyAlg alg, const Resolved& r) {
  if (!IsRsa(alg)) return Status::Ok();
  bool ok =
      EVP_PKEY_CTX_set_rsa_padding(pctx, r.pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) == 1;
  if (ok && r.pss) {
    ok = EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, kSaltIsDigestLength) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, r.md) == 1;
  }
  if (!ok) return internal::OpenSslError("RSA signature padding");
  return Status::Ok();
}

Status SetOaep(EVP_PKEY_CTX* pctx) {
  if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1) {
    return internal::OpenSslError("RSA-OAEP parameters");
  }
  return Status::Ok();
}

Status CheckDigest(const Resolved& r, ByteView digest, EVP_PKEY* pkey) {
  if (r.raw) {
    size_t max = static_cast<size_t>(EVP_PKEY_size(pkey)) - 11;
    if (digest.empty() || digest.size() > max) {
      return InvalidArgument("raw PKCS#1 v1.5 signs 1 to " + std::to_string(max) + " bytes");
    }
    return Status::Ok();
  }
  if (r.md == nullptr) return InvalidArgument("Ed25519 signs messages, not digests");
  size_t want = static_cast<size_t>(EVP_MD_size(r.md));
  if (digest.size() != want) {
    return InvalidArgument("the digest must be " + std::to_string(want) + " bytes, got " +
                           std::to_string(digest.size()));
  }
  return Status::Ok();
}

// FromPresigs: an ECDSA signature over digest with one of params.presigs'
// nonces, when the pool is for this key's curve and has one.
std::optional<Bytes> FromPresigs(const PrivateKey& key, const SignParams& params, ByteView digest) {
  if (params.presigs == nullptr || !IsEc(key.alg()) || params.presigs->curve() != key.alg()) {
    return std::nullopt;
  }
  return params.presigs->SignDigest(key, digest);
}

}  // namespace

Result<std::optional<DigestAlg>> SignatureHash(KeyAlg alg, const SignParams& params) {
  if (!CanSign(alg)) return InvalidArgument(std::string(KeyAlgName(alg)) + " keys cannot sign");
  if (alg == KeyAlg::kEd25519) {
    if (params.scheme != SigScheme::kDefault || params.hash) {
      return InvalidArgument("Ed25519 takes no signature scheme or hash");
    }
    return std::optional<DigestAlg>();
  }
  if (!IsRsa(alg) && params.scheme != SigScheme::kDefault) {
    return InvalidArgument("PKCS#1 and PSS are RSA schemes; " + std::string(KeyAlgName(alg)) +
                           " signs with ECDSA");
  }
  if (params.scheme == SigScheme::kPkcs1Raw) {
    if (params.hash) return InvalidArgument("raw PKCS#1 v1.5 takes no hash");
    return std::optional<DigestAlg>();
  }
  DigestAlg hash =
      params.hash.value_or(alg == KeyAlg::kEcP384 ? DigestAlg::kSha384 : DigestAlg::kSha256);
  if (hash == DigestAlg::kSha1) return InvalidArgument("signatures over SHA-1 are refused");
  return std::optional<DigestAlg>(hash);
}

Result<Bytes> PrivateKey::Sign(ByteView message, const SignParams& params) const {
  VHSM_ASSIGN_OR_RETURN(Resolved r, Resolve(alg_, params));
  if (r.raw) return InvalidArgument("raw PKCS#1 v1.5 signs prepared bytes (prehashed) only");
  if (params.presigs != nullptr && IsEc(alg_)) {
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    if (EVP_Digest(message.data(), message.size(), d, &dlen, r.md, nullptr) != 1) {
      return internal::OpenSslError("digest");
    }
    std::optional<Bytes> sig = FromPresigs(*this, params, ByteView(d, dlen));
    if (sig) return *std::move(sig);
    if (params.presigs_only) return Unavailable("no presignature at hand");
  }
  internal::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, r.md, nullptr, impl_->pkey.get()) != 1) {
    return internal::OpenSslError("sign init");
  }
  VHSM_RETURN_IF_ERROR(SetPadding(pctx, alg_, r));
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1) {
    return internal::OpenSslError("sign size");
  }
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1) {
    return internal::OpenSslError("sign");
  }
  sig.resize(len);
  return sig;
}

Result<Bytes> PrivateKey::SignDigest(ByteView digest, const SignParams& params) const {
  VHSM_ASSIGN_OR_RETURN(Resolved r, Resolve(alg_, params));
  VHSM_RETURN_IF_ERROR(CheckDigest(r, digest, impl_->pkey.get()));
  if (std::optional<Bytes> sig = FromPresigs(*this, params, digest)) return *std::move(sig);
  if (params.presigs != nullptr && params.presigs_only && IsEc(alg_)) {
    return Unavailable("no presignature at hand");
  }
  internal::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(impl_->pkey.get(), nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      (!r.raw && EVP_PKEY_CTX_set_signature_md(ctx.get(), r.md) != 1)) {
    return internal::OpenSslError("sign digest init");
  }
  VHSM_RETURN_IF_ERROR(SetPadding(ctx.get(), alg_, r));
  size_t len = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) != 1) {
    return internal::OpenSslError("sign digest size");
  }
  Bytes sig(len);
  if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest.data(), digest.size()) != 1) {
    return internal::OpenSslError("sign digest");
  }
  sig.resize(len);
  return sig;
}

Result<bool> PublicKey::Verify(ByteView message, ByteView signature,
                               const SignParams& params) const {
  VHSM_ASSIGN_OR_RETURN(Resolved r, Resolve(alg_, params));
  if (r.raw) return InvalidArgument("raw PKCS#1 v1.5 verifies prepared bytes (prehashed) only");
  internal::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, r.md, nullptr, impl_->pkey.get()) != 1) {
    return internal::OpenSslError("verify init");
  }
  VHSM_RETURN_IF_ERROR(SetPadding(pctx, alg_, r));
  int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                            message.size());
  internal::ClearErrors();  // a bad signature leaves parse errors behind
  return rc == 1;
}

Result<bool> PublicKey::VerifyDigest(ByteView digest, ByteView signature,
                                     const SignParams& params) const {
  VHSM_ASSIGN_OR_RETURN(Resolved r, Resolve(alg_, params));
  VHSM_RETURN_IF_ERROR(CheckDigest(r, digest, impl_->pkey.get()));
  internal::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(impl_->pkey.get(), nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
      (!r.raw && EVP_PKEY_CTX_set_signature_md(ctx.get(), r.md) != 1)) {
    return internal::OpenSslError("verify digest init");
  }
  VHSM_RETURN_IF_ERROR(SetPadding(ctx.get(), alg_, r));
  int rc =
      EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), digest.data(), digest.size());
  internal::ClearErrors();
  return rc == 1;
}

Result<SecretBytes> PrivateKey::Decrypt(ByteView ciphertext) const {
  if (!IsRsa(alg_)) {
    return InvalidArgument(std::string(KeyAlgName(alg_)) + " keys cannot decrypt (RSA-OAEP only)");
  }
  internal::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(impl_->pkey.get(), nullptr));
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) != 1) {
    return internal::OpenSslError("RSA-OAEP init");
  }
  VHSM_RETURN_IF_ERROR(SetOaep(ctx.get()));
  size_t len = 0;
  if (EVP_PKEY_decrypt(ctx.get(), nullptr, &len, ciphertext.data(), ciphertext.size()) != 1) {
    return internal::OpenSslError("RSA-OAEP size");
  }
  SecretBytes out(len);
  if (EVP_PKEY_decrypt(ctx.get(), out.data(), &len, ciphertext.data(), ciphertext.size()) != 1) {
    internal::ClearErrors();
    return InvalidArgument("RSA-OAEP decryption failed: wrong key or damaged ciphertext");
  }
  out.Shrink(len);
  return out;
}

Result<Bytes> PublicKey::Encrypt(ByteView plaintext) const {
  if (!IsRsa(alg_)) {
    return InvalidArgument(std::string(KeyAlgName(alg_)) + " keys cannot encrypt (RSA-OAEP only)");
  }
  internal::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(impl_->pkey.get(), nullptr));
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) != 1) {
    return internal::OpenSslError("RSA-OAEP init");
  }
  VHSM_RETURN_IF_ERROR(SetOaep(ctx.get()));
  size_t len = 0;
  if (EVP_PKEY_encrypt(ctx.get(), nullptr, &len, plaintext.data(), plaintext.size()) != 1) {
    return internal::OpenSslError("RSA-OAEP size");
  }
  Bytes out(len);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &len, plaintext.data(), plaintext.size()) != 1) {
    internal::ClearErrors();
    return InvalidArgument("RSA-OAEP: the message is too long for this key");
  }
  out.resize(len);
  return out;
}

Result<SecretBytes> PrivateKey::Derive(const PublicKey& peer) const {
  if (!CanDerive(alg_)) {
    return InvalidArgument(std::string(KeyAlgName(alg_)) + " keys cannot derive");
  }
  if (peer.alg() != alg_) {
    return InvalidArgument(std::string("the peer key is ") + KeyAlgName(peer.alg()) + ", not " +
                           KeyAlgName(alg_));
  }
  internal::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(impl_->pkey.get(), nullptr));
  size_t len = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer.impl_->pkey.get()) != 1 ||
      EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1) {
    internal::ClearErrors();
    return InvalidArgument("key agreement with an invalid peer key");
  }
  SecretBytes out(len);
  if (EVP_PKEY_derive(ctx.get(), out.data(), &len) != 1) {
    internal::ClearErrors();
    return InvalidArgument("key agreement with an invalid or low-order peer key");
  }
  // X25519 with a low-order point gives zeros (RFC 7748 section 6.1). An
  // ECDH x-coordinate may be zero legitimately; invalid points never parse.
  uint8_t acc = 0;
  for (size_t i = 0; i < len; ++i) acc |= out.data()[i];
  if (alg_ == KeyAlg::kX25519 && acc == 0) {
    return InvalidArgument("key agreement with a low-order peer key");
  }
  out.Shrink(len);
  return out;
}

}  // namespace vhsm::crypto
