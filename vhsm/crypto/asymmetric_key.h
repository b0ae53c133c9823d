// Asymmetric keys: ECDSA (P-256, P-384), Ed25519, RSA (2048, 3072, 4096
// bits) and X25519, for signatures, RSA-OAEP decryption and key agreement.
//
// PrivateKey owns a private key inside libcrypto (which wipes it when freed);
// it leaves only through ToPkcs8Der(), as a SecretBytes, for the store to
// encrypt. Never hand that to a client. Signatures are what the `openssl`
// command writes: ECDSA DER-encoded, Ed25519 the 64 raw bytes of RFC 8032,
// RSA the big-endian integer as long as the modulus. Keys of any other type,
// curve or modulus size are refused with InvalidArgument. Objects are
// immutable after creation and safe to share between threads.
//
// Misuse: Derive returns raw DH output, never a key; feed it to HKDF
// (hkdf.h). Decrypt refuses every malformed ciphertext with one message, so
// a caller learns nothing about why (no padding oracle).
#ifndef VHSM_CRYPTO_ASYMMETRIC_KEY_H_
#define VHSM_CRYPTO_ASYMMETRIC_KEY_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vhsm/base/status.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/digest_alg.h"
#include "vhsm/crypto/secret_bytes.h"

struct evp_pkey_st;  // libcrypto's EVP_PKEY, in OpenSSL and BoringSSL alike

namespace vhsm::crypto {

enum class KeyAlg { kEcP256, kEd25519, kEcP384, kRsa2048, kRsa3072, kRsa4096, kX25519 };

// KeyAlgName: "ec-p256", "ed25519", "ec-p384", "rsa-2048", "rsa-3072",
// "rsa-4096" or "x25519" (the key type names of the wire and commands).
const char* KeyAlgName(KeyAlg alg);
bool IsRsa(KeyAlg alg);
bool IsEc(KeyAlg alg);
// CanSign: every type but X25519. CanDerive: ECDH curves and X25519.
bool CanSign(KeyAlg alg);
bool CanDerive(KeyAlg alg);

// Signature schemes. kDefault is the type's own scheme: ECDSA, Ed25519, or
// PKCS#1 v1.5 for RSA. kPss (RSA only) uses a salt as long as the hash and
// MGF1 with the same hash. kPkcs1Raw (RSA, SignDigest/VerifyDigest only)
// pads the given bytes as PKCS#1 v1.5 without adding a DigestInfo: the
// caller supplies it (PKCS#11's CKM_RSA_PKCS); at most modulus - 11 bytes.
enum class SigScheme { kDefault, kPkcs1, kPss, kPkcs1Raw };

class EcdsaPresigs;  // ecdsa_presign.h

// SignParams: scheme and hash (unset: SHA-256, or SHA-384 for P-384).
// Ed25519 takes neither; ECDSA and RSA take SHA-256, SHA-384 or SHA-512.
// presigs: an ECDSA key of that pool's curve signs with one of its
// precomputed nonces when it has one (the same signature, a fraction of the
// time); the ordinary way otherwise, or, with presigs_only, not at all
// (Unavailable: the caller signs elsewhere, a P-384 signature being ~1 ms).
struct SignParams {
  SigScheme scheme = SigScheme::kDefault;
  std::optional<DigestAlg> hash;
  EcdsaPresigs* presigs = nullptr;
  bool presigs_only = false;
};

// SignatureHash returns the hash a signature with these parameters uses,
// or InvalidArgument when the key cannot take them (nullopt for Ed25519).
Result<std::optional<DigestAlg>> SignatureHash(KeyAlg alg, const SignParams& params);

class PublicKey;
template <typename K>
Result<K> Adopt(evp_pkey_st* raw);  // internal: asymmetric_key.cc

class PrivateKey {
 public:
  static Result<PrivateKey> Generate(KeyAlg alg);
  // FromPkcs8Der parses an unencrypted PKCS#8 PrivateKeyInfo.
  static Result<PrivateKey> FromPkcs8Der(ByteView der);
  // FromPem parses an unencrypted PEM private key (PKCS#8, SEC1 EC or
  // PKCS#1 RSA). An encrypted PEM is refused: it never prompts.
  static Result<PrivateKey> FromPem(std::string_view pem);
  // FromEncoded accepts PEM or DER, telling them apart by the PEM armour.
  static Result<PrivateKey> FromEncoded(ByteView data);

  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  ~PrivateKey();

