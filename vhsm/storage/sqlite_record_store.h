// SqliteRecordStore: RecordStore on one SQLite file.
//
// Durability: WAL journal, synchronous=FULL (a change the call reported as
// done survives a crash or power cut), foreign keys on, secure_delete on,
// and a WAL checkpoint after every deletion so deleted ciphertext does not
// linger in the log. Open() runs PRAGMA integrity_check and refuses a
// corrupt file, applies forward schema migrations, and creates the file
// with mode 0600.
//
// Concurrency: one connection, serialized by a mutex (a serialized writer).
// Callers do slow work (PBKDF2, crypto) outside the store, so the lock is
// held only for short SQL statements.
#ifndef VHSM_STORAGE_SQLITE_RECORD_STORE_H_
#define VHSM_STORAGE_SQLITE_RECORD_STORE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "vhsm/storage/record_store.h"

struct sqlite3;

namespace vhsm::storage {
namespace internal {
class Transaction;
}  // namespace internal

inline constexpr int kSchemaVersion = 1;

class SqliteRecordStore : public RecordStore {
 public:
  // Open opens or creates the database at path. DataLoss when the file fails
  // its integrity check or has a newer schema than this build knows.
  static Result<std::unique_ptr<SqliteRecordStore>> Open(const std::string& path);
  ~SqliteRecordStore() override;
  void SetAuditor(Auditor* auditor) override { auditor_ = auditor; }

  Status PutContainer(const ContainerRecord& c) override;
  Status PutContainers(const std::vector<ContainerRecord>& cs) override;
  Status DeleteContainer(const std::string& name) override;
  Result<std::vector<ContainerRecord>> ListContainers(const std::string& after,
                                                      size_t limit) override;

  Status InsertUser(const UserRecord& u) override;
  Result<UserRecord> GetUser(const std::string& container, const std::string& name) override;
  Status UpdateUserCredentials(const std::string& container, const std::string& name,
                               const Blob& salt, uint32_t iterations,
                               const Blob& wrapped_master_key) override;
  Status DeleteUser(const std::string& container, const std::string& name) override;
  Result<int64_t> RecordLoginFailure(const std::string& container, const std::string& name,
                                     int32_t failures, int64_t lockout_ms, int64_t now_ms) override;
  Status ResetLoginFailures(const std::string& container, const std::string& name) override;
  Result<std::vector<std::string>> ListUsers(const std::string& container, const std::string& after,
                                             size_t limit) override;

  Status InsertKey(const KeyRecord& k) override;
  Result<KeyRecord> GetKey(const std::string& container, const std::string& user,
                           const std::string& key_id) override;
  Status DeleteKey(const std::string& container, const std::string& user,
                   const std::string& key_id) override;
  Result<std::vector<KeyRecord>> ListKeys(const std::string& container, const std::string& user,
                                          const std::string& after, size_t limit) override;
  Result<std::vector<KeyRecord>> ListKeysLabelled(const std::string& container,
                                                  const std::string& user, const std::string& label,
                                                  const std::string& after, size_t limit) override;
  Result<int64_t> CountKeys(const std::string& container) override;
  Result<int64_t> CountUserKeys(const std::string& container, const std::string& user) override;
  Status SetContainerQuota(const std::string& container, int64_t max_keys) override;
  Status SetUserQuota(const std::string& container, const std::string& user,
                      int64_t max_keys) override;

  // Whole containers (sqlite_container_image.cc).
  Result<ContainerRecord> GetContainer(const std::string& name) override;
  Status ImportContainer(const ContainerImage& image) override;

  // Key versions (sqlite_key_versions.cc).
  Status AddKeyVersion(const std::string& container, const std::string& user,
                       const std::string& key_id, const KeyVersionRecord& v) override;
  Result<KeyVersionRecord> GetKeyVersion(const std::string& container, const std::string& user,
                                         const std::string& key_id, uint32_t version) override;
  Result<std::vector<KeyVersionRecord>> ListKeyVersions(const std::string& container,
                                                        const std::string& user,
                                                        const std::string& key_id) override;
  Status RetireKeyVersions(const std::string& container, const std::string& user,
                           const std::string& key_id, uint32_t min) override;

  // Key sharing (sqlite_grants.cc).
  Status SetShareKeys(const std::string& container, const std::string& user,
                      const Blob& share_public, const Blob& share_private) override;
  Status PutGrant(const GrantRecord& g) override;
  Result<GrantRecord> GetGrant(const std::string& container, const std::string& owner,
                               const std::string& key_id, uint32_t version,
                               const std::string& grantee) override;
  Result<std::vector<GrantRecord>> ListGrants(const std::string& container,
                                              const std::string& owner,
                                              const std::string& key_id) override;
  Status DeleteGrants(const std::string& container, const std::string& owner,
                      const std::string& key_id, const std::string& grantee) override;

  // Audit (sqlite_audit.cc).
  Status AppendAudit(const std::vector<AuditRecord>& records,
                     const std::vector<AuditCheckpoint>& checkpoints) override;
  Result<std::vector<AuditRecord>> ListAudit(const std::string& container, uint64_t after,
                                             size_t limit) override;
  Result<std::vector<AuditCheckpoint>> ListAuditCheckpoints(const std::string& container) override;
  Result<std::vector<AuditRecord>> AuditHeads() override;
  Status TruncateAudit(const AuditCheckpoint& marker) override;

  // Public objects (sqlite_objects.cc).
  Status InsertObject(const ObjectRecord& o) override;
  Result<ObjectRecord> GetObject(const std::string& container, const std::string& user,
                                 uint64_t handle) override;
  Status DeleteObject(const std::string& container, const std::string& user,
                      uint64_t handle) override;
  Result<std::vector<ObjectRecord>> ListObjects(const std::string& container,
                                                const std::string& user, const ObjectFilter& filter,
                                                uint64_t after, size_t limit) override;
  Result<int64_t> CountObjects(const std::string& container) override;
  Status Housekeeping() override;

 private:
  explicit SqliteRecordStore(sqlite3* db) : db_(db) {}
  Status Migrate();
  // Audited runs write (statements on db_, mu_ held) in one transaction
  // with this thread's waiting audit record, if any (AuditInTx and
  // CommitAudited for methods with a transaction of their own).
  Status Audited(const std::string& key, const std::function<Status()>& write);
  Status AuditInTx(const std::string& key, std::vector<AuditRecord>* taken);
  Status CommitAudited(internal::Transaction& tx, std::vector<AuditRecord>& taken);
  Result<std::vector<KeyRecord>> ListKeysWhere(const std::string& container,
                                               const std::string& user, const std::string* label,
                                               const std::string& after, size_t limit);
  // CheckpointAfterChange copies the WAL into the database and truncates
  // it, so that what a committed change removed (a deleted key's blob, an
  // old wrapping) does not linger in the WAL. The change stands whatever
  // happens here: a checkpoint that fails (a full disk) is left pending,
  // tried again after the next change and by Housekeeping. mu_ held.
  void CheckpointAfterChange();

  std::mutex mu_;
  sqlite3* db_;                                  // guarded by mu_
  std::string checkpoint_error_;                 // guarded by mu_; "": none pending
  std::atomic<bool> checkpoint_pending_{false};  // !checkpoint_error_.empty()
  Auditor* auditor_ = nullptr;
};

}  // namespace vhsm::storage

#endif  // VHSM_STORAGE_SQLITE_RECORD_STORE_H_
