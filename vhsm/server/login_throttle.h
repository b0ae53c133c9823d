// LoginThrottle: how many password guesses anyone gets, without letting a
// neighbour lock the owner out.
//
// Three budgets, all in memory, all keyed by what the kernel says about the
// sender (its container and uid; a pid is no identity, since anyone can
// fork) and never by anything the request claims:
//  - per (container, user, uid): one failure is free, then each failure
//    doubles a delay (base_delay_ms .. max_delay_ms); lockout_failures
//    failures lock that uid out of that user for lockout_ms. The lock-out
//    ends by itself and resets the count. Guesses from one uid never delay
//    the same user logging in from another uid.
//  - per (container, uid): the caller's own budget over every user name
//    (a token bucket), so cycling through names, existing or not, gains
//    nothing.
//  - per (container, user): a ceiling over all senders (a token bucket),
//    which bounds the total guessing rate however many uids guess. Uids
//    that logged in as the user successfully before are exempt, so an
//    attacker who drains it slows other guessers, never the owner.
//  - per container: a ceiling over every (user, uid) pair not yet trusted,
//    so a tenant that takes a fresh uid and a fresh name for every guess
//    still gets only so many PBKDF2 computations per second out of vhsmd.
// An attempt is admitted by Begin(), which reserves the tokens; Succeeded()
// refunds them, Failed() keeps them and counts the failure. Refusals say
// only when to try again: the same for existing and unknown users.
// Thread-safe.
#ifndef VHSM_SERVER_LOGIN_THROTTLE_H_
#define VHSM_SERVER_LOGIN_THROTTLE_H_

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "vhsm/base/status.h"

namespace vhsm::server {

struct ThrottleOptions {
  int32_t free_failures = 1;  // one typo costs nothing
  int64_t base_delay_ms = 250;
  int64_t max_delay_ms = 60 * 1000;
  int32_t lockout_failures = 10;
  int64_t lockout_ms = 15 * 60 * 1000;
  // Per (container, uid): burst, then one more guess every N ms.
  double sender_burst = 30;
  int64_t sender_refill_ms = 5 * 1000;
  // Per (container, user) over all senders not yet trusted.
  double user_burst = 30;
  int64_t user_refill_ms = 30 * 1000;
  size_t trusted_uids_per_user = 8;
  // Per container over all untrusted attempts.
  double container_burst = 60;
  int64_t container_refill_ms = 500;
  // Entries kept per container before new senders are refused.
  size_t max_entries_per_container = 4096;
};

class LoginThrottle {
 public:
  explicit LoginThrottle(ThrottleOptions options) : options_(options) {}

  // Begin admits one password check by uid for (container, user) at now_ms,
  // or returns ResourceExhausted("login throttled ... try again in N s").
  // An admitted attempt must end with Succeeded or Failed.
  Status Begin(const std::string& container, const std::string& user, uid_t uid, int64_t now_ms);
  void Succeeded(const std::string& container, const std::string& user, uid_t uid, int64_t now_ms);
  void Failed(const std::string& container, const std::string& user, uid_t uid, int64_t now_ms);
  // LockedUntil: when the lock-out of (container, user) for uid ends (unix
  // ms), or 0 when it is not locked out (short delays between guesses are
  // not a lock-out).
  int64_t LockedUntil(const std::string& container, const std::string& user, uid_t uid,
                      int64_t now_ms);
  // Forget drops everything about (container, user) (user deleted).
  void Forget(const std::string& container, const std::string& user);
  // Sweep forgets entries that have fully recovered; returns how many remain.
  size_t Sweep(int64_t now_ms);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t at_ms = 0;
  };
  struct PerSenderUser {  // (container, user, uid)
    int32_t failures = 0;
    int64_t not_before_ms = 0;
    int64_t locked_until_ms = 0;
  };
  struct PerUser {  // (container, user)
    Bucket bucket;
    std::deque<uid_t> trusted;  // most recent last
  };

  static double Refill(Bucket& b, double burst, int64_t refill_ms, int64_t now_ms);
  static std::string Key(const std::string& container, const std::string& user, uid_t uid);
  bool Trusted(const PerUser& u, uid_t uid) const;
  size_t& Entries(const std::string& container) { return entries_[container]; }

  const ThrottleOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, PerSenderUser> sender_user_;  // guarded by mu_
  std::unordered_map<std::string, Bucket> sender_;              // guarded by mu_
  std::unordered_map<std::string, PerUser> user_;               // guarded by mu_
  std::unordered_map<std::string, Bucket> container_;           // guarded by mu_
  std::unordered_map<std::string, size_t> entries_;             // guarded by mu_
};

}  // namespace vhsm::server

#endif  // VHSM_SERVER_LOGIN_THROTTLE_H_
