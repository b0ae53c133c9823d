// Internal to libvhsm: the audit requests, for Client and Admin alike
// (each passes how it calls vhsmd).
#ifndef VHSM_API_INTERNAL_AUDIT_CALLS_H_
#define VHSM_API_INTERNAL_AUDIT_CALLS_H_

#include <functional>
#include <string>

#include "vhsm/api/audit.h"
#include "vhsm/proto/vhsm.pb.h"

namespace vhsm::internal {

using CallFn = std::function<Result<proto::Response>(proto::Request&)>;

Result<AuditLogCopy> ReadAudit(const CallFn& call, const std::string& container);
Result<AuditVerdict> VerifyAudit(const CallFn& call, const std::string& container);

}  // namespace vhsm::internal

#endif  // VHSM_API_INTERNAL_AUDIT_CALLS_H_
