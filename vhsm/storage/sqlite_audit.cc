// SqliteRecordStore: the audit log's records and checkpoints.
#include <memory>
#include <mutex>

#include "vhsm/storage/internal/sqlite_util.h"
#include "vhsm/storage/sqlite_record_store.h"

namespace vhsm::storage {

using internal::SqlError;
using internal::SqlLimit;
using internal::StepChange;
using internal::Stmt;
using internal::Transaction;

namespace {

constexpr char kColumns[] =
    "container, seq, time_ms, uid, pid, user, role, op, key_id, key_version, result, hash";

AuditRecord ReadRecord(const Stmt& s) {
  AuditRecord r;
  r.container = s.Text(0);
  r.seq = static_cast<uint64_t>(s.Int(1));
  r.time_ms = s.Int(2);
  r.uid = static_cast<uint32_t>(s.Int(3));
  r.pid = static_cast<int32_t>(s.Int(4));
  r.user = s.Text(5);
  r.role = s.Text(6);
  r.op = s.Text(7);
  r.key_id = s.Text(8);
  r.key_version = static_cast<uint32_t>(s.Int(9));
  r.result = s.Text(10);
  r.hash = s.GetBlob(11);
  return r;
}

Status InsertCheckpoint(sqlite3* db, const AuditCheckpoint& c) {
  Stmt s(db,
         "INSERT INTO audit_checkpoints (container, seq, hash, signature, time_ms, kind)"
         " VALUES (?,?,?,?,?,?)");
  s.Bind(c.container)
      .Bind(static_cast<int64_t>(c.seq))
      .Bind(c.hash)
      .Bind(c.signature)
      .Bind(c.time_ms)
      .Bind(std::string(c.truncation ? "truncated" : "checkpoint"));
  return StepChange(db, s, "audit checkpoint " + std::to_string(c.seq));
}

}  // namespace

namespace internal {

// BindAudit binds a record to the next row of an insert of kColumns. The
// record outlives the statement's step, so its strings are not copied.
void BindAudit(Stmt& s, const AuditRecord& r) {
  s.BindView(r.container)
      .Bind(static_cast<int64_t>(r.seq))
      .Bind(r.time_ms)
      .Bind(int64_t{r.uid})
      .Bind(int64_t{r.pid})
      .BindView(r.user)
      .BindView(r.role)
      .BindView(r.op)
      .BindView(r.key_id)
      .Bind(int64_t{r.key_version})
      .BindView(r.result)
      .Bind(r.hash);
}

namespace {

std::string InsertSql(size_t rows) {
  std::string sql = std::string("INSERT INTO audit (") + kColumns + ") VALUES ";
  for (size_t i = 0; i < rows; ++i)
    sql += i ? ",(?,?,?,?,?,?,?,?,?,?,?,?)" : "(?,?,?,?,?,?,?,?,?,?,?,?)";
  return sql;
}

}  // namespace

Status InsertAuditRows(sqlite3* db, const std::vector<AuditRecord>& records) {
  // Eight rows to a statement cost about a third less per row than one
  // (SQLite's per-statement work, measured with 400,000 records); each
  // statement is prepared once per batch.
  constexpr size_t kRows = 8;
  std::unique_ptr<Stmt> many, one;
  for (size_t at = 0; at < records.size();) {
    const size_t n = records.size() - at >= kRows ? kRows : 1;
    std::unique_ptr<Stmt>& s = n == kRows ? many : one;
    if (!s) s = std::make_unique<Stmt>(db, InsertSql(n).c_str());
    s->Reset();
    for (size_t i = 0; i < n; ++i) BindAudit(*s, records[at + i]);
    if (s->Step() != SQLITE_DONE) {  // the message made only when needed
      s->Reset();
      for (size_t i = 0; i < n; ++i) BindAudit(*s, records[at + i]);
      std::string what = "audit record " + std::to_string(records[at].seq);
      if (n > 1) what += " or one of the " + std::to_string(n - 1) + " after it";
      return StepChange(db, *s, what);
    }
    at += n;
  }
  return Status::Ok();
}

}  // namespace internal

Status SqliteRecordStore::Audited(const std::string& key, const std::function<Status()>& write) {
  Transaction tx(db_);
  VHSM_RETURN_IF_ERROR(tx.status());
  VHSM_RETURN_IF_ERROR(write());
  std::vector<AuditRecord> taken;
  VHSM_RETURN_IF_ERROR(AuditInTx(key, &taken));
  return CommitAudited(tx, taken);
}

Status SqliteRecordStore::AuditInTx(const std::string& key, std::vector<AuditRecord>* taken) {
  if (auditor_ == nullptr) return Status::Ok();
  *taken = auditor_->RecordsForCommit(key);
  Status s = internal::InsertAuditRows(db_, *taken);
  if (!s.ok()) {
    auditor_->CommitFailed(std::move(*taken));
    taken->clear();
  }
  return s;
}

Status SqliteRecordStore::CommitAudited(Transaction& tx, std::vector<AuditRecord>& taken) {
  Status s = tx.Commit();
  if (!s.ok() && !taken.empty()) auditor_->CommitFailed(std::move(taken));
  return s;
}

Status SqliteRecordStore::AppendAudit(const std::vector<AuditRecord>& records,
                                      const std::vector<AuditCheckpoint>& checkpoints) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(db_);
  VHSM_RETURN_IF_ERROR(tx.status());
  VHSM_RETURN_IF_ERROR(internal::InsertAuditRows(db_, records));
  for (const AuditCheckpoint& c : checkpoints) {
    VHSM_RETURN_IF_ERROR(InsertCheckpoint(db_, c));
  }
  return tx.Commit();
}

