#include "vhsm/storage/pg_record_store.h"

#include "vhsm/storage/internal/pg_util.h"

namespace vhsm::storage {

using internal::Params;
using internal::PgLimit;
using internal::PgTransaction;

namespace {

// The schema, one script per version (vhsm_schema.version counts them).
// Column "user" is quoted: USER is a keyword in PostgreSQL.
const char* const kMigrations[] = {
    // Version 1: SQLite's schema as of its version 11. Text compares
    // bytewise (COLLATE "C"), as SQLite's does, so paging by name is exact.
    "CREATE TABLE containers ("
    "  name TEXT COLLATE \"C\" PRIMARY KEY,"
    "  netns_path TEXT COLLATE \"C\" NOT NULL DEFAULT '',"
    "  created BIGINT NOT NULL,"
    "  netns_dev BIGINT NOT NULL DEFAULT 0,"
    "  netns_ino BIGINT NOT NULL DEFAULT 0,"
    "  netns_cookie BIGINT NOT NULL DEFAULT 0,"
    "  pin_path TEXT COLLATE \"C\" NOT NULL DEFAULT '',"
    "  boot_id TEXT COLLATE \"C\" NOT NULL DEFAULT '',"
    "  max_keys BIGINT NOT NULL DEFAULT 0);"
    "CREATE TABLE users ("
    "  container TEXT COLLATE \"C\" NOT NULL REFERENCES containers(name) ON DELETE CASCADE,"
    "  name TEXT COLLATE \"C\" NOT NULL,"
    "  salt BYTEA NOT NULL,"
    "  iterations BIGINT NOT NULL CHECK (iterations > 0),"
    "  wrapped_master_key BYTEA NOT NULL,"
    "  failed_logins INTEGER NOT NULL DEFAULT 0,"
    "  locked_until_ms BIGINT NOT NULL DEFAULT 0,"
    "  role TEXT COLLATE \"C\" NOT NULL DEFAULT 'user',"
    "  created BIGINT NOT NULL,"
    "  share_public BYTEA NOT NULL DEFAULT '',"
    "  share_private BYTEA NOT NULL DEFAULT '',"
    "  max_keys BIGINT NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (container, name));"
    "CREATE TABLE keys ("
    "  container TEXT COLLATE \"C\" NOT NULL,"
    "  \"user\" TEXT COLLATE \"C\" NOT NULL,"
    "  key_id TEXT COLLATE \"C\" NOT NULL,"
    "  type TEXT COLLATE \"C\" NOT NULL,"
    "  allowed_ops BIGINT NOT NULL,"
    "  created BIGINT NOT NULL,"
    "  blob BYTEA NOT NULL,"
    "  label TEXT COLLATE \"C\" NOT NULL DEFAULT '',"
    "  flags BIGINT NOT NULL DEFAULT 0,"
    "  latest_version BIGINT NOT NULL DEFAULT 1,"
    "  min_version BIGINT NOT NULL DEFAULT 1,"
    "  PRIMARY KEY (container, \"user\", key_id),"
    "  FOREIGN KEY (container, \"user\") REFERENCES users(container, name) ON DELETE CASCADE);"
    "CREATE INDEX keys_by_label ON keys (container, \"user\", label, key_id);"
    "CREATE TABLE key_versions ("
    "  container TEXT COLLATE \"C\" NOT NULL,"
    "  \"user\" TEXT COLLATE \"C\" NOT NULL,"
    "  key_id TEXT COLLATE \"C\" NOT NULL,"
    "  version BIGINT NOT NULL CHECK (version >= 2),"
    "  created BIGINT NOT NULL,"
    "  blob BYTEA NOT NULL,"
    "  PRIMARY KEY (container, \"user\", key_id, version),"
    "  FOREIGN KEY (container, \"user\", key_id) REFERENCES keys(container, \"user\", key_id)"
    "    ON DELETE CASCADE);"
    "CREATE TABLE objects ("
    "  container TEXT COLLATE \"C\" NOT NULL,"
    "  \"user\" TEXT COLLATE \"C\" NOT NULL,"
    "  handle BIGINT NOT NULL CHECK (handle > 0),"
    "  cls BIGINT NOT NULL,"
    "  id BYTEA NOT NULL,"
    "  label TEXT COLLATE \"C\" NOT NULL,"
    "  private INTEGER NOT NULL,"
    "  application TEXT COLLATE \"C\" NOT NULL,"
    "  oid BYTEA NOT NULL,"
    "  created BIGINT NOT NULL,"
    "  value BYTEA NOT NULL,"
    "  digest BYTEA NOT NULL,"
    "  mac BYTEA NOT NULL,"
    "  PRIMARY KEY (container, \"user\", handle),"
    "  FOREIGN KEY (container, \"user\") REFERENCES users(container, name) ON DELETE CASCADE);"
    "CREATE INDEX objects_by_label ON objects (container, \"user\", label, handle);"
    "CREATE INDEX objects_by_id ON objects (container, \"user\", id, handle);"
    "CREATE TABLE grants ("
    "  container TEXT COLLATE \"C\" NOT NULL,"
    "  owner TEXT COLLATE \"C\" NOT NULL,"
    "  key_id TEXT COLLATE \"C\" NOT NULL,"
    "  version BIGINT NOT NULL,"
    "  grantee TEXT COLLATE \"C\" NOT NULL,"
    "  ops BIGINT NOT NULL,"
    "  blob BYTEA NOT NULL,"
    "  PRIMARY KEY (container, owner, key_id, version, grantee),"
    "  FOREIGN KEY (container, owner, key_id) REFERENCES keys(container, \"user\", key_id)"
    "    ON DELETE CASCADE,"
    "  FOREIGN KEY (container, grantee) REFERENCES users(container, name) ON DELETE CASCADE);"
    "CREATE TABLE audit ("
    "  container TEXT COLLATE \"C\" NOT NULL,"
    "  seq BIGINT NOT NULL,"
    "  time_ms BIGINT NOT NULL,"
    "  uid BIGINT NOT NULL,"
    "  pid BIGINT NOT NULL,"
    "  \"user\" TEXT COLLATE \"C\" NOT NULL,"
    "  role TEXT COLLATE \"C\" NOT NULL,"
    "  op TEXT COLLATE \"C\" NOT NULL,"
    "  key_id TEXT COLLATE \"C\" NOT NULL,"
    "  key_version BIGINT NOT NULL,"
    "  result TEXT COLLATE \"C\" NOT NULL,"
    "  hash BYTEA NOT NULL,"
    "  PRIMARY KEY (container, seq));"
    "CREATE TABLE audit_checkpoints ("
    "  container TEXT COLLATE \"C\" NOT NULL,"
    "  seq BIGINT NOT NULL,"
    "  hash BYTEA NOT NULL,"
    "  signature BYTEA NOT NULL,"
    "  time_ms BIGINT NOT NULL,"
    "  kind TEXT COLLATE \"C\" NOT NULL DEFAULT 'checkpoint',"
    "  PRIMARY KEY (container, seq));",
};

constexpr int64_t kMigrationLock = 0x7668736d;  // "vhsm": one migrating vhsmd at a time

}  // namespace

PgRecordStore::PgRecordStore(std::unique_ptr<internal::Conn> conn) : conn_(std::move(conn)) {}
PgRecordStore::~PgRecordStore() = default;

Result<std::unique_ptr<PgRecordStore>> PgRecordStore::Open(const std::string& conninfo) {
  VHSM_ASSIGN_OR_RETURN(std::unique_ptr<internal::Conn> conn, internal::Conn::Open(conninfo));
  std::unique_ptr<PgRecordStore> store(new PgRecordStore(std::move(conn)));
  VHSM_RETURN_IF_ERROR(store->Migrate());
  return store;
}

Status PgRecordStore::Migrate() {
  std::lock_guard<std::mutex> lock(mu_);
  PgTransaction tx(conn_.get());
  VHSM_RETURN_IF_ERROR(tx.status());
  VHSM_RETURN_IF_ERROR(internal::PgStatus(conn_->Run(
      "SELECT pg_advisory_xact_lock($1)", Params().Add(kMigrationLock), "the schema lock")));
  VHSM_RETURN_IF_ERROR(
      conn_->Exec("CREATE TABLE IF NOT EXISTS vhsm_schema (version INTEGER NOT NULL)", "schema"));
  VHSM_ASSIGN_OR_RETURN(internal::Rows rows,
                        conn_->Run("SELECT version FROM vhsm_schema", "the schema version"));
  int version = rows.size() == 0 ? 0 : static_cast<int>(rows.Int(0, 0));
  const int latest = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));
  if (version > latest) {
    return DataLoss("database schema version " + std::to_string(version) +
                    " is newer than this vhsmd understands (" + std::to_string(latest) + ")");
  }
  for (int v = version; v < latest; ++v) {
    VHSM_RETURN_IF_ERROR(conn_->Exec(kMigrations[v], "schema version " + std::to_string(v + 1)));
  }
  VHSM_RETURN_IF_ERROR(conn_->Exec("DELETE FROM vhsm_schema", "schema"));
  VHSM_RETURN_IF_ERROR(internal::PgStatus(conn_->Run(
      "INSERT INTO vhsm_schema (version) VALUES ($1)", Params().Add(int64_t{latest}), "schema")));
  return tx.Commit();
}

