#include "vhsm/crypto/signing_key.h"

#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>

#include "vhsm/crypto/internal/openssl_util.h"

namespace vhsm::crypto {

using internal::EvpPkeyPtr;

struct PrivateKey::Impl {
  EvpPkeyPtr pkey;
};
struct PublicKey::Impl {
  EvpPkeyPtr pkey;
};

namespace {

bool IsP256(EVP_PKEY* pkey) {
#if defined(OPENSSL_IS_BORINGSSL)
  const EC_KEY* ec = EVP_PKEY_get0_EC_KEY(pkey);
  return ec != nullptr && EC_GROUP_get_curve_name(EC_KEY_get0_group(ec)) == NID_X9_62_prime256v1;
#else
  char name[64] = {0};
  size_t len = 0;
  return EVP_PKEY_get_group_name(pkey, name, sizeof(name), &len) == 1 &&
         std::strcmp(name, "prime256v1") == 0;
#endif
}

// AlgOf returns the KeyAlg of a parsed key, or InvalidArgument for any type
// or curve VHSM does not support.
Result<KeyAlg> AlgOf(EVP_PKEY* pkey) {
  switch (EVP_PKEY_id(pkey)) {
    case EVP_PKEY_EC:
      if (IsP256(pkey)) return KeyAlg::kEcP256;
      return InvalidArgument("unsupported EC curve (only P-256)");
    case EVP_PKEY_ED25519:
      return KeyAlg::kEd25519;
    default:
      return InvalidArgument("unsupported key type (only ec-p256, ed25519)");
  }
}

int NoPassphrase(char*, int, int, void*) { return -1; }

bool LooksLikePem(ByteView data) {
  static const char kArmour[] = "-----BEGIN ";
  std::string_view s(reinterpret_cast<const char*>(data.data()), data.size());
  return s.find(kArmour) != std::string_view::npos;
}

Result<Bytes> SignWith(EVP_PKEY* pkey, KeyAlg alg, ByteView message) {
  internal::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  const EVP_MD* md = alg == KeyAlg::kEcP256 ? EVP_sha256() : nullptr;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, pkey) != 1) {
    return internal::OpenSslError("sign init");
  }
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

Result<bool> VerifyWith(EVP_PKEY* pkey, KeyAlg alg, ByteView message, ByteView signature) {
  internal::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  const EVP_MD* md = alg == KeyAlg::kEcP256 ? EVP_sha256() : nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, pkey) != 1) {
    return internal::OpenSslError("verify init");
  }
  int rc = EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                            message.size());
  internal::ClearErrors();  // a bad signature leaves parse errors behind
  return rc == 1;
}

}  // namespace

const char* KeyAlgName(KeyAlg alg) { return alg == KeyAlg::kEcP256 ? "ec-p256" : "ed25519"; }

PrivateKey::PrivateKey(KeyAlg alg, std::unique_ptr<Impl> impl)
    : alg_(alg), impl_(std::move(impl)) {}
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::~PrivateKey() = default;

PublicKey::PublicKey(KeyAlg alg, std::unique_ptr<Impl> impl) : alg_(alg), impl_(std::move(impl)) {}
PublicKey::PublicKey(PublicKey&&) noexcept = default;
PublicKey& PublicKey::operator=(PublicKey&&) noexcept = default;
PublicKey::~PublicKey() = default;

Result<PrivateKey> PrivateKey::Generate(KeyAlg alg) {
  int id = alg == KeyAlg::kEcP256 ? EVP_PKEY_EC : EVP_PKEY_ED25519;
  internal::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(id, nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1) {
    return internal::OpenSslError(std::string("keygen init ") + KeyAlgName(alg));
  }
  if (alg == KeyAlg::kEcP256 &&
      EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx.get(), NID_X9_62_prime256v1) != 1) {
    return internal::OpenSslError("keygen curve P-256");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return internal::OpenSslError(std::string("keygen ") + KeyAlgName(alg));
  }
  auto impl = std::make_unique<Impl>();
  impl->pkey.reset(raw);
  return PrivateKey(alg, std::move(impl));
}

Result<PrivateKey> PrivateKey::FromPkcs8Der(ByteView der) {
  const uint8_t* p = der.data();
  PKCS8_PRIV_KEY_INFO* p8 = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size()));
  if (p8 == nullptr) {
    internal::ClearErrors();
    return InvalidArgument("not a DER PKCS#8 private key");
  }
  EVP_PKEY* raw = EVP_PKCS82PKEY(p8);
  PKCS8_PRIV_KEY_INFO_free(p8);
  if (raw == nullptr || p != der.end()) {
    EVP_PKEY_free(raw);
    internal::ClearErrors();
    return InvalidArgument("malformed PKCS#8 private key");
  }
  auto impl = std::make_unique<Impl>();
  impl->pkey.reset(raw);
  VHSM_ASSIGN_OR_RETURN(KeyAlg alg, AlgOf(raw));
  return PrivateKey(alg, std::move(impl));
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  internal::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return internal::OpenSslError("BIO_new_mem_buf");
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr);
  if (raw == nullptr) {
    internal::ClearErrors();
    return InvalidArgument("not an unencrypted PEM private key");
  }
  auto impl = std::make_unique<Impl>();
  impl->pkey.reset(raw);
  VHSM_ASSIGN_OR_RETURN(KeyAlg alg, AlgOf(raw));
  return PrivateKey(alg, std::move(impl));
}

