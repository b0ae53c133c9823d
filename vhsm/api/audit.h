// The audit log as libvhsm hands it out (Client::ReadAudit for a container
// admin, Admin::ReadAudit for the host operator), and as an export file:
// JSON {"format": "vhsm-audit-export-1", "container", "public_key_pem",
// "records": [{"seq", "time_ms", "uid", "pid", "user", "role", "op",
// "key_id", "key_version", "result", "hash" (hex)}], "checkpoints": [{"seq",
// "hash", "signature" (hex), "time_ms", "kind" ("checkpoint" or
// "truncated")}]} that tools/audit_verify.py checks
// offline (the chain's format: vhsm/server/audit_log.h).
#ifndef VHSM_API_AUDIT_H_
#define VHSM_API_AUDIT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "vhsm/base/status.h"

namespace vhsm {

struct AuditEntry {
  uint64_t seq = 0;
  int64_t time_ms = 0;
  uint32_t uid = 0;
  int32_t pid = 0;
  std::string user, role, op, key_id;
  uint32_t key_version = 0;
  std::string result;
  std::string hash;  // 32 bytes
};

struct AuditCheckpoint {
  uint64_t seq = 0;
  std::string hash, signature;
  int64_t time_ms = 0;
  bool truncation = false;  // records up to seq were dropped (retention)
};

struct AuditLogCopy {
  std::string container;
  std::string public_key_pem;  // vhsmd's audit key
  std::vector<AuditEntry> records;
  std::vector<AuditCheckpoint> checkpoints;
};

struct AuditVerdict {
  bool intact = true;
  uint64_t records = 0;
  uint64_t checkpoints = 0;
  uint64_t bad_record = 0;  // the first record at fault (0: none)
  std::string problem;
};

// AuditExportJson: the export file's text. AuditRecordsJson: records as a
// JSON array the same way, without their hashes (for listing).
std::string AuditExportJson(const AuditLogCopy& log);
std::string AuditRecordsJson(const std::vector<AuditEntry>& records);

}  // namespace vhsm

#endif  // VHSM_API_AUDIT_H_
