// PgRecordStore: the audit log's records and checkpoints, and the records
// that state changes carry in their transactions.
#include <mutex>
#include <set>

#include "vhsm/storage/internal/pg_util.h"
#include "vhsm/storage/pg_record_store.h"

namespace vhsm::storage {

using internal::Conn;
using internal::Params;
using internal::PgLimit;
using internal::PgStatus;
using internal::PgTransaction;
using internal::Rows;

namespace {

constexpr char kColumns[] =
    "container, seq, time_ms, uid, pid, \"user\", role, op, key_id, key_version, result, hash";
constexpr int kColumnCount = 12;

AuditRecord ReadRecord(const Rows& r, int i) {
  AuditRecord a;
  a.container = r.Text(i, 0);
  a.seq = static_cast<uint64_t>(r.Int(i, 1));
  a.time_ms = r.Int(i, 2);
  a.uid = static_cast<uint32_t>(r.Int(i, 3));
  a.pid = static_cast<int32_t>(r.Int(i, 4));
  a.user = r.Text(i, 5);
  a.role = r.Text(i, 6);
  a.op = r.Text(i, 7);
  a.key_id = r.Text(i, 8);
  a.key_version = static_cast<uint32_t>(r.Int(i, 9));
  a.result = r.Text(i, 10);
  a.hash = r.Bytes(i, 11);
  return a;
}

// CopyRows writes a batch of records with one COPY.
Status CopyRows(Conn& c, const std::vector<AuditRecord>& records) {
  std::string rows;
  rows.reserve(records.size() * 160);
  for (const AuditRecord& r : records) {
    internal::CopyText(rows, r.container);
    rows += '\t' + std::to_string(r.seq) + '\t' + std::to_string(r.time_ms) + '\t' +
            std::to_string(r.uid) + '\t' + std::to_string(r.pid) + '\t';
    for (const std::string* t : {&r.user, &r.role, &r.op, &r.key_id}) {
      internal::CopyText(rows, *t);
      rows += '\t';
    }
    rows += std::to_string(r.key_version) + '\t';
    internal::CopyText(rows, r.result);
    rows += '\t';
    internal::CopyBytes(rows, r.hash);
    rows += '\n';
  }
  return c.CopyIn(std::string("COPY audit (") + kColumns + ") FROM STDIN", rows,
                  "audit record " + std::to_string(records.front().seq));
}

// InsertRows writes records: a batch with COPY, a few with multi-row
// INSERTs of 4, 2 and 1 rows.
Status InsertRows(Conn& c, const std::vector<AuditRecord>& records) {
  if (records.size() >= 8) return CopyRows(c, records);
  size_t at = 0;
  while (at < records.size()) {
    size_t n = 4;
    while (n > records.size() - at) n /= 2;
    std::string sql = std::string("INSERT INTO audit (") + kColumns + ") VALUES ";
    Params p;
    for (size_t i = 0; i < n; ++i) {
      const AuditRecord& r = records[at + i];
      sql += i ? ",(" : "(";
      for (int k = 0; k < kColumnCount; ++k) {
        sql += (k ? ",$" : "$") + std::to_string(i * kColumnCount + k + 1);
      }
      sql += ")";
      p.Add(r.container)
          .Add(static_cast<int64_t>(r.seq))
          .Add(r.time_ms)
          .Add(int64_t{r.uid})
          .Add(int64_t{r.pid})
          .Add(r.user)
          .Add(r.role)
          .Add(r.op)
          .Add(r.key_id)
          .Add(int64_t{r.key_version})
          .Add(r.result)
          .Add(r.hash);
    }
    VHSM_RETURN_IF_ERROR(
        PgStatus(c.Run(sql, p, "audit record " + std::to_string(records[at].seq))));
    at += n;
  }
  return Status::Ok();
}

// LockAndChain: the records and checkpoints of a write, numbered again
// while this transaction holds each of their chains (an advisory lock per
// container, taken in name order): several vhsmd append to one chain, each
// after the others' records. The checkpoints asked for become ones at the
// chains' new ends.
Status LockAndChain(Conn& c, Auditor* auditor, std::vector<AuditRecord>& records,
                    std::vector<AuditCheckpoint>& checkpoints) {
  std::set<std::string> containers, asked;
  for (const auto& r : records) containers.insert(r.container);
  for (const auto& cp : checkpoints) {
    containers.insert(cp.container);
    asked.insert(cp.container);
  }
  std::vector<AuditCheckpoint> made;
  for (const std::string& ct : containers) {
    VHSM_RETURN_IF_ERROR(PgStatus(c.Run("SELECT pg_advisory_xact_lock(hashtext($1))",
                                        Params().Add("vhsm audit " + ct), "an audit chain")));
    VHSM_ASSIGN_OR_RETURN(Rows head, c.Run(std::string("SELECT ") + kColumns +
                                               " FROM audit WHERE container = $1"
                                               " ORDER BY seq DESC LIMIT 1",
                                           Params().Add(ct), "an audit chain's head"));
    std::vector<AuditRecord*> mine;
    for (auto& r : records) {
      if (r.container == ct) mine.push_back(&r);
    }
    AuditRecord last;
    if (head.size() == 1) last = ReadRecord(head, 0);
    VHSM_ASSIGN_OR_RETURN(
        std::vector<AuditCheckpoint> cps,
        auditor->ChainAt(mine, head.size() == 1 ? &last : nullptr, asked.count(ct) != 0));
    made.insert(made.end(), cps.begin(), cps.end());
  }
  checkpoints.swap(made);
  return Status::Ok();
}

Status InsertCheckpoint(Conn& c, const AuditCheckpoint& cp) {
  Params p;
  p.Add(cp.container)
      .Add(static_cast<int64_t>(cp.seq))
      .Add(cp.hash)
      .Add(cp.signature)
      .Add(cp.time_ms)
      .Add(std::string(cp.truncation ? "truncated" : "checkpoint"));
  return PgStatus(
      c.Run("INSERT INTO audit_checkpoints (container, seq, hash, signature, time_ms, kind)"
            " VALUES ($1,$2,$3,$4,$5,$6)",
            p, "audit checkpoint " + std::to_string(cp.seq)));
}

// WriteAudit writes records and checkpoints, numbered first under their
// chains' locks when an auditor is there to chain them.
Status WriteAudit(Conn& c, Auditor* auditor, std::vector<AuditRecord>& records,
                  std::vector<AuditCheckpoint> checkpoints) {
  if (auditor != nullptr) VHSM_RETURN_IF_ERROR(LockAndChain(c, auditor, records, checkpoints));
  VHSM_RETURN_IF_ERROR(InsertRows(c, records));
  for (const AuditCheckpoint& cp : checkpoints) VHSM_RETURN_IF_ERROR(InsertCheckpoint(c, cp));
  return Status::Ok();
}

}  // namespace

Status PgRecordStore::Audited(const std::string& key, const std::function<Status()>& write) {
  PgTransaction tx(conn_.get());
  VHSM_RETURN_IF_ERROR(tx.status());
  VHSM_RETURN_IF_ERROR(write());
  if (auditor_ == nullptr) return tx.Commit();
  std::vector<AuditRecord> taken = auditor_->RecordsForCommit(key);
  Status s = WriteAudit(*conn_, auditor_, taken, {});
  if (s.ok()) s = tx.Commit();
  if (!s.ok() && !taken.empty()) auditor_->CommitFailed(std::move(taken));
  return s;
}

Status PgRecordStore::AppendAudit(const std::vector<AuditRecord>& records,
                                  const std::vector<AuditCheckpoint>& checkpoints) {
  std::lock_guard<std::mutex> lock(mu_);
  PgTransaction tx(conn_.get());
  VHSM_RETURN_IF_ERROR(tx.status());
  std::vector<AuditRecord> chained = records;
  VHSM_RETURN_IF_ERROR(WriteAudit(*conn_, auditor_, chained, checkpoints));
  return tx.Commit();
}

Status PgRecordStore::TruncateAudit(const AuditCheckpoint& marker) {
  std::lock_guard<std::mutex> lock(mu_);
  PgTransaction tx(conn_.get());
  VHSM_RETURN_IF_ERROR(tx.status());
  Params p;
  p.Add(marker.container).Add(static_cast<int64_t>(marker.seq));
  VHSM_RETURN_IF_ERROR(PgStatus(
      conn_->Run("DELETE FROM audit WHERE container = $1 AND seq <= $2", p, "audit records")));
  VHSM_RETURN_IF_ERROR(PgStatus(conn_->Run(
      "DELETE FROM audit_checkpoints WHERE container = $1 AND seq <= $2", p, "audit checkpoints")));
  VHSM_RETURN_IF_ERROR(InsertCheckpoint(*conn_, marker));
  return tx.Commit();
}

Result<std::vector<AuditRecord>> PgRecordStore::ListAudit(const std::string& container,
                                                          uint64_t after, size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_ASSIGN_OR_RETURN(
      Rows r,
      conn_->Run(std::string("SELECT ") + kColumns +
                     " FROM audit WHERE container = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                 Params().Add(container).Add(static_cast<int64_t>(after)).Add(PgLimit(limit)),
                 "reading the audit log"));
  std::vector<AuditRecord> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(ReadRecord(r, i));
  return out;
}

Result<std::vector<AuditCheckpoint>> PgRecordStore::ListAuditCheckpoints(
    const std::string& container) {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_ASSIGN_OR_RETURN(Rows r, conn_->Run("SELECT seq, hash, signature, time_ms, kind"
                                           " FROM audit_checkpoints WHERE container = $1"
                                           " ORDER BY seq",
                                           Params().Add(container), "reading audit checkpoints"));
  std::vector<AuditCheckpoint> out;
  for (int i = 0; i < r.size(); ++i) {
    AuditCheckpoint c;
    c.container = container;
    c.seq = static_cast<uint64_t>(r.Int(i, 0));
    c.hash = r.Bytes(i, 1);
    c.signature = r.Bytes(i, 2);
    c.time_ms = r.Int(i, 3);
    c.truncation = r.Text(i, 4) == "truncated";
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<AuditRecord>> PgRecordStore::AuditHeads() {
  std::lock_guard<std::mutex> lock(mu_);
  VHSM_ASSIGN_OR_RETURN(Rows r,
                        conn_->Run(std::string("SELECT DISTINCT ON (container) ") + kColumns +
                                       " FROM audit ORDER BY container, seq DESC",
                                   "reading audit heads"));
  std::vector<AuditRecord> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(ReadRecord(r, i));
  return out;
}

}  // namespace vhsm::storage
