#include "vhsm/crypto/secret_bytes.h"

#include <openssl/crypto.h>
#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace vhsm::crypto {

SecretBytes::SecretBytes(size_t n) {
  if (n == 0) return;
  data_ = static_cast<uint8_t*>(std::calloc(n, 1));
  if (data_ == nullptr) throw std::bad_alloc();
  size_ = n;
  capacity_ = n;
  // Best effort: RLIMIT_MEMLOCK may be small; a failed mlock is not an error.
  locked_ = mlock(data_, size_) == 0;
}

SecretBytes::SecretBytes(ByteView view) : SecretBytes(view.size()) {
  if (!view.empty()) std::memcpy(data_, view.data(), view.size());
}

SecretBytes::~SecretBytes() { Wipe(); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)),
      locked_(std::exchange(other.locked_, false)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    locked_ = std::exchange(other.locked_, false);
  }
  return *this;
}

void SecretBytes::Shrink(size_t n) {
  if (n >= size_) return;
  OPENSSL_cleanse(data_ + n, size_ - n);
  size_ = n;
}

void SecretBytes::Wipe() {
  if (data_ == nullptr) return;
  // OPENSSL_cleanse cannot be optimised away, unlike memset before free.
  OPENSSL_cleanse(data_, capacity_);
  if (locked_) munlock(data_, capacity_);
  std::free(data_);
  data_ = nullptr;
  size_ = 0;
  capacity_ = 0;
  locked_ = false;
}

}  // namespace vhsm::crypto
