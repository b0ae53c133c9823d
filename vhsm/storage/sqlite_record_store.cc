#include "vhsm/storage/sqlite_record_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <ctime>

#include "vhsm/storage/internal/sqlite_util.h"

namespace vhsm::storage {
namespace {

// How long a statement waits for a lock another connection holds.
constexpr int kBusyTimeoutMs = 5000;

using internal::Exec;
using internal::SqlError;
using internal::SqlLimit;
using internal::StepChange;
using internal::Stmt;
using internal::Transaction;

const char* const kMigrations[] = {
    // Version 1.
    "CREATE TABLE containers ("
    "  name TEXT PRIMARY KEY NOT NULL,"
    "  netns_path TEXT NOT NULL DEFAULT '',"
    "  created INTEGER NOT NULL);"
    "CREATE TABLE users ("
    "  container TEXT NOT NULL REFERENCES containers(name) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  salt BLOB NOT NULL,"
    "  iterations INTEGER NOT NULL CHECK (iterations > 0),"
    "  wrapped_master_key BLOB NOT NULL,"
    "  failed_logins INTEGER NOT NULL DEFAULT 0,"
    "  locked_until_ms INTEGER NOT NULL DEFAULT 0,"
    "  role TEXT NOT NULL DEFAULT 'user',"
    "  created INTEGER NOT NULL,"
    "  PRIMARY KEY (container, name));"
    "CREATE TABLE keys ("
    "  container TEXT NOT NULL,"
    "  user TEXT NOT NULL,"
    "  key_id TEXT NOT NULL,"
    "  type TEXT NOT NULL,"
    "  allowed_ops INTEGER NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  blob BLOB NOT NULL,"
    "  PRIMARY KEY (container, user, key_id),"
    "  FOREIGN KEY (container, user) REFERENCES users(container, name)"
    "    ON DELETE CASCADE);",
    // Version 2: containers are pinned and known by identity, not by path.
    "ALTER TABLE containers ADD COLUMN netns_dev INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE containers ADD COLUMN netns_ino INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE containers ADD COLUMN netns_cookie INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE containers ADD COLUMN pin_path TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE containers ADD COLUMN boot_id TEXT NOT NULL DEFAULT '';",
    // Version 3: keys carry a label and flags (bound in blob format 3).
    "ALTER TABLE keys ADD COLUMN label TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE keys ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;",
    // Version 4: key versions (rotation); keys.blob stays version 1.
    "ALTER TABLE keys ADD COLUMN latest_version INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE keys ADD COLUMN min_version INTEGER NOT NULL DEFAULT 1;"
    "CREATE TABLE key_versions ("
    "  container TEXT NOT NULL,"
    "  user TEXT NOT NULL,"
    "  key_id TEXT NOT NULL,"
    "  version INTEGER NOT NULL CHECK (version >= 2),"
    "  created INTEGER NOT NULL,"
    "  blob BLOB NOT NULL,"
    "  PRIMARY KEY (container, user, key_id, version),"
    "  FOREIGN KEY (container, user, key_id) REFERENCES keys(container, user, key_id)"
    "    ON DELETE CASCADE);",
    // Version 5: public objects (certificates, data), integrity-protected.
    // Handles are random 63-bit numbers (never reused in practice).
    "CREATE TABLE objects ("
    "  container TEXT NOT NULL,"
    "  user TEXT NOT NULL,"
    "  handle INTEGER NOT NULL CHECK (handle > 0),"
    "  cls INTEGER NOT NULL,"
    "  id BLOB NOT NULL,"
    "  label TEXT NOT NULL,"
    "  private INTEGER NOT NULL,"
    "  application TEXT NOT NULL,"
    "  oid BLOB NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  value BLOB NOT NULL,"
    "  digest BLOB NOT NULL,"
    "  mac BLOB NOT NULL,"
    "  PRIMARY KEY (container, user, handle),"
    "  FOREIGN KEY (container, user) REFERENCES users(container, name)"
    "    ON DELETE CASCADE);",
    // Version 6: searches by label and id (PKCS#11's) use indexes.
    // The ordering column last, so a search in pages needs no scan.
    "CREATE INDEX objects_by_label ON objects (container, user, label, handle);"
    "CREATE INDEX objects_by_id ON objects (container, user, id, handle);"
    "CREATE INDEX keys_by_label ON keys (container, user, label, key_id);",
    // Version 7: key sharing. Each user's X25519 share key pair, and grants
    // (one per key version and grantee), gone with their key or grantee.
    "ALTER TABLE users ADD COLUMN share_public BLOB NOT NULL DEFAULT x'';"
    "ALTER TABLE users ADD COLUMN share_private BLOB NOT NULL DEFAULT x'';"
    "CREATE TABLE grants ("
    "  container TEXT NOT NULL,"
    "  owner TEXT NOT NULL,"
    "  key_id TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  grantee TEXT NOT NULL,"
    "  ops INTEGER NOT NULL,"
    "  blob BLOB NOT NULL,"
    "  PRIMARY KEY (container, owner, key_id, version, grantee),"
    "  FOREIGN KEY (container, owner, key_id) REFERENCES keys(container, user, key_id)"
    "    ON DELETE CASCADE,"
    "  FOREIGN KEY (container, grantee) REFERENCES users(container, name) ON DELETE CASCADE);",
    // Version 8: the audit log, a hash chain per container, and checkpoints
    // signed by vhsmd's audit key. No foreign keys: the log outlives users.
    "CREATE TABLE audit ("
    "  container TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  time_ms INTEGER NOT NULL,"
    "  uid INTEGER NOT NULL,"
    "  pid INTEGER NOT NULL,"
    "  user TEXT NOT NULL,"
    "  role TEXT NOT NULL,"
    "  op TEXT NOT NULL,"
    "  key_id TEXT NOT NULL,"
    "  key_version INTEGER NOT NULL,"
    "  result TEXT NOT NULL,"
    "  hash BLOB NOT NULL,"
    "  PRIMARY KEY (container, seq));"
    "CREATE TABLE audit_checkpoints ("
    "  container TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  hash BLOB NOT NULL,"
    "  signature BLOB NOT NULL,"
    "  time_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (container, seq));",
    // Version 9: retention; a checkpoint may be a truncation marker.
    "ALTER TABLE audit_checkpoints ADD COLUMN kind TEXT NOT NULL DEFAULT 'checkpoint';",
    // Version 10: quotas, the host operator's per container and a container
    // admin's per user (0: none of its own).
    "ALTER TABLE containers ADD COLUMN max_keys INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE users ADD COLUMN max_keys INTEGER NOT NULL DEFAULT 0;",
    // Version 11: the audit table keyed by (container, seq) alone, without
    // a rowid beside it: one b-tree written per record instead of two.
    "CREATE TABLE audit_v11 ("
    "  container TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  time_ms INTEGER NOT NULL,"
    "  uid INTEGER NOT NULL,"
    "  pid INTEGER NOT NULL,"
    "  user TEXT NOT NULL,"
    "  role TEXT NOT NULL,"
    "  op TEXT NOT NULL,"
    "  key_id TEXT NOT NULL,"
    "  key_version INTEGER NOT NULL,"
    "  result TEXT NOT NULL,"
    "  hash BLOB NOT NULL,"
    "  PRIMARY KEY (container, seq)) WITHOUT ROWID;"
    "INSERT INTO audit_v11 (container, seq, time_ms, uid, pid, user, role, op, key_id,"
    "  key_version, result, hash) SELECT container, seq, time_ms, uid, pid, user, role, op,"
    "  key_id, key_version, result, hash FROM audit;"
    "DROP TABLE audit;"
    "ALTER TABLE audit_v11 RENAME TO audit;",
};

}  // namespace

Result<std::unique_ptr<SqliteRecordStore>> SqliteRecordStore::Open(const std::string& path) {
  sqlite3* db = nullptr;
  mode_t old_mask = umask(077);  // the file and its -wal/-shm: owner only
  int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    umask(old_mask);
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Unavailable("cannot open database " + path + ": " + msg);
  }
  std::unique_ptr<SqliteRecordStore> store(new SqliteRecordStore(db));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // A file that is not a database fails here, on the first read.
  {
    Stmt check(db, "PRAGMA integrity_check");
    std::string result;
    if (check.Step() == SQLITE_ROW) result = check.Text(0);
    if (result != "ok") {
      umask(old_mask);
      return DataLoss("database " + path + " failed its integrity check (" +
                      (result.empty() ? std::string(sqlite3_errmsg(db)) : result) +
                      "); refusing to start. Restore it from a backup.");
    }
  }
  Status s = Exec(db, "PRAGMA journal_mode=WAL");
  if (s.ok()) s = Exec(db, "PRAGMA synchronous=FULL");
  if (s.ok()) s = Exec(db, "PRAGMA foreign_keys=ON");
  if (s.ok()) s = Exec(db, "PRAGMA secure_delete=ON");
  if (s.ok()) s = store->Migrate();
  umask(old_mask);
  if (!s.ok()) return s;
  chmod(path.c_str(), 0600);
  return store;
}

