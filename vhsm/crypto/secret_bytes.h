// SecretBytes: the only container for key material, passwords and master keys.
//
// It is move-only, wipes its bytes with OPENSSL_cleanse when destroyed or
// moved from, tries to mlock its pages so they do not reach swap, and has no
// stream operator, so it cannot be logged by accident. Copying a secret is an
// explicit Clone(). Reading it goes through view() or data(); whoever copies
// the bytes elsewhere owns wiping that copy. Not thread-safe (like any value).
#ifndef VHSM_CRYPTO_SECRET_BYTES_H_
#define VHSM_CRYPTO_SECRET_BYTES_H_

#include <cstddef>
#include <cstdint>

#include "vhsm/crypto/bytes.h"

namespace vhsm::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  // SecretBytes(n) holds n zero bytes.
  explicit SecretBytes(size_t n);
  // SecretBytes(view) copies the bytes of view.
  explicit SecretBytes(ByteView view);
  ~SecretBytes();

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  SecretBytes Clone() const { return SecretBytes(view()); }

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  ByteView view() const { return ByteView(data_, size_); }

  // Shrink shrinks to n bytes (wiping the tail); growing is not supported
  // and leaves the size unchanged.
  void Shrink(size_t n);
  // Wipe zeroes and frees the bytes; the object is empty afterwards.
  void Wipe();

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;  // allocated (and locked) extent
  bool locked_ = false;
};

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_SECRET_BYTES_H_
