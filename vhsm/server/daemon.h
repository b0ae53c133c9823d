// Daemon: the serving loop. N threads each wait on the Listener (one epoll
// set over the host's and every attached container's socket), read a batch
// from whichever socket is ready and serve it themselves: no hand-off between
// threads, so a one-shot request costs one wake-up, like a raw round trip.
//
// Order: requests of one client (container, sender port id) are served one
// at a time and in arrival order, even when pipelined. The thread that reads
// a client's request while another thread is still serving that client
// queues it behind; the serving thread drains the queue before it lets go.
// Together with the Listener reading a socket from one thread at a time,
// replies to a pipelined client come back in order and one session's
// requests never race. Malformed frames are answered at once with an error.
#ifndef VHSM_SERVER_DAEMON_H_
#define VHSM_SERVER_DAEMON_H_

#include <atomic>
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
  Daemon(transport::Listener* listener, Service* service, SessionManager* sessions,
         int threads);
  ~Daemon();

  // Run serves until Stop(), with `threads` threads (the caller's included).
  void Run();
  // Stop makes Run return soon; thread-safe (not async-signal-safe).
  void Stop();

 private:
  void Loop(bool expire_sessions);
  void Serve(const transport::Incoming& in);
  // Admit returns true when the caller now owns in's client and must serve
  // it (then Drain); false when it was queued behind a thread that does.
  bool Admit(transport::Incoming& in);
  void Drain(const transport::Incoming& first);

  transport::Listener* listener_;
  Service* service_;
  SessionManager* sessions_;
  const int threads_;
  std::atomic<bool> stop_{false};
  std::mutex inflight_mu_;
  // Clients being served, each with the requests that arrived meanwhile.
  std::unordered_map<std::string, std::deque<transport::Incoming>> inflight_;
};

}  // namespace vhsm::server

#endif  // VHSM_SERVER_DAEMON_H_
