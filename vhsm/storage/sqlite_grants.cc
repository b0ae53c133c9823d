// SqliteRecordStore: key sharing (share key pairs and grants).
#include <mutex>

#include "vhsm/storage/internal/sqlite_util.h"
#include "vhsm/storage/sqlite_record_store.h"

namespace vhsm::storage {

using internal::SqlError;
using internal::StepChange;
using internal::Stmt;

namespace {

GrantRecord ReadGrant(const Stmt& s) {
  GrantRecord g;
  g.container = s.Text(0);
  g.owner = s.Text(1);
  g.key_id = s.Text(2);
  g.version = static_cast<uint32_t>(s.Int(3));
  g.grantee = s.Text(4);
  g.ops = static_cast<uint32_t>(s.Int(5));
  g.blob = s.GetBlob(6);
  return g;
}

constexpr char kGrantColumns[] = "container, owner, key_id, version, grantee, ops, blob";

}  // namespace

Status SqliteRecordStore::SetShareKeys(const std::string& container, const std::string& user,
                                       const Blob& share_public, const Blob& share_private) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_,
         "UPDATE users SET share_public = ?, share_private = ? WHERE container = ? AND name = ?");
  s.Bind(share_public).Bind(share_private).Bind(container).Bind(user);
  VHSM_RETURN_IF_ERROR(StepChange(db_, s, "user '" + user + "'"));
  if (sqlite3_changes(db_) == 0) return NotFound("no user '" + user + "'");
  return Status::Ok();
}

namespace internal {

Status InsertGrantRow(sqlite3* db, const std::string& container, const GrantRecord& g) {
  std::string sql =
      std::string("INSERT OR REPLACE INTO grants (") + kGrantColumns + ") VALUES (?,?,?,?,?,?,?)";
  Stmt s(db, sql.c_str());
  s.Bind(container)
      .Bind(g.owner)
      .Bind(g.key_id)
      .Bind(int64_t{g.version})
      .Bind(g.grantee)
      .Bind(int64_t{g.ops})
      .Bind(g.blob);
  return StepChange(db, s, "grant of key '" + g.key_id + "' to '" + g.grantee + "'");
}

}  // namespace internal

Status SqliteRecordStore::PutGrant(const GrantRecord& g) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited(g.key_id, [&] { return internal::InsertGrantRow(db_, g.container, g); });
}

Result<GrantRecord> SqliteRecordStore::GetGrant(const std::string& container,
                                                const std::string& owner, const std::string& key_id,
                                                uint32_t version, const std::string& grantee) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql = std::string("SELECT ") + kGrantColumns +
                    " FROM grants WHERE container = ? AND owner = ? AND key_id = ?"
                    " AND version = ? AND grantee = ?";
  Stmt s(db_, sql.c_str());
  s.Bind(container).Bind(owner).Bind(key_id).Bind(int64_t{version}).Bind(grantee);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return NotFound("no key '" + owner + "/" + key_id + "' shared with you");
  if (rc != SQLITE_ROW) return SqlError(db_, "reading grant");
  return ReadGrant(s);
}

Result<std::vector<GrantRecord>> SqliteRecordStore::ListGrants(const std::string& container,
                                                               const std::string& owner,
                                                               const std::string& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql = std::string("SELECT ") + kGrantColumns +
                    " FROM grants WHERE container = ? AND owner = ? AND key_id = ?"
                    " ORDER BY grantee, version";
  Stmt s(db_, sql.c_str());
  s.Bind(container).Bind(owner).Bind(key_id);
  std::vector<GrantRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadGrant(s));
  if (rc != SQLITE_DONE) return SqlError(db_, "listing grants");
  return out;
}

Status SqliteRecordStore::DeleteGrants(const std::string& container, const std::string& owner,
                                       const std::string& key_id, const std::string& grantee) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_RETURN_IF_ERROR(Audited(key_id, [&]() -> Status {
    Stmt s(db_,
           "DELETE FROM grants WHERE container = ? AND owner = ? AND key_id = ? AND grantee = ?");
    s.Bind(container).Bind(owner).Bind(key_id).Bind(grantee);
    VHSM_RETURN_IF_ERROR(StepChange(db_, s, "grants of key '" + key_id + "'"));
    if (sqlite3_changes(db_) == 0) {
      return NotFound("key '" + key_id + "' is not shared with '" + grantee + "'");
    }
    return Status::Ok();
  }));
  CheckpointAfterChange();  // the sealed copies must not linger in the WAL
  return Status::Ok();
}

}  // namespace vhsm::storage
