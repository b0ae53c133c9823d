// Internal to vhsm/storage: prepared statements with typed binds, errors
// with SQLite's message, and transactions that roll back unless committed.
// Not for use outside the SQLite record store. Not thread-safe (the store
// serializes its use of one connection).
#ifndef VHSM_STORAGE_INTERNAL_SQLITE_UTIL_H_
#define VHSM_STORAGE_INTERNAL_SQLITE_UTIL_H_

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "vhsm/base/status.h"
#include "vhsm/storage/record_store.h"

namespace vhsm::storage::internal {

// SqlLimit: LIMIT -1 is SQLite's "no limit".
inline int64_t SqlLimit(size_t limit) { return limit == 0 ? -1 : static_cast<int64_t>(limit); }

// Stmt: a prepared statement with typed binds and column reads.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  Stmt& Bind(const std::string& s) {
    sqlite3_bind_text(stmt_, ++index_, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // BindView: s must stay as it is until the statement's Step (or Reset).
  Stmt& BindView(std::string_view s) {
    sqlite3_bind_text(stmt_, ++index_, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
    return *this;
  }
  Stmt& Bind(const Blob& b) {
    // An empty blob is x'', not NULL (a null pointer would bind NULL).
    static const uint8_t kEmpty = 0;
    sqlite3_bind_blob(stmt_, ++index_, b.empty() ? &kEmpty : b.data(), static_cast<int>(b.size()),
                      SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int64_t v) {
    sqlite3_bind_int64(stmt_, ++index_, v);
    return *this;
  }
  // Reset makes the statement ready to bind and run again (one prepare for
  // many rows).
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    index_ = 0;
  }
  // Step returns SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return ok() ? sqlite3_step(stmt_) : rc_; }

  std::string Text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  Blob GetBlob(int col) const {
    const uint8_t* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, col));
    int n = sqlite3_column_bytes(stmt_, col);
    return p ? Blob(p, p + n) : Blob();
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
  int index_ = 0;
};

inline Status SqlError(sqlite3* db, const std::string& what) {
  return Internal(what + ": " + sqlite3_errmsg(db));
}

inline Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Internal(std::string("SQL failed: ") + msg);
  }
  return Status::Ok();
}

// Step a statement that changes rows; maps constraint failures.
inline Status StepChange(sqlite3* db, Stmt& s, const std::string& what) {
  int rc = s.Step();
  if (rc == SQLITE_DONE) return Status::Ok();
  int ext = sqlite3_extended_errcode(db);
  if (ext == SQLITE_CONSTRAINT_PRIMARYKEY || ext == SQLITE_CONSTRAINT_UNIQUE) {
    return AlreadyExists(what + " already exists");
  }
  if (ext == SQLITE_CONSTRAINT_FOREIGNKEY) {
    return NotFound(what + ": its container or user does not exist");
  }
  return SqlError(db, what);
}

// Transaction: BEGIN IMMEDIATE ... COMMIT, rolled back unless committed.
// InsertObjectRow inserts a public object of container (sqlite_objects.cc);
// InsertGrantRow a grant (or replaces it; sqlite_grants.cc); InsertKeyRow
// a key (sqlite_keys.cc).
Status InsertObjectRow(sqlite3* db, const std::string& container, const ObjectRecord& o);
Status InsertGrantRow(sqlite3* db, const std::string& container, const GrantRecord& g);
Status InsertKeyRow(sqlite3* db, const std::string& container, const KeyRecord& k);
// InsertAuditRows inserts audit records, several to a statement
// (sqlite_audit.cc).
Status InsertAuditRows(sqlite3* db, const std::vector<AuditRecord>& records);

class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) { status_ = Exec(db, "BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (status_.ok() && !done_) (void)Exec(db_, "ROLLBACK");
  }
  const Status& status() const { return status_; }
  // Commit: on failure nothing of the transaction stands. A COMMIT that
  // fails (a full disk, a deferred constraint) may leave the transaction
  // open; it is rolled back here, or its changes would ride on the next
  // transaction's commit while the caller reported this one as failed.
  Status Commit() {
    done_ = true;
    Status s = Exec(db_, "COMMIT");
    if (!s.ok() && sqlite3_get_autocommit(db_) == 0) (void)Exec(db_, "ROLLBACK");
    return s;
  }

 private:
  sqlite3* db_;
  Status status_;
  bool done_ = false;
};

}  // namespace vhsm::storage::internal

#endif  // VHSM_STORAGE_INTERNAL_SQLITE_UTIL_H_
