#include "vhsm/server/audit_log.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "vhsm/base/file_io.h"
#include "vhsm/server/ordinary_while_idle.h"

namespace vhsm::server {

using crypto::Bytes;
using crypto::ByteView;

namespace {

constexpr auto kFlushEvery = std::chrono::milliseconds(50);

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<crypto::PrivateKey> LoadOrCreateKey(const std::string& data_dir) {
  const std::string path = data_dir + "/audit.key";
  Result<std::string> der = ReadWholeFile(path);  // the key: no stray copy
  if (der.ok()) {
    struct stat st;
    const bool shared = stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0;
    Result<crypto::PrivateKey> key =
        shared ? FailedPrecondition(path + " may be read by others (chmod 600 it)")
               : crypto::PrivateKey::FromPkcs8Der(ByteView(*der));
    explicit_bzero(der->data(), der->size());
    return key;
  }
  // Only a missing key is made anew: one that cannot be read is an error,
  // never replaced (its checkpoints would no longer verify).
  if (der.status().code() != StatusCode::kNotFound) return der.status();
  VHSM_ASSIGN_OR_RETURN(crypto::PrivateKey key,
                        crypto::PrivateKey::Generate(crypto::KeyAlg::kEd25519));
  VHSM_ASSIGN_OR_RETURN(crypto::SecretBytes pkcs8, key.ToPkcs8Der());
  VHSM_RETURN_IF_ERROR(WriteFileAtomically(path, pkcs8.view().AsStringView(), 0600));
  return key;
}

}  // namespace

AuditLog::AuditLog(storage::RecordStore* store, crypto::PrivateKey key, std::string public_pem)
    : store_(store), key_(std::move(key)), public_pem_(std::move(public_pem)) {}

Result<std::unique_ptr<AuditLog>> AuditLog::Open(storage::RecordStore* store,
                                                 const std::string& data_dir, uint64_t retention,
                                                 bool background) {
  VHSM_ASSIGN_OR_RETURN(crypto::PrivateKey key, LoadOrCreateKey(data_dir));
  VHSM_ASSIGN_OR_RETURN(crypto::PublicKey pub, key.GetPublicKey());
  VHSM_ASSIGN_OR_RETURN(std::string pem, pub.ToPem());
  VHSM_RETURN_IF_ERROR(WriteFileAtomically(data_dir + "/audit.pub", pem, 0644));
  std::unique_ptr<AuditLog> log(new AuditLog(store, std::move(key), pem));
  log->retention_ = retention;
  VHSM_ASSIGN_OR_RETURN(std::vector<storage::AuditRecord> heads, store->AuditHeads());
  for (const auto& r : heads) {
    Head& h = log->heads_[r.container];
    h.seq = r.seq;
    h.hash = r.hash;
    VHSM_ASSIGN_OR_RETURN(std::vector<storage::AuditCheckpoint> cps,
                          store->ListAuditCheckpoints(r.container));
    h.checkpointed = cps.empty() ? 0 : cps.back().seq;
    for (const auto& c : cps) {
      if (c.truncation) h.truncated_at = c.seq;
    }
    h.checkpoint_ms = 0;  // records not yet checkpointed get one at the first flush
  }
  if (background) log->flusher_ = std::thread([l = log.get()] { l->Run(); });
  store->SetAuditor(log.get());  // state changes carry their records
  return log;
}

AuditLog::~AuditLog() {
  store_->SetAuditor(nullptr);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  (void)Flush(/*checkpoint_all=*/true);  // a clean stop leaves every chain checkpointed
}

Result<storage::AuditCheckpoint> AuditLog::Checkpoint(const std::string& container, Head& head,
                                                      int64_t now_ms) {
  storage::AuditCheckpoint c;
  c.container = container;
  c.seq = head.seq;
  c.hash = head.hash;
  c.time_ms = now_ms;
  VHSM_ASSIGN_OR_RETURN(c.signature,
                        key_.Sign(AuditCheckpointMessage(container, head.seq, head.hash)));
  head.checkpointed = head.seq;
  head.checkpoint_ms = now_ms;
  return c;
}

Status AuditLog::ChainLocked(storage::AuditRecord& r) {
  Head& head = heads_[r.container];
  if (head.checkpoint_ms == 0) head.checkpoint_ms = r.time_ms;
  r.seq = head.seq + 1;
  VHSM_ASSIGN_OR_RETURN(r.hash, AuditChainHash(head.hash, r));
  head.seq = r.seq;
  head.hash = r.hash;
  if (head.seq - head.checkpointed >= kAuditCheckpointEvery) {
    VHSM_ASSIGN_OR_RETURN(storage::AuditCheckpoint c, Checkpoint(r.container, head, r.time_ms));
    pending_checkpoints_.push_back(std::move(c));
  }
  return Status::Ok();
}

Status AuditLog::ChainQueuedLocked() {
  std::vector<storage::AuditRecord> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.swap(queued_);
  }
  chained_.reserve(chained_.size() + batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    Status s = ChainLocked(batch[i]);
    if (!s.ok()) {
      // Not chained: back to the head of the queue, in order, for next time.
      std::lock_guard<std::mutex> lock(mu_);
      queued_.insert(queued_.begin(), std::make_move_iterator(batch.begin() + i),
                     std::make_move_iterator(batch.end()));
      return s;
    }
    chained_.push_back(std::move(batch[i]));
  }
  return Status::Ok();
}

