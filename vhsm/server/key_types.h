// Key types VHSM holds, and what each may do. The type decides the allowed
// operations (an HMAC key cannot encrypt, no key can be exported) and how
// its material is generated, imported and checked. Thread-safe (pure).
#ifndef VHSM_SERVER_KEY_TYPES_H_
#define VHSM_SERVER_KEY_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "vhsm/base/status.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/secret_bytes.h"
#include "vhsm/proto/names.h"
#include "vhsm/proto/vhsm.pb.h"

namespace vhsm::server {

using ::vhsm::KeyTypeName;
using ::vhsm::ParseKeyTypeName;

// AllowedOps returns the KeyOp bits a key of this type gets.
uint32_t AllowedOps(proto::KeyType type);

// GenerateKeyMaterial makes fresh material as it is stored: raw bytes for
// symmetric keys, PKCS#8 DER for private keys.
Result<crypto::SecretBytes> GenerateKeyMaterial(proto::KeyType type);

// NormalizeImport checks imported material and returns it as stored:
// hmac-*: 1-1024 raw bytes; aes-256: exactly 32 raw bytes; ec-p256 and
// ed25519: a PKCS#8 private key in DER or PEM of exactly that type.
// InvalidArgument (without echoing the material) otherwise.
Result<crypto::SecretBytes> NormalizeImport(proto::KeyType type, crypto::ByteView material);

}  // namespace vhsm::server

#endif  // VHSM_SERVER_KEY_TYPES_H_
