// RequestScheduler: who is served next, so that no tenant can take service
// from another.
//
// Requests of one client (container, sender port id) are served one at a
// time and in arrival order. Whoever is handed a client's request by
// Admit() owns that client until Next() returns nothing; what arrives
// meanwhile waits in the client's queue, which is bounded in requests (per
// client) and in bytes (per container and globally, through the
// ResourceLedger). Past a bound the request is refused at once with an
// error naming the limit, and nothing else changes.
//
// Slow work (PBKDF2, key generation, container changes) waits in one queue
// per container; workers take it round-robin over containers, with at most
// slow_per_container requests of one container running at a time, so one
// container flooding logins delays another's login by about one slow
// request per worker, never more.
//
// Replies a client does not read are counted: past max_dropped_replies in a
// row, ReplyDropped() says so, and the daemon ends that client's sessions.
// Thread-safe.
#ifndef VHSM_SERVER_REQUEST_SCHEDULER_H_
#define VHSM_SERVER_REQUEST_SCHEDULER_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "vhsm/base/status.h"
#include "vhsm/server/resource_ledger.h"
#include "vhsm/transport/listener.h"

namespace vhsm::server {

struct SchedulerOptions {
  size_t max_queued_per_client = 128;
  size_t slow_per_container = 1;
  size_t max_dropped_replies = 256;
  // After this many lost replies in a row a client is shed: only one in
  // shed_sample of its requests is served (to notice when it reads again),
  // the rest are dropped unread, so a flood that is never read costs the
  // daemon a receive each, not a service.
  size_t shed_after = 32;
  size_t shed_sample = 16;
  int64_t shed_quiet_ms = 100;
};

class RequestScheduler {
 public:
  RequestScheduler(SchedulerOptions options, ResourceLedger* ledger);
  ~RequestScheduler();

  static std::string ClientKey(const transport::Incoming& in);

  enum class Admission { kServeNow, kQueued };
  // Admit: kServeNow when the caller now owns in's client (serve `in`, then
  // call Next); kQueued when `in` was moved into the client's queue;
  // ResourceExhausted (in untouched) when a bound is reached.
  Result<Admission> Admit(transport::Incoming& in);
  // Next: for the owner of a client after serving one request: the next
  // queued request (still owned), or nullopt (the client is released).
  std::optional<transport::Incoming> Next(const std::string& client_key);

  // PushSlow hands an owned client's request to the workers; ownership goes
  // with it. ResourceExhausted (in untouched, still owned) past the
  // container's queued-bytes bound.
  Status PushSlow(transport::Incoming& in);
  // PopSlow waits for slow work (false once stopping). The caller owns the
  // client and must call SlowDone(container) when the slow request is done.
  bool PopSlow(transport::Incoming* out);
  void SlowDone(const std::string& container);
  void Stop();

  // ReplyDropped counts a lost reply; true once max_dropped_replies were
  // lost in a row (the count restarts). ReplyDelivered resets the count.
  bool ReplyDropped(const std::string& client_key, int64_t now_ms);
  void ReplyDelivered(const std::string& client_key);
  // Shed: true when this request of a shed client is to be dropped unserved.
  // A client whose last reply was lost more than shed_quiet_ms ago is
  // served again (it may have started reading).
  bool Shed(const std::string& client_key, int64_t now_ms);
  // Sweep forgets drop counts untouched for idle_ms.
  void Sweep(int64_t now_ms, int64_t idle_ms);

  size_t clients_in_flight() const;

 private:
  struct Queued {
    transport::Incoming in;
    ResourceLedger::Token bytes;
  };
  struct Slow {
    std::deque<Queued> waiting;  // one head request per client
    size_t running = 0;
  };
  static size_t Cost(const transport::Incoming& in);

  SchedulerOptions options_;
  ResourceLedger* ledger_;

  mutable std::mutex mu_;
  std::unordered_map<std::string, std::deque<Queued>> clients_;  // owned clients; guarded by mu_

  std::mutex slow_mu_;
  std::condition_variable slow_cv_;
  std::unordered_map<std::string, Slow> slow_;  // by container; guarded by slow_mu_
  std::list<std::string> turn_;                 // containers with waiting work, in turn order
  bool stop_ = false;                           // guarded by slow_mu_

  std::mutex drop_mu_;
  struct Drops {
    size_t count = 0;
    size_t since_closed = 0;  // drops since the last time its sessions ended
    size_t skipped = 0;
    int64_t at_ms = 0;
  };
  std::unordered_map<std::string, Drops> drops_;  // guarded by drop_mu_
};

// WipeIncoming clears a request's payload (it may carry a password).
void WipeIncoming(transport::Incoming* in);

}  // namespace vhsm::server

#endif  // VHSM_SERVER_REQUEST_SCHEDULER_H_