// ---- containers -------------------------------------------------------------------

namespace {

Status PutContainerRow(internal::Conn& conn, const ContainerRecord& c) {
  Params p;
  p.Add(c.name)
      .Add(c.netns_path)
      .Add(c.created_unix)
      .Add(static_cast<int64_t>(c.netns_dev))
      .Add(static_cast<int64_t>(c.netns_ino))
      .Add(static_cast<int64_t>(c.netns_cookie))
      .Add(c.pin_path)
      .Add(c.boot_id);
  return internal::PgStatus(conn.Run(
      "INSERT INTO containers (name, netns_path, created, netns_dev, netns_ino, netns_cookie,"
      " pin_path, boot_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (name) DO UPDATE SET"
      " netns_path = excluded.netns_path, netns_dev = excluded.netns_dev,"
      " netns_ino = excluded.netns_ino, netns_cookie = excluded.netns_cookie,"
      " pin_path = excluded.pin_path, boot_id = excluded.boot_id",
      p, "container '" + c.name + "'"));
}

}  // namespace

Status PgRecordStore::PutContainer(const ContainerRecord& c) {
  std::lock_guard<std::mutex> lock(mu_);
  return PutContainerRow(*conn_, c);
}

Status PgRecordStore::PutContainers(const std::vector<ContainerRecord>& cs) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited("containers", [&]() -> Status {
    for (const ContainerRecord& c : cs) VHSM_RETURN_IF_ERROR(PutContainerRow(*conn_, c));
    return Status::Ok();
  });
}

