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
    case proto::RSA_2048:
      return "rsa-2048";
    case proto::RSA_3072:
      return "rsa-3072";
    case proto::RSA_4096:
      return "rsa-4096";
    case proto::EC_P384:
      return "ec-p384";
    case proto::X25519:
      return "x25519";
    default:
      return "unknown";
  }
}

std::optional<proto::KeyType> ParseKeyTypeName(const std::string& name) {
  for (proto::KeyType t : kAllKeyTypes) {
    if (name == KeyTypeName(t)) return t;
  }
  return std::nullopt;
}

namespace {

const std::pair<proto::KeyOp, const char*> kOpNames[] = {
    {proto::KEY_OP_MAC, "mac"},         {proto::KEY_OP_ENCRYPT, "encrypt"},
    {proto::KEY_OP_DECRYPT, "decrypt"}, {proto::KEY_OP_SIGN, "sign"},
    {proto::KEY_OP_VERIFY, "verify"},   {proto::KEY_OP_DERIVE, "derive"},
    {proto::KEY_OP_WRAP, "wrap"},       {proto::KEY_OP_UNWRAP, "unwrap"},
};

}  // namespace

std::optional<uint32_t> ParseKeyOps(const std::string& list) {
  uint32_t ops = 0;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    std::string word = list.substr(start, end - start);
    bool known = false;
    for (const auto& [op, name] : kOpNames) {
      if (word == name) {
        ops |= op;
        known = true;
      }
    }
    if (!known) return std::nullopt;
    start = end + 1;
  }
  return ops;
}

std::string KeyOpsString(uint32_t ops) {
  std::string out;
  for (const auto& [op, name] : kOpNames) {
    if (ops & op) out += (out.empty() ? "" : ",") + std::string(name);
  }
  return out;
}

std::optional<proto::DigestAlgorithm> ParseDigestName(const std::string& name) {
  if (name == "sha1") return proto::SHA1;
  if (name == "sha256") return proto::SHA256;
  if (name == "sha384") return proto::SHA384;
  if (name == "sha512") return proto::SHA512;
  return std::nullopt;
}

}  // namespace vhsm
