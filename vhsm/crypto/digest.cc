#include "vhsm/crypto/digest.h"

#include <cstdlib>

#include "vhsm/crypto/internal/md.h"
#include "vhsm/crypto/internal/openssl_util.h"

namespace vhsm::crypto {

struct Digest::State {
  internal::EvpMdCtxPtr ctx;
  bool finished = false;
};

Digest::Digest(DigestAlg alg, std::unique_ptr<State> state) : alg_(alg), state_(std::move(state)) {}

Result<Digest> Digest::Create(DigestAlg alg) {
  auto state = std::make_unique<State>();
  state->ctx.reset(EVP_MD_CTX_new());
  if (!state->ctx || EVP_DigestInit_ex(state->ctx.get(), internal::EvpMd(alg), nullptr) != 1) {
    return internal::OpenSslError(std::string("digest init ") + DigestAlgName(alg));
  }
  return Digest(alg, std::move(state));
}

Digest::Digest(const Digest& other) : alg_(other.alg_) {
  state_ = std::make_unique<State>();
  state_->finished = other.state_->finished;
  state_->ctx.reset(EVP_MD_CTX_new());
  // Copying a digest state only fails on allocation failure.
  if (!state_->ctx || EVP_MD_CTX_copy_ex(state_->ctx.get(), other.state_->ctx.get()) != 1) {
    std::abort();
  }
}

Digest& Digest::operator=(const Digest& other) {
  if (this != &other) *this = Digest(other);
  return *this;
}

Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;
Digest::~Digest() = default;

Status Digest::Update(ByteView data) {
  if (!state_ || state_->finished) {
    return FailedPrecondition("digest update after final");
  }
  if (data.empty()) return Status::Ok();
  if (EVP_DigestUpdate(state_->ctx.get(), data.data(), data.size()) != 1) {
    return internal::OpenSslError("digest update");
  }
  return Status::Ok();
}

Result<Bytes> Digest::Final() {
  if (!state_ || state_->finished) {
    return FailedPrecondition("digest final called twice");
  }
  Bytes out(DigestSize(alg_));
  unsigned int len = 0;
  state_->finished = true;
  if (EVP_DigestFinal_ex(state_->ctx.get(), out.data(), &len) != 1 || len != out.size()) {
    return internal::OpenSslError("digest final");
  }
  return out;
}

Status Digest::Reset() {
  if (!state_) return FailedPrecondition("digest reset after move");
  if (EVP_DigestInit_ex(state_->ctx.get(), internal::EvpMd(alg_), nullptr) != 1) {
    return internal::OpenSslError(std::string("digest reset ") + DigestAlgName(alg_));
  }
  state_->finished = false;
  return Status::Ok();
}

Result<Bytes> ComputeDigest(DigestAlg alg, ByteView data) {
  VHSM_ASSIGN_OR_RETURN(Digest d, Digest::Create(alg));
  VHSM_RETURN_IF_ERROR(d.Update(data));
  return d.Final();
}

}  // namespace vhsm::crypto
