// DigestAlg: the hash functions VHSM offers, with their names and sizes.
// Names are the wire and command-line spelling ("sha256"). Thread-safe.
#ifndef VHSM_CRYPTO_DIGEST_ALG_H_
#define VHSM_CRYPTO_DIGEST_ALG_H_

#include <cstddef>
#include <optional>
#include <string_view>

namespace vhsm::crypto {

enum class DigestAlg { kSha1, kSha256, kSha384, kSha512 };

// DigestSize returns the output length in bytes.
size_t DigestSize(DigestAlg alg);
// DigestAlgName returns "sha1", "sha256", "sha384" or "sha512".
const char* DigestAlgName(DigestAlg alg);
// ParseDigestAlg accepts the names above (and "sha-256" style); nullopt else.
std::optional<DigestAlg> ParseDigestAlg(std::string_view name);

}  // namespace vhsm::crypto

#endif  // VHSM_CRYPTO_DIGEST_ALG_H_
