// Asymmetric signing keys: ECDSA P-256 (over SHA-256) and Ed25519.
//
// PrivateKey owns a private key inside libcrypto (which wipes it when freed);
// it leaves only through ToPkcs8Der(), as a SecretBytes, for the store to
// encrypt. Never hand that to a client. ECDSA signatures are DER-encoded
// (what `openssl dgst -sign` writes); Ed25519 signatures are the 64 raw bytes
// of RFC 8032. Keys of any other type or curve are refused with
// InvalidArgument. Objects are immutable after creation and safe to share
// between threads.
#ifndef VHSM_CRYPTO_SIGNING_KEY_H_
#define VHSM_CRYPTO_SIGNING_KEY_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vhsm/base/status.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/secret_bytes.h"

namespace vhsm::crypto {

enum class KeyAlg { kEcP256, kEd25519 };

const char* KeyAlgName(KeyAlg alg);  // "ec-p256" or "ed25519"

class PublicKey;

class PrivateKey {
 public:
  static Result<PrivateKey> Generate(KeyAlg alg);
  // FromPkcs8Der parses an unencrypted PKCS#8 PrivateKeyInfo.
  static Result<PrivateKey> FromPkcs8Der(ByteView der);
  // FromPem parses an unencrypted PEM private key (PKCS#8 or SEC1 EC). An
  // encrypted PEM is refused: it never prompts for a passphrase.
  static Result<PrivateKey> FromPem(std::string_view pem);
  // FromEncoded accepts PEM or DER, telling them apart by the PEM armour.
  static Result<PrivateKey> FromEncoded(ByteView data);

  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  ~PrivateKey();

  KeyAlg alg() const { return alg_; }
  Result<SecretBytes> ToPkcs8Der() const;
  Result<PublicKey> GetPublicKey() const;

  // Sign signs message (ECDSA hashes it with SHA-256 first).
  Result<Bytes> Sign(ByteView message) const;
  // SignDigest signs a SHA-256 digest that the caller computed (ECDSA only;
  // the path OpenSSL's engine and pkeyutl use). InvalidArgument for Ed25519
  // or a digest that is not 32 bytes.
  Result<Bytes> SignDigest(ByteView digest) const;

 private:
  struct Impl;
  PrivateKey(KeyAlg alg, std::unique_ptr<Impl> impl);
  KeyAlg alg_;
  std::unique_ptr<Impl> impl_;
};

class PublicKey {
 public:
  // FromSpkiDer parses a DER SubjectPublicKeyInfo.
  static Result<PublicKey> FromSpkiDer(ByteView der);
  // FromPem parses a "PUBLIC KEY" PEM block.
  static Result<PublicKey> FromPem(std::string_view pem);

  PublicKey(PublicKey&&) noexcept;
  PublicKey& operator=(PublicKey&&) noexcept;
  ~PublicKey();

  KeyAlg alg() const { return alg_; }
  Result<Bytes> ToSpkiDer() const;
  Result<std::string> ToPem() const;

  // Verify returns true when signature is valid for message, false when it is
  // not (including malformed signatures); errors only on library failure.
  Result<bool> Verify(ByteView message, ByteView signature) const;
  // VerifyDigest is Verify over a caller-computed SHA-256 digest (ECDSA only).
  Result<bool> VerifyDigest(ByteView digest, ByteView signature) const;

 private:
  friend class PrivateKey;
  struct Impl;
  PublicKey(KeyAlg alg, std::unique_ptr<Impl> impl);
  KeyAlg alg_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_SIGNING_KEY_H_
