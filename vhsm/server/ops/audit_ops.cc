// The audit log, read and verified by the host operator (any container, by
// name) or by a container's admins (their own container only).
#include <string>
#include <vector>

#include "vhsm/server/ops/ops.h"

namespace vhsm::server::ops {
namespace {

constexpr size_t kRecordsPerPage = 200;  // ~200 bytes each, within a frame

Result<std::string> AuditContainer(Env& env, Call& call, const std::string& asked) {
  if (env.audit == nullptr) return FailedPrecondition("this vhsmd keeps no audit log");
  const Caller& c = call.caller;
  const bool host_root = c.client.container == transport::kHostContainer && c.has_creds &&
                         c.uid == 0 && !call.session->user;
  if (host_root) {
    if (asked.empty()) return InvalidArgument("name the container whose audit log to read");
    if (!transport::ValidContainerName(asked) && asked != transport::kHostContainer) {
      return InvalidArgument("invalid container name '" + asked + "'");
    }
    return asked;
  }
  if (!asked.empty() && asked != c.client.container) {
    return PermissionDenied("a container admin reads only their own container's audit log");
  }
  return c.client.container;
}

}  // namespace

Status AuditRead(Env& env, Call& call) {
  const auto& r = call.req.audit_read();
  VHSM_ASSIGN_OR_RETURN(std::string container, AuditContainer(env, call, r.container()));
  VHSM_RETURN_IF_ERROR(env.audit->Flush());
  size_t limit = r.limit() == 0 || r.limit() > kRecordsPerPage ? kRecordsPerPage : r.limit();
  VHSM_ASSIGN_OR_RETURN(std::vector<storage::AuditRecord> records,
                        env.store->ListAudit(container, r.after(), limit + 1));
  auto* out = call.resp->mutable_audit_read();
  out->set_container(container);
  for (size_t i = 0; i < records.size() && i < limit; ++i) {
    const auto& a = records[i];
    auto* e = out->add_records();
    e->set_seq(a.seq);
    e->set_time_ms(a.time_ms);
    e->set_uid(a.uid);
    e->set_pid(a.pid);
    e->set_user(a.user);
    e->set_role(a.role);
    e->set_op(a.op);
    e->set_key_id(a.key_id);
    e->set_key_version(a.key_version);
    e->set_result(a.result);
    e->set_hash(a.hash.data(), a.hash.size());
  }
  if (records.size() > limit) out->set_next_after(records[limit - 1].seq);
  if (r.after() == 0) {
    VHSM_ASSIGN_OR_RETURN(std::vector<storage::AuditCheckpoint> cps,
                          env.store->ListAuditCheckpoints(container));
    for (const auto& c : cps) {
      auto* e = out->add_checkpoints();
      e->set_seq(c.seq);
      e->set_hash(c.hash.data(), c.hash.size());
      e->set_signature(c.signature.data(), c.signature.size());
      e->set_time_ms(c.time_ms);
      e->set_truncation(c.truncation);
    }
    out->set_public_key_pem(env.audit->public_pem());
  }
  return Status::Ok();
}

Status AuditVerify(Env& env, Call& call) {
  VHSM_ASSIGN_OR_RETURN(std::string container,
                        AuditContainer(env, call, call.req.audit_verify().container()));
  VHSM_ASSIGN_OR_RETURN(AuditVerdict v, env.audit->Verify(container));
  auto* out = call.resp->mutable_audit_verify();
  out->set_intact(v.intact);
  out->set_records(v.records);
  out->set_checkpoints(v.checkpoints);
  out->set_bad_record(v.bad_record);
  out->set_problem(v.problem);
  return Status::Ok();
}

}  // namespace vhsm::server::ops
