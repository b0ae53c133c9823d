// AuditLog's records and signed messages as bytes: the encoding its hash
// chain and the offline verifier (tools/audit_verify.py) share.
#include <optional>
#include <string_view>

#include "vhsm/crypto/digest.h"
#include "vhsm/server/audit_log.h"

namespace vhsm::server {

using crypto::Bytes;
using crypto::ByteView;

namespace {

void Str(Bytes& out, std::string_view s) {
  uint32_t n = static_cast<uint32_t>(s.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(n >> shift));
  out.insert(out.end(), s.begin(), s.end());
}

void Num(Bytes& out, uint64_t v, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
    out.push_back(static_cast<uint8_t>(v >> shift));
  }
}

void EncodeAuditRecordTo(Bytes& out, const storage::AuditRecord& r) {
  out.clear();
  out.reserve(64 + r.container.size() + r.user.size() + r.role.size() + r.op.size() +
              r.key_id.size() + r.result.size());
  Str(out, "vhsm-audit-1");
  Str(out, r.container);
  Num(out, r.seq, 8);
  Num(out, static_cast<uint64_t>(r.time_ms), 8);
  Num(out, r.uid, 4);
  Num(out, static_cast<uint32_t>(r.pid), 4);
  Str(out, r.user);
  Str(out, r.role);
  Str(out, r.op);
  Str(out, r.key_id);
  Num(out, r.key_version, 4);
  Str(out, r.result);
}

// One SHA-256 state and encoding buffer per thread, reused: a chain is
// hashed a record at a time, tens of thousands of records a second.
struct ChainHasher {
  std::optional<crypto::Digest> digest;
  Bytes encoded;
};
thread_local ChainHasher t_hasher;

}  // namespace

Bytes EncodeAuditRecord(const storage::AuditRecord& r) {
  Bytes out;
  EncodeAuditRecordTo(out, r);
  return out;
}

Result<Bytes> AuditChainHash(ByteView previous, const storage::AuditRecord& r) {
  ChainHasher& h = t_hasher;
  if (!h.digest) {
    VHSM_ASSIGN_OR_RETURN(crypto::Digest d, crypto::Digest::Create(crypto::DigestAlg::kSha256));
    h.digest.emplace(std::move(d));
  } else {
    VHSM_RETURN_IF_ERROR(h.digest->Reset());
  }
  EncodeAuditRecordTo(h.encoded, r);
  VHSM_RETURN_IF_ERROR(h.digest->Update(previous));
  VHSM_RETURN_IF_ERROR(h.digest->Update(h.encoded));
  return h.digest->Final();
}

namespace {

Bytes Signed(std::string_view label, const std::string& container, uint64_t seq, ByteView hash) {
  Bytes out(label.begin(), label.end());
  Str(out, container);
  Num(out, seq, 8);
  out.insert(out.end(), hash.begin(), hash.end());
  return out;
}

}  // namespace

Bytes AuditCheckpointMessage(const std::string& container, uint64_t seq, ByteView hash) {
  return Signed("vhsm-audit-checkpoint-1", container, seq, hash);
}

Bytes AuditTruncationMessage(const std::string& container, uint64_t seq, ByteView hash) {
  return Signed("vhsm-audit-truncated-1", container, seq, hash);
}

}  // namespace vhsm::server
