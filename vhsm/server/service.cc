#include "vhsm/server/service.h"

#include <string.h>

#include <chrono>
#include <cstdio>

#include "vhsm/noise/noise_nk.h"
#include "vhsm/proto/slow_ops.h"
#include "vhsm/proto/status_mapping.h"
#include "vhsm/server/netns_pin.h"
#include "vhsm/server/request_validator.h"

namespace vhsm::server {

Service::Service(const ServiceDeps& deps, ServiceOptions options)
    : log_(deps.log), audit_(deps.audit), options_(std::move(options)) {
  env_.vault = deps.vault;
  env_.store = deps.vault->store();
  env_.sessions = deps.sessions;
  env_.listener = deps.listener;
  env_.ledger = deps.ledger;
  env_.throttle = deps.throttle;
  env_.options = &options_;
  env_.identity = deps.identity;
  env_.audit = deps.audit;
  env_.presign = deps.presign;
}

int64_t Service::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void Service::Sweep(int64_t now_ms) {
  env_.throttle->Sweep(now_ms);
  if (now_ms - last_housekeeping_ms_ < 10 * 1000) return;
  last_housekeeping_ms_ = now_ms;
  Status s = env_.store->Housekeeping();
  if (!s.ok() && !store_failing_) {
    std::fprintf(stderr, "vhsmd: warning: %s\n", s.message().c_str());
  } else if (s.ok() && store_failing_) {
    std::fprintf(stderr, "vhsmd: the store's pending housekeeping is done\n");
  }
  store_failing_ = !s.ok();
}

bool Service::IsSlow(const proto::Request& request) {
  if (request.has_sealed()) return request.sealed().slow();
  return IsSlowOp(request.op_case());
}

void Service::WipeSecrets(proto::Request* r) {
  std::string* fields[] = {
      r->has_login() ? r->mutable_login()->mutable_password() : nullptr,
      r->has_user_add() ? r->mutable_user_add()->mutable_password() : nullptr,
      r->has_user_password() ? r->mutable_user_password()->mutable_old_password() : nullptr,
      r->has_user_password() ? r->mutable_user_password()->mutable_new_password() : nullptr,
      r->has_key_import() ? r->mutable_key_import()->mutable_material() : nullptr,
      r->has_member_add() ? r->mutable_member_add()->mutable_password() : nullptr,
      r->has_password_change() ? r->mutable_password_change()->mutable_old_password() : nullptr,
      r->has_password_change() ? r->mutable_password_change()->mutable_new_password() : nullptr,
  };
  for (std::string* f : fields) {
    if (f != nullptr && !f->empty()) explicit_bzero(f->data(), f->size());
  }
}

// WipeResult clears what an answer carries inside the channel: a decrypted
// plaintext, a MAC, a digest (all travel as bytes).
void Service::WipeResult(proto::Response* r) {
  if (!r->has_bytes()) return;
  std::string* data = r->mutable_bytes()->mutable_data();
  if (!data->empty()) explicit_bzero(data->data(), data->size());
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

proto::Response Service::HandleRequest(const Caller& caller, const proto::Request& request,
                                       std::string* deferred) {
  proto::Response resp;
  resp.set_request_id(request.request_id());
  Status s = ValidateRequest(request);
  if (s.ok() && request.has_sealed()) {
    s = Sealed(caller, request, &resp, deferred);  // logs the sealed operation itself
    if (s.ok()) return resp;
  } else {
    ops::Call call{caller, request, nullptr, &resp};
    const ops::Op* op = ops::Find(request.op_case());
    if (s.ok() && op == nullptr) {
      s = InvalidArgument(std::string("operation ") + OpName(request) + " is not supported");
    }
    if (s.ok()) s = Plain(*op, call);
    Log(call, s);
  }
  if (!s.ok()) {
    resp.clear_result();
    resp.set_message(s.message());
  }
  resp.set_status(ToWireStatus(s.code()));
  return resp;
}

Status Service::Plain(const ops::Op& op, ops::Call& call) {
  if (call.req.has_close_session()) {
    // Closing carries nothing secret and a session answers only to the
    // client (container, port id) that opened it, so it may come in clear:
    // a client shutting down after its crypto library did can still close.
    return env_.sessions->Close(call.caller.client, call.req.session_id());
  }
  if (op.need != ops::Need::kNothing) {
    // Passwords, key material and results travel only inside a channel
    // whose other end proved to be this vhsmd.
    return FailedPrecondition(std::string(OpName(call.req)) +
                              " must travel sealed in its session's secure channel");
  }
  ops::Env env = env_;
  env.now_ms = Now();
  return op.handle(env, call);
}

namespace {

// IsHostRoot: uid 0 in the host's network namespace, in the kernel's words.
bool IsHostRoot(const Caller& caller) {
  return caller.client.container == transport::kHostContainer && caller.has_creds &&
         caller.uid == 0;
}

}  // namespace

Status Service::RunInSession(const ops::Op& op, ops::Call& call, Session& session) {
  const Caller& caller = call.caller;
  ops::Env env = env_;
  env.now_ms = Now();
  switch (op.need) {
    case ops::Need::kNothing:
      return InvalidArgument(std::string(OpName(call.req)) + " cannot be sealed");
    case ops::Need::kHostRoot:
      // Who may administer comes from the kernel (the socket's namespace and
      // SCM_CREDENTIALS), never from the message.
      if (!IsHostRoot(caller)) {
        return PermissionDenied("administration is allowed only to root on the host");
      }
      break;
    case ops::Need::kLogin:
      if (!session.user) return Unauthenticated("log in first");
      break;
    case ops::Need::kAdminOrHost:
      if (IsHostRoot(caller)) break;
      [[fallthrough]];
    case ops::Need::kContainerAdmin: {
      // The role as stored now (a demotion counts at once), of the user
      // this session logged in as, in the caller's own container.
      if (!session.user) return Unauthenticated("log in first");
      Result<storage::UserRecord> u = env.store->GetUser(caller.client.container, *session.user);
      if (!u.ok() || u->role != "admin") {
        return PermissionDenied(std::string(OpName(call.req)) +
                                " is for the container's admins; '" + *session.user +
                                "' is not one");
      }
      break;
    }
    case ops::Need::kSession:
      break;
  }
  call.session = &session;
  const bool changes = audit_ != nullptr && ChangesState(call.req.op_case());
  if (changes) audit_->Arm(AuditTemplate(call, session, op.need));
  Status s = op.handle(env, call);
  if (changes) call.audited = audit_->Disarm();
  if (session.user) {
    call.user_for_log = *session.user;
    call.role_for_log = session.role;
  }
  if (op.need == ops::Need::kHostRoot ||
      (op.need == ops::Need::kAdminOrHost && IsHostRoot(caller) && !session.user)) {
    call.role_for_log = "operator";
  }
  call.session = nullptr;
  return s;
}

void Service::Log(const ops::Call& call, const Status& status) const {
  Audit(call, status);
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

// RestoreAttachments: every recorded container checked and pinned, then
// all sockets made at once (Listener::AttachMany: one namespace-hopping
// thread) and the records updated in one transaction; 10,000 containers
// come back in seconds.
std::vector<std::string> Service::RestoreAttachments() {
  std::vector<std::string> problems;
  Result<std::vector<storage::ContainerRecord>> cs = env_.store->ListContainers("", 0);
  if (!cs.ok()) return {cs.status().ToString()};
  const std::string boot = BootId();
  std::vector<Restoring> pending;
  for (storage::ContainerRecord& c : *cs) {
    if (c.name == transport::kHostContainer || c.netns_path.empty()) continue;
    const std::string name = c.name;
    Result<Restoring> r = PrepareRestore(std::move(c), boot);
    if (r.ok()) {
      pending.push_back(std::move(r).value());
    } else {
      problems.push_back("container '" + name + "': " + r.status().message());
    }
  }
  std::vector<std::pair<std::string, std::string>> items;
  for (const Restoring& r : pending) items.emplace_back(r.c.name, r.c.pin_path);
  std::vector<uint64_t> cookies;
  std::vector<Status> attached = env_.listener->AttachMany(items, &cookies);
  std::vector<storage::ContainerRecord> records;
  for (size_t i = 0; i < pending.size(); ++i) {
    Restoring& r = pending[i];
    Status s = attached[i];
    if (s.ok() && r.recorded && r.want.cookie != 0 && cookies[i] != 0 &&
        cookies[i] != r.want.cookie) {
      (void)env_.listener->Detach(r.c.name);
      r.found.cookie = cookies[i];
      s = FailedPrecondition(r.source + " is another namespace (" + r.found.ToString() +
                             ") than the one attached (" + r.want.ToString() + ")");
    }
    if (!s.ok()) {
      if (!r.was_pinned) Unpin(r.c.pin_path);
      problems.push_back("container '" + r.c.name + "': " + s.message());
      continue;
    }
    // Known by identity from now on (stores from before pinning get one now).
    r.c.netns_dev = r.found.dev;
    r.c.netns_ino = r.found.ino;
    r.c.netns_cookie = cookies[i];
    r.c.boot_id = boot;
    records.push_back(r.c);
  }
  if (!records.empty()) {
    Status stored = env_.store->PutContainers(records);
    if (!stored.ok())
      problems.push_back("recording the re-attached containers: " + stored.message());
  }
  return problems;
}

// PrepareRestore checks that a recorded container's namespace is still the
// one recorded (pin, else path; this boot) and pins it.
Result<Service::Restoring> Service::PrepareRestore(storage::ContainerRecord c,
                                                   const std::string& boot) {
  Restoring r;
  r.recorded = c.netns_ino != 0;
  if (r.recorded && !c.boot_id.empty() && c.boot_id != boot) {
    return FailedPrecondition(
        "recorded before the host rebooted; its namespace is gone (attach it again)");
  }
  // The pin if it is still there, else the path given at attach.
  r.was_pinned = !c.pin_path.empty() && IdentityOf(c.pin_path).ok();
  r.source = r.was_pinned ? c.pin_path : c.netns_path;
  VHSM_ASSIGN_OR_RETURN(r.found, IdentityOf(r.source));
  r.want = NetnsIdentity{c.netns_dev, c.netns_ino, c.netns_cookie, c.boot_id};
  if (r.recorded && (r.found.dev != r.want.dev || r.found.ino != r.want.ino)) {
    return FailedPrecondition(r.source + " is another namespace (" + r.found.ToString() +
                              ") than the one attached (" + r.want.ToString() +
                              "): not serving it; attach it again if it is the same container");
  }
  if (!r.was_pinned) {
    VHSM_ASSIGN_OR_RETURN(c.pin_path, Pin(options_.run_dir, c.name, r.source));
  }
  r.c = std::move(c);
  return r;
}

}  // namespace vhsm::server
