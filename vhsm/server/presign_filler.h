// PresignFiller: keeps vhsmd's pools of ECDSA presignatures
// (crypto/ecdsa_presign.h) full from a thread of its own: 128 for P-256,
// 16 for P-384.
//
// An ECDSA signature on the polling thread then costs a couple of
// multiplications instead of ~20 µs (P-256) or ~0.8 ms (P-384) of nonce
// work, and that work runs on whichever core is free: with several
// signatures in flight both cores sign. The thread sleeps until a signer
// finds a pool under half full, then refills it in small steps, P-256
// first. An empty pool (a burst larger than the pool) is not an error: the
// polling thread hands those signatures to the workers, which make them
// whole (ops::Sign).
//
// Thread-safe.
#ifndef VHSM_SERVER_PRESIGN_FILLER_H_
#define VHSM_SERVER_PRESIGN_FILLER_H_

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/crypto/ecdsa_presign.h"

namespace vhsm::server {

class PresignFiller {
 public:
  static constexpr size_t kDefaultCapacity = 128;  // P-256
  static constexpr size_t kP384Capacity = 16;

  // capacity 0 (or a library without presignatures): no pools, no thread.
  explicit PresignFiller(size_t capacity = kDefaultCapacity);
  ~PresignFiller();  // stops and joins the thread; wipes the pool
  PresignFiller(const PresignFiller&) = delete;
  PresignFiller& operator=(const PresignFiller&) = delete;

  // For: the pool for a signature with a key of alg (null: none; sign the
  // ordinary way). Wakes the filler when the pool is under half full.
  crypto::EcdsaPresigs* For(crypto::KeyAlg alg);

  // The pools themselves (tests, figures); null when there are none.
  crypto::EcdsaPresigs* p256() { return p256_.get(); }
  crypto::EcdsaPresigs* p384() { return p384_.get(); }

 private:
  void Run();
  bool Stopping();

  std::unique_ptr<crypto::EcdsaPresigs> p256_;
  std::unique_ptr<crypto::EcdsaPresigs> p384_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;               // guarded by mu_
  std::atomic<bool> wanted_{true};  // a refill was asked for (starts full)
  std::thread thread_;
};

}  // namespace vhsm::server

#endif  // VHSM_SERVER_PRESIGN_FILLER_H_
