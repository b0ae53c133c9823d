// The secure channel's side of Service: open a sealed request, run it in
// its session, seal the answer; and the requests the polling thread opened
// but left to a worker (HandleOpened).
#include <string.h>

#include "vhsm/proto/names.h"
#include "vhsm/proto/slow_ops.h"
#include "vhsm/proto/status_mapping.h"
#include "vhsm/server/request_validator.h"
#include "vhsm/server/service.h"

namespace vhsm::server {
namespace {

void Wipe(std::string* s) {
  if (!s->empty()) explicit_bzero(s->data(), s->size());
}

}  // namespace

Status Service::RunInner(const proto::Request& outer, std::string* plain, proto::Request* inner,
                         ops::Call& call, Session& session) {
  bool parsed = inner->ParseFromString(*plain);
  Wipe(plain);
  if (!parsed) return InvalidArgument("sealed payload is not a valid Request message");
  inner->set_session_id(outer.session_id());
  call.resp->set_request_id(inner->request_id());
  VHSM_RETURN_IF_ERROR(ValidateRequest(*inner));
  const ops::Op* op = ops::Find(inner->op_case());
  if (op == nullptr || inner->has_sealed()) {
    return InvalidArgument(std::string("operation ") + OpName(*inner) + " cannot be sealed");
  }
  if (IsSlowOp(inner->op_case()) && !outer.sealed().slow()) {
    return InvalidArgument(std::string(OpName(*inner)) + " is slow: mark its seal slow");
  }
  // Marked slow, it runs on a worker already: nothing to defer.
  if (outer.sealed().slow()) call.may_defer = false;
  return RunInSession(*op, call, session);
}

Status Service::SealAnswer(const Status& s, ops::Call& call, Session& session,
                           proto::Response* resp) {
  proto::Response& inner_resp = *call.resp;
  if (inner_resp.has_bytes()) call.version_for_log = inner_resp.bytes().key_version();
  // The answer, sealed: whatever the status, it came from this vhsmd.
  if (!s.ok()) {
    inner_resp.clear_result();
    inner_resp.set_message(s.message());
  }
  inner_resp.set_status(ToWireStatus(s.code()));
  // Buffers of this thread, reused; every plaintext in them is wiped.
  thread_local std::string bytes, sealed;
  inner_resp.SerializeToString(&bytes);
  Status sealed_ok =
      session.channel.send.SealTo(session.outbound, session.response_ad, bytes, &sealed);
  Wipe(&bytes);
  WipeResult(&inner_resp);
  if (!sealed_ok.ok()) return sealed_ok;
  resp->mutable_sealed()->set_counter(session.outbound++);
  resp->mutable_sealed()->set_ciphertext(sealed);
  resp->set_status(proto::OK);
  return Status::Ok();
}

Status Service::Sealed(const Caller& caller, const proto::Request& outer, proto::Response* resp,
                       std::string* deferred) {
  const std::string& sid = outer.session_id();
  int64_t now = Now();
  VHSM_ASSIGN_OR_RETURN(std::shared_ptr<Session> session,
                        env_.sessions->Find(caller.client, sid, now));
  proto::Request inner;
  proto::Response inner_resp;
  ops::Call call{caller, inner, nullptr, &inner_resp};
  call.may_defer = deferred != nullptr;
  Status s;
  bool close = false;
  {
    std::lock_guard<std::mutex> lock(session->mu);
    if (!session->channel.receive.has_key()) {
      return FailedPrecondition("the session has no secure channel");
    }
    thread_local std::string plain;
    Status opened =
        session->inbound.OpenTo(session->channel.receive, outer.sealed().counter(),
                                session->request_ad, outer.sealed().ciphertext(), &plain);
    if (!opened.ok()) {
      close = true;
      s = DataLoss(
          "secure channel: a message was replayed, reordered or modified; "
          "the session is closed");
    } else {
      s = RunInner(outer, &plain, &inner, call, *session);
      if (call.deferred) {
        // Opened, checked, not run: a worker runs it (HandleOpened), and
        // this client's later requests queue behind it.
        inner.SerializeToString(deferred);
        WipeSecrets(&inner);
        return Status::Ok();
      }
      close = s.ok() && inner.has_close_session();
      WipeSecrets(&inner);
      VHSM_RETURN_IF_ERROR(SealAnswer(s, call, *session, resp));
    }
  }
  Log(call, s);
  if (close) (void)env_.sessions->Close(caller.client, sid);
  if (resp->has_sealed()) return Status::Ok();
  return s;
}

proto::Response Service::HandleOpened(const Caller& caller, std::string* opened) {
  proto::Request inner;
  proto::Response inner_resp, resp;
  ops::Call call{caller, inner, nullptr, &inner_resp};
  bool parsed = inner.ParseFromString(*opened);
  Wipe(opened);
  const ops::Op* op = parsed ? ops::Find(inner.op_case()) : nullptr;
  Status s = op != nullptr ? Status::Ok() : Internal("a deferred request did not parse");
  std::shared_ptr<Session> session;
  if (s.ok()) {
    Result<std::shared_ptr<Session>> found =
        env_.sessions->Find(caller.client, inner.session_id(), Now());
    if (found.ok()) session = std::move(found).value();
    s = found.status();
  }
  if (s.ok()) {
    std::lock_guard<std::mutex> lock(session->mu);
    inner_resp.set_request_id(inner.request_id());
    s = RunInSession(*op, call, *session);
    WipeSecrets(&inner);
    Status sealed = SealAnswer(s, call, *session, &resp);
    if (!sealed.ok()) s = sealed;
  }
  Log(call, s);
  if (resp.has_sealed()) return resp;
  resp.clear_result();
  resp.set_status(ToWireStatus(s.code()));
  resp.set_message(s.message());
  return resp;
}

}  // namespace vhsm::server
