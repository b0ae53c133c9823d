// PrivateKey and PublicKey: types, generation, parsing and encoding. The
// operations are in asymmetric_ops.cc.
#include "vhsm/crypto/asymmetric_key.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#if !defined(OPENSSL_IS_BORINGSSL)
#include <openssl/core_names.h>
#endif

#include <cstring>

#include "vhsm/crypto/internal/openssl_util.h"
#include "vhsm/crypto/internal/pkey.h"

namespace vhsm::crypto {

using internal::EvpPkeyPtr;

namespace {

int CurveNid(EVP_PKEY* pkey) {
#if defined(OPENSSL_IS_BORINGSSL)
  const EC_KEY* ec = EVP_PKEY_get0_EC_KEY(pkey);
  return ec == nullptr ? NID_undef : EC_GROUP_get_curve_name(EC_KEY_get0_group(ec));
#else
  // Only named curves: explicit parameters (even ones equal to a named
  // curve's, with a forged cofactor) are how invalid-curve attacks arrive.
  char name[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_ENCODING, name, sizeof(name), &len) !=
          1 ||
      std::strcmp(name, OSSL_PKEY_EC_ENCODING_GROUP) != 0) {
    return NID_undef;
  }
  if (EVP_PKEY_get_group_name(pkey, name, sizeof(name), &len) != 1) return NID_undef;
  return OBJ_sn2nid(name);
#endif
}

// AlgOf returns the KeyAlg of a parsed key, or InvalidArgument for any type,
// curve or size VHSM does not support.
Result<KeyAlg> AlgOf(EVP_PKEY* pkey) {
  switch (EVP_PKEY_id(pkey)) {
    case EVP_PKEY_EC:
      switch (CurveNid(pkey)) {
        case NID_X9_62_prime256v1:
          return KeyAlg::kEcP256;
        case NID_secp384r1:
          return KeyAlg::kEcP384;
        default:
          return InvalidArgument("unsupported EC curve (only P-256 and P-384)");
      }
    case EVP_PKEY_RSA:
      switch (EVP_PKEY_bits(pkey)) {
        case 2048:
          return KeyAlg::kRsa2048;
        case 3072:
          return KeyAlg::kRsa3072;
        case 4096:
          return KeyAlg::kRsa4096;
        default:
          return InvalidArgument("unsupported RSA modulus of " +
                                 std::to_string(EVP_PKEY_bits(pkey)) +
                                 " bits (only 2048, 3072 and 4096)");
      }
    case EVP_PKEY_ED25519:
      return KeyAlg::kEd25519;
    case EVP_PKEY_X25519:
      return KeyAlg::kX25519;
    default:
      return InvalidArgument(
          "unsupported key type (only ec-p256, ec-p384, ed25519, rsa-2048/3072/4096, x25519)");
  }
}

int NoPassphrase(char*, int, int, void*) { return -1; }

bool LooksLikePem(ByteView data) {
  static const char kArmour[] = "-----BEGIN ";
  std::string_view s(reinterpret_cast<const char*>(data.data()), data.size());
  return s.find(kArmour) != std::string_view::npos;
}

// KeygenContext prepares a key generation context for alg.
Result<internal::EvpPkeyCtxPtr> KeygenContext(KeyAlg alg) {
  int id = IsEc(alg)                ? EVP_PKEY_EC
           : IsRsa(alg)             ? EVP_PKEY_RSA
           : alg == KeyAlg::kX25519 ? EVP_PKEY_X25519
                                    : EVP_PKEY_ED25519;
  internal::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(id, nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1) {
    return internal::OpenSslError(std::string("keygen init ") + KeyAlgName(alg));
  }
  bool ok = true;
  if (IsEc(alg)) {
    int nid = alg == KeyAlg::kEcP256 ? NID_X9_62_prime256v1 : NID_secp384r1;
    ok = EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx.get(), nid) == 1;
  } else if (IsRsa(alg)) {
    int bits = alg == KeyAlg::kRsa2048 ? 2048 : alg == KeyAlg::kRsa3072 ? 3072 : 4096;
    ok = EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) == 1;
  }
  if (!ok) return internal::OpenSslError(std::string("keygen parameters ") + KeyAlgName(alg));
  return ctx;
}

}  // namespace

// Adopt makes a key object own raw (freed if its type is not supported).
template <typename K>
Result<K> Adopt(evp_pkey_st* raw) {
  auto impl = std::make_unique<typename K::Impl>();
  impl->pkey.reset(raw);
  VHSM_ASSIGN_OR_RETURN(KeyAlg alg, AlgOf(raw));
  return K(alg, std::move(impl));
}

