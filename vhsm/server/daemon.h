// Daemon: the serving loop. One thread polls every socket of the Listener
// (epoll) and hands each batch of requests to worker threads; requests from
// one client (container, port id) always go to the same worker, so the
// replies to a pipelined client come back in order and one session's
// requests never race. With one thread, requests run on the polling thread
// itself (no hand-off latency). Malformed frames are answered on the
// polling thread with an error response and never reach a worker.
#ifndef VHSM_SERVER_DAEMON_H_
#define VHSM_SERVER_DAEMON_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "vhsm/server/service.h"
#include "vhsm/server/session.h"
#include "vhsm/transport/listener.h"

namespace vhsm::server {

class Daemon {
 public:
  Daemon(transport::Listener* listener, Service* service, SessionManager* sessions,
         int threads);
  ~Daemon();

  // Run serves until Stop(); call from one thread.
  void Run();
  // Stop makes Run return soon; thread-safe and async-signal-unsafe.
  void Stop();

 private:
  struct Worker {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<transport::Incoming> queue;  // guarded by mu
    std::thread thread;
  };
  void Serve(const transport::Incoming& in);
  void WorkerLoop(Worker* w);

  transport::Listener* listener_;
  Service* service_;
  SessionManager* sessions_;
  std::atomic<bool> stop_{false};
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace vhsm::server

#endif  // VHSM_SERVER_DAEMON_H_