Status SqliteRecordStore::TruncateAudit(const AuditCheckpoint& marker) {
  std::lock_guard<std::mutex> lock(mu_);
  {
    Transaction tx(db_);
    VHSM_RETURN_IF_ERROR(tx.status());
    Stmt r(db_, "DELETE FROM audit WHERE container = ? AND seq <= ?");
    r.Bind(marker.container).Bind(static_cast<int64_t>(marker.seq));
    VHSM_RETURN_IF_ERROR(StepChange(db_, r, "audit records"));
    Stmt c(db_, "DELETE FROM audit_checkpoints WHERE container = ? AND seq <= ?");
    c.Bind(marker.container).Bind(static_cast<int64_t>(marker.seq));
    VHSM_RETURN_IF_ERROR(StepChange(db_, c, "audit checkpoints"));
    VHSM_RETURN_IF_ERROR(InsertCheckpoint(db_, marker));
    VHSM_RETURN_IF_ERROR(tx.Commit());
  }
  CheckpointAfterChange();
  return Status::Ok();
}

Result<std::vector<AuditRecord>> SqliteRecordStore::ListAudit(const std::string& container,
                                                              uint64_t after, size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql = std::string("SELECT ") + kColumns +
                    " FROM audit WHERE container = ? AND seq > ? ORDER BY seq LIMIT ?";
  Stmt s(db_, sql.c_str());
  s.Bind(container).Bind(static_cast<int64_t>(after)).Bind(SqlLimit(limit));
  std::vector<AuditRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadRecord(s));
  if (rc != SQLITE_DONE) return SqlError(db_, "reading the audit log");
  return out;
}

Result<std::vector<AuditCheckpoint>> SqliteRecordStore::ListAuditCheckpoints(
    const std::string& container) {
  std::lock_guard<std::mutex> lock(mu_);
  Stmt s(db_,
         "SELECT seq, hash, signature, time_ms, kind FROM audit_checkpoints"
         " WHERE container = ? ORDER BY seq");
  s.Bind(container);
  std::vector<AuditCheckpoint> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    AuditCheckpoint c;
    c.container = container;
    c.seq = static_cast<uint64_t>(s.Int(0));
    c.hash = s.GetBlob(1);
    c.signature = s.GetBlob(2);
    c.time_ms = s.Int(3);
    c.truncation = s.Text(4) == "truncated";
    out.push_back(std::move(c));
  }
  if (rc != SQLITE_DONE) return SqlError(db_, "reading audit checkpoints");
  return out;
}

Result<std::vector<AuditRecord>> SqliteRecordStore::AuditHeads() {
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql = std::string("SELECT ") + kColumns +
                    " FROM audit a WHERE seq = (SELECT MAX(seq) FROM audit b"
                    " WHERE b.container = a.container)";
  Stmt s(db_, sql.c_str());
  std::vector<AuditRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadRecord(s));
  if (rc != SQLITE_DONE) return SqlError(db_, "reading audit heads");
  return out;
}

}  // namespace vhsm::storage
