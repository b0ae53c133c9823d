// PgRecordStore: key sharing (share keys, grants), public objects, and
// whole containers (import).
#include <mutex>

#include "vhsm/storage/internal/pg_util.h"
#include "vhsm/storage/pg_record_store.h"

namespace vhsm::storage {

using internal::Params;
using internal::PgLimit;
using internal::PgStatus;
using internal::PgTransaction;
using internal::Rows;

namespace {

constexpr char kGrantColumns[] = "container, owner, key_id, version, grantee, ops, blob";

GrantRecord ReadGrant(const Rows& r, int i) {
  GrantRecord g;
  g.container = r.Text(i, 0);
  g.owner = r.Text(i, 1);
  g.key_id = r.Text(i, 2);
  g.version = static_cast<uint32_t>(r.Int(i, 3));
  g.grantee = r.Text(i, 4);
  g.ops = static_cast<uint32_t>(r.Int(i, 5));
  g.blob = r.Bytes(i, 6);
  return g;
}

constexpr char kObjectColumns[] =
    "handle, cls, id, label, private, application, oid, created, digest, mac, length(value)";

ObjectRecord ReadObject(const Rows& r, int i, const std::string& container,
                        const std::string& user) {
  ObjectRecord o;
  o.container = container;
  o.user = user;
  o.handle = static_cast<uint64_t>(r.Int(i, 0));
  o.cls = static_cast<uint32_t>(r.Int(i, 1));
  o.id = r.Bytes(i, 2);
  o.label = r.Text(i, 3);
  o.is_private = r.Int(i, 4) != 0;
  o.application = r.Text(i, 5);
  o.oid = r.Bytes(i, 6);
  o.created_unix = r.Int(i, 7);
  o.digest = r.Bytes(i, 8);
  o.mac = r.Bytes(i, 9);
  o.size = static_cast<uint32_t>(r.Int(i, 10));
  return o;
}

std::string NoObject(uint64_t handle) { return "no object " + std::to_string(handle); }

}  // namespace

namespace internal {

Status PgInsertGrantRow(Conn& c, const std::string& container, const GrantRecord& g) {
  Params p;
  p.Add(container)
      .Add(g.owner)
      .Add(g.key_id)
      .Add(int64_t{g.version})
      .Add(g.grantee)
      .Add(int64_t{g.ops})
      .Add(g.blob);
  return PgStatus(c.Run(std::string("INSERT INTO grants (") + kGrantColumns +
                            ") VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (container, owner,"
                            " key_id, version, grantee) DO UPDATE SET ops = excluded.ops,"
                            " blob = excluded.blob",
                        p, "grant of key '" + g.key_id + "' to '" + g.grantee + "'"));
}

Status PgInsertObjectRow(Conn& c, const std::string& container, const ObjectRecord& o) {
  Params p;
  p.Add(container)
      .Add(o.user)
      .Add(static_cast<int64_t>(o.handle))
      .Add(int64_t{o.cls})
      .Add(o.id)
      .Add(o.label)
      .Add(int64_t{o.is_private ? 1 : 0})
      .Add(o.application)
      .Add(o.oid)
      .Add(o.created_unix)
      .Add(o.value)
      .Add(o.digest)
      .Add(o.mac);
  return PgStatus(c.Run(
      "INSERT INTO objects (container, \"user\", handle, cls, id, label, private, application,"
      " oid, created, value, digest, mac) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)",
      p, "object " + std::to_string(o.handle)));
}

}  // namespace internal

// ---- sharing ----------------------------------------------------------------------

Status PgRecordStore::SetShareKeys(const std::string& container, const std::string& user,
                                   const Blob& share_public, const Blob& share_private) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_ASSIGN_OR_RETURN(
      Rows r, conn_->Run("UPDATE users SET share_public = $1, share_private = $2"
                         " WHERE container = $3 AND name = $4",
                         Params().Add(share_public).Add(share_private).Add(container).Add(user),
                         "user '" + user + "'"));
  if (r.changed() == 0) return NotFound("no user '" + user + "'");
  return Status::Ok();
}