Result<PrivateKey> PrivateKey::FromEncoded(ByteView data) {
  if (LooksLikePem(data)) {
    return FromPem(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
  }
  return FromPkcs8Der(data);
}

Result<SecretBytes> PrivateKey::ToPkcs8Der() const {
  PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(impl_->pkey.get());
  if (p8 == nullptr) return internal::OpenSslError("PKCS#8 encode");
  uint8_t* der = nullptr;
  int len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
  PKCS8_PRIV_KEY_INFO_free(p8);
  if (len <= 0) return internal::OpenSslError("PKCS#8 DER encode");
  SecretBytes out(ByteView(der, static_cast<size_t>(len)));
  OPENSSL_cleanse(der, static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

Result<PublicKey> PrivateKey::GetPublicKey() const {
  // Round-trip through SPKI DER: the result holds no private part.
  uint8_t* der = nullptr;
  int len = i2d_PUBKEY(impl_->pkey.get(), &der);
  if (len <= 0) return internal::OpenSslError("public key encode");
  Result<PublicKey> pub = PublicKey::FromSpkiDer(ByteView(der, static_cast<size_t>(len)));
  OPENSSL_free(der);
  return pub;
}

Result<Bytes> PrivateKey::Sign(ByteView message) const {
  return SignWith(impl_->pkey.get(), alg_, message);
}

Result<Bytes> PrivateKey::SignDigest(ByteView digest) const {
  if (alg_ != KeyAlg::kEcP256) {
    return InvalidArgument("signing a precomputed digest needs an ec-p256 key");
  }
  if (digest.size() != 32) {
    return InvalidArgument("SHA-256 digest must be 32 bytes, got " + std::to_string(digest.size()));
  }
  internal::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(impl_->pkey.get(), nullptr));
  size_t len = 0;
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest.size()) != 1) {
    return internal::OpenSslError("sign digest init");
  }
  Bytes sig(len);
  if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest.data(), digest.size()) != 1) {
    return internal::OpenSslError("sign digest");
  }
  sig.resize(len);
  return sig;
}

Result<PublicKey> PublicKey::FromSpkiDer(ByteView der) {
  const uint8_t* p = der.data();
  EVP_PKEY* raw = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (raw == nullptr || p != der.end()) {
    EVP_PKEY_free(raw);
    internal::ClearErrors();
    return InvalidArgument("not a DER SubjectPublicKeyInfo");
  }
  auto impl = std::make_unique<Impl>();
  impl->pkey.reset(raw);
  VHSM_ASSIGN_OR_RETURN(KeyAlg alg, AlgOf(raw));
  return PublicKey(alg, std::move(impl));
}

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  internal::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return internal::OpenSslError("BIO_new_mem_buf");
  EVP_PKEY* raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr);
  if (raw == nullptr) {
    internal::ClearErrors();
    return InvalidArgument("not a PEM public key");
  }
  auto impl = std::make_unique<Impl>();
  impl->pkey.reset(raw);
  VHSM_ASSIGN_OR_RETURN(KeyAlg alg, AlgOf(raw));
  return PublicKey(alg, std::move(impl));
}

Result<Bytes> PublicKey::ToSpkiDer() const {
  uint8_t* der = nullptr;
  int len = i2d_PUBKEY(impl_->pkey.get(), &der);
  if (len <= 0) return internal::OpenSslError("public key encode");
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<std::string> PublicKey::ToPem() const {
  internal::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), impl_->pkey.get()) != 1) {
    return internal::OpenSslError("public key PEM encode");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);  // NOLINT: libcrypto's type
  if (len <= 0 || data == nullptr) {
    return internal::OpenSslError("public key PEM read");
  }
  return std::string(data, static_cast<size_t>(len));
}

Result<bool> PublicKey::Verify(ByteView message, ByteView signature) const {
  return VerifyWith(impl_->pkey.get(), alg_, message, signature);
}

Result<bool> PublicKey::VerifyDigest(ByteView digest, ByteView signature) const {
  if (alg_ != KeyAlg::kEcP256) {
    return InvalidArgument("verifying a precomputed digest needs an ec-p256 key");
  }
  internal::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new(impl_->pkey.get(), nullptr));
  if (!ctx || EVP_PKEY_verify_init(ctx.get()) != 1) {
    return internal::OpenSslError("verify digest init");
  }
  int rc =
      EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), digest.data(), digest.size());
  internal::ClearErrors();
  return rc == 1;
}

}  // namespace vhsm::crypto
