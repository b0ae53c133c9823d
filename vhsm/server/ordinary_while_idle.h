// OrdinaryWhileIdle: for the span of a scope, an idle-class (SCHED_IDLE)
// thread runs as an ordinary one (SCHED_OTHER), and goes back to idle at
// its end.
//
// vhsmd's background threads that only use time nobody else wants run
// idle-class; the audit log's writer is one. But when such a thread takes a
// lock that requests need (the store's, while it writes a batch), a machine
// kept busy (a tenant's processes spinning on every CPU) leaves it a sliver
// of CPU with the lock held, and every request needing the store waits
// seconds behind it: a priority inversion that Linux's mutexes do not
// resolve for these classes. Holding such a lock, the thread runs as an
// ordinary one.
//
// `keep` (may be null): when it is true at the end of the scope, the thread
// stays ordinary (something raised it for good meanwhile: the audit log's
// full-queue boost). On a thread that is not idle-class, it does nothing.
#ifndef VHSM_SERVER_ORDINARY_WHILE_IDLE_H_
#define VHSM_SERVER_ORDINARY_WHILE_IDLE_H_

#include <pthread.h>
#include <sched.h>

#include <atomic>

namespace vhsm::server {

class OrdinaryWhileIdle {
 public:
  explicit OrdinaryWhileIdle(const std::atomic<bool>* keep = nullptr) : keep_(keep) {
    if (sched_getscheduler(0) != SCHED_IDLE) return;
    sched_param param{};
    raised_ = pthread_setschedparam(pthread_self(), SCHED_OTHER, &param) == 0;
  }
  ~OrdinaryWhileIdle() {
    if (!raised_ || (keep_ != nullptr && keep_->load())) return;
    sched_param param{};
    (void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &param);
  }
  OrdinaryWhileIdle(const OrdinaryWhileIdle&) = delete;
  OrdinaryWhileIdle& operator=(const OrdinaryWhileIdle&) = delete;

  bool raised() const { return raised_; }

 private:
  const std::atomic<bool>* keep_;
  bool raised_ = false;  // raised here, to go back to idle at the end
};

}  // namespace vhsm::server

#endif  // VHSM_SERVER_ORDINARY_WHILE_IDLE_H_
