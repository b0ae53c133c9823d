// The PostgreSQL store's plumbing over libpq: parameters (text, and bytea
// sent binary), results read as text (bytea in hex), errors mapped to
// statuses, one connection with its prepared statements that reconnects
// by itself, and transactions. Internal to vhsm/storage.
#ifndef VHSM_STORAGE_INTERNAL_PG_UTIL_H_
#define VHSM_STORAGE_INTERNAL_PG_UTIL_H_

#include <libpq-fe.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "vhsm/base/status.h"
#include "vhsm/storage/record_store.h"

namespace vhsm::storage::internal {

// Params: a statement's parameters, $1, $2, ... in the order added.
class Params {
 public:
  Params& Add(const std::string& text);
  Params& Add(int64_t n);
  Params& Add(const Blob& bytes);  // bytea, sent binary
  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  std::deque<std::string> owned_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// Rows: a command's result; text columns read by row and column.
class Rows {
 public:
  explicit Rows(PGresult* r) : r_(r, &PQclear) {}
  int size() const { return PQntuples(r_.get()); }
  int64_t changed() const;  // rows an INSERT, UPDATE or DELETE touched
  std::string Text(int row, int col) const { return PQgetvalue(r_.get(), row, col); }
  int64_t Int(int row, int col) const;
  Blob Bytes(int row, int col) const;  // a bytea column

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

// Conn: one connection to the database. Not thread-safe: the store
// serializes its use. A lost connection is re-opened at the next call
// (Unavailable while the database cannot be reached).
class Conn {
 public:
  // Open connects with a libpq connection string or URI.
  static Result<std::unique_ptr<Conn>> Open(const std::string& conninfo);
  ~Conn();

  // Run executes sql ($n parameters) as a prepared statement (prepared on
  // first use on this connection); what names the subject in errors.
  Result<Rows> Run(const std::string& sql, const Params& params, const std::string& what);
  Result<Rows> Run(const std::string& sql, const std::string& what) {
    return Run(sql, Params(), what);
  }
  // Exec runs a script of statements without parameters, unprepared.
  Status Exec(const std::string& sql, const std::string& what);
  // CopyIn runs `COPY ... FROM STDIN` (sql) with rows in COPY's text format.
  Status CopyIn(const std::string& sql, const std::string& rows, const std::string& what);

 private:
  explicit Conn(PGconn* c) : c_(c) {}
  Status Usable();
  Status Fail(PGresult* r, const std::string& what);

  PGconn* c_;
  std::map<std::string, std::string> prepared_;  // sql -> statement name
  bool in_transaction_ = false;
  friend class PgTransaction;
};

// PgTransaction: BEGIN now, ROLLBACK unless Commit succeeded.
class PgTransaction {
 public:
  explicit PgTransaction(Conn* conn);
  ~PgTransaction();
  Status status() const { return status_; }
  Status Commit();

 private:
  Conn* conn_;
  Status status_;
  bool done_ = false;
};

// CopyText appends a value in COPY's text format (escaped); CopyBytes a
// bytea value ("\\x" and hex).
void CopyText(std::string& out, const std::string& value);
void CopyBytes(std::string& out, const Blob& value);

// PgLimit: LIMIT ALL as a number.
inline int64_t PgLimit(size_t limit) {
  return limit == 0 ? INT64_MAX : static_cast<int64_t>(limit);
}

// Row writers the store's files share (pg_keys.cc, pg_sharing.cc).
Status PgInsertKeyRow(Conn& c, const std::string& container, const KeyRecord& k);
Status PgInsertObjectRow(Conn& c, const std::string& container, const ObjectRecord& o);
Status PgInsertGrantRow(Conn& c, const std::string& container, const GrantRecord& g);

// PgStatus: a Result's status (for VHSM_RETURN_IF_ERROR on a Run).
template <typename T>
Status PgStatus(const Result<T>& r) {
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace vhsm::storage::internal

#endif  // VHSM_STORAGE_INTERNAL_PG_UTIL_H_