Status PgRecordStore::DeleteContainer(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_ASSIGN_OR_RETURN(internal::Rows r,
                        conn_->Run("DELETE FROM containers WHERE name = $1", Params().Add(name),
                                   "container '" + name + "'"));
  if (r.changed() == 0) return NotFound("no container '" + name + "'");
  return Status::Ok();
}

Result<std::vector<ContainerRecord>> PgRecordStore::ListContainers(const std::string& after,
                                                                   size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_ASSIGN_OR_RETURN(
      internal::Rows r,
      conn_->Run("SELECT name, netns_path, created, netns_dev, netns_ino, netns_cookie, pin_path,"
                 " boot_id FROM containers WHERE name > $1 ORDER BY name LIMIT $2",
                 Params().Add(after).Add(PgLimit(limit)), "listing containers"));
  std::vector<ContainerRecord> out;
  for (int i = 0; i < r.size(); ++i) {
    ContainerRecord c;
    c.name = r.Text(i, 0);
    c.netns_path = r.Text(i, 1);
    c.created_unix = r.Int(i, 2);
    c.netns_dev = static_cast<uint64_t>(r.Int(i, 3));
    c.netns_ino = static_cast<uint64_t>(r.Int(i, 4));
    c.netns_cookie = static_cast<uint64_t>(r.Int(i, 5));
    c.pin_path = r.Text(i, 6);
    c.boot_id = r.Text(i, 7);
    out.push_back(std::move(c));
  }
  return out;
}

Result<ContainerRecord> PgRecordStore::GetContainer(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_ASSIGN_OR_RETURN(
      internal::Rows r,
      conn_->Run("SELECT netns_path, created, max_keys FROM containers WHERE name = $1",
                 Params().Add(name), "reading container"));
  if (r.size() == 0) return NotFound("no container '" + name + "'");
  ContainerRecord c;
  c.name = name;
  c.netns_path = r.Text(0, 0);
  c.created_unix = r.Int(0, 1);
  c.max_keys = r.Int(0, 2);
  return c;
}

// ---- users ------------------------------------------------------------------------

Status PgRecordStore::InsertUser(const UserRecord& u) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited("user:" + u.name, [&] {
    Params p;
    p.Add(u.container)
        .Add(u.name)
        .Add(u.salt)
        .Add(int64_t{u.iterations})
        .Add(u.wrapped_master_key)
        .Add(int64_t{u.failed_logins})
        .Add(u.locked_until_ms)
        .Add(u.role)
        .Add(u.created_unix);
    return internal::PgStatus(conn_->Run(
        "INSERT INTO users (container, name, salt, iterations, wrapped_master_key,"
        " failed_logins, locked_until_ms, role, created) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
        p, "user '" + u.name + "' in container '" + u.container + "'"));
  });
}

