// Internal to the ops: opening a session's keys (through its cache, within
// the container's caps) and small helpers the families share.
#ifndef VHSM_SERVER_OPS_KEY_ACCESS_H_
#define VHSM_SERVER_OPS_KEY_ACCESS_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/digest.h"
#include "vhsm/server/ops/ops.h"

namespace vhsm::server::ops {

// Estimates for the memory budget: an OpenSSL digest/HMAC context, a cached
// key's parsed form beside its material, and one locked page per secret.
inline constexpr size_t kContextBytes = 2048;
inline constexpr size_t kCachedKeyOverhead = 2048;
inline constexpr size_t kPage = 4096;

// LoadKey opens version `version` (0: the latest) of key_id of the
// session's user (or OWNER/ID, shared with them: the grant's operations)
// for needed_op (a KeyOp bit): Unauthenticated before login,
// NotFound for an unknown or invalid id or version, FailedPrecondition for
// a retired version, PermissionDenied when the key may not do needed_op.
// Sets key_for_log once the id is known valid.
Result<std::shared_ptr<const LoadedKey>> LoadKey(Env& env, Call& call, const std::string& key_id,
                                                 uint32_t needed_op, uint32_t version = 0);

// DeferIfSlow: on the polling thread (call.may_defer), a key whose private
// operations are slow marks the call deferred and returns true: the handler
// returns at once and a worker runs it again. Fast: Ed25519 and X25519 (tens
// of microseconds). Slow: RSA (milliseconds) and ECDSA, whose signatures
// the polling thread makes only with a presignature (Sign asks for one
// first; ~20 µs for P-256 and ~0.8 ms for P-384 without).
bool DeferIfSlow(Call& call, const LoadedKey& key);

// Ciphertexts of versions 2 and up carry the prefix "vhsm:vN:".
std::string VersionPrefix(uint32_t version);
// SplitVersion returns the version a ciphertext names (0: no prefix) and
// strips the prefix from *ciphertext.
uint32_t SplitVersion(std::string_view* ciphertext);

// What a new key is, besides its material.
struct NewKey {
  proto::KeyType type;
  std::string id;
  std::string label;
  uint32_t requested_ops = 0;  // 0: all the type can
  uint32_t flags = 0;          // KeyFlag bits
};

inline uint32_t FlagsOf(bool exportable_wrapped) {
  return exportable_wrapped ? proto::KEY_FLAG_EXPORTABLE_WRAPPED : 0;
}

// ContainerKeyLimit: how many keys (and, apart, objects) a container may
// hold: its quota, else vhsmd's --max-keys.
Result<int64_t> ContainerKeyLimit(Env& env, const std::string& container);

// StoreNewKey seals and stores a new key of the session's user (within the
// container's max-keys), answering its id.
Status StoreNewKey(Env& env, Call& call, NewKey k, const crypto::SecretBytes& material);

// FillUserList answers a page of user names (at most limit of users, the
// rest marking more) with each one's role (member_ops.cc).
Status FillUserList(Env& env, const std::string& container, const std::vector<std::string>& users,
                    size_t limit, proto::UserListResult* out);

Status NeedLogin(const Session& s);
void SetBytes(proto::Response* resp, const crypto::Bytes& data);
std::optional<crypto::DigestAlg> DigestOf(proto::DigestAlgorithm a);

}  // namespace vhsm::server::ops

#endif  // VHSM_SERVER_OPS_KEY_ACCESS_H_
