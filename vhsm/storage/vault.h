// Vault: the key hierarchy on top of a RecordStore (DESIGN.md section 3).
//
//   password --PBKDF2-HMAC-SHA256(salt, iterations)--> KEK
//   KEK --AES-256-GCM(AAD: container, user)--> wrapped random 256-bit master key
//   master key --AES-256-GCM(AAD: container, user, key id, type, version)--> key blob
//
// A GCM failure on the wrapped master key is a failed login (Unauthenticated,
// same message for an unknown user, so logins do not reveal who exists); on a
// key blob it is a corrupted or moved record (DataLoss). How often anyone
// may try a password is the server's business (it knows who is asking):
// see vhsm/server/login_throttle.h. Everything handed to the store is ciphertext. Thread-safe when
// the store is; PBKDF2 runs outside any lock.
#ifndef VHSM_STORAGE_VAULT_H_
#define VHSM_STORAGE_VAULT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "vhsm/base/status.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/crypto/secret_bytes.h"
#include "vhsm/storage/record_store.h"

namespace vhsm::storage {

inline constexpr uint32_t kDefaultPbkdf2Iterations = 600000;
// Blob format 3 binds allowed_ops, the label, the flags and the key version
// into the AAD; format 2 bound allowed_ops; format 1 only the type. Older
// blobs still open (format 1 flagged ops_bound = false: the server holds
// their allowed_ops to what format 1 ever wrote for the type).
inline constexpr uint8_t kKeyBlobVersion = 3;
inline constexpr uint8_t kKeyBlobVersion2 = 2;
inline constexpr uint8_t kKeyBlobVersion1 = 1;
inline constexpr size_t kMaxKeyLabel = 128;
// A key holds at most this many live versions: what a tenant stores, and
// what a verification without a named version tries, stay bounded.
inline constexpr uint32_t kMaxLiveVersions = 32;
inline constexpr size_t kMaxKeyMaterial = 8192;
inline constexpr size_t kMaxObjectValue = 32768;
inline constexpr size_t kMaxObjectId = 128;

struct VaultOptions {
  uint32_t pbkdf2_iterations = kDefaultPbkdf2Iterations;
};

// Owner: whose keys a call touches. Always from the authenticated session,
// never from the request.
struct Owner {
  std::string container;
  std::string user;
};

// Attributes a key gets at creation beside its type and operations.
struct KeyExtras {
  std::string label;   // 0-128 bytes of printable text (ValidKeyLabel)
  uint32_t flags = 0;  // reserved for key flags; 0 today
};

struct OpenedKey {
  std::string type;
  uint32_t allowed_ops = 0;
  std::string label;
  uint32_t flags = 0;
  int64_t created_unix = 0;
  crypto::SecretBytes material;
  bool ops_bound = true;  // false: a format-1 blob (allowed_ops not in its AAD)
  uint32_t version = 1;   // the version this material is
  uint32_t latest_version = 1;
  uint32_t min_version = 1;
};

class Vault {
 public:
  Vault(RecordStore* store, VaultOptions options);

  RecordStore* store() { return store_; }

  // CreateUser makes a fresh master key and wraps it under password; role
  // is "user" or "admin" (ValidRole).
  Status CreateUser(const std::string& container, const std::string& user,
                    crypto::ByteView password, const std::string& role = "user");
  // Login returns the user's master key, or Unauthenticated (unknown user or
  // wrong password: the same message, and an unknown user costs the same
  // PBKDF2 as a real one).
  Result<crypto::SecretBytes> Login(const std::string& container, const std::string& user,
                                    crypto::ByteView password);
  // ChangePassword rewraps the master key; key blobs are untouched.
  Status ChangePassword(const std::string& container, const std::string& user,
                        crypto::ByteView old_password, crypto::ByteView new_password);

  Status PutKey(const Owner& owner, const crypto::SecretBytes& master_key,
                const std::string& key_id, const std::string& type, uint32_t allowed_ops,
                crypto::ByteView material, const KeyExtras& extras = {});
  // GetKey opens version `version` of a key (0: the latest). NotFound for
  // an unknown id or version, FailedPrecondition for a retired version,
  // DataLoss for a blob that does not open under this owner's master key
  // with this row's metadata.
  Result<OpenedKey> GetKey(const Owner& owner, const crypto::SecretBytes& master_key,
                           const std::string& key_id, uint32_t version = 0);
  // AddKeyVersion seals material as the key's next version (same type,
  // operations and label) and returns its number; ResourceExhausted when the
  // key already holds kMaxLiveVersions live versions.
  Result<uint32_t> AddKeyVersion(const Owner& owner, const crypto::SecretBytes& master_key,
                                 const std::string& key_id, crypto::ByteView material);
  // RetireVersions makes min the key's minimum version, wiping the
  // material of every version below it; InvalidArgument unless min is
  // between the current minimum and the latest version.
  Status RetireVersions(const Owner& owner, const std::string& key_id, uint32_t min);