Status PgRecordStore::PutGrant(const GrantRecord& g) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited(g.key_id, [&] { return internal::PgInsertGrantRow(*conn_, g.container, g); });
}

Result<GrantRecord> PgRecordStore::GetGrant(const std::string& container, const std::string& owner,
                                            const std::string& key_id, uint32_t version,
                                            const std::string& grantee) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_ASSIGN_OR_RETURN(
      Rows r,
      conn_->Run(std::string("SELECT ") + kGrantColumns +
                     " FROM grants WHERE container = $1 AND owner = $2 AND key_id = $3"
                     " AND version = $4 AND grantee = $5",
                 Params().Add(container).Add(owner).Add(key_id).Add(int64_t{version}).Add(grantee),
                 "reading grant"));
  if (r.size() == 0) return NotFound("no key '" + owner + "/" + key_id + "' shared with you");
  return ReadGrant(r, 0);
}

Result<std::vector<GrantRecord>> PgRecordStore::ListGrants(const std::string& container,
                                                           const std::string& owner,
                                                           const std::string& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_ASSIGN_OR_RETURN(
      Rows r, conn_->Run(std::string("SELECT ") + kGrantColumns +
                             " FROM grants WHERE container = $1 AND owner = $2 AND key_id = $3"
                             " ORDER BY grantee, version",
                         Params().Add(container).Add(owner).Add(key_id), "listing grants"));
  std::vector<GrantRecord> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(ReadGrant(r, i));
  return out;
}

Status PgRecordStore::DeleteGrants(const std::string& container, const std::string& owner,
                                   const std::string& key_id, const std::string& grantee) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited(key_id, [&]() -> Status {
    VHSM_ASSIGN_OR_RETURN(Rows r,
                          conn_->Run("DELETE FROM grants WHERE container = $1 AND owner = $2"
                                     " AND key_id = $3 AND grantee = $4",
                                     Params().Add(container).Add(owner).Add(key_id).Add(grantee),
                                     "grants of key '" + key_id + "'"));
    if (r.changed() == 0) {
      return NotFound("key '" + key_id + "' is not shared with '" + grantee + "'");
    }
    return Status::Ok();
  });
}

// ---- objects ----------------------------------------------------------------------

Status PgRecordStore::InsertObject(const ObjectRecord& o) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited("object:" + std::to_string(o.handle),
                 [&] { return internal::PgInsertObjectRow(*conn_, o.container, o); });
}

Result<ObjectRecord> PgRecordStore::GetObject(const std::string& container, const std::string& user,
                                              uint64_t handle) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_ASSIGN_OR_RETURN(
      Rows r, conn_->Run(std::string("SELECT ") + kObjectColumns +
                             ", value FROM objects WHERE container = $1 AND \"user\" = $2"
                             " AND handle = $3",
                         Params().Add(container).Add(user).Add(static_cast<int64_t>(handle)),
                         "reading object"));
  if (r.size() == 0) return NotFound(NoObject(handle));
  ObjectRecord o = ReadObject(r, 0, container, user);
  o.value = r.Bytes(0, 11);
  return o;
}

Status PgRecordStore::DeleteObject(const std::string& container, const std::string& user,
                                   uint64_t handle) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited("object:" + std::to_string(handle), [&]() -> Status {
    VHSM_ASSIGN_OR_RETURN(
        Rows r,
        conn_->Run("DELETE FROM objects WHERE container = $1 AND \"user\" = $2 AND handle = $3",
                   Params().Add(container).Add(user).Add(static_cast<int64_t>(handle)),
                   "object " + std::to_string(handle)));
    if (r.changed() == 0) return NotFound(NoObject(handle));
    return Status::Ok();
  });
}

