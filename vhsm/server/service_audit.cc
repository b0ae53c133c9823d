// Service: the audit record of each request (audit_log.h), written with
// the change it reports where there is one.
#include <chrono>

#include "vhsm/proto/slow_ops.h"
#include "vhsm/proto/status_mapping.h"
#include "vhsm/server/request_validator.h"
#include "vhsm/server/service.h"

namespace vhsm::server {

// ChangesState: the operations that change what the store holds (their
// audit record is written before their answer goes out).
bool Service::ChangesState(proto::Request::OpCase op) {
  using R = proto::Request;
  switch (op) {
    case R::kPasswordChange:
    case R::kKeyGenerate:
    case R::kKeyImport:
    case R::kKeyDelete:
    case R::kKeyDerive:
    case R::kKeyRotate:
    case R::kKeySet:
    case R::kKeyShare:
    case R::kKeyUnshare:
    case R::kKeyImportWrapped:
    case R::kObjectCreate:
    case R::kObjectDelete:
    case R::kContainerAttach:
    case R::kContainerAttachMany:
    case R::kContainerDetach:
    case R::kContainerImport:
    case R::kUserAdd:
    case R::kUserDelete:
    case R::kUserPassword:
    case R::kMemberAdd:
    case R::kMemberDelete:
    case R::kMemberQuota:
    case R::kContainerQuota:
      return true;
    default:
      return false;
  }
}

namespace {

// BaseRecord: an audit record's who, when and what, from the kernel's word
// on the sender and the operation's name.
storage::AuditRecord BaseRecord(const ops::Call& call) {
  storage::AuditRecord r;
  r.container = call.caller.client.container;
  r.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
  r.uid = call.caller.uid;
  r.pid = call.caller.pid;
  r.op = OpName(call.req);
  return r;
}

}  // namespace

storage::AuditRecord Service::AuditTemplate(const ops::Call& call, const Session& session,
                                            ops::Need need) const {
  storage::AuditRecord r = BaseRecord(call);
  if (session.user) {
    r.user = *session.user;
    r.role = session.role;
  } else if (need == ops::Need::kHostRoot) {
    r.role = "operator";
  }
  return r;
}

void Service::Audit(const ops::Call& call, const Status& status) const {
  if (audit_ == nullptr) return;
  // Written already, in the transaction of the change it reports.
  if (call.audited && status.ok()) return;
  storage::AuditRecord r = BaseRecord(call);
  if (storage::ValidUserName(call.user_for_log)) r.user = call.user_for_log;
  r.role = call.role_for_log;
  if (ops::ValidKeyName(call.key_for_log) || call.key_for_log.rfind("object:", 0) == 0) {
    r.key_id = call.key_for_log;
  }
  r.key_version = call.version_for_log;
  r.result = StatusCodeName(status.code());
  // State-changing operations are on disk before their answer goes (those
  // that changed something, with their change; a failure after a change, or
  // a change the store did not carry, here).
  Status written = audit_->Append(std::move(r), ChangesState(call.req.op_case()) && !call.audited);
  if (!written.ok() && log_ != nullptr) {
    LogEntry e;
    e.container = call.caller.client.container;
    e.op = "audit";
    e.result = StatusCodeName(written.code());
    e.message = "audit record not written yet: " + written.message();
    log_->Write(std::move(e));
  }
}

}  // namespace vhsm::server
