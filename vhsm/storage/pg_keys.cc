// PgRecordStore: keys, their versions, counts and quotas.
#include <mutex>

#include "vhsm/storage/internal/pg_util.h"
#include "vhsm/storage/pg_record_store.h"

namespace vhsm::storage {

using internal::Params;
using internal::PgLimit;
using internal::PgStatus;
using internal::Rows;

namespace {

Status NoKey(const std::string& key_id) { return NotFound("no key '" + key_id + "'"); }

constexpr char kKeyColumns[] =
    "key_id, type, allowed_ops, created, label, flags, latest_version, min_version";

KeyRecord ReadKey(const Rows& r, int i, const std::string& container, const std::string& user) {
  KeyRecord k;
  k.container = container;
  k.user = user;
  k.key_id = r.Text(i, 0);
  k.type = r.Text(i, 1);
  k.allowed_ops = static_cast<uint32_t>(r.Int(i, 2));
  k.created_unix = r.Int(i, 3);
  k.label = r.Text(i, 4);
  k.flags = static_cast<uint32_t>(r.Int(i, 5));
  k.latest_version = static_cast<uint32_t>(r.Int(i, 6));
  k.min_version = static_cast<uint32_t>(r.Int(i, 7));
  return k;
}

}  // namespace

namespace internal {

Status PgInsertKeyRow(Conn& c, const std::string& container, const KeyRecord& k) {
  Params p;
  p.Add(container)
      .Add(k.user)
      .Add(k.key_id)
      .Add(k.type)
      .Add(int64_t{k.allowed_ops})
      .Add(k.created_unix)
      .Add(k.blob)
      .Add(k.label)
      .Add(int64_t{k.flags})
      .Add(int64_t{k.latest_version})
      .Add(int64_t{k.min_version});
  return PgStatus(c.Run(
      "INSERT INTO keys (container, \"user\", key_id, type, allowed_ops, created, blob, label,"
      " flags, latest_version, min_version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
      p, "key '" + k.key_id + "'"));
}

}  // namespace internal

Status PgRecordStore::InsertKey(const KeyRecord& k) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited(k.key_id, [&] { return internal::PgInsertKeyRow(*conn_, k.container, k); });
}

Result<KeyRecord> PgRecordStore::GetKey(const std::string& container, const std::string& user,
                                        const std::string& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_ASSIGN_OR_RETURN(Rows r,
                        conn_->Run(std::string("SELECT ") + kKeyColumns +
                                       ", blob FROM keys WHERE container = $1"
                                       " AND \"user\" = $2 AND key_id = $3",
                                   Params().Add(container).Add(user).Add(key_id), "reading key"));
  if (r.size() == 0) return NoKey(key_id);
  KeyRecord k = ReadKey(r, 0, container, user);
  k.blob = r.Bytes(0, 8);
  return k;
}

Status PgRecordStore::DeleteKey(const std::string& container, const std::string& user,
                                const std::string& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited(key_id, [&]() -> Status {
    VHSM_ASSIGN_OR_RETURN(
        Rows r,
        conn_->Run("DELETE FROM keys WHERE container = $1 AND \"user\" = $2 AND key_id = $3",
                   Params().Add(container).Add(user).Add(key_id), "key '" + key_id + "'"));
    if (r.changed() == 0) return NoKey(key_id);
    return Status::Ok();
  });
}

Result<std::vector<KeyRecord>> PgRecordStore::ListKeys(const std::string& container,
                                                       const std::string& user,
                                                       const std::string& after, size_t limit) {
  return ListKeysWhere(container, user, nullptr, after, limit);
}

Result<std::vector<KeyRecord>> PgRecordStore::ListKeysLabelled(const std::string& container,
                                                               const std::string& user,
                                                               const std::string& label,
                                                               const std::string& after,
                                                               size_t limit) {
  return ListKeysWhere(container, user, &label, after, limit);
}

Result<std::vector<KeyRecord>> PgRecordStore::ListKeysWhere(const std::string& container,
                                                            const std::string& user,
                                                            const std::string* label,
                                                            const std::string& after,
                                                            size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql = std::string("SELECT ") + kKeyColumns +
                    " FROM keys WHERE container = $1 AND \"user\" = $2 AND key_id > $3";
  Params p;
  p.Add(container).Add(user).Add(after);
  if (label != nullptr) {
    sql += " AND label = $4 ORDER BY key_id LIMIT $5";
    p.Add(*label);
  } else {
    sql += " ORDER BY key_id LIMIT $4";
  }
  p.Add(PgLimit(limit));
  VHSM_ASSIGN_OR_RETURN(Rows r, conn_->Run(sql, p, "listing keys"));
  std::vector<KeyRecord> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(ReadKey(r, i, container, user));
  return out;
}

Result<int64_t> PgRecordStore::CountKeys(const std::string& container) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_ASSIGN_OR_RETURN(Rows r, conn_->Run("SELECT COUNT(*) FROM keys WHERE container = $1",
                                           Params().Add(container), "counting keys"));
  return r.Int(0, 0);
}

Result<int64_t> PgRecordStore::CountUserKeys(const std::string& container,
                                             const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_ASSIGN_OR_RETURN(
      Rows r, conn_->Run("SELECT COUNT(*) FROM keys WHERE container = $1 AND \"user\" = $2",
                         Params().Add(container).Add(user), "counting keys"));
  return r.Int(0, 0);
}