  // Key sharing (vault_sharing.cc). Every user has an X25519 share key
  // pair, its private half sealed under their master key (EnsureShareKeys
  // makes it once; CreateUser does). Share seals every live version of
  // owner's key to the grantee's share key for `ops` (a subset of the key's
  // allowed operations): FailedPrecondition while the grantee has no share
  // key yet (they log in once). ExtendShares seals a new version for every
  // grantee (after a rotation). OpenShared opens `version` (0: the latest)
  // of owner_name's key for the grantee: its allowed_ops are the grant's;
  // NotFound without a grant, DataLoss for a grant that does not open.
  Status EnsureShareKeys(const Owner& owner, const crypto::SecretBytes& master_key);
  Status Share(const Owner& owner, const crypto::SecretBytes& master_key, const std::string& key_id,
               const std::string& grantee, uint32_t ops);
  Status ExtendShares(const Owner& owner, const crypto::SecretBytes& master_key,
                      const std::string& key_id, uint32_t version);
  Result<OpenedKey> OpenShared(const Owner& grantee, const crypto::SecretBytes& master_key,
                               const std::string& owner_name, const std::string& key_id,
                               uint32_t version = 0);

  // Public objects (vault_objects.cc). PutObject checks the fields (id and
  // oid at most 128 bytes, label and application as ValidKeyLabel, value 1
  // to kMaxObjectValue bytes), gives the object a random handle, its time,
  // digest and MAC, and stores it; the answer has no value. GetObject and
  // ListObjects refuse (DataLoss) a record whose MAC or digest does not
  // match under this owner's master key.
  Result<ObjectRecord> PutObject(const Owner& owner, const crypto::SecretBytes& master_key,
                                 ObjectRecord o);
  Result<ObjectRecord> GetObject(const Owner& owner, const crypto::SecretBytes& master_key,
                                 uint64_t handle);
  Result<std::vector<ObjectRecord>> ListObjects(const Owner& owner,
                                                const crypto::SecretBytes& master_key,
                                                const ObjectFilter& filter, uint64_t after,
                                                size_t limit);

 private:
  RecordStore* store_;
  VaultOptions options_;
};

// The AAD encodings (exposed for tests that decrypt a blob independently):
// a label, then each field as a 4-byte big-endian length and its bytes, then
// for key blobs the format version as one byte and, from format 2 on, the
// allowed operations as 4 bytes big-endian; from format 3 on, the label as a
// field, the flags and the key version (1 until keys have versions) as 4
// bytes big-endian each.
crypto::Bytes MasterKeyAad(const std::string& container, const std::string& user);
crypto::Bytes KeyBlobAad(const std::string& container, const std::string& user,
                         const std::string& key_id, const std::string& type, uint8_t version,
                         uint32_t allowed_ops, const KeyExtras& extras = {},
                         uint32_t key_version = 1);

// GrantAad: "vhsm-grant", container, owner, key id, type, grantee (fields),
// then version and ops (4 bytes big-endian each). A grant's blob is the
// ephemeral X25519 public key || nonce || AES-256-GCM(K, material) || tag,
// K = HKDF-SHA256(X25519(ephemeral, grantee's share key), salt: ephemeral
// public || grantee's public, info "vhsm grant 1").
crypto::Bytes GrantAad(const GrantRecord& g, const std::string& type);

// ObjectMac: HMAC-SHA256 under HKDF-SHA256(master key, info "vhsm object
// mac 1") over "vhsm-object", container, user, handle (8 bytes), class,
// id, label, private (1 byte), application, oid, created (8 bytes) and the
// value's SHA-256 (o.digest), lengths and numbers big-endian.
Result<crypto::Bytes> ObjectMac(const crypto::SecretBytes& master_key, const ObjectRecord& o);

// Name rules: user names 1-64 of [A-Za-z0-9._@-]; key ids 1-128 of
// [A-Za-z0-9._:-]. Both must not start with '.' or '-'.
bool ValidUserName(const std::string& name);
bool ValidKeyId(const std::string& id);
// ValidKeyLabel: at most 128 bytes, no control characters (labels are shown
// in lists and logs of their owner).
bool ValidKeyLabel(const std::string& label);
// ValidRole: "user" or "admin".
bool ValidRole(const std::string& role);

}  // namespace vhsm::storage

#endif  // VHSM_STORAGE_VAULT_H_