Result<std::vector<ObjectRecord>> PgRecordStore::ListObjects(const std::string& container,
                                                             const std::string& user,
                                                             const ObjectFilter& filter,
                                                             uint64_t after, size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql = std::string("SELECT ") + kObjectColumns +
                    " FROM objects WHERE container = $1 AND \"user\" = $2 AND handle > $3";
  Params p;
  p.Add(container).Add(user).Add(static_cast<int64_t>(after));
  auto next = [&p] { return "$" + std::to_string(p.size() + 1); };
  if (filter.cls != 0) {
    sql += " AND cls = " + next();
    p.Add(int64_t{filter.cls});
  }
  if (filter.match_id) {
    sql += " AND id = " + next();
    p.Add(filter.id);
  }
  if (filter.match_label) {
    sql += " AND label = " + next();
    p.Add(filter.label);
  }
  sql += " ORDER BY handle LIMIT " + next();
  p.Add(PgLimit(limit));
  VHSM_ASSIGN_OR_RETURN(Rows r, conn_->Run(sql, p, "listing objects"));
  std::vector<ObjectRecord> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(ReadObject(r, i, container, user));
  return out;
}

Result<int64_t> PgRecordStore::CountObjects(const std::string& container) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_ASSIGN_OR_RETURN(Rows r, conn_->Run("SELECT COUNT(*) FROM objects WHERE container = $1",
                                           Params().Add(container), "counting objects"));
  return r.Int(0, 0);
}

// ---- whole containers -------------------------------------------------------------

Status PgRecordStore::ImportContainer(const ContainerImage& image) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string& name = image.container.name;
  PgTransaction tx(conn_.get());
  VHSM_RETURN_IF_ERROR(tx.status());
  // A container known here (empty: the server checked) keeps its row.
  VHSM_RETURN_IF_ERROR(PgStatus(conn_->Run(
      "INSERT INTO containers (name, netns_path, created) VALUES ($1, '', $2)"
      " ON CONFLICT (name) DO NOTHING",
      Params().Add(name).Add(image.container.created_unix), "container '" + name + "'")));
  for (const UserRecord& u : image.users) {
    Params p;
    p.Add(name)
        .Add(u.name)
        .Add(u.salt)
        .Add(int64_t{u.iterations})
        .Add(u.wrapped_master_key)
        .Add(u.role)
        .Add(u.created_unix)
        .Add(u.share_public)
        .Add(u.share_private)
        .Add(u.max_keys);
    VHSM_RETURN_IF_ERROR(PgStatus(conn_->Run(
        "INSERT INTO users (container, name, salt, iterations, wrapped_master_key, role,"
        " created, share_public, share_private, max_keys) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
        p, "user '" + u.name + "'")));
  }
  for (const KeyRecord& k : image.keys) {
    VHSM_RETURN_IF_ERROR(internal::PgInsertKeyRow(*conn_, name, k));
  }
  for (const KeyVersionRow& v : image.versions) {
    Params p;
    p.Add(name)
        .Add(v.user)
        .Add(v.key_id)
        .Add(int64_t{v.version.version})
        .Add(v.version.created_unix)
        .Add(v.version.blob);
    VHSM_RETURN_IF_ERROR(PgStatus(
        conn_->Run("INSERT INTO key_versions (container, \"user\", key_id, version, created,"
                   " blob) VALUES ($1,$2,$3,$4,$5,$6)",
                   p, "version of key '" + v.key_id + "'")));
  }
  for (const ObjectRecord& o : image.objects) {
    VHSM_RETURN_IF_ERROR(internal::PgInsertObjectRow(*conn_, name, o));
  }
  for (const GrantRecord& g : image.grants) {
    VHSM_RETURN_IF_ERROR(internal::PgInsertGrantRow(*conn_, name, g));
  }
  return tx.Commit();
}

}  // namespace vhsm::storage
