#include "vhsm/crypto/aead.h"

#include <string.h>

#include <limits>

#include "vhsm/crypto/internal/openssl_util.h"
#include "vhsm/crypto/random.h"

namespace vhsm::crypto {
namespace {

Status CheckParams(ByteView key, ByteView nonce) {
  if (key.size() != kAesGcmKeySize) {
    return InvalidArgument("AES-256-GCM key must be 32 bytes, got " +
                           std::to_string(key.size()));
  }
  if (nonce.size() != kAesGcmNonceSize) {
    return InvalidArgument("AES-GCM nonce must be 12 bytes, got " +
                           std::to_string(nonce.size()));
  }
  return Status::Ok();
}

// Lengths are passed to libcrypto as int.
Status CheckLength(ByteView data, const char* what) {
  if (data.size() > static_cast<size_t>(std::numeric_limits<int>::max() / 2)) {
    return InvalidArgument(std::string("AES-GCM ") + what + " too long");
  }
  return Status::Ok();
}

}  // namespace

Result<Bytes> AesGcmSeal(ByteView key, ByteView nonce, ByteView plaintext,
                         ByteView aad) {
  VHSM_RETURN_IF_ERROR(CheckParams(key, nonce));
  VHSM_RETURN_IF_ERROR(CheckLength(plaintext, "plaintext"));
  VHSM_RETURN_IF_ERROR(CheckLength(aad, "aad"));
  internal::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  Bytes out(plaintext.size() + kAesGcmTagSize);
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr,
                         nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN,
                          static_cast<int>(nonce.size()), nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(),
                         nonce.data()) != 1) {
    return internal::OpenSslError("AES-GCM seal init");
  }
  if (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(),
                                        static_cast<int>(aad.size())) != 1) {
    return internal::OpenSslError("AES-GCM seal aad");
  }
  int total = 0;
  if (!plaintext.empty()) {
    if (EVP_EncryptUpdate(ctx.get(), out.data(), &len, plaintext.data(),
                          static_cast<int>(plaintext.size())) != 1) {
      return internal::OpenSslError("AES-GCM seal");
    }
    total = len;
  }
  if (EVP_EncryptFinal_ex(ctx.get(), out.data() + total, &len) != 1) {
    return internal::OpenSslError("AES-GCM seal final");
  }
  total += len;
  if (static_cast<size_t>(total) != plaintext.size() ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAesGcmTagSize,
                          out.data() + total) != 1) {
    return internal::OpenSslError("AES-GCM seal tag");
  }
  return out;
}

Result<SecretBytes> AesGcmOpen(ByteView key, ByteView nonce,
                               ByteView ciphertext_and_tag, ByteView aad) {
  VHSM_RETURN_IF_ERROR(CheckParams(key, nonce));
  VHSM_RETURN_IF_ERROR(CheckLength(ciphertext_and_tag, "ciphertext"));
  VHSM_RETURN_IF_ERROR(CheckLength(aad, "aad"));
  if (ciphertext_and_tag.size() < kAesGcmTagSize) {
    return DataLoss("AES-GCM ciphertext shorter than its tag");
  }
  size_t ct_len = ciphertext_and_tag.size() - kAesGcmTagSize;
  // The tag is copied: some libcrypto versions take a non-const pointer.
  uint8_t tag[kAesGcmTagSize];
  for (size_t i = 0; i < kAesGcmTagSize; ++i) tag[i] = ciphertext_and_tag.data()[ct_len + i];

  internal::EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  SecretBytes out(ct_len);
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr,
                         nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN,
                          static_cast<int>(nonce.size()), nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(),
                         nonce.data()) != 1) {
    return internal::OpenSslError("AES-GCM open init");
  }
  if (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(),
                                        static_cast<int>(aad.size())) != 1) {
    return internal::OpenSslError("AES-GCM open aad");
  }
  int total = 0;
  if (ct_len > 0) {
    if (EVP_DecryptUpdate(ctx.get(), out.data(), &len,
                          ciphertext_and_tag.data(),
                          static_cast<int>(ct_len)) != 1) {
      return internal::OpenSslError("AES-GCM open");
    }
    total = len;
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAesGcmTagSize,
                          tag) != 1) {
    return internal::OpenSslError("AES-GCM open set tag");
  }
  uint8_t scratch[16];
  if (EVP_DecryptFinal_ex(ctx.get(), scratch, &len) != 1) {
    internal::ClearErrors();
    // `out` holds unauthenticated plaintext: its destructor wipes it.
    return DataLoss("AES-GCM authentication failed");
  }
  if (static_cast<size_t>(total + len) != ct_len) {
    return Internal("AES-GCM open produced an unexpected length");
  }
  return out;
}

Result<Bytes> AesGcmSealWithRandomNonce(ByteView key, ByteView plaintext,
                                        ByteView aad) {
  VHSM_ASSIGN_OR_RETURN(Bytes nonce, RandomBytes(kAesGcmNonceSize));
  VHSM_ASSIGN_OR_RETURN(Bytes sealed, AesGcmSeal(key, nonce, plaintext, aad));
  nonce.insert(nonce.end(), sealed.begin(), sealed.end());
  return nonce;
}