namespace {

// The state-changing request this thread serves, if any (AuditLog::Arm).
struct ArmedRequest {
  const AuditLog* log = nullptr;
  bool taken = false;
  storage::AuditRecord tmpl;
};
thread_local ArmedRequest t_armed;

}  // namespace

void AuditLog::Arm(storage::AuditRecord tmpl) {
  tmpl.result = "ok";
  t_armed = ArmedRequest{this, false, std::move(tmpl)};
}

bool AuditLog::Disarm() {
  bool taken = t_armed.log == this && t_armed.taken;
  t_armed = ArmedRequest{};
  return taken;
}

std::vector<storage::AuditRecord> AuditLog::RecordsForCommit(const std::string& key) {
  if (t_armed.log != this || t_armed.taken) return {};
  storage::AuditRecord r = t_armed.tmpl;
  if (r.key_id.empty()) r.key_id = key;
  std::lock_guard<std::mutex> lock(chain_mu_);
  // Every record queued before this one goes first, in the same transaction.
  if (!ChainQueuedLocked().ok() || !ChainLocked(r).ok()) return {};  // then the usual way
  t_armed.taken = true;
  std::vector<storage::AuditRecord> out;
  out.swap(chained_);
  out.push_back(std::move(r));
  return out;
}

void AuditLog::CommitFailed(std::vector<storage::AuditRecord> records) {
  // Chained already: they must still be written (the flusher does), and the
  // request's own outcome follows them. Whatever was chained since has
  // later numbers, so they go first.
  if (t_armed.log == this) t_armed.taken = false;
  std::lock_guard<std::mutex> lock(chain_mu_);
  chained_.insert(chained_.begin(), std::make_move_iterator(records.begin()),
                  std::make_move_iterator(records.end()));
}

Status AuditLog::Append(storage::AuditRecord r, bool sync) {
  size_t queued;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queued_.push_back(std::move(r));
    queued = queued_.size();
  }
  if (sync || queued >= kAuditFlushInlineAt) return Flush();
  if (queued >= kAuditBoostAt && flusher_.joinable() && !boosted_.exchange(true)) {
    // The machine is too busy to give the writer idle time (a flood, say):
    // it competes as an ordinary thread until the queue is short again,
    // rather than one request writing a huge batch while others wait.
    sched_param param{};
    (void)pthread_setschedparam(flusher_.native_handle(), SCHED_OTHER, &param);
    wake_.notify_one();
  }
  return Status::Ok();
}

