#include "vhsm/server/daemon.h"

#include <sched.h>
#include <string.h>

#include "vhsm/base/monotonic.h"
#include "vhsm/server/idle_spin.h"

namespace vhsm::server {
namespace {

// Fast requests a worker serves for one client before giving the client
// its turn back (the rest wait in the fair queue like everyone's).
constexpr int kFastPerWorkerTurn = 32;

void WipeSecrets(proto::Request* r) { Service::WipeSecrets(r); }

bool IsSlow(const proto::Request& r) { return Service::IsSlow(r); }

}  // namespace

Daemon::Daemon(transport::Listener* listener, Service* service, SessionManager* sessions,
               RequestScheduler* scheduler, int workers, int64_t spin_ns)
    : listener_(listener),
      service_(service),
      sessions_(sessions),
      scheduler_(scheduler),
      workers_(workers < 1 ? 1 : workers),
      spin_ns_(spin_ns) {}

Daemon::~Daemon() {
  Stop();
  for (auto& t : pool_) {
    if (t.joinable()) t.join();
  }
}

void Daemon::Stop() {
  stop_ = true;
  listener_->Wake();
  scheduler_->Stop();
}

void Daemon::Answer(const transport::Incoming& in, const std::string& reply) {
  Status sent = transport::Listener::Reply(in, reply);
  if (sent.code() == StatusCode::kInvalidArgument) {
    // The answer does not fit in a frame: say so rather than leave the
    // client waiting (lists page, so this is a bug if it ever happens).
    sent = transport::Listener::Reply(
        in, Service::ErrorResponse(Internal("the answer does not fit in a frame")));
  }
  std::string key = RequestScheduler::ClientKey(in);
  if (sent.ok()) {
    scheduler_->ReplyDelivered(key);
  } else if (scheduler_->ReplyDropped(key, service_->Now())) {
    // It does not read its replies: it keeps no session to come back to.
    sessions_->CloseClient({in.container, in.sender_port});
  }
}

bool Daemon::Serve(transport::Incoming& in, proto::Request* request, bool polling_thread) {
  Caller caller;
  caller.client = {in.container, in.sender_port};
  caller.has_creds = in.has_creds;
  caller.pid = in.pid;
  caller.uid = in.uid;
  std::string reply;
  if (in.opened) {
    reply = service_->HandleOpened(caller, &in.payload).SerializeAsString();
  } else if (request != nullptr) {
    std::string deferred;
    proto::Response r =
        service_->HandleRequest(caller, *request, polling_thread ? &deferred : nullptr);
    if (!deferred.empty()) {
      // Slow once its key was known: a worker runs it, opened.
      WipeIncoming(&in);
      in.payload = std::move(deferred);
      in.opened = true;
      return false;
    }
    reply = r.SerializeAsString();
  } else {
    reply = service_->Handle(caller, in.payload);  // answers the parse error
  }
  Answer(in, reply);
  if (!reply.empty()) explicit_bzero(reply.data(), reply.size());
  return true;
}

void Daemon::ServeClient(transport::Incoming in, bool polling_thread) {
  const std::string key = RequestScheduler::ClientKey(in);
  for (int served = 0;; ++served) {
    proto::Request request;
    bool parsed = !in.opened && request.ParseFromString(in.payload);
    bool slow = in.opened || (parsed && IsSlow(request));
    // A worker serves the request it popped from the fair queue, then fast
    // ones for a while; the polling thread serves fast ones only. Anything
    // else goes (back) to the fair queue with what queues behind it.
    bool hand_over = polling_thread ? slow : served > 0 && (slow || served >= kFastPerWorkerTurn);
    if (!hand_over) {
      bool counted = !polling_thread && served == 0;  // PopSlow counted it as running
      if (counted && !slow) scheduler_->SlowDone(in.container);
      // On the polling thread a request may turn out slow once opened (a
      // signature with an RSA key): it goes to the workers like the others.
      hand_over = !Serve(in, parsed ? &request : nullptr, polling_thread);
      if (counted && slow) scheduler_->SlowDone(in.container);
    }
    WipeSecrets(&request);
    if (hand_over) {
      Status pushed = scheduler_->PushSlow(in);
      if (pushed.ok()) return;
      Answer(in, Service::ErrorResponse(pushed));
    }
    WipeIncoming(&in);
    std::optional<transport::Incoming> next = scheduler_->Next(key);
    if (!next) return;
    in = std::move(*next);
  }
}

void Daemon::WorkerLoop() {
  transport::Incoming in;
  while (scheduler_->PopSlow(&in)) {
    ServeClient(std::move(in), /*polling_thread=*/false);
    in = transport::Incoming();
  }
}

void Daemon::Loop() {
  int64_t last_sweep = service_->Now();
  transport::Listener::PollLimits limits;
  IdleSpin spin(spin_ns_);
  while (!stop_) {
    bool got = false;
    int timeout_ms = spin.NextTimeout(MonotonicNs(), 1000);
    // Spinning, let anything runnable here go first (a client with its
    // reply, the audit writer): the spin only takes time nobody wants.
    if (timeout_ms == 0) sched_yield();
    listener_->Poll(timeout_ms, limits, [&](std::vector<transport::Incoming>& batch) {
      got = true;
      for (auto& in : batch) {
        if (!in.error.ok()) {
          if (in.has_seq) Answer(in, Service::ErrorResponse(in.error));
          continue;
        }
        if (scheduler_->Shed(RequestScheduler::ClientKey(in), service_->Now())) {
          WipeIncoming(&in);  // it reads none of its replies: serve it no more
          continue;
        }
        Result<RequestScheduler::Admission> admitted = scheduler_->Admit(in);
        if (!admitted.ok()) {
          Answer(in, Service::ErrorResponse(admitted.status()));
          WipeIncoming(&in);
        } else if (*admitted == RequestScheduler::Admission::kServeNow) {
          ServeClient(std::move(in), /*polling_thread=*/true);
        }
      }
    });
    spin.Waited(got, MonotonicNs());
    int64_t now = service_->Now();
    if (now - last_sweep >= 1000) {
      sessions_->ExpireIdle(now);
      service_->Sweep(now);
      scheduler_->Sweep(now, 60 * 1000);
      last_sweep = now;
    }
  }
}

void Daemon::Run() {
  for (int i = 0; i < workers_; ++i) pool_.emplace_back([this] { WorkerLoop(); });
  Loop();
  scheduler_->Stop();
  for (auto& t : pool_) t.join();
  pool_.clear();
}

}  // namespace vhsm::server
