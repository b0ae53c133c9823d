#include "vhsm/server/daemon.h"

#include <string.h>

namespace vhsm::server {
namespace {

std::string ClientKey(const transport::Incoming& in) {
  std::string key = in.container;
  key.push_back('\0');
  key.append(std::to_string(in.sender_port));
  return key;
}

// WipeSecrets clears the passwords and key material a request carried, in
// the parsed message and in the frame payload it came from.
void WipeSecrets(proto::Request* r, std::string* payload) {
  std::string* fields[] = {
      r->has_login() ? r->mutable_login()->mutable_password() : nullptr,
      r->has_user_add() ? r->mutable_user_add()->mutable_password() : nullptr,
      r->has_user_password() ? r->mutable_user_password()->mutable_old_password() : nullptr,
      r->has_user_password() ? r->mutable_user_password()->mutable_new_password() : nullptr,
      r->has_key_import() ? r->mutable_key_import()->mutable_material() : nullptr,
  };
  bool any = false;
  for (std::string* f : fields) {
    if (f != nullptr && !f->empty()) {
      explicit_bzero(f->data(), f->size());
      any = true;
    }
  }
  if (any && !payload->empty()) explicit_bzero(payload->data(), payload->size());
}

// Slow: costs milliseconds (PBKDF2, key generation plus a synced write,
// setns), so it must not run on the polling thread.
bool IsSlow(const proto::Request& r) {
  switch (r.op_case()) {
    case proto::Request::kLogin:
    case proto::Request::kKeyGenerate:
    case proto::Request::kKeyImport:
    case proto::Request::kKeyDelete:
    case proto::Request::kUserAdd:
    case proto::Request::kUserPassword:
    case proto::Request::kUserDelete:
    case proto::Request::kContainerAttach:
    case proto::Request::kContainerDetach:
      return true;
    default:
      return false;
  }
}

}  // namespace

Daemon::Daemon(transport::Listener* listener, Service* service, SessionManager* sessions,
               int workers)
    : listener_(listener),
      service_(service),
      sessions_(sessions),
      workers_(workers < 1 ? 1 : workers) {}

Daemon::~Daemon() {
  Stop();
  for (auto& t : pool_) {
    if (t.joinable()) t.join();
  }
}

void Daemon::Stop() {
  stop_ = true;
  listener_->Wake();
  std::lock_guard<std::mutex> lock(slow_mu_);
  slow_cv_.notify_all();
}

void Daemon::Serve(const transport::Incoming& in, const proto::Request* request) {
  Caller caller;
  caller.client = {in.container, in.sender_port};
  caller.has_creds = in.has_creds;
  caller.pid = in.pid;
  caller.uid = in.uid;
  std::string reply = request != nullptr
                          ? service_->HandleRequest(caller, *request).SerializeAsString()
                          : service_->Handle(caller, in.payload);  // answers the parse error
  // A client that went away or stopped reading loses its reply; nothing else.
  (void)transport::Listener::Reply(in, reply);
}

bool Daemon::Admit(transport::Incoming& in) {
  std::lock_guard<std::mutex> lock(inflight_mu_);
  auto [it, inserted] = inflight_.try_emplace(ClientKey(in));
  if (!inserted) it->second.push_back(std::move(in));
  return inserted;
}

void Daemon::Drain(transport::Incoming current, bool polling_thread) {
  const std::string key = ClientKey(current);
  for (;;) {
    proto::Request request;
    bool parsed = request.ParseFromString(current.payload);
    if (parsed && polling_thread && IsSlow(request)) {
      // Hand the client (this request and what queues behind it) to the pool.
      std::lock_guard<std::mutex> lock(slow_mu_);
      slow_.push_back(std::move(current));
      slow_cv_.notify_one();
      return;
    }
    Serve(current, parsed ? &request : nullptr);
    if (parsed) WipeSecrets(&request, &current.payload);
    std::lock_guard<std::mutex> lock(inflight_mu_);
    auto it = inflight_.find(key);
    if (it->second.empty()) {
      inflight_.erase(it);
      return;
    }
    current = std::move(it->second.front());
    it->second.pop_front();
  }
}

void Daemon::WorkerLoop() {
  for (;;) {
    transport::Incoming in;
    {
      std::unique_lock<std::mutex> lock(slow_mu_);
      slow_cv_.wait(lock, [&] { return stop_ || !slow_.empty(); });
      if (slow_.empty()) return;  // stopping
      in = std::move(slow_.front());
      slow_.pop_front();
    }
    Drain(std::move(in), /*polling_thread=*/false);
  }
}

void Daemon::Loop() {
  int64_t last_expiry = service_->Now();
  std::vector<transport::Incoming> mine;
  while (!stop_) {
    mine.clear();
    listener_->Poll(1000, 64, [&](std::vector<transport::Incoming>& batch) {
      for (auto& in : batch) {
        if (!in.error.ok()) {
          if (in.has_seq) {
            (void)transport::Listener::Reply(in, Service::ErrorResponse(in.error));
          }
        } else if (Admit(in)) {
          mine.push_back(std::move(in));
        }
      }
    });
    for (auto& in : mine) Drain(std::move(in), /*polling_thread=*/true);
    int64_t now = service_->Now();
    if (now - last_expiry >= 1000) {
      sessions_->ExpireIdle(now);
      last_expiry = now;
    }
  }
}

void Daemon::Run() {
  for (int i = 0; i < workers_; ++i) pool_.emplace_back([this] { WorkerLoop(); });
  Loop();
  {
    std::lock_guard<std::mutex> lock(slow_mu_);
    slow_cv_.notify_all();
  }
  for (auto& t : pool_) t.join();
  pool_.clear();
}

}  // namespace vhsm::server
