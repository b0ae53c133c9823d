#include "vhsm/server/request_scheduler.h"

#include <string.h>

namespace vhsm::server {

void WipeIncoming(transport::Incoming* in) {
  if (!in->payload.empty()) explicit_bzero(in->payload.data(), in->payload.size());
}

RequestScheduler::RequestScheduler(SchedulerOptions options, ResourceLedger* ledger)
    : options_(options), ledger_(ledger) {
  if (options_.slow_per_container == 0) options_.slow_per_container = 1;
}

RequestScheduler::~RequestScheduler() {
  Stop();
  for (auto& [key, q] : clients_) {
    for (Queued& item : q) WipeIncoming(&item.in);
  }
  for (auto& [c, slow] : slow_) {
    for (Queued& item : slow.waiting) WipeIncoming(&item.in);
  }
}

std::string RequestScheduler::ClientKey(const transport::Incoming& in) {
  std::string key = in.container;
  key.push_back('\0');
  key.append(std::to_string(in.sender_port));
  return key;
}

size_t RequestScheduler::Cost(const transport::Incoming& in) {
  // The payload plus what holding it costs besides (strings, deque slot).
  return in.payload.capacity() + sizeof(Queued) + in.container.capacity() + 64;
}

Result<RequestScheduler::Admission> RequestScheduler::Admit(transport::Incoming& in) {
  std::string key = ClientKey(in);
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = clients_.try_emplace(key);
  if (inserted) return Admission::kServeNow;
  if (it->second.size() >= options_.max_queued_per_client) {
    return ResourceExhausted("this client has " + std::to_string(it->second.size()) +
                             " requests waiting, the limit (max-queued-requests = " +
                             std::to_string(options_.max_queued_per_client) +
                             "); read the replies before sending more");
  }
  size_t cost = Cost(in);
  VHSM_ASSIGN_OR_RETURN(ResourceLedger::Token bytes,
                        ledger_->Take(in.container, Resource::kQueuedBytes, cost, cost));
  it->second.push_back(Queued{std::move(in), std::move(bytes)});
  return Admission::kQueued;
}

std::optional<transport::Incoming> RequestScheduler::Next(const std::string& client_key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = clients_.find(client_key);
  if (it == clients_.end()) return std::nullopt;
  if (it->second.empty()) {
    clients_.erase(it);
    return std::nullopt;
  }
  transport::Incoming in = std::move(it->second.front().in);
  it->second.pop_front();  // releases its bytes
  return in;
}

Status RequestScheduler::PushSlow(transport::Incoming& in) {
  size_t cost = Cost(in);
  VHSM_ASSIGN_OR_RETURN(ResourceLedger::Token bytes,
                        ledger_->Take(in.container, Resource::kQueuedBytes, cost, cost));
  std::lock_guard<std::mutex> lock(slow_mu_);
  Slow& slow = slow_[in.container];
  if (slow.waiting.empty()) turn_.push_back(in.container);
  std::string container = in.container;
  slow.waiting.push_back(Queued{std::move(in), std::move(bytes)});
  slow_cv_.notify_one();
  return Status::Ok();
}

bool RequestScheduler::PopSlow(transport::Incoming* out) {
  std::unique_lock<std::mutex> lock(slow_mu_);
  for (;;) {
    if (stop_) return false;
    // The first container in turn order that is under its concurrency cap;
    // it goes to the back of the line after this turn.
    for (auto t = turn_.begin(); t != turn_.end(); ++t) {
      Slow& slow = slow_[*t];
      if (slow.running >= options_.slow_per_container) continue;
      *out = std::move(slow.waiting.front().in);
      slow.waiting.pop_front();
      ++slow.running;
      std::string container = *t;
      turn_.erase(t);
      if (!slow.waiting.empty()) turn_.push_back(container);
      return true;
    }
    slow_cv_.wait(lock);
  }
}

void RequestScheduler::SlowDone(const std::string& container) {
  std::lock_guard<std::mutex> lock(slow_mu_);
  auto it = slow_.find(container);
  if (it == slow_.end()) return;
  --it->second.running;
  if (it->second.running == 0 && it->second.waiting.empty()) slow_.erase(it);
  slow_cv_.notify_all();  // a capped container may be runnable again
}

void RequestScheduler::Stop() {
  std::lock_guard<std::mutex> lock(slow_mu_);
  stop_ = true;
  slow_cv_.notify_all();
}

bool RequestScheduler::ReplyDropped(const std::string& client_key, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(drop_mu_);
  Drops& d = drops_[client_key];
  d.at_ms = now_ms;
  ++d.count;
  if (++d.since_closed < options_.max_dropped_replies) return false;
  d.since_closed = 0;
  return true;
}

bool RequestScheduler::Shed(const std::string& client_key, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(drop_mu_);
  if (drops_.empty()) return false;
  auto it = drops_.find(client_key);
  if (it == drops_.end() || it->second.count < options_.shed_after) return false;
  if (now_ms - it->second.at_ms > options_.shed_quiet_ms) return false;
  return ++it->second.skipped % options_.shed_sample != 0;
}

void RequestScheduler::ReplyDelivered(const std::string& client_key) {
  std::lock_guard<std::mutex> lock(drop_mu_);
  if (drops_.empty()) return;
  drops_.erase(client_key);
}

void RequestScheduler::Sweep(int64_t now_ms, int64_t idle_ms) {
  std::lock_guard<std::mutex> lock(drop_mu_);
  for (auto it = drops_.begin(); it != drops_.end();) {
    it = now_ms - it->second.at_ms > idle_ms ? drops_.erase(it) : std::next(it);
  }
}

size_t RequestScheduler::clients_in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return clients_.size();
}

}  // namespace vhsm::server
