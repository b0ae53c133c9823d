#include "vhsm/crypto/digest_alg.h"

namespace vhsm::crypto {

size_t DigestSize(DigestAlg alg) {
  switch (alg) {
    case DigestAlg::kSha1:
      return 20;
    case DigestAlg::kSha256:
      return 32;
    case DigestAlg::kSha384:
      return 48;
    case DigestAlg::kSha512:
      return 64;
  }
  return 0;
}

const char* DigestAlgName(DigestAlg alg) {
  switch (alg) {
    case DigestAlg::kSha1:
      return "sha1";
    case DigestAlg::kSha256:
      return "sha256";
    case DigestAlg::kSha384:
      return "sha384";
    case DigestAlg::kSha512:
      return "sha512";
  }
  return "unknown";
}

std::optional<DigestAlg> ParseDigestAlg(std::string_view name) {
  if (name == "sha1" || name == "sha-1") return DigestAlg::kSha1;
  if (name == "sha256" || name == "sha-256") return DigestAlg::kSha256;
  if (name == "sha384" || name == "sha-384") return DigestAlg::kSha384;
  if (name == "sha512" || name == "sha-512") return DigestAlg::kSha512;
  return std::nullopt;
}

}  // namespace vhsm::crypto