SqliteRecordStore::~SqliteRecordStore() {
  CheckpointAfterChange();
  sqlite3_close(db_);
}

Status SqliteRecordStore::Migrate() {
  int version = 0;
  {
    Stmt s(db_, "PRAGMA user_version");
    if (s.Step() == SQLITE_ROW) version = static_cast<int>(s.Int(0));
  }
  const int latest = static_cast<int>(sizeof(kMigrations) / sizeof(kMigrations[0]));
  if (version > latest) {
    return DataLoss("database schema version " + std::to_string(version) +
                    " is newer than this vhsmd understands (" + std::to_string(latest) + ")");
  }
  for (int v = version; v < latest; ++v) {
    Transaction tx(db_);
    VHSM_RETURN_IF_ERROR(tx.status());
    VHSM_RETURN_IF_ERROR(Exec(db_, kMigrations[v]));
    std::string set = "PRAGMA user_version=" + std::to_string(v + 1);
    VHSM_RETURN_IF_ERROR(Exec(db_, set.c_str()));
    VHSM_RETURN_IF_ERROR(tx.Commit());
  }
  return Status::Ok();
}

void SqliteRecordStore::CheckpointAfterChange() {
  // A try, not a wait: a reader may hold the WAL for long, and the store
  // (mu_) would wait with it; Housekeeping tries again.
  sqlite3_busy_timeout(db_, 0);
  // One row: busy (1: a reader kept it from finishing), WAL frames, frames copied.
  Stmt s(db_, "PRAGMA wal_checkpoint(TRUNCATE)");
  int rc = s.Step();
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  if (rc != SQLITE_ROW) {
    checkpoint_error_ = sqlite3_errmsg(db_);
  } else if (s.Int(0) != 0) {
    checkpoint_error_ = "another connection is reading the store";
  } else {
    checkpoint_error_.clear();
  }
  checkpoint_pending_ = !checkpoint_error_.empty();
}

