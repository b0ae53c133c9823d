// AuditLog: verification, and chains that several vhsmd append to (a
// shared store numbers records again as it writes them: ChainAt).
#include <algorithm>
#include <chrono>
#include <map>

#include "vhsm/crypto/constant_time.h"
#include "vhsm/crypto/digest.h"
#include "vhsm/server/audit_log.h"

namespace vhsm::server {

using crypto::Bytes;

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<std::vector<storage::AuditCheckpoint>> AuditLog::ChainAt(
    std::vector<storage::AuditRecord*>& records, const storage::AuditRecord* head_record,
    bool checkpoint_now) {
  std::vector<storage::AuditCheckpoint> out;
  Head head;
  if (head_record != nullptr) {
    head.seq = head_record->seq;
    head.hash = head_record->hash;
  }
  std::string container = head_record ? head_record->container : std::string();
  if (!records.empty()) container = records.front()->container;
  if (container.empty()) return out;  // an empty chain and nothing to add
  for (storage::AuditRecord* r : records) {
    r->seq = head.seq + 1;
    VHSM_ASSIGN_OR_RETURN(r->hash, AuditChainHash(head.hash, *r));
    head.seq = r->seq;
    head.hash = r->hash;
    if (head.seq % kAuditCheckpointEvery == 0) {
      VHSM_ASSIGN_OR_RETURN(storage::AuditCheckpoint c, Checkpoint(container, head, r->time_ms));
      out.push_back(std::move(c));
    }
  }
  if (checkpoint_now && head.seq > 0 && (out.empty() || out.back().seq != head.seq)) {
    VHSM_ASSIGN_OR_RETURN(storage::AuditCheckpoint c, Checkpoint(container, head, NowMs()));
    out.push_back(std::move(c));
  }
  {
    // What this vhsmd chains next starts here (it is chained again when written).
    std::lock_guard<std::mutex> lock(chain_mu_);
    Head& mine = heads_[container];
    if (head.seq > mine.seq) {
      mine.seq = head.seq;
      mine.hash = head.hash;
    }
    if (!out.empty()) {
      mine.checkpointed = std::max(mine.checkpointed, out.back().seq);
      mine.checkpoint_ms = out.back().time_ms;
    }
  }
  return out;
}

Result<AuditVerdict> AuditLog::Verify(const std::string& container) {
  VHSM_RETURN_IF_ERROR(Flush());
  AuditVerdict v;
  VHSM_ASSIGN_OR_RETURN(std::vector<storage::AuditCheckpoint> cps,
                        store_->ListAuditCheckpoints(container));
  std::map<uint64_t, const storage::AuditCheckpoint*> by_seq;
  for (const auto& c : cps) by_seq[c.seq] = &c;
  v.checkpoints = cps.size();
  VHSM_ASSIGN_OR_RETURN(crypto::PublicKey pub, key_.GetPublicKey());
  auto fail = [&v](uint64_t seq, const std::string& why) {
    if (!v.intact) return;
    v.intact = false;
    v.bad_record = seq;
    v.problem = why;
  };
  Bytes hash(32, 0);
  uint64_t expected = 1;
  for (const auto& c : cps) {
    if (!c.truncation) continue;
    // The chain starts after the newest truncation marker, from its hash.
    Result<bool> ok = pub.Verify(AuditTruncationMessage(container, c.seq, c.hash), c.signature);
    if (!ok.ok() || !*ok) {
      fail(c.seq + 1,
           "the truncation marker at record " + std::to_string(c.seq) + " does not hold");
    }
    hash = c.hash;
    expected = c.seq + 1;
    by_seq.erase(c.seq);
  }
  while (v.intact) {
    VHSM_ASSIGN_OR_RETURN(std::vector<storage::AuditRecord> page,
                          store_->ListAudit(container, expected - 1, 1000));
    if (page.empty()) break;
    for (const auto& r : page) {
      if (r.seq != expected) {
        fail(expected, "record " + std::to_string(expected) + " is missing");
        break;
      }
      VHSM_ASSIGN_OR_RETURN(hash, AuditChainHash(hash, r));
      if (!crypto::ConstantTimeEquals(hash, r.hash)) {
        fail(r.seq, "record " + std::to_string(r.seq) + " was altered or moved");
        break;
      }
      auto cp = by_seq.find(r.seq);
      if (cp != by_seq.end()) {
        const auto& c = *cp->second;
        Result<bool> ok = pub.Verify(AuditCheckpointMessage(container, c.seq, c.hash), c.signature);
        if (!ok.ok() || !*ok || !crypto::ConstantTimeEquals(c.hash, hash)) {
          fail(r.seq, "the checkpoint at record " + std::to_string(r.seq) + " does not hold");
          break;
        }
      }
      ++v.records;
      ++expected;
    }
  }
  // A checkpoint beyond the last record: records were cut from the end.
  if (v.intact && !cps.empty() && cps.back().seq >= expected) {
    fail(expected, "records from " + std::to_string(expected) + " to " +
                       std::to_string(cps.back().seq) + " (checkpointed) are missing");
  }
  return v;
}

}  // namespace vhsm::server
