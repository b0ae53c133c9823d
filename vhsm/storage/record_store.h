// RecordStore: the narrow persistence interface under the vault. It stores
// rows of containers, users and keys, and knows nothing of cryptography:
// every secret reaching it is already ciphertext (wrapped master keys,
// sealed key blobs), so a database server behind it only ever sees those.
// SQLite (sqlite_record_store.h) is the embedded implementation; keep the
// interface small and SQL portable so a replicated database can follow.
//
// Every mutating call is one transaction: it happens entirely or not at all.
// Implementations must be safe to call from several threads at once.
#ifndef VHSM_STORAGE_RECORD_STORE_H_
#define VHSM_STORAGE_RECORD_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "vhsm/base/status.h"

namespace vhsm::storage {

using Blob = std::vector<uint8_t>;

struct ContainerRecord {
  std::string name;
  std::string netns_path;  // as given at attach (display, and a fallback)
  int64_t created_unix = 0;
  // The namespace's identity when attached: device and inode of its nsfs
  // file and its netns cookie (0: unknown), and where vhsmd pinned it.
  uint64_t netns_dev = 0;
  uint64_t netns_ino = 0;
  uint64_t netns_cookie = 0;
  std::string pin_path{};
  std::string boot_id{};  // the host boot the identity belongs to
  int64_t max_keys = 0;   // the host operator's quota (0: vhsmd's --max-keys)
};

struct UserRecord {
  std::string container;
  std::string name;
  Blob salt;
  uint32_t iterations = 0;
  Blob wrapped_master_key;  // nonce || AES-256-GCM(KEK, master) || tag
  int32_t failed_logins = 0;
  int64_t locked_until_ms = 0;  // unix ms; 0: not locked
  std::string role = "user";
  int64_t created_unix = 0;
  // The user's X25519 key pair for key sharing (empty until made): the
  // public half, and the private half sealed under the master key.
  Blob share_public;
  Blob share_private;
  int64_t max_keys = 0;  // a container admin's quota for the user (0: none)
};

struct KeyRecord {
  std::string container;
  std::string user;
  std::string key_id;
  std::string type;  // "hmac-sha256", "ec-p256", ...
  uint32_t allowed_ops = 0;
  int64_t created_unix = 0;
  Blob blob;           // format version || nonce || AES-256-GCM(master, secret) || tag
  std::string label;   // the owner's name for it (not secret, bound in the AAD)
  uint32_t flags = 0;  // KeyFlag bits (vault.h), bound in the AAD
  // Versions: `blob` is version 1 (empty once retired); versions 2 and up
  // are KeyVersionRecords. Versions below min_version are retired (wiped).
  uint32_t latest_version = 1;
  uint32_t min_version = 1;
};

struct KeyVersionRecord {
  uint32_t version = 0;
  int64_t created_unix = 0;
  Blob blob;  // empty in lists
};

// A grant: one version of owner's key, sealed by vhsmd to the grantee's
// share key, for the operations `ops` (KeyOp bits) only.
struct GrantRecord {
  std::string container;
  std::string owner;
  std::string key_id;
  uint32_t version = 0;
  std::string grantee;
  uint32_t ops = 0;
  Blob blob;  // ephemeral X25519 public || AES-256-GCM(..., material)
};

// The audit log (vhsm/server/audit_log.h): one hash chain per container.
struct AuditRecord {
  std::string container;
  uint64_t seq = 0;  // 1, 2, ... per container
  int64_t time_ms = 0;
  uint32_t uid = 0;
  int32_t pid = 0;
  std::string user;
  std::string role;
  std::string op;
  std::string key_id;
  uint32_t key_version = 0;
  std::string result;
  Blob hash;  // SHA-256(previous hash || encoding)
};
// A checkpoint: vhsmd's Ed25519 signature over (container, seq, hash); a
// truncation marker says the records up to seq were dropped (retention),
// the chain going on from hash.
struct AuditCheckpoint {
  std::string container;
  uint64_t seq = 0;
  Blob hash;
  Blob signature;
  int64_t time_ms = 0;
  bool truncation = false;
};

// A public object (certificate, data): not secret; `mac` is the vault's
// HMAC over everything else (vault.h), so the store cannot alter it.
struct ObjectRecord {
  std::string container;
  std::string user;
  uint64_t handle = 0;  // random, unique per user
  uint32_t cls = 0;     // proto::ObjectClass
  Blob id;
  std::string label;
  bool is_private = false;
  std::string application;
  Blob oid;
  int64_t created_unix = 0;
  Blob value;   // empty in lists
  Blob digest;  // SHA-256 of value
  Blob mac;
  uint32_t size = 0;  // the value's length (lists too)
};

// What ListObjects returns: a class (0: any), and an id and a label when
// match_id / match_label.
struct ObjectFilter {
  uint32_t cls = 0;
  bool match_id = false;
  Blob id;
  bool match_label = false;
  std::string label;
};

// A whole container as export and import move it.
struct KeyVersionRow {
  std::string user;
  std::string key_id;
  KeyVersionRecord version;
};
struct ContainerImage {
  ContainerRecord container;
  std::vector<UserRecord> users;
  std::vector<KeyRecord> keys;  // with latest_version and min_version
  std::vector<KeyVersionRow> versions;
  std::vector<ObjectRecord> objects;
  std::vector<GrantRecord> grants;
};

// Auditor: the store asks it, inside a state-changing transaction, for the
// audit record of the request this thread serves (the first change of a
// request takes it), and writes the record in that same transaction. key
// names what changed (a key id, "object:N", "user:NAME", ...).
class Auditor {
 public:
  virtual ~Auditor() = default;
  // RecordsForCommit: the records to write with this change (the request's
  // own last, after any still queued), or none.
  virtual std::vector<AuditRecord> RecordsForCommit(const std::string& key) = 0;
  // CommitFailed takes back records whose transaction did not commit.
  virtual void CommitFailed(std::vector<AuditRecord> records) = 0;
  // ChainAt (a store shared by several vhsmd, which calls it while it holds
  // the container's chain for itself in the writing transaction): gives
  // records, all of one container and in order, their numbers and hashes
  // after head (null: the chain is empty), and returns the checkpoints
  // due: at every multiple of 1,000, and at the last record (or at head,
  // when there are none) with checkpoint_now.
  virtual Result<std::vector<AuditCheckpoint>> ChainAt(std::vector<AuditRecord*>& records,
                                                       const AuditRecord* head,
                                                       bool checkpoint_now) {
    (void)records;
    (void)head;
    (void)checkpoint_now;
    return std::vector<AuditCheckpoint>();
  }
};

class RecordStore {
 public:
  virtual ~RecordStore() = default;
  // SetAuditor: null (the default) writes no audit records with changes.
  virtual void SetAuditor(Auditor* auditor) = 0;
  // Housekeeping retries what a committed change left to do (SQLite: a WAL
  // checkpoint that failed on a full disk); the error while it still fails.
  // vhsmd calls it now and then.
  virtual Status Housekeeping() { return Status::Ok(); }

