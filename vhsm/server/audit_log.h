// The tamper-evident audit log: every request's outcome (time, container,
// sender uid/pid, user, role, operation, key id and version, result; never
// data or secrets) as a record in the store, one hash chain per container:
//
//   hash_n = SHA-256(hash_{n-1} || Encode(record_n)),  hash_0 = 32 zero bytes
//   Encode = "vhsm-audit-1", then container, seq (8), time_ms (8), uid (4),
//            pid (4), user, role, op, key_id, key_version (4), result;
//            strings as a 4-byte length and their bytes, numbers big-endian
//
// and, at least every 1,000 records or 60 s of a container's activity, a
// checkpoint: vhsmd's Ed25519 audit key signs "vhsm-audit-checkpoint-1" ||
// container (4-byte length and bytes) || seq (8) || hash_seq (32). The key
// lives in DATA_DIR/audit.key (PKCS#8, 0600); its public half in
// DATA_DIR/audit.pub (SPKI PEM). Verify recomputes a chain from its first
// record and reports the first record that is missing, altered or out of
// place, and any checkpoint whose signature or hash does not hold. With a
// retention setting, the oldest records go in steps of at least 1,000,
// behind a truncation marker signed like a checkpoint (see below) at the
// newest checkpoint the cut reaches; a chain then starts from its hash.
//
// A state-changing request's record goes into the store transaction of its
// change (Arm, and the store's Auditor calls); one that changed nothing, or
// whose change the store does not carry, is written before its answer; the
// rest are queued as they are and chained and written by a background
// thread (every 50 ms, sooner at 4,096 queued), so that a fast operation
// pays for a queue only.
#ifndef VHSM_SERVER_AUDIT_LOG_H_
#define VHSM_SERVER_AUDIT_LOG_H_

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "vhsm/base/status.h"
#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/storage/record_store.h"

namespace vhsm::server {

inline constexpr uint64_t kAuditCheckpointEvery = 1000;
inline constexpr int64_t kAuditCheckpointMs = 60 * 1000;
// Queued records at which the request that queues one writes them itself:
// the background writer runs on otherwise idle CPU time (SCHED_IDLE), as an
// ordinary thread while it holds the store's lock (ordinary_while_idle.h)
// and, from kAuditBoostAt queued, until it has caught up; this last resort
// bounds the queue even if it never gets a CPU.
inline constexpr size_t kAuditBoostAt = 4096;
inline constexpr size_t kAuditFlushInlineAt = 131072;

crypto::Bytes EncodeAuditRecord(const storage::AuditRecord& r);
// AuditChainHash: SHA-256(previous || EncodeAuditRecord(r)), r's place in
// its chain.
Result<crypto::Bytes> AuditChainHash(crypto::ByteView previous, const storage::AuditRecord& r);
crypto::Bytes AuditCheckpointMessage(const std::string& container, uint64_t seq,
                                     crypto::ByteView hash);
// A truncation marker's signed message: "vhsm-audit-truncated-1", then as
// a checkpoint's. Records up to seq were dropped; the chain goes on from hash.
crypto::Bytes AuditTruncationMessage(const std::string& container, uint64_t seq,
                                     crypto::ByteView hash);

struct AuditVerdict {
  bool intact = true;
  uint64_t records = 0;
  uint64_t checkpoints = 0;
  uint64_t bad_record = 0;  // the first record at fault (0: none)
  std::string problem;      // what is wrong, for people
};

class AuditLog : public storage::Auditor {
 public:
  // Open loads or makes the audit key in data_dir and the chains' heads.
  // retention: records kept per container (0: all); older ones are dropped
  // in steps, behind a signed truncation marker at a checkpoint.
  // background: a thread writes the queue every 50 ms (false, for tests:
  // only Flush, a change's transaction and a full queue write it).
  static Result<std::unique_ptr<AuditLog>> Open(storage::RecordStore* store,
                                                const std::string& data_dir, uint64_t retention = 0,
                                                bool background = true);
  ~AuditLog();

  // Append queues r (container, time and fields set; its seq and hash are
  // set when it is chained, in the order records were queued); with sync,
  // it and all queued before it are chained and written before it returns.
  Status Append(storage::AuditRecord r, bool sync);
  // Flush writes what is queued, with the checkpoints that are due (every
  // chain's, with checkpoint_all: at a clean stop).
  Status Flush(bool checkpoint_all = false);
  Result<AuditVerdict> Verify(const std::string& container);

  // A state-changing request: Arm before serving it (tmpl: its record, the
  // result set to "ok" here); the first store transaction that changes
  // something writes the record with the change (RecordForCommit, through
  // the store's Auditor), with every record still queued before it (a
  // crash leaves a hole before a committed change only while the flusher's
  // batch is in flight). Disarm after it:
  // whether a transaction did.
  void Arm(storage::AuditRecord tmpl);
  bool Disarm();
  std::vector<storage::AuditRecord> RecordsForCommit(const std::string& key) override;
  void CommitFailed(std::vector<storage::AuditRecord> records) override;
  Result<std::vector<storage::AuditCheckpoint>> ChainAt(std::vector<storage::AuditRecord*>& records,
                                                        const storage::AuditRecord* head,
                                                        bool checkpoint_now) override;
  const std::string& public_pem() const { return public_pem_; }

 private:
  struct Head {
    uint64_t seq = 0;
    crypto::Bytes hash = crypto::Bytes(32, 0);
    uint64_t checkpointed = 0;  // seq of the last checkpoint
    int64_t checkpoint_ms = 0;
    uint64_t truncated_at = 0;  // records up to here were dropped
  };
  AuditLog(storage::RecordStore* store, crypto::PrivateKey key, std::string public_pem);
  // Truncate drops what retention no longer keeps (write_mu_ held).
  Status Truncate();
  void Run();
  // ChainQueuedLocked chains every queued record, in order, onto chained_
  // (chain_mu_ held).
  Status ChainQueuedLocked();
  // ChainLocked gives r its seq and hash and advances its chain (chain_mu_
  // held); a due checkpoint is queued.
  Status ChainLocked(storage::AuditRecord& r);
  Result<storage::AuditCheckpoint> Checkpoint(const std::string& container, Head& head,
                                              int64_t now_ms);

  storage::RecordStore* store_;
  uint64_t retention_ = 0;
  crypto::PrivateKey key_;
  std::string public_pem_;
  // Lock order: write_mu_, then chain_mu_, then mu_ (the store's own lock
  // may come before chain_mu_: RecordsForCommit runs in its transactions).
  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<storage::AuditRecord> queued_;  // not chained yet; guarded by mu_
  bool stop_ = false;                         // guarded by mu_
  std::mutex chain_mu_;
  std::map<std::string, Head> heads_;                          // guarded by chain_mu_
  std::vector<storage::AuditRecord> chained_;                  // not written; chain_mu_
  std::vector<storage::AuditCheckpoint> pending_checkpoints_;  // guarded by chain_mu_
  std::mutex write_mu_;               // one writer to the store at a time, in order
  std::atomic<bool> boosted_{false};  // the writer runs as an ordinary thread
  bool writes_failing_ = false;       // the writer's (Run) last write failed
  std::thread flusher_;
};

}  // namespace vhsm::server

#endif  // VHSM_SERVER_AUDIT_LOG_H_
