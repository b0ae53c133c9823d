// Daemon: the serving loop.
//
// One polling thread waits on the Listener (one epoll set over the host's and
// every attached container's socket), reads a batch from whichever socket is
// ready and serves fast requests itself: no hand-off between threads, so a
// one-shot request costs one wake-up, like a raw round trip, and several
// clients' requests that arrive together are served in one wake-up. Slow
// requests (login and password changes with their PBKDF2, user creation, key
// generation, attaching a container) go to a pool of worker threads, so one
// tenant's login never stalls another tenant's MAC.
//
// Order: requests of one client (container, sender port id) are served one
// at a time and in arrival order, even when pipelined. Whoever serves a
// client also serves what arrived for it meanwhile; a client whose next
// request is slow is handed to the pool as a whole. Malformed frames are
// answered at once with an error.
#ifndef VHSM_SERVER_DAEMON_H_
#define VHSM_SERVER_DAEMON_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "vhsm/server/service.h"
#include "vhsm/server/session.h"
#include "vhsm/transport/listener.h"

namespace vhsm::server {

class Daemon {
 public:
  // workers: threads for slow requests (at least 1).
  Daemon(transport::Listener* listener, Service* service, SessionManager* sessions,
         int workers);
  ~Daemon();

  // Run serves until Stop(); the calling thread is the polling thread.
  void Run();
  // Stop makes Run return soon; thread-safe (not async-signal-safe).
  void Stop();

 private:
  void Loop();
  void WorkerLoop();
  // Drain serves `first` and then whatever queued up for its client; on the
  // polling thread it hands the client to the pool at the first slow request.
  void Drain(transport::Incoming first, bool polling_thread);
  // Admit returns true when the caller now owns in's client and must Drain
  // it; false when it was queued behind whoever does.
  bool Admit(transport::Incoming& in);
  void Serve(const transport::Incoming& in, const proto::Request* request);

  transport::Listener* listener_;
  Service* service_;
  SessionManager* sessions_;
  const int workers_;
  std::atomic<bool> stop_{false};

  std::mutex inflight_mu_;
  // Clients being served, each with the requests that arrived meanwhile.
  std::unordered_map<std::string, std::deque<transport::Incoming>> inflight_;

  std::mutex slow_mu_;
  std::condition_variable slow_cv_;
  std::deque<transport::Incoming> slow_;  // clients handed to the pool
  std::vector<std::thread> pool_;
};

}  // namespace vhsm::server

#endif  // VHSM_SERVER_DAEMON_H_
