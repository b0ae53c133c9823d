// Streaming HMAC over SHA-1/256/384/512 (RFC 2104).
//
// Hmac holds its key inside libcrypto's context, which libcrypto wipes when
// freed. Copying an Hmac forks the running state; Update after Final, or
// Final twice, is FailedPrecondition. To check a MAC, compare with
// ConstantTimeEquals (constant_time.h), never ==. Not thread-safe per object.
#ifndef VHSM_CRYPTO_HMAC_H_
#define VHSM_CRYPTO_HMAC_H_

#include <memory>

#include "vhsm/base/status.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/digest.h"

namespace vhsm::crypto {

class Hmac {
 public:
  // Create starts an HMAC with key (any length, including empty). Returns
  // Internal on a libcrypto failure.
  static Result<Hmac> Create(DigestAlg alg, ByteView key);

  Hmac(const Hmac& other);
  Hmac& operator=(const Hmac& other);
  Hmac(Hmac&&) noexcept;
  Hmac& operator=(Hmac&&) noexcept;
  ~Hmac();

  DigestAlg alg() const { return alg_; }
  Status Update(ByteView data);
  Result<Bytes> Final();

 private:
  struct State;
  Hmac(DigestAlg alg, std::unique_ptr<State> state);
  DigestAlg alg_;
  std::unique_ptr<State> state_;
};

// ComputeHmac is the one-shot form.
Result<Bytes> ComputeHmac(DigestAlg alg, ByteView key, ByteView data);

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_HMAC_H_
