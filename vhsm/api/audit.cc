#include "vhsm/api/audit.h"

#include <nlohmann/json.hpp>

#include "vhsm/api/internal/audit_calls.h"
#include "vhsm/crypto/bytes.h"

namespace vhsm {
namespace {

std::string Hex(const std::string& s) { return crypto::HexEncode(crypto::ByteView(s)); }

nlohmann::json Records(const std::vector<AuditEntry>& entries, bool with_hash) {
  nlohmann::json records = nlohmann::json::array();
  for (const AuditEntry& e : entries) {
    nlohmann::json r = {{"seq", e.seq},      {"time_ms", e.time_ms}, {"uid", e.uid},
                        {"pid", e.pid},      {"user", e.user},       {"role", e.role},
                        {"op", e.op},        {"key_id", e.key_id},   {"key_version", e.key_version},
                        {"result", e.result}};
    if (with_hash) r["hash"] = Hex(e.hash);
    records.push_back(std::move(r));
  }
  return records;
}

}  // namespace

std::string AuditRecordsJson(const std::vector<AuditEntry>& records) {
  return Records(records, false).dump();
}

std::string AuditExportJson(const AuditLogCopy& log) {
  nlohmann::json records = Records(log.records, true), checkpoints = nlohmann::json::array();
  for (const AuditCheckpoint& c : log.checkpoints) {
    checkpoints.push_back({{"seq", c.seq},
                           {"hash", Hex(c.hash)},
                           {"signature", Hex(c.signature)},
                           {"time_ms", c.time_ms},
                           {"kind", c.truncation ? "truncated" : "checkpoint"}});
  }
  nlohmann::json j = {{"format", "vhsm-audit-export-1"},
                      {"container", log.container},
                      {"public_key_pem", log.public_key_pem},
                      {"records", records},
                      {"checkpoints", checkpoints}};
  return j.dump(1) + "\n";
}

namespace internal {

Result<AuditLogCopy> ReadAudit(const CallFn& call, const std::string& container) {
  AuditLogCopy out;
  uint64_t after = 0;
  do {
    proto::Request r;
    r.mutable_audit_read()->set_container(container);
    r.mutable_audit_read()->set_after(after);
    VHSM_ASSIGN_OR_RETURN(proto::Response resp, call(r));
    const auto& page = resp.audit_read();
    if (after == 0) {
      out.container = page.container();
      out.public_key_pem = page.public_key_pem();
      for (const auto& c : page.checkpoints()) {
        out.checkpoints.push_back({c.seq(), c.hash(), c.signature(), c.time_ms(), c.truncation()});
      }
    }
    for (const auto& e : page.records()) {
      out.records.push_back({e.seq(), e.time_ms(), e.uid(), e.pid(), e.user(), e.role(), e.op(),
                             e.key_id(), e.key_version(), e.result(), e.hash()});
    }
    if (page.next_after() != 0 && page.next_after() <= after) {
      return Internal("vhsmd sent an audit page that does not advance");
    }
    after = page.next_after();
  } while (after != 0);
  return out;
}

Result<AuditVerdict> VerifyAudit(const CallFn& call, const std::string& container) {
  proto::Request r;
  r.mutable_audit_verify()->set_container(container);
  VHSM_ASSIGN_OR_RETURN(proto::Response resp, call(r));
  const auto& v = resp.audit_verify();
  return AuditVerdict{v.intact(), v.records(), v.checkpoints(), v.bad_record(), v.problem()};
}

}  // namespace internal
}  // namespace vhsm
