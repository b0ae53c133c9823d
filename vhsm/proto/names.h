// The one spelling of key types and digest algorithms shared by the wire
// enums, the server, the client library and the commands: "hmac-sha256",
// "hmac-sha512", "aes-256", "ec-p256", "ed25519"; "sha1" ... "sha512".
// Thread-safe (pure).
#ifndef VHSM_PROTO_NAMES_H_
#define VHSM_PROTO_NAMES_H_

#include <optional>
#include <string>

#include "vhsm/proto/vhsm.pb.h"

namespace vhsm {

// KeyTypeName returns "unknown" for values outside the list.
const char* KeyTypeName(proto::KeyType type);
std::optional<proto::KeyType> ParseKeyTypeName(const std::string& name);
std::optional<proto::DigestAlgorithm> ParseDigestName(const std::string& name);

}  // namespace vhsm

#endif  // VHSM_PROTO_NAMES_H_
