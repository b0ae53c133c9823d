#include "vhsm/server/key_types.h"

#include "vhsm/crypto/random.h"

namespace vhsm::server {

using crypto::KeyAlg;
using crypto::SecretBytes;

std::optional<KeyAlg> AsymmetricAlg(proto::KeyType type) {
  switch (type) {
    case proto::EC_P256:
      return KeyAlg::kEcP256;
    case proto::ED25519:
      return KeyAlg::kEd25519;
    case proto::RSA_2048:
      return KeyAlg::kRsa2048;
    case proto::RSA_3072:
      return KeyAlg::kRsa3072;
    case proto::RSA_4096:
      return KeyAlg::kRsa4096;
    case proto::EC_P384:
      return KeyAlg::kEcP384;
    case proto::X25519:
      return KeyAlg::kX25519;
    default:
      return std::nullopt;
  }
}

uint32_t AllowedOps(proto::KeyType type) {
  constexpr uint32_t kSignVerify = proto::KEY_OP_SIGN | proto::KEY_OP_VERIFY;
  switch (type) {
    case proto::HMAC_SHA256:
    case proto::HMAC_SHA512:
      return proto::KEY_OP_MAC;
    case proto::AES_256:
      return proto::KEY_OP_ENCRYPT | proto::KEY_OP_DECRYPT | proto::KEY_OP_WRAP |
             proto::KEY_OP_UNWRAP;
    case proto::ED25519:
      return kSignVerify;
    case proto::EC_P256:
    case proto::EC_P384:
      return kSignVerify | proto::KEY_OP_DERIVE;
    case proto::RSA_2048:
    case proto::RSA_3072:
    case proto::RSA_4096:
      return kSignVerify | proto::KEY_OP_ENCRYPT | proto::KEY_OP_DECRYPT;
    case proto::X25519:
      return proto::KEY_OP_DERIVE;
    default:
      return 0;
  }
}

uint32_t FormatOneOps(proto::KeyType type) {
  switch (type) {
    case proto::EC_P256:
    case proto::ED25519:
      return proto::KEY_OP_SIGN | proto::KEY_OP_VERIFY;
    case proto::HMAC_SHA256:
    case proto::HMAC_SHA512:
      return proto::KEY_OP_MAC;
    case proto::AES_256:
      return proto::KEY_OP_ENCRYPT | proto::KEY_OP_DECRYPT;
    default:
      return 0;  // types that came after format 1
  }
}

Result<uint32_t> ChooseOps(proto::KeyType type, uint32_t requested) {
  uint32_t can = AllowedOps(type);
  if (requested == 0) return can;
  if ((requested & ~can) != 0) {
    return InvalidArgument(std::string(KeyTypeName(type)) + " keys cannot " +
                           KeyOpsString(requested & ~can) + " (they can " + KeyOpsString(can) +
                           ")");
  }
  return requested;
}

Result<SecretBytes> GenerateKeyMaterial(proto::KeyType type) {
  switch (type) {
    case proto::HMAC_SHA256:
      return crypto::RandomSecret(32);
    case proto::HMAC_SHA512:
      return crypto::RandomSecret(64);
    case proto::AES_256:
      return crypto::RandomSecret(32);
    default:
      break;
  }
  std::optional<KeyAlg> alg = AsymmetricAlg(type);
  if (!alg) return InvalidArgument("unknown key type");
  VHSM_ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate(*alg));
  return key.ToPkcs8Der();
}

Result<SecretBytes> NormalizeImport(proto::KeyType type, crypto::ByteView material) {
  switch (type) {
    case proto::HMAC_SHA256:
    case proto::HMAC_SHA512:
      if (material.empty() || material.size() > 1024) {
        return InvalidArgument("HMAC key must be 1 to 1024 bytes, got " +
                               std::to_string(material.size()));
      }
      return SecretBytes(material);
    case proto::AES_256:
      if (material.size() != 32) {
        return InvalidArgument("aes-256 key must be exactly 32 bytes, got " +
                               std::to_string(material.size()));
      }
      return SecretBytes(material);
    default:
      break;
  }
  std::optional<KeyAlg> want = AsymmetricAlg(type);
  if (!want) return InvalidArgument("unknown key type");
  Result<crypto::PrivateKey> key = crypto::PrivateKey::FromEncoded(material);
  if (!key.ok()) {
    return InvalidArgument(std::string("cannot import ") + KeyTypeName(type) +
                           " key: " + key.status().message());
  }
  if (key->alg() != *want) {
    return InvalidArgument(std::string("imported key is ") + crypto::KeyAlgName(key->alg()) +
                           ", not " + KeyTypeName(type));
  }
  return key->ToPkcs8Der();
}

}  // namespace vhsm::server