  KeyAlg alg() const { return alg_; }
  Result<SecretBytes> ToPkcs8Der() const;
  Result<PublicKey> GetPublicKey() const;

  // Sign signs message (hashing it first, except Ed25519).
  Result<Bytes> Sign(ByteView message, const SignParams& params = {}) const;
  // SignDigest signs a digest the caller computed with params' hash (the
  // path OpenSSL's engine and pkeyutl use). InvalidArgument for Ed25519 or a
  // digest of the wrong length.
  Result<Bytes> SignDigest(ByteView digest, const SignParams& params = {}) const;
  // Decrypt undoes RSA-OAEP (SHA-256, MGF1-SHA-256, empty label).
  // InvalidArgument for a key that is not RSA or any bad ciphertext.
  Result<SecretBytes> Decrypt(ByteView ciphertext) const;
  // Derive returns the raw shared secret with peer (ECDH on the same curve,
  // or X25519). InvalidArgument for another type, curve or an all-zero
  // X25519 result (a low-order peer point).
  Result<SecretBytes> Derive(const PublicKey& peer) const;

 private:
  template <typename K>
  friend Result<K> Adopt(evp_pkey_st* raw);
  friend class EcdsaPresigs;
  struct Impl;
  PrivateKey(KeyAlg alg, std::unique_ptr<Impl> impl);
  KeyAlg alg_;
  std::unique_ptr<Impl> impl_;
};

// PublicParts: a public key's components as PKCS#11 and JOSE spell them.
struct PublicParts {
  Bytes ec_params;  // EC and Ed25519/X25519: DER of the curve's OID
  Bytes ec_point;   // EC: the uncompressed point; Edwards/Montgomery: the raw key
  Bytes modulus;    // RSA: big-endian, no leading zeros
  Bytes exponent;   // RSA
};

class PublicKey {
 public:
  // FromSpkiDer parses a DER SubjectPublicKeyInfo.
  static Result<PublicKey> FromSpkiDer(ByteView der);
  // FromPem parses a "PUBLIC KEY" PEM block.
  static Result<PublicKey> FromPem(std::string_view pem);
  // FromEncoded accepts PEM or DER SPKI.
  static Result<PublicKey> FromEncoded(ByteView data);

  PublicKey(PublicKey&&) noexcept;
  PublicKey& operator=(PublicKey&&) noexcept;
  ~PublicKey();

  KeyAlg alg() const { return alg_; }
  Result<Bytes> ToSpkiDer() const;
  Result<std::string> ToPem() const;
  Result<PublicParts> Parts() const;

  // Verify returns true when signature is valid for message, false when it is
  // not (including malformed signatures); errors for parameters the key
  // cannot take, or a library failure.
  Result<bool> Verify(ByteView message, ByteView signature, const SignParams& params = {}) const;
  // VerifyDigest is Verify over a caller-computed digest (not Ed25519).
  Result<bool> VerifyDigest(ByteView digest, ByteView signature,
                            const SignParams& params = {}) const;
  // Encrypt is RSA-OAEP (SHA-256, MGF1-SHA-256): what anyone holding the
  // public key does; InvalidArgument for other keys or a too long message.
  Result<Bytes> Encrypt(ByteView plaintext) const;

 private:
  friend class PrivateKey;
  template <typename K>
  friend Result<K> Adopt(evp_pkey_st* raw);
  struct Impl;
  PublicKey(KeyAlg alg, std::unique_ptr<Impl> impl);
  KeyAlg alg_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_ASYMMETRIC_KEY_H_
