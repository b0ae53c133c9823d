// Key types VHSM holds, and what each may do. The type decides the
// operations a key can have (an HMAC key cannot encrypt, an x25519 key only
// derives, no key can be exported); a key's allowed operations are a subset
// chosen at creation. The type also decides how material is generated,
// imported and checked. Thread-safe (pure).
#ifndef VHSM_SERVER_KEY_TYPES_H_
#define VHSM_SERVER_KEY_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "vhsm/base/status.h"
#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/secret_bytes.h"
#include "vhsm/proto/names.h"
#include "vhsm/proto/vhsm.pb.h"

namespace vhsm::server {

using ::vhsm::KeyTypeName;
using ::vhsm::ParseKeyTypeName;

// AllowedOps returns every KeyOp bit a key of this type can have.
uint32_t AllowedOps(proto::KeyType type);
// FormatOneOps: what blob format 1 (which did not bind operations) wrote for
// the type; a format-1 key claiming anything else was edited in the store.
uint32_t FormatOneOps(proto::KeyType type);
// ChooseOps resolves a request's allowed_ops: 0 means all the type can; a
// bit the type cannot have is InvalidArgument naming it.
Result<uint32_t> ChooseOps(proto::KeyType type, uint32_t requested);

// AsymmetricAlg: the crypto algorithm of an asymmetric type; nullopt for
// symmetric ones.
std::optional<crypto::KeyAlg> AsymmetricAlg(proto::KeyType type);

// GenerateKeyMaterial makes fresh material as it is stored: raw bytes for
// symmetric keys, PKCS#8 DER for private keys.
Result<crypto::SecretBytes> GenerateKeyMaterial(proto::KeyType type);

// NormalizeImport checks imported material and returns it as stored:
// hmac-*: 1-1024 raw bytes; aes-256: exactly 32 raw bytes; asymmetric types:
// a PKCS#8 (or PKCS#1 RSA / SEC1 EC) private key in DER or PEM of exactly
// that type. InvalidArgument (without echoing the material) otherwise.
Result<crypto::SecretBytes> NormalizeImport(proto::KeyType type, crypto::ByteView material);

}  // namespace vhsm::server

#endif  // VHSM_SERVER_KEY_TYPES_H_
