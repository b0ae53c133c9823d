// RequestLog: vhsmd's one line per request, as JSON lines, that a tenant can
// neither forge nor use to drown the host.
//
// Every field is escaped by nlohmann-json, so a key id or user name full of
// newlines and quotes stays one string inside one line. Lines are written
// by a thread of the log's own, never by the thread serving requests, from
// a bounded queue. Each container has its own rate (a token bucket); lines
// over it are counted, not written, and every summary_ms a line per
// container says how many were suppressed. Misuse: never put a password,
// key material or request data in an entry; names, ids, codes only.
// Thread-safe.
#ifndef VHSM_SERVER_REQUEST_LOG_H_
#define VHSM_SERVER_REQUEST_LOG_H_

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace vhsm::server {

struct LogEntry {
  std::string container;
  pid_t pid = 0;
  uid_t uid = 0;
  std::string user;  // empty: none
  std::string op;
  std::string key;      // empty: none
  std::string result;   // a status code name
  std::string message;  // for failures
};

struct LogOptions {
  double lines_per_second = 50;  // per container
  double burst = 200;            // per container
  size_t max_queue = 8192;       // lines waiting for the writer
  int64_t summary_ms = 10 * 1000;
  std::function<int64_t()> now_ms;  // default: the real clock (unix ms)
};

class RequestLog {
 public:
  // RequestLog writes to out (not owned; stderr in vhsmd).
  RequestLog(FILE* out, LogOptions options);
  // ~RequestLog writes what is queued and the pending summaries, then stops.
  ~RequestLog();
  RequestLog(const RequestLog&) = delete;
  RequestLog& operator=(const RequestLog&) = delete;

  // Write queues one line, unless the container is over its rate or the
  // queue is full (then it is counted as suppressed). Never blocks on I/O.
  void Write(LogEntry entry);
  // Notice queues a daemon line (not rate limited), e.g. a warning.
  void Notice(const std::string& message);
  // Flush returns once every line queued before it is written (tests).
  void Flush();

 private:
  struct Rate {
    double tokens = 0;
    int64_t at_ms = 0;
    uint64_t suppressed = 0;
  };
  int64_t Now() const;
  void Run();
  void SummariesLocked(int64_t now_ms, bool all);

  FILE* out_;
  const LogOptions options_;
  std::mutex mu_;
  std::condition_variable cv_, flushed_cv_;
  std::deque<std::string> queue_;      // formatted lines; guarded by mu_
  std::map<std::string, Rate> rates_;  // guarded by mu_
  uint64_t queue_dropped_ = 0;         // guarded by mu_
  int64_t last_summary_ms_ = 0;        // guarded by mu_
  uint64_t written_ = 0, queued_ = 0;  // guarded by mu_
  bool stop_ = false;                  // guarded by mu_
  std::thread writer_;
};

}  // namespace vhsm::server

#endif  // VHSM_SERVER_REQUEST_LOG_H_
