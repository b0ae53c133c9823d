#include "vhsm/crypto/aead.h"

#include <openssl/crypto.h>
#include <string.h>

#include <limits>

#include "vhsm/crypto/internal/openssl_util.h"
#include "vhsm/crypto/random.h"

namespace vhsm::crypto {
namespace {

Status CheckNonce(ByteView nonce) {
  if (nonce.size() != kAesGcmNonceSize) {
    return InvalidArgument("AES-GCM nonce must be 12 bytes, got " + std::to_string(nonce.size()));
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

Result<Bytes> AesGcmSeal(ByteView key, ByteView nonce, ByteView plaintext, ByteView aad) {
  VHSM_ASSIGN_OR_RETURN(AesGcmKey k, AesGcmKey::Create(key));
  std::string out;
  VHSM_RETURN_IF_ERROR(k.Seal(nonce, plaintext, aad, &out));
  return Bytes(out.begin(), out.end());
}

Result<SecretBytes> AesGcmOpen(ByteView key, ByteView nonce, ByteView ciphertext_and_tag,
                               ByteView aad) {
  VHSM_ASSIGN_OR_RETURN(AesGcmKey k, AesGcmKey::Create(key));
  std::string out;
  VHSM_RETURN_IF_ERROR(k.Open(nonce, ciphertext_and_tag, aad, &out));
  SecretBytes plain{ByteView(out)};
  if (!out.empty()) explicit_bzero(out.data(), out.size());
  return plain;
}

Result<Bytes> AesGcmSealWithRandomNonce(ByteView key, ByteView plaintext, ByteView aad) {
  VHSM_ASSIGN_OR_RETURN(Bytes nonce, RandomBytes(kAesGcmNonceSize));
  VHSM_ASSIGN_OR_RETURN(Bytes sealed, AesGcmSeal(key, nonce, plaintext, aad));
  nonce.insert(nonce.end(), sealed.begin(), sealed.end());
  return nonce;
}

Result<SecretBytes> AesGcmOpenWithNonce(ByteView key, ByteView sealed, ByteView aad) {
  if (sealed.size() < kAesGcmNonceSize + kAesGcmTagSize) {
    return DataLoss("AES-GCM sealed data too short");
  }
  return AesGcmOpen(key, sealed.substr(0, kAesGcmNonceSize), sealed.substr(kAesGcmNonceSize), aad);
}

// Each direction's context is made (and the key expanded into it) on first
// use, so a one-shot seal or open costs one key schedule, a channel's key
// one per direction for its whole life.
struct AesGcmKey::Ctx {
  uint8_t key[kAesGcmKeySize];  // wiped on destruction, like the schedules
  internal::EvpCipherCtxPtr enc, dec;
  ~Ctx() { OPENSSL_cleanse(key, sizeof(key)); }

  EVP_CIPHER_CTX* Get(bool encrypt) {
    internal::EvpCipherCtxPtr& c = encrypt ? enc : dec;
    if (c) return c.get();
    c.reset(EVP_CIPHER_CTX_new());
    if (!c) return nullptr;
    int ok = encrypt ? EVP_EncryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, key, nullptr)
                     : EVP_DecryptInit_ex(c.get(), EVP_aes_256_gcm(), nullptr, key, nullptr);
    if (ok != 1) c.reset();
    return c.get();
  }
};

AesGcmKey::AesGcmKey(std::unique_ptr<Ctx> ctx) : ctx_(std::move(ctx)) {}
AesGcmKey::AesGcmKey(AesGcmKey&&) noexcept = default;
AesGcmKey& AesGcmKey::operator=(AesGcmKey&&) noexcept = default;
AesGcmKey::~AesGcmKey() = default;  // EVP_CIPHER_CTX_free cleanses the schedule

Result<AesGcmKey> AesGcmKey::Create(ByteView key) {
  if (key.size() != kAesGcmKeySize) {
    return InvalidArgument("AES-256-GCM key must be 32 bytes, got " + std::to_string(key.size()));
  }
  auto ctx = std::make_unique<Ctx>();
  memcpy(ctx->key, key.data(), kAesGcmKeySize);
  return AesGcmKey(std::move(ctx));
}

Status AesGcmKey::Seal(ByteView nonce, ByteView plaintext, ByteView aad, std::string* out) {
  VHSM_RETURN_IF_ERROR(CheckNonce(nonce));
  VHSM_RETURN_IF_ERROR(CheckLength(plaintext, "plaintext"));
  VHSM_RETURN_IF_ERROR(CheckLength(aad, "aad"));
  EVP_CIPHER_CTX* c = ctx_->Get(/*encrypt=*/true);
  if (c == nullptr) return internal::OpenSslError("AES-GCM key");
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
  VHSM_RETURN_IF_ERROR(CheckNonce(nonce));
  VHSM_RETURN_IF_ERROR(CheckLength(ciphertext_and_tag, "ciphertext"));
  VHSM_RETURN_IF_ERROR(CheckLength(aad, "aad"));
  if (ciphertext_and_tag.size() < kAesGcmTagSize) {
    return DataLoss("AES-GCM ciphertext shorter than its tag");
  }
  size_t ct_len = ciphertext_and_tag.size() - kAesGcmTagSize;
  uint8_t tag[kAesGcmTagSize];
  for (size_t i = 0; i < kAesGcmTagSize; ++i) tag[i] = ciphertext_and_tag.data()[ct_len + i];
  EVP_CIPHER_CTX* c = ctx_->Get(/*encrypt=*/false);
  if (c == nullptr) return internal::OpenSslError("AES-GCM key");
  out->resize(ct_len);
  uint8_t* o = reinterpret_cast<uint8_t*>(out->data());
  int len = 0, total = 0;
  uint8_t scratch[16];
  bool ok =
      EVP_DecryptInit_ex(c, nullptr, nullptr, nullptr, nonce.data()) == 1 &&
      (aad.empty() ||
       EVP_DecryptUpdate(c, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1) &&
      (ct_len == 0 ||
       EVP_DecryptUpdate(c, o, &total, ciphertext_and_tag.data(), static_cast<int>(ct_len)) == 1) &&
      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, kAesGcmTagSize, tag) == 1 &&
      EVP_DecryptFinal_ex(c, scratch, &len) == 1 && static_cast<size_t>(total + len) == ct_len;
  if (!ok) {
    internal::ClearErrors();
    if (!out->empty()) explicit_bzero(out->data(), out->size());  // unauthenticated
    out->clear();
    return DataLoss("AES-GCM authentication failed");
  }
  return Status::Ok();
}

}  // namespace vhsm::crypto
