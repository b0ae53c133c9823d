#include "vhsm/server/request_log.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

namespace vhsm::server {
namespace {

// Replace instead of throwing on invalid UTF-8: names are validated before
// they are logged, but a line must never be lost to an exception.
std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

RequestLog::RequestLog(FILE* out, LogOptions options) : out_(out), options_(std::move(options)) {
  last_summary_ms_ = Now();
  writer_ = std::thread([this] { Run(); });
}

RequestLog::~RequestLog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  writer_.join();
}

int64_t RequestLog::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void RequestLog::Write(LogEntry e) {
  int64_t now = Now();
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = rates_.try_emplace(e.container);
  Rate& r = it->second;
  if (inserted) {
    r.tokens = options_.burst;
    r.at_ms = now;
  } else if (now > r.at_ms) {
    r.tokens = std::min(options_.burst, r.tokens + static_cast<double>(now - r.at_ms) *
                                                       options_.lines_per_second / 1000.0);
    r.at_ms = now;
  }
  if (r.tokens < 1) {
    ++r.suppressed;
    return;
  }
  if (queue_.size() >= options_.max_queue) {
    ++queue_dropped_;
    return;
  }
  r.tokens -= 1;
  nlohmann::json j = {{"ts_ms", now},
                      {"container", e.container},
                      {"pid", e.pid},
                      {"uid", e.uid},
                      {"user", e.user.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.user)},
                      {"op", e.op},
                      {"key", e.key.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.key)},
                      {"result", e.result}};
  if (!e.message.empty()) j["message"] = e.message;
  queue_.push_back(Dump(j));
  ++queued_;
  cv_.notify_one();
}

void RequestLog::Notice(const std::string& message) {
  nlohmann::json j = {{"ts_ms", Now()}, {"notice", message}};
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back(Dump(j));
  ++queued_;
  cv_.notify_one();
}

void RequestLog::SummariesLocked(int64_t now_ms, bool all) {
  if (!all && now_ms - last_summary_ms_ < options_.summary_ms) return;
  last_summary_ms_ = now_ms;
  for (auto it = rates_.begin(); it != rates_.end();) {
    Rate& r = it->second;
    if (r.suppressed != 0) {
      nlohmann::json j = {{"ts_ms", now_ms},
                          {"container", it->first},
                          {"suppressed", r.suppressed},
                          {"notice", std::to_string(r.suppressed) + " lines suppressed"}};
      queue_.push_back(Dump(j));
      ++queued_;
      r.suppressed = 0;
    }
    // Forget containers whose bucket is full again: idle tenants cost nothing.
    bool full =
        r.tokens + static_cast<double>(now_ms - r.at_ms) * options_.lines_per_second / 1000.0 >=
        options_.burst;
    it = full ? rates_.erase(it) : std::next(it);
  }
  if (queue_dropped_ != 0) {
    nlohmann::json j = {
        {"ts_ms", now_ms},
        {"suppressed", queue_dropped_},
        {"notice", std::to_string(queue_dropped_) + " lines suppressed (log queue full)"}};
    queue_.push_back(Dump(j));
    ++queued_;
    queue_dropped_ = 0;
  }
}

void RequestLog::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(1, options_.summary_ms)),
                 [&] { return stop_ || !queue_.empty(); });
    SummariesLocked(Now(), stop_);
    std::deque<std::string> lines;
    lines.swap(queue_);
    if (lines.empty() && stop_) return;
    lock.unlock();
    for (const std::string& line : lines) {
      std::fwrite(line.data(), 1, line.size(), out_);
      std::fputc('\n', out_);
    }
    std::fflush(out_);
    lock.lock();
    written_ += lines.size();
    flushed_cv_.notify_all();
  }
}

void RequestLog::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t target = queued_;
  cv_.notify_one();
  flushed_cv_.wait(lock, [&] { return written_ >= target; });
}

}  // namespace vhsm::server