  // Containers. PutContainer inserts or updates the namespace path;
  // PutContainers many, in one transaction.
  virtual Status PutContainer(const ContainerRecord& c) = 0;
  virtual Status PutContainers(const std::vector<ContainerRecord>& cs) = 0;
  // DeleteContainer removes the container and, in the same transaction, all
  // its users and keys. NotFound if absent.
  virtual Status DeleteContainer(const std::string& name) = 0;
  // ListContainers returns containers ordered by name, those after `after`
  // only, at most limit of them (0: all).
  virtual Result<std::vector<ContainerRecord>> ListContainers(const std::string& after,
                                                              size_t limit) = 0;
  // GetContainer: NotFound if absent.
  virtual Result<ContainerRecord> GetContainer(const std::string& name) = 0;
  // ImportContainer writes a container with its users, keys and versions in
  // one transaction (an existing container row is kept; AlreadyExists for a
  // user that exists).
  virtual Status ImportContainer(const ContainerImage& image) = 0;

  // Users. InsertUser: NotFound without the container, AlreadyExists on a
  // duplicate name.
  virtual Status InsertUser(const UserRecord& u) = 0;
  virtual Result<UserRecord> GetUser(const std::string& container, const std::string& name) = 0;
  virtual Status UpdateUserCredentials(const std::string& container, const std::string& name,
                                       const Blob& salt, uint32_t iterations,
                                       const Blob& wrapped_master_key) = 0;
  // DeleteUser removes the user and all their keys.
  virtual Status DeleteUser(const std::string& container, const std::string& name) = 0;
  // Failed logins counted in the store, for vhsmd sharing it (each vhsmd
  // also throttles by itself). RecordLoginFailure adds one and, at
  // `failures`, locks the user until now_ms + lockout_ms, atomically; it
  // returns when the lock ends (0: not locked). ResetLoginFailures clears
  // both. NotFound without the user.
  virtual Result<int64_t> RecordLoginFailure(const std::string& container, const std::string& name,
                                             int32_t failures, int64_t lockout_ms,
                                             int64_t now_ms) = 0;
  virtual Status ResetLoginFailures(const std::string& container, const std::string& name) = 0;
  // ListUsers: names ordered, after `after` only, at most limit (0: all).
  virtual Result<std::vector<std::string>> ListUsers(const std::string& container,
                                                     const std::string& after, size_t limit) = 0;

