#include "vhsm/proto/names.h"

namespace vhsm {

const char* KeyTypeName(proto::KeyType type) {
  switch (type) {
    case proto::HMAC_SHA256:
      return "hmac-sha256";
    case proto::HMAC_SHA512:
      return "hmac-sha512";
    case proto::AES_256:
      return "aes-256";
    case proto::EC_P256:
      return "ec-p256";
    case proto::ED25519:
      return "ed25519";
    default:
      return "unknown";
  }
}

std::optional<proto::KeyType> ParseKeyTypeName(const std::string& name) {
  for (proto::KeyType t :
       {proto::HMAC_SHA256, proto::HMAC_SHA512, proto::AES_256, proto::EC_P256, proto::ED25519}) {
    if (name == KeyTypeName(t)) return t;
  }
  return std::nullopt;
}

std::optional<proto::DigestAlgorithm> ParseDigestName(const std::string& name) {
  if (name == "sha1") return proto::SHA1;
  if (name == "sha256") return proto::SHA256;
  if (name == "sha384") return proto::SHA384;
  if (name == "sha512") return proto::SHA512;
  return std::nullopt;
}

}  // namespace vhsm