Result<UserRecord> PgRecordStore::GetUser(const std::string& container, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_ASSIGN_OR_RETURN(
      internal::Rows r,
      conn_->Run("SELECT salt, iterations, wrapped_master_key, failed_logins, locked_until_ms,"
                 " role, created, share_public, share_private, max_keys FROM users"
                 " WHERE container = $1 AND name = $2",
                 Params().Add(container).Add(name), "reading user"));
  if (r.size() == 0) return NotFound("no user '" + name + "' in container '" + container + "'");
  UserRecord u;
  u.container = container;
  u.name = name;
  u.salt = r.Bytes(0, 0);
  u.iterations = static_cast<uint32_t>(r.Int(0, 1));
  u.wrapped_master_key = r.Bytes(0, 2);
  u.failed_logins = static_cast<int32_t>(r.Int(0, 3));
  u.locked_until_ms = r.Int(0, 4);
  u.role = r.Text(0, 5);
  u.created_unix = r.Int(0, 6);
  u.share_public = r.Bytes(0, 7);
  u.share_private = r.Bytes(0, 8);
  u.max_keys = r.Int(0, 9);
  return u;
}

Status PgRecordStore::UpdateUserCredentials(const std::string& container, const std::string& name,
                                            const Blob& salt, uint32_t iterations,
                                            const Blob& wrapped_master_key) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited("user:" + name, [&]() -> Status {
    Params p;
    p.Add(salt).Add(int64_t{iterations}).Add(wrapped_master_key).Add(container).Add(name);
    VHSM_ASSIGN_OR_RETURN(
        internal::Rows r,
        conn_->Run("UPDATE users SET salt = $1, iterations = $2, wrapped_master_key = $3,"
                   " failed_logins = 0, locked_until_ms = 0 WHERE container = $4 AND name = $5",
                   p, "user '" + name + "'"));
    if (r.changed() == 0) {
      return NotFound("no user '" + name + "' in container '" + container + "'");
    }
    return Status::Ok();
  });
}

Status PgRecordStore::DeleteUser(const std::string& container, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited("user:" + name, [&]() -> Status {
    VHSM_ASSIGN_OR_RETURN(internal::Rows r,
                          conn_->Run("DELETE FROM users WHERE container = $1 AND name = $2",
                                     Params().Add(container).Add(name), "user '" + name + "'"));
    if (r.changed() == 0) {
      return NotFound("no user '" + name + "' in container '" + container + "'");
    }
    return Status::Ok();
  });
}

Result<int64_t> PgRecordStore::RecordLoginFailure(const std::string& container,
                                                  const std::string& name, int32_t failures,
                                                  int64_t lockout_ms, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  // One statement: the row lock orders failures arriving through several vhsmd.
  VHSM_ASSIGN_OR_RETURN(
      internal::Rows r,
      conn_->Run("UPDATE users SET failed_logins = failed_logins + 1,"
                 " locked_until_ms = CASE WHEN failed_logins + 1 >= $1 THEN $2"
                 " ELSE locked_until_ms END WHERE container = $3 AND name = $4"
                 " RETURNING locked_until_ms",
                 Params().Add(int64_t{failures}).Add(now_ms + lockout_ms).Add(container).Add(name),
                 "user '" + name + "'"));
  if (r.size() == 0) return NotFound("no user '" + name + "' in container '" + container + "'");
  int64_t until = r.Int(0, 0);
  return until > now_ms ? until : 0;
}

Status PgRecordStore::ResetLoginFailures(const std::string& container, const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  return internal::PgStatus(
      conn_->Run("UPDATE users SET failed_logins = 0, locked_until_ms = 0 WHERE container = $1"
                 " AND name = $2 AND (failed_logins <> 0 OR locked_until_ms <> 0)",
                 Params().Add(container).Add(name), "user '" + name + "'"));
}

Result<std::vector<std::string>> PgRecordStore::ListUsers(const std::string& container,
                                                          const std::string& after, size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_ASSIGN_OR_RETURN(
      internal::Rows r,
      conn_->Run("SELECT name FROM users WHERE container = $1 AND name > $2"
                 " ORDER BY name LIMIT $3",
                 Params().Add(container).Add(after).Add(PgLimit(limit)), "listing users"));
  std::vector<std::string> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(r.Text(i, 0));
  return out;
}

}  // namespace vhsm::storage
