#include "vhsm/server/daemon.h"

namespace vhsm::server {
namespace {

std::string ClientKey(const transport::Incoming& in) {
  std::string key = in.container;
  key.push_back('\0');
  key.append(std::to_string(in.sender_port));
  return key;
}

}  // namespace

Daemon::Daemon(transport::Listener* listener, Service* service, SessionManager* sessions,
               int threads)
    : listener_(listener),
      service_(service),
      sessions_(sessions),
      threads_(threads < 1 ? 1 : threads) {}

Daemon::~Daemon() { Stop(); }

void Daemon::Stop() {
  stop_ = true;
  listener_->Wake();
}

void Daemon::Serve(const transport::Incoming& in) {
  Caller caller;
  caller.client = {in.container, in.sender_port};
  caller.has_creds = in.has_creds;
  caller.pid = in.pid;
  caller.uid = in.uid;
  std::string reply = service_->Handle(caller, in.payload);
  // A client that went away or stopped reading loses its reply; nothing else.
  (void)transport::Listener::Reply(in, reply);
}

bool Daemon::Admit(transport::Incoming& in) {
  std::lock_guard<std::mutex> lock(inflight_mu_);
  auto [it, inserted] = inflight_.try_emplace(ClientKey(in));
  if (!inserted) it->second.push_back(std::move(in));
  return inserted;
}

void Daemon::Drain(const transport::Incoming& first) {
  std::string key = ClientKey(first);
  Serve(first);
  for (;;) {
    transport::Incoming next;
    {
      std::lock_guard<std::mutex> lock(inflight_mu_);
      auto it = inflight_.find(key);
      if (it->second.empty()) {
        inflight_.erase(it);
        return;
      }
      next = std::move(it->second.front());
      it->second.pop_front();
    }
    Serve(next);
  }
}

void Daemon::Loop(bool expire_sessions) {
  int64_t last_expiry = service_->Now();
  std::vector<transport::Incoming> mine;
  while (!stop_) {
    mine.clear();
    listener_->Poll(1000, 32, [&](std::vector<transport::Incoming>& batch) {
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
    for (const auto& in : mine) Drain(in);
    if (expire_sessions) {
      int64_t now = service_->Now();
      if (now - last_expiry >= 1000) {
        sessions_->ExpireIdle(now);
        last_expiry = now;
      }
    }
  }
}

void Daemon::Run() {
  std::vector<std::thread> others;
  for (int i = 1; i < threads_; ++i) {
    others.emplace_back([this] { Loop(false); });
  }
  Loop(true);
  for (auto& t : others) t.join();
}

}  // namespace vhsm::server
