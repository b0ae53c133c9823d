// SqliteRecordStore: public objects (certificates, data).
#include <mutex>

#include "vhsm/storage/internal/sqlite_util.h"
#include "vhsm/storage/sqlite_record_store.h"

namespace vhsm::storage {

using internal::SqlError;
using internal::SqlLimit;
using internal::StepChange;
using internal::Stmt;

namespace {

constexpr char kColumns[] =
    "handle, cls, id, label, private, application, oid, created, digest, mac, length(value)";

ObjectRecord ReadObject(const Stmt& s, const std::string& container, const std::string& user) {
  ObjectRecord o;
  o.container = container;
  o.user = user;
  o.handle = static_cast<uint64_t>(s.Int(0));
  o.cls = static_cast<uint32_t>(s.Int(1));
  o.id = s.GetBlob(2);
  o.label = s.Text(3);
  o.is_private = s.Int(4) != 0;
  o.application = s.Text(5);
  o.oid = s.GetBlob(6);
  o.created_unix = s.Int(7);
  o.digest = s.GetBlob(8);
  o.mac = s.GetBlob(9);
  o.size = static_cast<uint32_t>(s.Int(10));
  return o;
}

std::string NoObject(uint64_t handle) { return "no object " + std::to_string(handle); }

}  // namespace

namespace internal {

Status InsertObjectRow(sqlite3* db, const std::string& container, const ObjectRecord& o) {
  Stmt s(db,
         "INSERT INTO objects (container, user, handle, cls, id, label, private, application,"
         " oid, created, value, digest, mac) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
  s.Bind(container)
      .Bind(o.user)
      .Bind(static_cast<int64_t>(o.handle))
      .Bind(int64_t{o.cls})
      .Bind(o.id)
      .Bind(o.label)
      .Bind(int64_t{o.is_private ? 1 : 0})
      .Bind(o.application)
      .Bind(o.oid)
      .Bind(o.created_unix)
      .Bind(o.value)
      .Bind(o.digest)
      .Bind(o.mac);
  return StepChange(db, s, "object " + std::to_string(o.handle));
}

}  // namespace internal

Status SqliteRecordStore::InsertObject(const ObjectRecord& o) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited("object:" + std::to_string(o.handle),
                 [&] { return internal::InsertObjectRow(db_, o.container, o); });
}

Result<ObjectRecord> SqliteRecordStore::GetObject(const std::string& container,
                                                  const std::string& user, uint64_t handle) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql = std::string("SELECT ") + kColumns +
                    ", value FROM objects WHERE container = ? AND user = ? AND handle = ?";
  Stmt s(db_, sql.c_str());
  s.Bind(container).Bind(user).Bind(static_cast<int64_t>(handle));
  int rc = s.Step();
  if (rc == SQLITE_DONE) return NotFound(NoObject(handle));
  if (rc != SQLITE_ROW) return SqlError(db_, "reading object");
  ObjectRecord o = ReadObject(s, container, user);
  o.value = s.GetBlob(11);
  return o;
}

Status SqliteRecordStore::DeleteObject(const std::string& container, const std::string& user,
                                       uint64_t handle) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited("object:" + std::to_string(handle), [&]() -> Status {
    Stmt s(db_, "DELETE FROM objects WHERE container = ? AND user = ? AND handle = ?");
    s.Bind(container).Bind(user).Bind(static_cast<int64_t>(handle));
    VHSM_RETURN_IF_ERROR(StepChange(db_, s, "object " + std::to_string(handle)));
    if (sqlite3_changes(db_) == 0) return NotFound(NoObject(handle));
    return Status::Ok();
  });
}

Result<std::vector<ObjectRecord>> SqliteRecordStore::ListObjects(const std::string& container,
                                                                 const std::string& user,
                                                                 const ObjectFilter& filter,
                                                                 uint64_t after, size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  // Only the conditions asked for, so that SQLite can use its indexes on
  // (container, user, label) and (container, user, id).
  std::string sql = std::string("SELECT ") + kColumns +
                    " FROM objects WHERE container = ? AND user = ? AND handle > ?";
  if (filter.cls != 0) sql += " AND cls = ?";
  if (filter.match_id) sql += " AND id = ?";
  if (filter.match_label) sql += " AND label = ?";
  sql += " ORDER BY handle LIMIT ?";
  Stmt s(db_, sql.c_str());
  s.Bind(container).Bind(user).Bind(static_cast<int64_t>(after));
  if (filter.cls != 0) s.Bind(int64_t{filter.cls});
  if (filter.match_id) s.Bind(filter.id);
  if (filter.match_label) s.Bind(filter.label);
  s.Bind(SqlLimit(limit));
  std::vector<ObjectRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadObject(s, container, user));
  if (rc != SQLITE_DONE) return SqlError(db_, "listing objects");
  return out;
}

Result<int64_t> SqliteRecordStore::CountObjects(const std::string& container) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT COUNT(*) FROM objects WHERE container = ?");
  s.Bind(container);
  if (s.Step() != SQLITE_ROW) return SqlError(db_, "counting objects");
  return s.Int(0);
}

}  // namespace vhsm::storage
