#include "vhsm/server/daemon.h"

#include <functional>

namespace vhsm::server {

Daemon::Daemon(transport::Listener* listener, Service* service, SessionManager* sessions,
               int threads)
    : listener_(listener), service_(service), sessions_(sessions) {
  if (threads > 1) {
    for (int i = 0; i < threads; ++i) {
      workers_.push_back(std::make_unique<Worker>());
    }
    for (auto& w : workers_) {
      Worker* raw = w.get();
      w->thread = std::thread([this, raw] { WorkerLoop(raw); });
    }
  }
}

Daemon::~Daemon() {
  Stop();
  for (auto& w : workers_) {
    {
      std::lock_guard<std::mutex> lock(w->mu);
    }
    w->cv.notify_all();
    if (w->thread.joinable()) w->thread.join();
  }
}

void Daemon::Stop() {
  stop_ = true;
  listener_->Wake();
  for (auto& w : workers_) w->cv.notify_all();
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

void Daemon::WorkerLoop(Worker* w) {
  for (;;) {
    std::deque<transport::Incoming> batch;
    {
      std::unique_lock<std::mutex> lock(w->mu);
      w->cv.wait(lock, [&] { return stop_ || !w->queue.empty(); });
      if (stop_ && w->queue.empty()) return;
      batch.swap(w->queue);
    }
    for (const auto& in : batch) Serve(in);
  }
}

void Daemon::Run() {
  int64_t last_expiry = service_->Now();
  while (!stop_) {
    std::vector<transport::Incoming> batch = listener_->Poll(1000);
    std::vector<bool> touched(workers_.size(), false);
    for (auto& in : batch) {
      if (!in.error.ok()) {
        if (in.has_seq) {
          (void)transport::Listener::Reply(in, Service::ErrorResponse(in.error));
        }
        continue;
      }
      if (workers_.empty()) {
        Serve(in);
        continue;
      }
      size_t h = std::hash<std::string>()(in.container) * 31 + in.sender_port;
      size_t i = h % workers_.size();
      {
        std::lock_guard<std::mutex> lock(workers_[i]->mu);
        workers_[i]->queue.push_back(std::move(in));
      }
      touched[i] = true;
    }
    for (size_t i = 0; i < workers_.size(); ++i) {
      if (touched[i]) workers_[i]->cv.notify_one();
    }
    int64_t now = service_->Now();
    if (now - last_expiry >= 1000) {
      sessions_->ExpireIdle(now);
      last_expiry = now;
    }
  }
}

}  // namespace vhsm::server
