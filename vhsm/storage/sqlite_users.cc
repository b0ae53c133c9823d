// SqliteRecordStore: users (credentials, roles, failed logins).
#include <sqlite3.h>

#include <mutex>

#include "vhsm/storage/internal/sqlite_util.h"
#include "vhsm/storage/sqlite_record_store.h"

namespace vhsm::storage {

using internal::SqlError;
using internal::SqlLimit;
using internal::StepChange;
using internal::Stmt;

Status SqliteRecordStore::InsertUser(const UserRecord& u) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited("user:" + u.name, [&] {
    Stmt s(db_,
           "INSERT INTO users (container, name, salt, iterations, wrapped_master_key,"
           " failed_logins, locked_until_ms, role, created) VALUES (?,?,?,?,?,?,?,?,?)");
    s.Bind(u.container)
        .Bind(u.name)
        .Bind(u.salt)
        .Bind(int64_t{u.iterations})
        .Bind(u.wrapped_master_key)
        .Bind(int64_t{u.failed_logins})
        .Bind(u.locked_until_ms)
        .Bind(u.role)
        .Bind(u.created_unix);
    return StepChange(db_, s, "user '" + u.name + "' in container '" + u.container + "'");
  });
}

Result<UserRecord> SqliteRecordStore::GetUser(const std::string& container,
                                              const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_,
         "SELECT salt, iterations, wrapped_master_key, failed_logins, locked_until_ms,"
         " role, created, share_public, share_private, max_keys FROM users"
         " WHERE container = ? AND name = ?");
  s.Bind(container).Bind(name);
  int rc = s.Step();
  if (rc == SQLITE_DONE) {
    return NotFound("no user '" + name + "' in container '" + container + "'");
  }
  if (rc != SQLITE_ROW) return SqlError(db_, "reading user");
  UserRecord u;
  u.container = container;
  u.name = name;
  u.salt = s.GetBlob(0);
  u.iterations = static_cast<uint32_t>(s.Int(1));
  u.wrapped_master_key = s.GetBlob(2);
  u.failed_logins = static_cast<int32_t>(s.Int(3));
  u.locked_until_ms = s.Int(4);
  u.role = s.Text(5);
  u.created_unix = s.Int(6);
  u.share_public = s.GetBlob(7);
  u.share_private = s.GetBlob(8);
  u.max_keys = s.Int(9);
  return u;
}

Status SqliteRecordStore::UpdateUserCredentials(const std::string& container,
                                                const std::string& name, const Blob& salt,
                                                uint32_t iterations,
                                                const Blob& wrapped_master_key) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_RETURN_IF_ERROR(Audited("user:" + name, [&]() -> Status {
    Stmt s(db_,
           "UPDATE users SET salt = ?, iterations = ?, wrapped_master_key = ?,"
           " failed_logins = 0, locked_until_ms = 0 WHERE container = ? AND name = ?");
    s.Bind(salt).Bind(int64_t{iterations}).Bind(wrapped_master_key).Bind(container).Bind(name);
    VHSM_RETURN_IF_ERROR(StepChange(db_, s, "user '" + name + "'"));
    if (sqlite3_changes(db_) == 0) {
      return NotFound("no user '" + name + "' in container '" + container + "'");
    }
    return Status::Ok();
  }));
  CheckpointAfterChange();  // the old wrapping must not linger in the WAL
  return Status::Ok();
}

Status SqliteRecordStore::DeleteUser(const std::string& container, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_RETURN_IF_ERROR(Audited("user:" + name, [&]() -> Status {
    Stmt s(db_, "DELETE FROM users WHERE container = ? AND name = ?");
    s.Bind(container).Bind(name);
    VHSM_RETURN_IF_ERROR(StepChange(db_, s, "user '" + name + "'"));
    if (sqlite3_changes(db_) == 0) {
      return NotFound("no user '" + name + "' in container '" + container + "'");
    }
    return Status::Ok();
  }));
  CheckpointAfterChange();
  return Status::Ok();
}

Result<int64_t> SqliteRecordStore::RecordLoginFailure(const std::string& container,
                                                      const std::string& name, int32_t failures,
                                                      int64_t lockout_ms, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_,
         "UPDATE users SET failed_logins = failed_logins + 1,"
         " locked_until_ms = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until_ms END"
         " WHERE container = ? AND name = ? RETURNING locked_until_ms");
  s.Bind(int64_t{failures}).Bind(now_ms + lockout_ms).Bind(container).Bind(name);
  int rc = s.Step();
  if (rc == SQLITE_DONE) {
    return NotFound("no user '" + name + "' in container '" + container + "'");
  }
  if (rc != SQLITE_ROW) return SqlError(db_, "counting a failed login");
  int64_t until = s.Int(0);
  return until > now_ms ? until : 0;
}

Status SqliteRecordStore::ResetLoginFailures(const std::string& container,
                                             const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_,
         "UPDATE users SET failed_logins = 0, locked_until_ms = 0 WHERE container = ?"
         " AND name = ? AND (failed_logins <> 0 OR locked_until_ms <> 0)");
  s.Bind(container).Bind(name);
  return StepChange(db_, s, "user '" + name + "'");
}

Result<std::vector<std::string>> SqliteRecordStore::ListUsers(const std::string& container,
                                                              const std::string& after,
                                                              size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT name FROM users WHERE container = ? AND name > ? ORDER BY name LIMIT ?");
  s.Bind(container).Bind(after).Bind(SqlLimit(limit));
  std::vector<std::string> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(s.Text(0));
  if (rc != SQLITE_DONE) return SqlError(db_, "listing users");
  return out;
}

}  // namespace vhsm::storage
