#include "vhsm/crypto/pbkdf2.h"

#include <openssl/crypto.h>

#include <limits>

#include "vhsm/crypto/internal/openssl_util.h"

namespace vhsm::crypto {
namespace {

// ScrubStack wipes the stack below its caller's frame, where the library's
// PBKDF2 and HMAC frames just were: some libraries (BoringSSL's HMAC_Init_ex)
// leave the key they padded, here the password, in a local buffer.
__attribute__((noinline)) void ScrubStack() {
  volatile unsigned char area[32 * 1024];
  OPENSSL_cleanse(const_cast<unsigned char*>(area), sizeof(area));
  __asm__ __volatile__("" : : "r"(area) : "memory");
}

}  // namespace

Result<SecretBytes> Pbkdf2HmacSha256(ByteView password, ByteView salt, uint32_t iterations,
                                     size_t out_len) {
  if (iterations < 1 || iterations > static_cast<uint32_t>(std::numeric_limits<int>::max())) {
    return InvalidArgument("PBKDF2 iteration count out of range: " + std::to_string(iterations));
  }
  if (out_len == 0 || out_len > 1024) {
    return InvalidArgument("PBKDF2 output length out of range: " + std::to_string(out_len));
  }
  if (password.size() > 1 << 20 || salt.size() > 1 << 20) {
    return InvalidArgument("PBKDF2 password or salt too long");
  }
  static const uint8_t kEmpty[1] = {0};
  SecretBytes out(out_len);
  // The casts fit both OpenSSL's (int) and BoringSSL's (size_t) prototypes.
  int ok =
      PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(password.empty() ? kEmpty : password.data()),
                        static_cast<int>(password.size()), salt.empty() ? kEmpty : salt.data(),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                        static_cast<int>(out_len), out.data());
  ScrubStack();
  if (ok != 1) return internal::OpenSslError("PBKDF2-HMAC-SHA256");
  return out;
}

}  // namespace vhsm::crypto
