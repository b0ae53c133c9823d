// The one spelling of key types and digest algorithms shared by the wire
// enums, the server, the client library and the commands: "hmac-sha256",
// "hmac-sha512", "aes-256", "ec-p256", "ed25519", "rsa-2048", "rsa-3072",
// "rsa-4096", "ec-p384", "x25519"; "sha1" ... "sha512"; operations "mac",
// "encrypt", "decrypt", "sign", "verify", "derive", "wrap", "unwrap".
// Thread-safe (pure).
#ifndef VHSM_PROTO_NAMES_H_
#define VHSM_PROTO_NAMES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "vhsm/proto/vhsm.pb.h"

namespace vhsm {

inline constexpr proto::KeyType kAllKeyTypes[] = {
    proto::HMAC_SHA256, proto::HMAC_SHA512, proto::AES_256,  proto::EC_P256, proto::ED25519,
    proto::RSA_2048,    proto::RSA_3072,    proto::RSA_4096, proto::EC_P384, proto::X25519,
};

// KeyTypeName returns "unknown" for values outside the list.
const char* KeyTypeName(proto::KeyType type);
std::optional<proto::KeyType> ParseKeyTypeName(const std::string& name);
std::optional<proto::DigestAlgorithm> ParseDigestName(const std::string& name);
// ParseKeyOps reads a comma-separated list of operation names into KeyOp
// bits; nullopt for an unknown or empty word. KeyOpsString is its inverse.
std::optional<uint32_t> ParseKeyOps(const std::string& list);
std::string KeyOpsString(uint32_t ops);

}  // namespace vhsm

#endif  // VHSM_PROTO_NAMES_H_