Status AuditLog::Flush(bool checkpoint_all) {
  std::lock_guard<std::mutex> writing(write_mu_);
  std::vector<storage::AuditRecord> records;
  std::vector<storage::AuditCheckpoint> checkpoints;
  {
    std::lock_guard<std::mutex> lock(chain_mu_);
    Status chained = ChainQueuedLocked();
    const int64_t now = NowMs();
    for (auto& [container, head] : heads_) {
      if (head.seq > head.checkpointed &&
          (checkpoint_all || now - head.checkpoint_ms >= kAuditCheckpointMs)) {
        VHSM_ASSIGN_OR_RETURN(storage::AuditCheckpoint c, Checkpoint(container, head, now));
        pending_checkpoints_.push_back(std::move(c));
      }
    }
    records.swap(chained_);
    checkpoints.swap(pending_checkpoints_);
    if (!chained.ok() && records.empty()) return chained;
  }
  if (records.empty() && checkpoints.empty()) return Status::Ok();
  // The store's lock is held while this writes: the background writer
  // does it as an ordinary thread (OrdinaryWhileIdle).
  OrdinaryWhileIdle ordinary(&boosted_);
  Status written = store_->AppendAudit(records, checkpoints);
  if (written.ok()) return Truncate();
  {
    // Kept, in order, for the next write: a record is never dropped.
    std::lock_guard<std::mutex> lock(chain_mu_);
    chained_.insert(chained_.begin(), std::make_move_iterator(records.begin()),
                    std::make_move_iterator(records.end()));
    pending_checkpoints_.insert(pending_checkpoints_.begin(),
                                std::make_move_iterator(checkpoints.begin()),
                                std::make_move_iterator(checkpoints.end()));
  }
  return written;
}

Status AuditLog::Truncate() {
  if (retention_ == 0) return Status::Ok();
  std::vector<std::pair<std::string, uint64_t>> due;  // container, newest seq
  {
    std::lock_guard<std::mutex> lock(chain_mu_);
    for (const auto& [container, head] : heads_) {
      if (head.seq > head.truncated_at + retention_ + kAuditCheckpointEvery) {
        due.emplace_back(container, head.seq);
      }
    }
  }
  for (const auto& [container, newest] : due) {
    VHSM_ASSIGN_OR_RETURN(std::vector<storage::AuditCheckpoint> cps,
                          store_->ListAuditCheckpoints(container));
    const storage::AuditCheckpoint* cut = nullptr;
    for (const auto& c : cps) {
      if (c.seq + retention_ <= newest) cut = &c;
    }
    if (cut == nullptr) continue;
    storage::AuditCheckpoint marker = *cut;
    marker.truncation = true;
    marker.time_ms = NowMs();
    VHSM_ASSIGN_OR_RETURN(marker.signature,
                          key_.Sign(AuditTruncationMessage(container, marker.seq, marker.hash)));
    VHSM_RETURN_IF_ERROR(store_->TruncateAudit(marker));
    std::lock_guard<std::mutex> lock(chain_mu_);
    heads_[container].truncated_at = marker.seq;
  }
  return Status::Ok();
}

void AuditLog::Run() {
  // Waiting and chaining never take a CPU from a request: the scheduler
  // treats a CPU running only this thread as idle (a failure to set it just
  // leaves the thread an ordinary one). Writing, with the store's lock
  // held, it runs as an ordinary thread (OrdinaryWhileIdle, in Flush).
  sched_param param{};
  (void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &param);
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    wake_.wait_for(lock, kFlushEvery);
    if (stop_) break;
    lock.unlock();
    // A failed write keeps its records for the next one; the operator
    // hears when writing starts failing and when it works again.
    Status flushed = Flush();
    if (!flushed.ok() && !writes_failing_) {
      std::fprintf(stderr,
                   "vhsmd: warning: audit records cannot be written (%s); they wait in memory "
                   "and are written as soon as the store takes them\n",
                   flushed.message().c_str());
    } else if (flushed.ok() && writes_failing_) {
      std::fprintf(stderr, "vhsmd: audit records are written again\n");
    }
    writes_failing_ = !flushed.ok();
    lock.lock();
    if (boosted_ && queued_.size() < kAuditBoostAt / 4) {
      (void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &param);
      boosted_ = false;
    }
  }
}

}  // namespace vhsm::server