const char* KeyAlgName(KeyAlg alg) {
  switch (alg) {
    case KeyAlg::kEcP256:
      return "ec-p256";
    case KeyAlg::kEd25519:
      return "ed25519";
    case KeyAlg::kEcP384:
      return "ec-p384";
    case KeyAlg::kRsa2048:
      return "rsa-2048";
    case KeyAlg::kRsa3072:
      return "rsa-3072";
    case KeyAlg::kRsa4096:
      return "rsa-4096";
    case KeyAlg::kX25519:
      return "x25519";
  }
  return "unknown";
}

bool IsRsa(KeyAlg alg) {
  return alg == KeyAlg::kRsa2048 || alg == KeyAlg::kRsa3072 || alg == KeyAlg::kRsa4096;
}
bool IsEc(KeyAlg alg) { return alg == KeyAlg::kEcP256 || alg == KeyAlg::kEcP384; }
bool CanSign(KeyAlg alg) { return alg != KeyAlg::kX25519; }
bool CanDerive(KeyAlg alg) { return IsEc(alg) || alg == KeyAlg::kX25519; }

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
  VHSM_ASSIGN_OR_RETURN(internal::EvpPkeyCtxPtr ctx, KeygenContext(alg));
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
  return Adopt<PrivateKey>(raw);
}

Result<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  internal::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return internal::OpenSslError("BIO_new_mem_buf");
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr);
  if (raw == nullptr) {
    internal::ClearErrors();
    return InvalidArgument("not an unencrypted PEM private key");
  }
  return Adopt<PrivateKey>(raw);
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

Result<PublicKey> PublicKey::FromSpkiDer(ByteView der) {
  const uint8_t* p = der.data();
  EVP_PKEY* raw = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (raw == nullptr || p != der.end()) {
    EVP_PKEY_free(raw);
    internal::ClearErrors();
    return InvalidArgument("not a DER SubjectPublicKeyInfo");
  }
  return Adopt<PublicKey>(raw);
}

Result<PublicKey> PublicKey::FromPem(std::string_view pem) {
  internal::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return internal::OpenSslError("BIO_new_mem_buf");
  EVP_PKEY* raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr);
  if (raw == nullptr) {
    internal::ClearErrors();
    return InvalidArgument("not a PEM public key");
  }
  return Adopt<PublicKey>(raw);
}

Result<PublicKey> PublicKey::FromEncoded(ByteView data) {
  if (LooksLikePem(data)) {
    return FromPem(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
  }
  return FromSpkiDer(data);
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

Result<PublicParts> PublicKey::Parts() const {
  // The SPKI's own bytes give everything: AlgorithmIdentifier parameters (the
  // curve OID) and the subjectPublicKey BIT STRING.
  VHSM_ASSIGN_OR_RETURN(Bytes spki, ToSpkiDer());
  const uint8_t* p = spki.data();
  X509_PUBKEY* xpk = d2i_X509_PUBKEY(nullptr, &p, static_cast<long>(spki.size()));
  if (xpk == nullptr) return internal::OpenSslError("SPKI parse");
  const uint8_t* key = nullptr;
  int key_len = 0;
  X509_ALGOR* alg = nullptr;
  PublicParts out;
  if (X509_PUBKEY_get0_param(nullptr, &key, &key_len, &alg, xpk) == 1) {
    out.ec_point.assign(key, key + key_len);
    const ASN1_OBJECT* oid = nullptr;
    int ptype = 0;
    const void* pval = nullptr;
    X509_ALGOR_get0(&oid, &ptype, &pval, alg);
    const ASN1_OBJECT* curve = IsEc(alg_) ? static_cast<const ASN1_OBJECT*>(pval) : oid;
    if (IsEc(alg_) && ptype != V_ASN1_OBJECT) curve = nullptr;
    int n = curve != nullptr ? i2d_ASN1_OBJECT(curve, nullptr) : 0;
    if (n > 0 && !IsRsa(alg_)) {
      out.ec_params.resize(static_cast<size_t>(n));
      uint8_t* w = out.ec_params.data();
      i2d_ASN1_OBJECT(curve, &w);
    }
  }
  X509_PUBKEY_free(xpk);
  if (IsRsa(alg_)) {
    out.ec_point.clear();
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
#if defined(OPENSSL_IS_BORINGSSL)
    const RSA* rsa = EVP_PKEY_get0_RSA(impl_->pkey.get());
    n = BN_dup(RSA_get0_n(rsa));
    e = BN_dup(RSA_get0_e(rsa));
#else
    EVP_PKEY_get_bn_param(impl_->pkey.get(), OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(impl_->pkey.get(), OSSL_PKEY_PARAM_RSA_E, &e);
#endif
    if (n == nullptr || e == nullptr) {
      BN_free(n);
      BN_free(e);
      return internal::OpenSslError("RSA components");
    }
    out.modulus.resize(BN_num_bytes(n));
    out.exponent.resize(BN_num_bytes(e));
    BN_bn2bin(n, out.modulus.data());
    BN_bn2bin(e, out.exponent.data());
    BN_free(n);
    BN_free(e);
  }
  return out;
}

}  // namespace vhsm::crypto
