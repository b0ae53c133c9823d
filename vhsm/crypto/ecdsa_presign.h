// ECDSA presignatures: most of an ECDSA signature's cost is the nonce's part
// (k random, r = x(k·G) mod n, k⁻¹ mod n), which does not depend on the key
// or the message. EcdsaPresigs keeps a pool of such (k⁻¹, r) pairs for one
// curve, made ahead of time by a background thread (Refill); a signer takes
// one pair and finishes the signature with two multiplications (well under a
// microsecond for P-256, against ~20 µs for a whole signature).
//
// A pair is as secret as a private key (one pair and the signature made with
// it give the key away): each is made from the DRBG, used for exactly one
// signature (taken out under the lock), wiped when used or when the pool is
// destroyed, and never copied. The signatures are ordinary ECDSA: anything
// verifies them. Not available with BoringSSL (no such interface): Create
// returns null and signing goes on as before.
//
// Thread-safe: any number of signers and refillers.
#ifndef VHSM_CRYPTO_ECDSA_PRESIGN_H_
#define VHSM_CRYPTO_ECDSA_PRESIGN_H_

#include <memory>
#include <optional>

#include "vhsm/base/status.h"
#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/crypto/bytes.h"

namespace vhsm::crypto {

class EcdsaPresigs {
 public:
  // Create: an empty pool of up to `capacity` pairs for curve (kEcP256 or
  // kEcP384); null for another type, or without library support.
  static std::unique_ptr<EcdsaPresigs> Create(KeyAlg curve, size_t capacity);
  ~EcdsaPresigs();
  EcdsaPresigs(const EcdsaPresigs&) = delete;
  EcdsaPresigs& operator=(const EcdsaPresigs&) = delete;

  KeyAlg curve() const;
  size_t capacity() const;
  size_t size() const;
  // Low: under half full (time to Refill).
  bool Low() const;
  // Refill makes pairs until the pool is full, at most max_new of them;
  // returns how many it added. The work is done outside the lock.
  size_t Refill(size_t max_new);

  // SignDigest signs digest (already hashed) with key, a private key of
  // this pool's curve, using one pair. nullopt when it cannot (pool empty,
  // another curve, the library refused the pair): the caller signs the
  // ordinary way. A signature is DER, as PrivateKey::SignDigest's.
  std::optional<Bytes> SignDigest(const PrivateKey& key, ByteView digest);

 private:
  struct Impl;
  explicit EcdsaPresigs(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_ECDSA_PRESIGN_H_
