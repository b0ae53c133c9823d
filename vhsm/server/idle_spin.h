// IdleSpin: how long the polling thread keeps looking for the next request
// before it sleeps.
//
// On a virtual machine most of a small request's round trip is wake-ups:
// the client's datagram has to wake vhsmd's sleeping thread (an
// inter-processor interrupt and a vCPU coming out of halt), and measured on
// the 2-vCPU development VM that cost as much as serving the request. A
// client that sends its next request soon after its answer (a loop of MACs,
// a pipeline of signatures) finds vhsmd still looking if vhsmd polls for a
// short while after each request instead of sleeping at once.
//
// The policy: after serving, poll without sleeping for up to `spin_ns`.
// Spinning stops paying when requests come further apart than that: after
// kFruitlessLimit windows in a row that caught nothing, IdleSpin stops
// spinning, and starts again once a sleep turns out shorter than spin_ns
// (a request arrived that a spin would have caught). So an idle or sparse
// host spends at most kFruitlessLimit * spin_ns of CPU after a burst, and
// a busy one never sleeps between requests. spin_ns = 0: never spin.
// Not thread-safe: one per polling thread.
#ifndef VHSM_SERVER_IDLE_SPIN_H_
#define VHSM_SERVER_IDLE_SPIN_H_

#include <cstdint>

namespace vhsm::server {

class IdleSpin {
 public:
  static constexpr int kFruitlessLimit = 8;

  explicit IdleSpin(int64_t spin_ns) : spin_ns_(spin_ns < 0 ? 0 : spin_ns) {}

  // Timeout for the next wait, given the time now: 0 while spinning (poll
  // and return at once), else `sleep_ms`.
  int NextTimeout(int64_t now_ns, int sleep_ms);
  // After the wait that NextTimeout's answer was for: whether it brought
  // work, and the time now.
  void Waited(bool got_work, int64_t now_ns);

  bool spinning_enabled() const { return enabled_; }

 private:
  const int64_t spin_ns_;
  bool enabled_ = true;
  bool in_window_ = false;     // polling without sleeping since a request
  int64_t window_end_ns_ = 0;  // when the current window closes
  int64_t sleep_start_ns_ = -1;
  int fruitless_ = 0;  // windows in a row that caught nothing
};

}  // namespace vhsm::server

#endif  // VHSM_SERVER_IDLE_SPIN_H_
