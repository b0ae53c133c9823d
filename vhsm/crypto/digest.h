// Streaming message digests: SHA-1, SHA-256, SHA-384, SHA-512.
//
// Digest is a value: copying it forks the running state (useful for
// "digest so far"), moving it is cheap. Update after Final, or Final twice,
// is a FailedPrecondition error. SHA-1 is here for compatibility only; never
// use it for new signatures. Not thread-safe per object.
#ifndef VHSM_CRYPTO_DIGEST_H_
#define VHSM_CRYPTO_DIGEST_H_

#include <memory>

#include "vhsm/base/status.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/digest_alg.h"

namespace vhsm::crypto {

class Digest {
 public:
  // Create returns a fresh digest state, or Internal on a libcrypto failure.
  static Result<Digest> Create(DigestAlg alg);

  Digest(const Digest& other);
  Digest& operator=(const Digest& other);
  Digest(Digest&&) noexcept;
  Digest& operator=(Digest&&) noexcept;
  ~Digest();

  DigestAlg alg() const { return alg_; }
  Status Update(ByteView data);
  Result<Bytes> Final();
  // Reset starts over with the same algorithm, reusing the state's memory
  // (cheaper than Create for many short messages).
  Status Reset();

 private:
  struct State;
  Digest(DigestAlg alg, std::unique_ptr<State> state);
  DigestAlg alg_;
  std::unique_ptr<State> state_;
};

// ComputeDigest is the one-shot form.
Result<Bytes> ComputeDigest(DigestAlg alg, ByteView data);

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_DIGEST_H_
