// Daemon: the serving loop.
//
// One polling thread waits on the Listener (one epoll set over the host's
// and every attached container's socket) and gives each ready socket one
// bounded turn (a few datagrams, at most ~64 KiB), serving fast requests
// itself: no hand-off between threads, so a one-shot request costs one
// wake-up, and a container that floods its socket gets one turn per round
// like every other. Replies never wait: a client that does not read loses
// its replies and, past a limit, its sessions. After serving, the polling
// thread looks for the next request a little while before it sleeps
// (IdleSpin): a client calling back to back then costs no wake-up.
//
// Slow requests (login and password changes with their PBKDF2, user
// creation, key generation, attaching a container) go to a pool of worker
// threads through the RequestScheduler: fair across containers, bounded per
// client and per container.
//
// Order: requests of one client (container, sender port id) are served one
// at a time and in arrival order, even when pipelined. Malformed frames are
// answered at once with an error. Every request's payload and parsed
// message are wiped once served.
#ifndef VHSM_SERVER_DAEMON_H_
#define VHSM_SERVER_DAEMON_H_

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "vhsm/server/request_scheduler.h"
#include "vhsm/server/service.h"
#include "vhsm/server/session.h"
#include "vhsm/transport/listener.h"

namespace vhsm::server {

class Daemon {
 public:
  // workers: threads for slow requests (at least 1). spin_ns: how long
  // the polling thread looks for the next request before sleeping
  // (IdleSpin; 0: never).
  Daemon(transport::Listener* listener, Service* service, SessionManager* sessions,
         RequestScheduler* scheduler, int workers, int64_t spin_ns = 0);
  ~Daemon();

  // Run serves until Stop(); the calling thread is the polling thread.
  void Run();
  // Stop makes Run return soon; thread-safe (not async-signal-safe).
  void Stop();

 private:
  void Loop();
  void WorkerLoop();
  // ServeClient serves `in` and then whatever queued up for its client. On
  // the polling thread it hands the client to the workers at the first slow
  // request; on a worker, after `in` it serves a bounded number of fast
  // requests and then gives the client its turn back.
  void ServeClient(transport::Incoming in, bool polling_thread);
  // Serve answers `in` (a request or, on a worker, one the polling thread
  // opened); false when, on the polling thread, it turned out slow and `in`
  // now holds it opened, for the workers.
  bool Serve(transport::Incoming& in, proto::Request* request, bool polling_thread);
  void Answer(const transport::Incoming& in, const std::string& reply);

  transport::Listener* listener_;
  Service* service_;
  SessionManager* sessions_;
  RequestScheduler* scheduler_;
  const int workers_;
  const int64_t spin_ns_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> pool_;
};

}  // namespace vhsm::server

#endif  // VHSM_SERVER_DAEMON_H_