  // Keys: unique per (container, user, key_id).
  virtual Status InsertKey(const KeyRecord& k) = 0;
  virtual Result<KeyRecord> GetKey(const std::string& container, const std::string& user,
                                   const std::string& key_id) = 0;
  virtual Status DeleteKey(const std::string& container, const std::string& user,
                           const std::string& key_id) = 0;
  // ListKeys returns the user's keys without their blobs, ordered by id,
  // those after `after` only, at most limit of them (0: all).
  virtual Result<std::vector<KeyRecord>> ListKeys(const std::string& container,
                                                  const std::string& user, const std::string& after,
                                                  size_t limit) = 0;
  // ListKeysLabelled: the same, of the keys labelled exactly `label`.
  virtual Result<std::vector<KeyRecord>> ListKeysLabelled(const std::string& container,
                                                          const std::string& user,
                                                          const std::string& label,
                                                          const std::string& after,
                                                          size_t limit) = 0;
  virtual Result<int64_t> CountKeys(const std::string& container) = 0;
  virtual Result<int64_t> CountUserKeys(const std::string& container, const std::string& user) = 0;
  // Quotas: NotFound without the container or user.
  virtual Status SetContainerQuota(const std::string& container, int64_t max_keys) = 0;
  virtual Status SetUserQuota(const std::string& container, const std::string& user,
                              int64_t max_keys) = 0;

  // Key versions. AddKeyVersion inserts version v.version of a key whose
  // latest is v.version - 1 and makes it the latest (FailedPrecondition
  // when another rotation came first; NotFound without the key).
  virtual Status AddKeyVersion(const std::string& container, const std::string& user,
                               const std::string& key_id, const KeyVersionRecord& v) = 0;
  // GetKeyVersion returns version >= 2 (NotFound when absent or retired).
  virtual Result<KeyVersionRecord> GetKeyVersion(const std::string& container,
                                                 const std::string& user, const std::string& key_id,
                                                 uint32_t version) = 0;
  // ListKeyVersions returns versions 2 and up still held, without blobs.
  virtual Result<std::vector<KeyVersionRecord>> ListKeyVersions(const std::string& container,
                                                                const std::string& user,
                                                                const std::string& key_id) = 0;
  // RetireKeyVersions raises min_version to min and wipes every version
  // below it, in one transaction (version 1's blob becomes empty).
  virtual Status RetireKeyVersions(const std::string& container, const std::string& user,
                                   const std::string& key_id, uint32_t min) = 0;

  // Key sharing. SetShareKeys stores a user's share key pair (NotFound
  // without the user). PutGrant inserts or replaces one version's grant
  // (NotFound without the key or the grantee); grants go with their key,
  // their grantee, and (RetireKeyVersions) their retired versions.
  virtual Status SetShareKeys(const std::string& container, const std::string& user,
                              const Blob& share_public, const Blob& share_private) = 0;
  virtual Status PutGrant(const GrantRecord& g) = 0;
  virtual Result<GrantRecord> GetGrant(const std::string& container, const std::string& owner,
                                       const std::string& key_id, uint32_t version,
                                       const std::string& grantee) = 0;
  // ListGrants: a key's grants (every version, every grantee), with blobs.
  virtual Result<std::vector<GrantRecord>> ListGrants(const std::string& container,
                                                      const std::string& owner,
                                                      const std::string& key_id) = 0;
  // DeleteGrants removes the grantee's grants of a key (NotFound if none).
  virtual Status DeleteGrants(const std::string& container, const std::string& owner,
                              const std::string& key_id, const std::string& grantee) = 0;

  // Audit. AppendAudit writes records and checkpoints in one transaction.
  // ListAudit: a container's records with seq > after, by seq, at most limit.
  // AuditHeads: every container's last record (seq and hash), for restarts.
  virtual Status AppendAudit(const std::vector<AuditRecord>& records,
                             const std::vector<AuditCheckpoint>& checkpoints) = 0;
  virtual Result<std::vector<AuditRecord>> ListAudit(const std::string& container, uint64_t after,
                                                     size_t limit) = 0;
  virtual Result<std::vector<AuditCheckpoint>> ListAuditCheckpoints(
      const std::string& container) = 0;
  virtual Result<std::vector<AuditRecord>> AuditHeads() = 0;
  // TruncateAudit drops a container's records up to marker.seq and the
  // checkpoints before it, and stores the marker, in one transaction.
  virtual Status TruncateAudit(const AuditCheckpoint& marker) = 0;

  // Public objects: unique per (container, user, handle). InsertObject:
  // AlreadyExists for a taken handle, NotFound without the user.
  virtual Status InsertObject(const ObjectRecord& o) = 0;
  virtual Result<ObjectRecord> GetObject(const std::string& container, const std::string& user,
                                         uint64_t handle) = 0;
  virtual Status DeleteObject(const std::string& container, const std::string& user,
                              uint64_t handle) = 0;
  // ListObjects: without values, ordered by handle, handles above `after`
  // only, at most limit (0: all).
  virtual Result<std::vector<ObjectRecord>> ListObjects(const std::string& container,
                                                        const std::string& user,
                                                        const ObjectFilter& filter, uint64_t after,
                                                        size_t limit) = 0;
  virtual Result<int64_t> CountObjects(const std::string& container) = 0;
};

}  // namespace vhsm::storage

#endif  // VHSM_STORAGE_RECORD_STORE_H_
