// PgRecordStore: RecordStore on PostgreSQL through libpq, for several
// vhsmd sharing one store (issue 17). The same blobs as SQLite's: the
// database never sees a secret.
//
// Connection: a libpq connection string or URI (`postgresql://vhsm@db/vhsm
// ?sslmode=verify-full`; the password from a libpq passfile, never a flag),
// with a 3 s connect timeout unless it sets one. One connection, serialized
// by a mutex; every statement is prepared once per connection. A lost
// connection fails the call with Unavailable and is re-opened at the next.
//
// Schema: versioned in table vhsm_schema, migrated forward at Open under an
// advisory lock (several vhsmd may start at once). Durability: every change
// is one transaction, committed with synchronous_commit on.
#ifndef VHSM_STORAGE_PG_RECORD_STORE_H_
#define VHSM_STORAGE_PG_RECORD_STORE_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "vhsm/storage/record_store.h"

namespace vhsm::storage {
namespace internal {
class Conn;
}  // namespace internal

class PgRecordStore : public RecordStore {
 public:
  // Open connects and migrates the schema. Unavailable when the database
  // cannot be reached; DataLoss when its schema is newer than this build's.
  static Result<std::unique_ptr<PgRecordStore>> Open(const std::string& conninfo);
  ~PgRecordStore() override;
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

  // Whole containers (pg_sharing.cc).
  Result<ContainerRecord> GetContainer(const std::string& name) override;
  Status ImportContainer(const ContainerImage& image) override;

  // Key versions (pg_keys.cc).
  Status AddKeyVersion(const std::string& container, const std::string& user,
                       const std::string& key_id, const KeyVersionRecord& v) override;
  Result<KeyVersionRecord> GetKeyVersion(const std::string& container, const std::string& user,
                                         const std::string& key_id, uint32_t version) override;
  Result<std::vector<KeyVersionRecord>> ListKeyVersions(const std::string& container,
                                                        const std::string& user,
                                                        const std::string& key_id) override;
  Status RetireKeyVersions(const std::string& container, const std::string& user,
                           const std::string& key_id, uint32_t min) override;

  // Key sharing (pg_sharing.cc).
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

  // Audit (pg_audit.cc).
  Status AppendAudit(const std::vector<AuditRecord>& records,
                     const std::vector<AuditCheckpoint>& checkpoints) override;
  Result<std::vector<AuditRecord>> ListAudit(const std::string& container, uint64_t after,
                                             size_t limit) override;
  Result<std::vector<AuditCheckpoint>> ListAuditCheckpoints(const std::string& container) override;
  Result<std::vector<AuditRecord>> AuditHeads() override;
  Status TruncateAudit(const AuditCheckpoint& marker) override;

  // Public objects (pg_sharing.cc).
  Status InsertObject(const ObjectRecord& o) override;
  Result<ObjectRecord> GetObject(const std::string& container, const std::string& user,
                                 uint64_t handle) override;
  Status DeleteObject(const std::string& container, const std::string& user,
                      uint64_t handle) override;
  Result<std::vector<ObjectRecord>> ListObjects(const std::string& container,
                                                const std::string& user, const ObjectFilter& filter,
                                                uint64_t after, size_t limit) override;
  Result<int64_t> CountObjects(const std::string& container) override;

 private:
  explicit PgRecordStore(std::unique_ptr<internal::Conn> conn);
  Status Migrate();
  // Audited runs write in one transaction with this thread's waiting audit
  // records, if any, numbered under their chains' locks (several vhsmd
  // append to one chain). mu_ held.
  Status Audited(const std::string& key, const std::function<Status()>& write);
  Result<std::vector<KeyRecord>> ListKeysWhere(const std::string& container,
                                               const std::string& user, const std::string* label,
                                               const std::string& after, size_t limit);

  std::mutex mu_;
  std::unique_ptr<internal::Conn> conn_;  // guarded by mu_
  Auditor* auditor_ = nullptr;
};

}  // namespace vhsm::storage

#endif  // VHSM_STORAGE_PG_RECORD_STORE_H_
