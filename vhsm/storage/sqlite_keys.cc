// SqliteRecordStore: keys (their rows; versions are in sqlite_key_versions.cc).
#include <mutex>

#include "vhsm/storage/internal/sqlite_util.h"
#include "vhsm/storage/sqlite_record_store.h"

namespace vhsm::storage {

using internal::SqlError;
using internal::SqlLimit;
using internal::StepChange;
using internal::Stmt;

namespace internal {

Status InsertKeyRow(sqlite3* db, const std::string& container, const KeyRecord& k) {
  Stmt s(db,
         "INSERT INTO keys (container, user, key_id, type, allowed_ops, created, blob, label,"
         " flags, latest_version, min_version) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
  s.Bind(container)
      .Bind(k.user)
      .Bind(k.key_id)
      .Bind(k.type)
      .Bind(int64_t{k.allowed_ops})
      .Bind(k.created_unix)
      .Bind(k.blob)
      .Bind(k.label)
      .Bind(int64_t{k.flags})
      .Bind(int64_t{k.latest_version})
      .Bind(int64_t{k.min_version});
  return StepChange(db, s, "key '" + k.key_id + "'");
}

}  // namespace internal

Status SqliteRecordStore::InsertKey(const KeyRecord& k) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited(k.key_id, [&] { return internal::InsertKeyRow(db_, k.container, k); });
}

Result<KeyRecord> SqliteRecordStore::GetKey(const std::string& container, const std::string& user,
                                            const std::string& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_,
         "SELECT type, allowed_ops, created, blob, label, flags, latest_version, min_version"
         " FROM keys"
         " WHERE container = ? AND user = ? AND key_id = ?");
  s.Bind(container).Bind(user).Bind(key_id);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return NotFound("no key '" + key_id + "'");
  if (rc != SQLITE_ROW) return SqlError(db_, "reading key");
  KeyRecord k;
  k.container = container;
  k.user = user;
  k.key_id = key_id;
  k.type = s.Text(0);
  k.allowed_ops = static_cast<uint32_t>(s.Int(1));
  k.created_unix = s.Int(2);
  k.blob = s.GetBlob(3);
  k.label = s.Text(4);
  k.flags = static_cast<uint32_t>(s.Int(5));
  k.latest_version = static_cast<uint32_t>(s.Int(6));
  k.min_version = static_cast<uint32_t>(s.Int(7));
  return k;
}

Status SqliteRecordStore::DeleteKey(const std::string& container, const std::string& user,
                                    const std::string& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_RETURN_IF_ERROR(Audited(key_id, [&]() -> Status {
    Stmt s(db_, "DELETE FROM keys WHERE container = ? AND user = ? AND key_id = ?");
    s.Bind(container).Bind(user).Bind(key_id);
    VHSM_RETURN_IF_ERROR(StepChange(db_, s, "key '" + key_id + "'"));
    if (sqlite3_changes(db_) == 0) return NotFound("no key '" + key_id + "'");
    return Status::Ok();
  }));
  CheckpointAfterChange();
  return Status::Ok();
}

Result<std::vector<KeyRecord>> SqliteRecordStore::ListKeys(const std::string& container,
                                                           const std::string& user,
                                                           const std::string& after, size_t limit) {
  return ListKeysWhere(container, user, nullptr, after, limit);
}

Result<std::vector<KeyRecord>> SqliteRecordStore::ListKeysLabelled(const std::string& container,
                                                                   const std::string& user,
                                                                   const std::string& label,
                                                                   const std::string& after,
                                                                   size_t limit) {
  return ListKeysWhere(container, user, &label, after, limit);
}

Result<std::vector<KeyRecord>> SqliteRecordStore::ListKeysWhere(const std::string& container,
                                                                const std::string& user,
                                                                const std::string* label,
                                                                const std::string& after,
                                                                size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql =
      "SELECT key_id, type, allowed_ops, created, label, flags, latest_version, min_version"
      " FROM keys WHERE container = ? AND user = ? AND key_id > ?";
  if (label != nullptr) sql += " AND label = ?";  // by the index on labels
  sql += " ORDER BY key_id LIMIT ?";
  Stmt s(db_, sql.c_str());
  s.Bind(container).Bind(user).Bind(after);
  if (label != nullptr) s.Bind(*label);
  s.Bind(SqlLimit(limit));
  std::vector<KeyRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    KeyRecord k;
    k.container = container;
    k.user = user;
    k.key_id = s.Text(0);
    k.type = s.Text(1);
    k.allowed_ops = static_cast<uint32_t>(s.Int(2));
    k.created_unix = s.Int(3);
    k.label = s.Text(4);
    k.flags = static_cast<uint32_t>(s.Int(5));
    k.latest_version = static_cast<uint32_t>(s.Int(6));
    k.min_version = static_cast<uint32_t>(s.Int(7));
    out.push_back(std::move(k));
  }
  if (rc != SQLITE_DONE) return SqlError(db_, "listing keys");
  return out;
}

Result<int64_t> SqliteRecordStore::CountKeys(const std::string& container) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT COUNT(*) FROM keys WHERE container = ?");
  s.Bind(container);
  if (s.Step() != SQLITE_ROW) return SqlError(db_, "counting keys");
  return s.Int(0);
}

Result<int64_t> SqliteRecordStore::CountUserKeys(const std::string& container,
                                                 const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT COUNT(*) FROM keys WHERE container = ? AND user = ?");
  s.Bind(container).Bind(user);
  if (s.Step() != SQLITE_ROW) return SqlError(db_, "counting keys");
  return s.Int(0);
}

Status SqliteRecordStore::SetContainerQuota(const std::string& container, int64_t max_keys) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited("container:" + container, [&]() -> Status {
    Stmt s(db_, "UPDATE containers SET max_keys = ? WHERE name = ?");
    s.Bind(max_keys).Bind(container);
    VHSM_RETURN_IF_ERROR(StepChange(db_, s, "container '" + container + "'"));
    if (sqlite3_changes(db_) == 0) return NotFound("no container '" + container + "'");
    return Status::Ok();
  });
}

Status SqliteRecordStore::SetUserQuota(const std::string& container, const std::string& user,
                                       int64_t max_keys) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited("user:" + user, [&]() -> Status {
    Stmt s(db_, "UPDATE users SET max_keys = ? WHERE container = ? AND name = ?");
    s.Bind(max_keys).Bind(container).Bind(user);
    VHSM_RETURN_IF_ERROR(StepChange(db_, s, "user '" + user + "'"));
    if (sqlite3_changes(db_) == 0) return NotFound("no user '" + user + "' here");
    return Status::Ok();
  });
}

}  // namespace vhsm::storage
