#include "vhsm/server/key_types.h"

#include "vhsm/crypto/random.h"
#include "vhsm/crypto/asymmetric_key.h"

namespace vhsm::server {

using crypto::SecretBytes;

uint32_t AllowedOps(proto::KeyType type) {
  switch (type) {
    case proto::HMAC_SHA256:
    case proto::HMAC_SHA512:
      return proto::KEY_OP_MAC;
    case proto::AES_256:
      return proto::KEY_OP_ENCRYPT | proto::KEY_OP_DECRYPT;
    case proto::EC_P256:
    case proto::ED25519:
      return proto::KEY_OP_SIGN | proto::KEY_OP_VERIFY;
    default:
      return 0;
  }
}

Result<SecretBytes> GenerateKeyMaterial(proto::KeyType type) {
  switch (type) {
    case proto::HMAC_SHA256:
      return crypto::RandomSecret(32);
    case proto::HMAC_SHA512:
      return crypto::RandomSecret(64);
    case proto::AES_256:
      return crypto::RandomSecret(32);
    case proto::EC_P256:
    case proto::ED25519: {
      VHSM_ASSIGN_OR_RETURN(
          crypto::PrivateKey key,
          crypto::PrivateKey::Generate(type == proto::EC_P256 ? crypto::KeyAlg::kEcP256
                                                              : crypto::KeyAlg::kEd25519));
      return key.ToPkcs8Der();
    }
    default:
      return InvalidArgument("unknown key type");
  }
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
    case proto::EC_P256:
    case proto::ED25519: {
      Result<crypto::PrivateKey> key = crypto::PrivateKey::FromEncoded(material);
      if (!key.ok()) {
        return InvalidArgument(std::string("cannot import ") + KeyTypeName(type) +
                               " key: " + key.status().message());
      }
      crypto::KeyAlg want =
          type == proto::EC_P256 ? crypto::KeyAlg::kEcP256 : crypto::KeyAlg::kEd25519;
      if (key->alg() != want) {
        return InvalidArgument(std::string("imported key is ") + crypto::KeyAlgName(key->alg()) +
                               ", not " + KeyTypeName(type));
      }
      return key->ToPkcs8Der();
    }
    default:
      return InvalidArgument("unknown key type");
  }
}

}  // namespace vhsm::server
