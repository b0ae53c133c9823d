// SqliteRecordStore: whole containers (export and import between hosts).
#include <mutex>

#include "vhsm/storage/internal/sqlite_util.h"
#include "vhsm/storage/sqlite_record_store.h"

namespace vhsm::storage {

using internal::SqlError;
using internal::StepChange;
using internal::Stmt;
using internal::Transaction;

Result<ContainerRecord> SqliteRecordStore::GetContainer(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "SELECT netns_path, created, max_keys FROM containers WHERE name = ?");
  s.Bind(name);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return NotFound("no container '" + name + "'");
  if (rc != SQLITE_ROW) return SqlError(db_, "reading container");
  ContainerRecord c;
  c.name = name;
  c.netns_path = s.Text(0);
  c.created_unix = s.Int(1);
  c.max_keys = s.Int(2);
  return c;
}

Status SqliteRecordStore::ImportContainer(const ContainerImage& image) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string& name = image.container.name;
  Transaction tx(db_);
  VHSM_RETURN_IF_ERROR(tx.status());
  {
    // A container known here (empty: the server checked) keeps its row.
    Stmt c(db_,
           "INSERT INTO containers (name, netns_path, created) VALUES (?, '', ?)"
           " ON CONFLICT(name) DO NOTHING");
    c.Bind(name).Bind(image.container.created_unix);
    VHSM_RETURN_IF_ERROR(StepChange(db_, c, "container '" + name + "'"));
  }
  for (const UserRecord& u : image.users) {
    Stmt s(db_,
           "INSERT INTO users (container, name, salt, iterations, wrapped_master_key, role,"
           " created, share_public, share_private, max_keys) VALUES (?,?,?,?,?,?,?,?,?,?)");
    s.Bind(name)
        .Bind(u.name)
        .Bind(u.salt)
        .Bind(int64_t{u.iterations})
        .Bind(u.wrapped_master_key)
        .Bind(u.role)
        .Bind(u.created_unix)
        .Bind(u.share_public)
        .Bind(u.share_private)
        .Bind(u.max_keys);
    VHSM_RETURN_IF_ERROR(StepChange(db_, s, "user '" + u.name + "'"));
  }
  for (const KeyRecord& k : image.keys) {
    VHSM_RETURN_IF_ERROR(internal::InsertKeyRow(db_, name, k));
  }
  for (const KeyVersionRow& v : image.versions) {
    Stmt s(db_,
           "INSERT INTO key_versions (container, user, key_id, version, created, blob)"
           " VALUES (?,?,?,?,?,?)");
    s.Bind(name)
        .Bind(v.user)
        .Bind(v.key_id)
        .Bind(int64_t{v.version.version})
        .Bind(v.version.created_unix)
        .Bind(v.version.blob);
    VHSM_RETURN_IF_ERROR(StepChange(db_, s, "version of key '" + v.key_id + "'"));
  }
  for (const ObjectRecord& o : image.objects) {
    VHSM_RETURN_IF_ERROR(internal::InsertObjectRow(db_, name, o));
  }
  for (const GrantRecord& g : image.grants) {
    VHSM_RETURN_IF_ERROR(internal::InsertGrantRow(db_, name, g));
  }
  return tx.Commit();
}

}  // namespace vhsm::storage