Status SqliteRecordStore::Housekeeping() {
  // Nothing pending (the usual case): no wait for the store's lock.
  if (!checkpoint_pending_) return Status::Ok();
  std::lock_guard<std::mutex> lock(mu_);
  if (checkpoint_error_.empty()) return Status::Ok();
  CheckpointAfterChange();
  if (checkpoint_error_.empty()) return Status::Ok();
  return Unavailable("the store's write-ahead log cannot be checkpointed (" + checkpoint_error_ +
                     "): what deleted keys and old wrappings left in it stays there until it can");
}

namespace {

Status PutContainerRow(sqlite3* db, const ContainerRecord& c) {
  Stmt s(db,
         "INSERT INTO containers (name, netns_path, created, netns_dev, netns_ino, netns_cookie,"
         " pin_path, boot_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
         "ON CONFLICT(name) DO UPDATE SET netns_path = excluded.netns_path,"
         " netns_dev = excluded.netns_dev, netns_ino = excluded.netns_ino,"
         " netns_cookie = excluded.netns_cookie, pin_path = excluded.pin_path,"
         " boot_id = excluded.boot_id");
  s.Bind(c.name)
      .Bind(c.netns_path)
      .Bind(c.created_unix)
      .Bind(static_cast<int64_t>(c.netns_dev))
      .Bind(static_cast<int64_t>(c.netns_ino))
      .Bind(static_cast<int64_t>(c.netns_cookie))
      .Bind(c.pin_path)
      .Bind(c.boot_id);
  return StepChange(db, s, "container '" + c.name + "'");
}

}  // namespace

Status SqliteRecordStore::PutContainer(const ContainerRecord& c) {
  std::lock_guard<std::mutex> lock(mu_);
  return PutContainerRow(db_, c);
}

Status SqliteRecordStore::PutContainers(const std::vector<ContainerRecord>& cs) {
  std::lock_guard<std::mutex> lock(mu_);
  return Audited("containers", [&]() -> Status {
    for (const ContainerRecord& c : cs) VHSM_RETURN_IF_ERROR(PutContainerRow(db_, c));
    return Status::Ok();
  });
}

Status SqliteRecordStore::DeleteContainer(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_, "DELETE FROM containers WHERE name = ?");
  s.Bind(name);
  VHSM_RETURN_IF_ERROR(StepChange(db_, s, "container '" + name + "'"));
  if (sqlite3_changes(db_) == 0) return NotFound("no container '" + name + "'");
  CheckpointAfterChange();
  return Status::Ok();
}

Result<std::vector<ContainerRecord>> SqliteRecordStore::ListContainers(const std::string& after,
                                                                       size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_,
         "SELECT name, netns_path, created, netns_dev, netns_ino, netns_cookie, pin_path, boot_id"
         " FROM containers WHERE name > ? ORDER BY name LIMIT ?");
  s.Bind(after).Bind(SqlLimit(limit));
  std::vector<ContainerRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    ContainerRecord c;
    c.name = s.Text(0);
    c.netns_path = s.Text(1);
    c.created_unix = s.Int(2);
    c.netns_dev = static_cast<uint64_t>(s.Int(3));
    c.netns_ino = static_cast<uint64_t>(s.Int(4));
    c.netns_cookie = static_cast<uint64_t>(s.Int(5));
    c.pin_path = s.Text(6);
    c.boot_id = s.Text(7);
    out.push_back(std::move(c));
  }
  if (rc != SQLITE_DONE) return SqlError(db_, "listing containers");
  return out;
}

}  // namespace vhsm::storage
