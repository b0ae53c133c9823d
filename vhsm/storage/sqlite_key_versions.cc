// SqliteRecordStore: key versions (rotation and retirement).
#include <mutex>

#include "vhsm/storage/internal/sqlite_util.h"
#include "vhsm/storage/sqlite_record_store.h"

namespace vhsm::storage {

using internal::SqlError;
using internal::StepChange;
using internal::Stmt;
using internal::Transaction;

namespace {

Status NoKey(const std::string& key_id) { return NotFound("no key '" + key_id + "'"); }

}  // namespace

Status SqliteRecordStore::AddKeyVersion(const std::string& container, const std::string& user,
                                        const std::string& key_id, const KeyVersionRecord& v) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(db_);
  VHSM_RETURN_IF_ERROR(tx.status());
  {
    Stmt s(db_,
           "UPDATE keys SET latest_version = ? WHERE container = ? AND user = ? AND key_id = ?"
           " AND latest_version = ?");
    s.Bind(int64_t{v.version}).Bind(container).Bind(user).Bind(key_id).Bind(int64_t{v.version} - 1);
    VHSM_RETURN_IF_ERROR(StepChange(db_, s, "key '" + key_id + "'"));
    if (sqlite3_changes(db_) == 0) {
      Stmt exists(db_, "SELECT 1 FROM keys WHERE container = ? AND user = ? AND key_id = ?");
      exists.Bind(container).Bind(user).Bind(key_id);
      if (exists.Step() != SQLITE_ROW) return NoKey(key_id);
      return FailedPrecondition("key '" + key_id + "' was rotated meanwhile; try again");
    }
  }
  Stmt s(db_,
         "INSERT INTO key_versions (container, user, key_id, version, created, blob)"
         " VALUES (?,?,?,?,?,?)");
  s.Bind(container)
      .Bind(user)
      .Bind(key_id)
      .Bind(int64_t{v.version})
      .Bind(v.created_unix)
      .Bind(v.blob);
  VHSM_RETURN_IF_ERROR(StepChange(db_, s, "version of key '" + key_id + "'"));
  std::vector<AuditRecord> audit;
  VHSM_RETURN_IF_ERROR(AuditInTx(key_id, &audit));
  return CommitAudited(tx, audit);
}

Result<KeyVersionRecord> SqliteRecordStore::GetKeyVersion(const std::string& container,
                                                          const std::string& user,
                                                          const std::string& key_id,
                                                          uint32_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_,
         "SELECT created, blob FROM key_versions"
         " WHERE container = ? AND user = ? AND key_id = ? AND version = ?");
  s.Bind(container).Bind(user).Bind(key_id).Bind(int64_t{version});
  int rc = s.Step();
  if (rc == SQLITE_DONE) {
    return NotFound("key '" + key_id + "' has no version " + std::to_string(version));
  }
  if (rc != SQLITE_ROW) return SqlError(db_, "reading key version");
  KeyVersionRecord v;
  v.version = version;
  v.created_unix = s.Int(0);
  v.blob = s.GetBlob(1);
  return v;
}

Result<std::vector<KeyVersionRecord>> SqliteRecordStore::ListKeyVersions(
    const std::string& container, const std::string& user, const std::string& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_,
         "SELECT version, created FROM key_versions"
         " WHERE container = ? AND user = ? AND key_id = ? ORDER BY version");
  s.Bind(container).Bind(user).Bind(key_id);
  std::vector<KeyVersionRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    KeyVersionRecord v;
    v.version = static_cast<uint32_t>(s.Int(0));
    v.created_unix = s.Int(1);
    out.push_back(std::move(v));
  }
  if (rc != SQLITE_DONE) return SqlError(db_, "listing key versions");
  return out;
}

Status SqliteRecordStore::RetireKeyVersions(const std::string& container, const std::string& user,
                                            const std::string& key_id, uint32_t min) {
  std::lock_guard<std::mutex> lock(mu_);
  {
    Transaction tx(db_);
    VHSM_RETURN_IF_ERROR(tx.status());
    Stmt s(db_,
           "UPDATE keys SET min_version = ?, blob = CASE WHEN ? > 1 THEN x'' ELSE blob END"
           " WHERE container = ? AND user = ? AND key_id = ? AND min_version <= ?"
           " AND latest_version >= ?");
    s.Bind(int64_t{min})
        .Bind(int64_t{min})
        .Bind(container)
        .Bind(user)
        .Bind(key_id)
        .Bind(int64_t{min})
        .Bind(int64_t{min});
    VHSM_RETURN_IF_ERROR(StepChange(db_, s, "key '" + key_id + "'"));
    if (sqlite3_changes(db_) == 0) {
      return FailedPrecondition("key '" + key_id + "' has no version " + std::to_string(min) +
                                " at or above its minimum");
    }
    Stmt d(db_,
           "DELETE FROM key_versions WHERE container = ? AND user = ? AND key_id = ?"
           " AND version < ?");
    d.Bind(container).Bind(user).Bind(key_id).Bind(int64_t{min});
    VHSM_RETURN_IF_ERROR(StepChange(db_, d, "versions of key '" + key_id + "'"));
    Stmt g(db_,
           "DELETE FROM grants WHERE container = ? AND owner = ? AND key_id = ? AND version < ?");
    g.Bind(container).Bind(user).Bind(key_id).Bind(int64_t{min});
    VHSM_RETURN_IF_ERROR(StepChange(db_, g, "grants of key '" + key_id + "'"));
    std::vector<AuditRecord> audit;
    VHSM_RETURN_IF_ERROR(AuditInTx(key_id, &audit));
    VHSM_RETURN_IF_ERROR(CommitAudited(tx, audit));
  }
  CheckpointAfterChange();  // retired material must not linger in the WAL
  return Status::Ok();
}

}  // namespace vhsm::storage
