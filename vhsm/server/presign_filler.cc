#include "vhsm/server/presign_filler.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>

namespace vhsm::server {
namespace {
// Pairs made between looks at stop_: ~20 µs each for P-256.
constexpr size_t kStep = 16;
}  // namespace

PresignFiller::PresignFiller(size_t capacity)
    : p256_(crypto::EcdsaPresigs::Create(crypto::KeyAlg::kEcP256, capacity)),
      p384_(capacity == 0 ? nullptr
                          : crypto::EcdsaPresigs::Create(crypto::KeyAlg::kEcP384, kP384Capacity)) {
  if (p256_ != nullptr) thread_ = std::thread([this] { Run(); });
}

PresignFiller::~PresignFiller() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

crypto::EcdsaPresigs* PresignFiller::For(crypto::KeyAlg alg) {
  crypto::EcdsaPresigs* pool = alg == crypto::KeyAlg::kEcP256   ? p256_.get()
                               : alg == crypto::KeyAlg::kEcP384 ? p384_.get()
                                                                : nullptr;
  if (pool == nullptr || p256_ == nullptr) return nullptr;  // no thread fills it
  // One wake-up per refill: only the signer that sets `wanted_` notifies.
  if (pool->Low() && !wanted_.exchange(true)) {
    std::lock_guard<std::mutex> lock(mu_);
    cv_.notify_one();
  }
  return pool;
}

bool PresignFiller::Stopping() {
  std::lock_guard<std::mutex> lock(mu_);
  return stop_;
}

void PresignFiller::Run() {
  // Below requests in the CPU's order (nice 10): under contention the
  // polling thread and the workers go first, the pool runs dry and
  // signatures are made whole on the workers, as without a pool.
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_ || wanted_.load(); });
    if (stop_) break;
    if (!wanted_.load()) continue;
    lock.unlock();
    // Clear the request first: a signer that empties the pool while this
    // refill runs asks again, and the loop goes round once more.
    wanted_.store(false);
    // P-256 full first (cheap, and most signatures), then one P-384 pair
    // (~0.8 ms) at a time, looking at P-256 again between them.
    bool more = true;
    while (more && !Stopping()) {
      more = p256_->Refill(kStep) == kStep;
      if (!more && p384_ != nullptr) more = p384_->Refill(1) == 1;
    }
    lock.lock();
  }
}

}  // namespace vhsm::server