Status PgRecordStore::SetContainerQuota(const std::string& container, int64_t max_keys) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited("container:" + container, [&]() -> Status {
    VHSM_ASSIGN_OR_RETURN(
        Rows r, conn_->Run("UPDATE containers SET max_keys = $1 WHERE name = $2",
                           Params().Add(max_keys).Add(container), "container '" + container + "'"));
    if (r.changed() == 0) return NotFound("no container '" + container + "'");
    return Status::Ok();
  });
}

Status PgRecordStore::SetUserQuota(const std::string& container, const std::string& user,
                                   int64_t max_keys) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited("user:" + user, [&]() -> Status {
    VHSM_ASSIGN_OR_RETURN(
        Rows r, conn_->Run("UPDATE users SET max_keys = $1 WHERE container = $2 AND name = $3",
                           Params().Add(max_keys).Add(container).Add(user), "user '" + user + "'"));
    if (r.changed() == 0) return NotFound("no user '" + user + "' here");
    return Status::Ok();
  });
}

// ---- versions ---------------------------------------------------------------------

Status PgRecordStore::AddKeyVersion(const std::string& container, const std::string& user,
                                    const std::string& key_id, const KeyVersionRecord& v) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited(key_id, [&]() -> Status {
    // The row lock this UPDATE takes orders rotations of one key across vhsmd.
    VHSM_ASSIGN_OR_RETURN(Rows u,
                          conn_->Run("UPDATE keys SET latest_version = $1 WHERE container = $2"
                                     " AND \"user\" = $3 AND key_id = $4 AND latest_version = $5",
                                     Params()
                                         .Add(int64_t{v.version})
                                         .Add(container)
                                         .Add(user)
                                         .Add(key_id)
                                         .Add(int64_t{v.version} - 1),
                                     "key '" + key_id + "'"));
    if (u.changed() == 0) {
      VHSM_ASSIGN_OR_RETURN(Rows e,
                            conn_->Run("SELECT 1 FROM keys WHERE container = $1 AND \"user\" = $2"
                                       " AND key_id = $3",
                                       Params().Add(container).Add(user).Add(key_id), "key"));
      if (e.size() == 0) return NoKey(key_id);
      return FailedPrecondition("key '" + key_id + "' was rotated meanwhile; try again");
    }
    Params p;
    p.Add(container).Add(user).Add(key_id).Add(int64_t{v.version}).Add(v.created_unix).Add(v.blob);
    return PgStatus(
        conn_->Run("INSERT INTO key_versions (container, \"user\", key_id, version, created, blob)"
                   " VALUES ($1,$2,$3,$4,$5,$6)",
                   p, "version of key '" + key_id + "'"));
  });
}

Result<KeyVersionRecord> PgRecordStore::GetKeyVersion(const std::string& container,
                                                      const std::string& user,
                                                      const std::string& key_id, uint32_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_ASSIGN_OR_RETURN(
      Rows r, conn_->Run("SELECT created, blob FROM key_versions WHERE container = $1"
                         " AND \"user\" = $2 AND key_id = $3 AND version = $4",
                         Params().Add(container).Add(user).Add(key_id).Add(int64_t{version}),
                         "reading key version"));
  if (r.size() == 0) {
    return NotFound("key '" + key_id + "' has no version " + std::to_string(version));
  }
  KeyVersionRecord v;
  v.version = version;
  v.created_unix = r.Int(0, 0);
  v.blob = r.Bytes(0, 1);
  return v;
}

Result<std::vector<KeyVersionRecord>> PgRecordStore::ListKeyVersions(const std::string& container,
                                                                     const std::string& user,
                                                                     const std::string& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_ASSIGN_OR_RETURN(
      Rows r, conn_->Run("SELECT version, created FROM key_versions WHERE container = $1"
                         " AND \"user\" = $2 AND key_id = $3 ORDER BY version",
                         Params().Add(container).Add(user).Add(key_id), "listing key versions"));
  std::vector<KeyVersionRecord> out;
  for (int i = 0; i < r.size(); ++i) {
    KeyVersionRecord v;
    v.version = static_cast<uint32_t>(r.Int(i, 0));
    v.created_unix = r.Int(i, 1);
    out.push_back(std::move(v));
  }
  return out;
}

Status PgRecordStore::RetireKeyVersions(const std::string& container, const std::string& user,
                                        const std::string& key_id, uint32_t min) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t m = min;
  return Audited(key_id, [&]() -> Status {
    VHSM_ASSIGN_OR_RETURN(
        Rows u,
        conn_->Run("UPDATE keys SET min_version = $1,"
                   " blob = CASE WHEN $1 > 1 THEN ''::bytea ELSE blob END"
                   " WHERE container = $2 AND \"user\" = $3 AND key_id = $4 AND min_version <= $1"
                   " AND latest_version >= $1",
                   Params().Add(m).Add(container).Add(user).Add(key_id), "key '" + key_id + "'"));
    if (u.changed() == 0) {
      return FailedPrecondition("key '" + key_id + "' has no version " + std::to_string(min) +
                                " at or above its minimum");
    }
    VHSM_RETURN_IF_ERROR(PgStatus(
        conn_->Run("DELETE FROM key_versions WHERE container = $1 AND \"user\" = $2"
                   " AND key_id = $3 AND version < $4",
                   Params().Add(container).Add(user).Add(key_id).Add(m), "versions of a key")));
    VHSM_RETURN_IF_ERROR(PgStatus(
        conn_->Run("DELETE FROM grants WHERE container = $1 AND owner = $2 AND key_id = $3"
                   " AND version < $4",
                   Params().Add(container).Add(user).Add(key_id).Add(m), "grants of a key")));
    return Status::Ok();
  });
}

}  // namespace vhsm::storage
