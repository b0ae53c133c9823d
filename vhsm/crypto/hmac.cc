#include "vhsm/crypto/hmac.h"

#include <cstdlib>

#include "vhsm/crypto/internal/md.h"
#include "vhsm/crypto/internal/openssl_util.h"

#if defined(OPENSSL_IS_BORINGSSL)
#include <openssl/hmac.h>
#else
#include <openssl/core_names.h>
#include <openssl/params.h>
#endif

namespace vhsm::crypto {

// OpenSSL 3 deprecates HMAC_CTX in favour of EVP_MAC, which BoringSSL lacks:
// each library gets its native, non-deprecated interface.
#if defined(OPENSSL_IS_BORINGSSL)
namespace {
using CtxPtr = std::unique_ptr<HMAC_CTX, internal::Deleter<HMAC_CTX, HMAC_CTX_free>>;
CtxPtr NewCtx() { return CtxPtr(HMAC_CTX_new()); }
bool CopyCtx(HMAC_CTX* dst, const HMAC_CTX* src) { return HMAC_CTX_copy_ex(dst, src) == 1; }
}  // namespace
#else
namespace {
using CtxPtr = std::unique_ptr<EVP_MAC_CTX, internal::Deleter<EVP_MAC_CTX, EVP_MAC_CTX_free>>;
}  // namespace
#endif

struct Hmac::State {
  CtxPtr ctx;
  bool finished = false;
};

Hmac::Hmac(DigestAlg alg, std::unique_ptr<State> state) : alg_(alg), state_(std::move(state)) {}

Result<Hmac> Hmac::Create(DigestAlg alg, ByteView key) {
  auto state = std::make_unique<State>();
  // A zero-length key must still be a valid pointer for libcrypto.
  static const uint8_t kEmpty[1] = {0};
  const uint8_t* key_data = key.empty() ? kEmpty : key.data();
#if defined(OPENSSL_IS_BORINGSSL)
  state->ctx = NewCtx();
  if (!state->ctx ||
      HMAC_Init_ex(state->ctx.get(), key_data, key.size(), internal::EvpMd(alg), nullptr) != 1) {
    return internal::OpenSslError(std::string("hmac init ") + DigestAlgName(alg));
  }
#else
  // Fetched once: fetching walks the provider tables under a lock, which
  // costs more than a 64-byte HMAC. The pointer is immutable afterwards.
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) return internal::OpenSslError("fetching HMAC");
  state->ctx.reset(EVP_MAC_CTX_new(mac));
  std::string digest_name = DigestAlgName(alg);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name.data(), 0),
      OSSL_PARAM_construct_end()};
  if (!state->ctx || EVP_MAC_init(state->ctx.get(), key_data, key.size(), params) != 1) {
    return internal::OpenSslError("hmac init " + digest_name);
  }
#endif
  return Hmac(alg, std::move(state));
}

Hmac::Hmac(const Hmac& other) : alg_(other.alg_) {
  state_ = std::make_unique<State>();
  state_->finished = other.state_->finished;
#if defined(OPENSSL_IS_BORINGSSL)
  state_->ctx = NewCtx();
  if (!state_->ctx || !CopyCtx(state_->ctx.get(), other.state_->ctx.get())) {
    std::abort();  // only on allocation failure
  }
#else
  state_->ctx.reset(EVP_MAC_CTX_dup(other.state_->ctx.get()));
  if (!state_->ctx) std::abort();  // only on allocation failure
#endif
}

Hmac& Hmac::operator=(const Hmac& other) {
  if (this != &other) *this = Hmac(other);
  return *this;
}

Hmac::Hmac(Hmac&&) noexcept = default;
Hmac& Hmac::operator=(Hmac&&) noexcept = default;
Hmac::~Hmac() = default;

Status Hmac::Update(ByteView data) {
  if (!state_ || state_->finished) {
    return FailedPrecondition("hmac update after final");
  }
  if (data.empty()) return Status::Ok();
#if defined(OPENSSL_IS_BORINGSSL)
  int rc = HMAC_Update(state_->ctx.get(), data.data(), data.size());
#else
  int rc = EVP_MAC_update(state_->ctx.get(), data.data(), data.size());
#endif
  if (rc != 1) return internal::OpenSslError("hmac update");
  return Status::Ok();
}

Result<Bytes> Hmac::Final() {
  if (!state_ || state_->finished) {
    return FailedPrecondition("hmac final called twice");
  }
  state_->finished = true;
  Bytes out(DigestSize(alg_));
#if defined(OPENSSL_IS_BORINGSSL)
  unsigned int len = 0;
  int rc = HMAC_Final(state_->ctx.get(), out.data(), &len);
#else
  size_t len = 0;
  int rc = EVP_MAC_final(state_->ctx.get(), out.data(), &len, out.size());
#endif
  if (rc != 1 || len != out.size()) return internal::OpenSslError("hmac final");
  return out;
}

Result<Bytes> ComputeHmac(DigestAlg alg, ByteView key, ByteView data) {
  VHSM_ASSIGN_OR_RETURN(Hmac h, Hmac::Create(alg, key));
  VHSM_RETURN_IF_ERROR(h.Update(data));
  return h.Final();
}

}  // namespace vhsm::crypto
