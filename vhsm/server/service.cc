#include "vhsm/server/service.h"

#include <chrono>

#include "vhsm/proto/status_mapping.h"
#include "vhsm/server/request_validator.h"

namespace vhsm::server {

Service::Service(const ServiceDeps& deps, ServiceOptions options)
    : log_(deps.log), options_(std::move(options)) {
  env_.vault = deps.vault;
  env_.store = deps.vault->store();
  env_.sessions = deps.sessions;
  env_.listener = deps.listener;
  env_.ledger = deps.ledger;
  env_.throttle = deps.throttle;
  env_.options = &options_;
}

int64_t Service::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void Service::Sweep(int64_t now_ms) { env_.throttle->Sweep(now_ms); }

bool Service::IsSlow(const proto::Request& request) {
  const ops::Op* op = ops::Find(request.op_case());
  return op != nullptr && op->slow;
}

std::string Service::ErrorResponse(const Status& status) {
  proto::Response resp;
  resp.set_status(ToWireStatus(status.code()));
  resp.set_message(status.message());
  return resp.SerializeAsString();
}

std::string Service::Handle(const Caller& caller, const std::string& payload) {
  proto::Request request;
  if (!request.ParseFromString(payload)) {
    Status s = InvalidArgument("payload is not a valid Request message");
    proto::Response unused;
    ops::Call call{caller, request, nullptr, &unused};
    Log(call, s);
    return ErrorResponse(s);
  }
  return HandleRequest(caller, request).SerializeAsString();
}

proto::Response Service::HandleRequest(const Caller& caller, const proto::Request& request) {
  proto::Response resp;
  resp.set_request_id(request.request_id());
  ops::Call call{caller, request, nullptr, &resp};
  Status s = ValidateRequest(request);
  const ops::Op* op = ops::Find(request.op_case());
  if (s.ok() && op == nullptr) {
    s = InvalidArgument(std::string("operation ") + OpName(request) + " is not supported");
  }
  if (s.ok()) s = Dispatch(*op, call);
  if (!s.ok()) {
    resp.clear_result();
    resp.set_message(s.message());
  }
  resp.set_status(ToWireStatus(s.code()));
  Log(call, s);
  return resp;
}

Status Service::Dispatch(const ops::Op& op, ops::Call& call) {
  ops::Env env = env_;
  env.now_ms = Now();
  const Caller& caller = call.caller;
  switch (op.need) {
    case ops::Need::kNothing:
      return op.handle(env, call);
    case ops::Need::kHostRoot:
      // Who may administer comes from the kernel (the socket's namespace and
      // SCM_CREDENTIALS), never from the message.
      if (caller.client.container != transport::kHostContainer || !caller.has_creds ||
          caller.uid != 0) {
        return PermissionDenied("administration is allowed only to root on the host");
      }
      return op.handle(env, call);
    case ops::Need::kSession:
    case ops::Need::kLogin:
      break;
  }
  VHSM_ASSIGN_OR_RETURN(std::shared_ptr<Session> session,
                        env.sessions->Find(caller.client, call.req.session_id(), env.now_ms));
  Status s;
  {
    std::lock_guard<std::mutex> lock(session->mu);
    call.session = session.get();
    s = op.need == ops::Need::kLogin && !session->user ? Unauthenticated("log in first")
                                                        : op.handle(env, call);
    if (session->user) call.user_for_log = *session->user;
    call.session = nullptr;
  }
  if (s.ok() && call.req.has_close_session()) {
    s = env.sessions->Close(caller.client, call.req.session_id());
  }
  return s;
}

void Service::Log(const ops::Call& call, const Status& status) const {
  if (log_ == nullptr) return;
  // Names and ids only, and only valid ones: never passwords, data or key
  // material, never a string a tenant chose freely (the log escapes anyway).
  LogEntry e;
  e.container = call.caller.client.container;
  e.pid = call.caller.pid;
  e.uid = call.caller.uid;
  if (storage::ValidUserName(call.user_for_log)) e.user = call.user_for_log;
  e.op = OpName(call.req);
  if (storage::ValidKeyId(call.key_for_log)) e.key = call.key_for_log;
  e.result = StatusCodeName(status.code());
  if (!status.ok()) e.message = status.message();
  log_->Write(std::move(e));
}

std::vector<std::string> Service::RestoreAttachments() {
  std::vector<std::string> problems;
  Result<std::vector<storage::ContainerRecord>> cs = env_.store->ListContainers("", 0);
  if (!cs.ok()) return {cs.status().ToString()};
  for (const auto& c : *cs) {
    if (c.name == transport::kHostContainer || c.netns_path.empty()) continue;
    Status s = env_.listener->Attach(c.name, c.netns_path);
    if (!s.ok()) problems.push_back("container '" + c.name + "': " + s.message());
  }
  return problems;
}

}  // namespace vhsm::server
