#include "vhsm/crypto/key_wrap.h"

#include <openssl/aes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "vhsm/crypto/internal/openssl_util.h"

namespace vhsm::crypto {
namespace {

const char kUnwrapFailed[] = "key unwrap failed: wrong key or damaged input";

Status CheckSizes(WrapMode mode, ByteView kek, size_t in_len, bool wrap) {
  if (kek.size() != 16 && kek.size() != 24 && kek.size() != 32) {
    return InvalidArgument("an AES key-wrapping key has 16, 24 or 32 bytes");
  }
  if (mode == WrapMode::kKw) {
    size_t min = wrap ? 16 : 24;
    if (in_len < min || in_len % 8 != 0) {
      return wrap ? InvalidArgument("AES-KW wraps a multiple of 8 bytes, at least 16")
                  : InvalidArgument(kUnwrapFailed);
    }
  } else if (wrap ? in_len == 0 : (in_len < 16 || in_len % 8 != 0)) {
    return wrap ? InvalidArgument("nothing to wrap") : InvalidArgument(kUnwrapFailed);
  }
  return Status::Ok();
}

#if defined(OPENSSL_IS_BORINGSSL)

Result<size_t> Run(WrapMode mode, ByteView kek, ByteView in, uint8_t* out, size_t out_max,
                   bool wrap) {
  AES_KEY key;
  int bits = static_cast<int>(kek.size() * 8);
  if ((wrap ? AES_set_encrypt_key(kek.data(), bits, &key)
            : AES_set_decrypt_key(kek.data(), bits, &key)) != 0) {
    return internal::OpenSslError("AES key");
  }
  size_t len = 0;
  int ok;
  if (mode == WrapMode::kKwp) {
    ok = wrap ? AES_wrap_key_padded(&key, out, &len, out_max, in.data(), in.size())
              : AES_unwrap_key_padded(&key, out, &len, out_max, in.data(), in.size());
  } else {
    int n = wrap ? AES_wrap_key(&key, nullptr, out, in.data(), in.size())
                 : AES_unwrap_key(&key, nullptr, out, in.data(), in.size());
    ok = n > 0;
    len = n > 0 ? static_cast<size_t>(n) : 0;
  }
  OPENSSL_cleanse(&key, sizeof(key));
  if (!ok) {
    internal::ClearErrors();
    return InvalidArgument(kUnwrapFailed);
  }
  return len;
}

#else

const EVP_CIPHER* Cipher(WrapMode mode, size_t key_len) {
  if (mode == WrapMode::kKwp) {
    return key_len == 16   ? EVP_aes_128_wrap_pad()
           : key_len == 24 ? EVP_aes_192_wrap_pad()
                           : EVP_aes_256_wrap_pad();
  }
  return key_len == 16   ? EVP_aes_128_wrap()
         : key_len == 24 ? EVP_aes_192_wrap()
                         : EVP_aes_256_wrap();
}

Result<size_t> Run(WrapMode mode, ByteView kek, ByteView in, uint8_t* out, size_t, bool wrap) {
  internal::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return internal::OpenSslError("cipher context");
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  if (EVP_CipherInit_ex(ctx.get(), Cipher(mode, kek.size()), nullptr, kek.data(), nullptr,
                        wrap ? 1 : 0) != 1) {
    return internal::OpenSslError("key wrap init");
  }
  int len = 0, fin = 0;
  if (EVP_CipherUpdate(ctx.get(), out, &len, in.data(), static_cast<int>(in.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out + len, &fin) != 1) {
    internal::ClearErrors();
    if (wrap) return internal::OpenSslError("key wrap");
    return InvalidArgument(kUnwrapFailed);
  }
  return static_cast<size_t>(len + fin);
}

#endif

}  // namespace

Result<Bytes> AesKeyWrap(WrapMode mode, ByteView kek, ByteView plaintext) {
  VHSM_RETURN_IF_ERROR(CheckSizes(mode, kek, plaintext.size(), true));
  Bytes out(plaintext.size() + 16);
  VHSM_ASSIGN_OR_RETURN(size_t len, Run(mode, kek, plaintext, out.data(), out.size(), true));
  out.resize(len);
  return out;
}

Result<SecretBytes> AesKeyUnwrap(WrapMode mode, ByteView kek, ByteView wrapped) {
  VHSM_RETURN_IF_ERROR(CheckSizes(mode, kek, wrapped.size(), false));
  SecretBytes out(wrapped.size() + 16);
  VHSM_ASSIGN_OR_RETURN(size_t len, Run(mode, kek, wrapped, out.data(), out.size(), false));
  out.Shrink(len);
  return out;
}

}  // namespace vhsm::crypto
