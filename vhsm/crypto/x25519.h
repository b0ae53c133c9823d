// X25519 (RFC 7748): Diffie-Hellman on Curve25519, for the secure channel
// between clients and vhsmd (vhsm/noise) and for key agreement.
//
// Misuse: the shared secret is raw DH output; never use it as a key
// directly, feed it to a KDF (HKDF, or Noise's MixKey). Dh() refuses an
// all-zero result (a low-order peer point), as RFC 7748 section 6.1 allows.
// Private keys live in SecretBytes (wiped, mlocked). Thread-safe: objects
// are immutable once made.
#ifndef VHSM_CRYPTO_X25519_H_
#define VHSM_CRYPTO_X25519_H_

#include "vhsm/base/status.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/secret_bytes.h"

namespace vhsm::crypto {

inline constexpr size_t kX25519KeySize = 32;

class X25519KeyPair {
 public:
  // Generate makes a fresh key pair from the OS RNG.
  static Result<X25519KeyPair> Generate();
  // FromPrivate derives the public half; InvalidArgument unless 32 bytes.
  static Result<X25519KeyPair> FromPrivate(ByteView private_key);

  const Bytes& public_key() const { return public_; }
  const SecretBytes& private_key() const { return private_; }

  // Dh returns X25519(private, peer_public); InvalidArgument for a peer key
  // that is not 32 bytes or gives the all-zero output.
  Result<SecretBytes> Dh(ByteView peer_public) const;

 private:
  X25519KeyPair(SecretBytes priv, Bytes pub) : private_(std::move(priv)), public_(std::move(pub)) {}
  SecretBytes private_;
  Bytes public_;
};

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_X25519_H_