Result<SecretBytes> AesGcmOpenWithNonce(ByteView key, ByteView sealed,
                                        ByteView aad) {
  if (sealed.size() < kAesGcmNonceSize + kAesGcmTagSize) {
    return DataLoss("AES-GCM sealed data too short");
  }
  return AesGcmOpen(key, sealed.substr(0, kAesGcmNonceSize),
                    sealed.substr(kAesGcmNonceSize), aad);
}

struct AesGcmKey::Ctx {
  internal::EvpCipherCtxPtr enc, dec;
};

AesGcmKey::AesGcmKey(std::unique_ptr<Ctx> ctx) : ctx_(std::move(ctx)) {}
AesGcmKey::AesGcmKey(AesGcmKey&&) noexcept = default;
AesGcmKey& AesGcmKey::operator=(AesGcmKey&&) noexcept = default;
AesGcmKey::~AesGcmKey() = default;  // EVP_CIPHER_CTX_free cleanses the schedule

Result<AesGcmKey> AesGcmKey::Create(ByteView key) {
  if (key.size() != kAesGcmKeySize) {
    return InvalidArgument("AES-256-GCM key must be 32 bytes, got " +
                           std::to_string(key.size()));
  }
  auto ctx = std::make_unique<Ctx>();
  ctx->enc.reset(EVP_CIPHER_CTX_new());
  ctx->dec.reset(EVP_CIPHER_CTX_new());
  if (!ctx->enc || !ctx->dec ||
      EVP_EncryptInit_ex(ctx->enc.get(), EVP_aes_256_gcm(), nullptr, key.data(), nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx->dec.get(), EVP_aes_256_gcm(), nullptr, key.data(), nullptr) != 1) {
    return internal::OpenSslError("AES-GCM key");
  }
  return AesGcmKey(std::move(ctx));
}

Status AesGcmKey::Seal(ByteView nonce, ByteView plaintext, ByteView aad, std::string* out) {
  VHSM_RETURN_IF_ERROR(CheckParams(Bytes(kAesGcmKeySize), nonce));
  VHSM_RETURN_IF_ERROR(CheckLength(plaintext, "plaintext"));
  VHSM_RETURN_IF_ERROR(CheckLength(aad, "aad"));
  EVP_CIPHER_CTX* c = ctx_->enc.get();
  out->resize(plaintext.size() + kAesGcmTagSize);
  uint8_t* o = reinterpret_cast<uint8_t*>(out->data());
  int len = 0, total = 0;
  if (EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, nonce.data()) != 1 ||
      (!aad.empty() &&
       EVP_EncryptUpdate(c, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) ||
      (!plaintext.empty() && EVP_EncryptUpdate(c, o, &total, plaintext.data(),
                                               static_cast<int>(plaintext.size())) != 1) ||
      EVP_EncryptFinal_ex(c, o + total, &len) != 1 ||
      static_cast<size_t>(total + len) != plaintext.size() ||
      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, kAesGcmTagSize, o + plaintext.size()) != 1) {
    out->clear();
    return internal::OpenSslError("AES-GCM seal");
  }
  return Status::Ok();
}

Status AesGcmKey::Open(ByteView nonce, ByteView ciphertext_and_tag, ByteView aad,
                       std::string* out) {
  VHSM_RETURN_IF_ERROR(CheckParams(Bytes(kAesGcmKeySize), nonce));
  VHSM_RETURN_IF_ERROR(CheckLength(ciphertext_and_tag, "ciphertext"));
  VHSM_RETURN_IF_ERROR(CheckLength(aad, "aad"));
  if (ciphertext_and_tag.size() < kAesGcmTagSize) {
    return DataLoss("AES-GCM ciphertext shorter than its tag");
  }
  size_t ct_len = ciphertext_and_tag.size() - kAesGcmTagSize;
  uint8_t tag[kAesGcmTagSize];
  for (size_t i = 0; i < kAesGcmTagSize; ++i) tag[i] = ciphertext_and_tag.data()[ct_len + i];
  EVP_CIPHER_CTX* c = ctx_->dec.get();
  out->resize(ct_len);
  uint8_t* o = reinterpret_cast<uint8_t*>(out->data());
  int len = 0, total = 0;
  uint8_t scratch[16];
  bool ok = EVP_DecryptInit_ex(c, nullptr, nullptr, nullptr, nonce.data()) == 1 &&
            (aad.empty() ||
             EVP_DecryptUpdate(c, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1) &&
            (ct_len == 0 || EVP_DecryptUpdate(c, o, &total, ciphertext_and_tag.data(),
                                              static_cast<int>(ct_len)) == 1) &&
            EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, kAesGcmTagSize, tag) == 1 &&
            EVP_DecryptFinal_ex(c, scratch, &len) == 1 &&
            static_cast<size_t>(total + len) == ct_len;
  if (!ok) {
    internal::ClearErrors();
    if (!out->empty()) explicit_bzero(out->data(), out->size());  // unauthenticated
    out->clear();
    return DataLoss("AES-GCM authentication failed");
  }
  return Status::Ok();
}

}  // namespace vhsm::crypto
