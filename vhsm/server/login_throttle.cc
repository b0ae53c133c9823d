#include "vhsm/server/login_throttle.h"

#include <algorithm>
#include <cmath>

namespace vhsm::server {
namespace {

Status Refuse(int64_t wait_ms) {
  int64_t wait_s = std::max<int64_t>(1, (wait_ms + 999) / 1000);
  return ResourceExhausted("login throttled after failed logins; try again in " +
                           std::to_string(wait_s) + " s");
}

std::string ContainerOf(const std::string& key) { return key.substr(0, key.find('\0')); }

}  // namespace

std::string LoginThrottle::Key(const std::string& container, const std::string& user, uid_t uid) {
  std::string key = container;
  key.push_back('\0');
  key.append(user);
  key.push_back('\0');
  key.append(std::to_string(uid));
  return key;
}

double LoginThrottle::Refill(Bucket& b, double burst, int64_t refill_ms, int64_t now_ms) {
  if (now_ms > b.at_ms) {
    b.tokens = std::min(
        burst, b.tokens + static_cast<double>(now_ms - b.at_ms) / static_cast<double>(refill_ms));
    b.at_ms = now_ms;
  }
  return b.tokens;
}

bool LoginThrottle::Trusted(const PerUser& u, uid_t uid) const {
  return std::find(u.trusted.begin(), u.trusted.end(), uid) != u.trusted.end();
}

int64_t LoginThrottle::LockedUntil(const std::string& container, const std::string& user, uid_t uid,
                                   int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto su = sender_user_.find(Key(container, user, uid));
  if (su == sender_user_.end() || su->second.locked_until_ms <= now_ms) return 0;
  return su->second.locked_until_ms;
}

Status LoginThrottle::Begin(const std::string& container, const std::string& user, uid_t uid,
                            int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto su = sender_user_.find(Key(container, user, uid));
  if (su != sender_user_.end()) {
    PerSenderUser& e = su->second;
    if (e.locked_until_ms != 0 && now_ms >= e.locked_until_ms) {
      e = PerSenderUser{};  // the lock-out is over, and so is its count
    }
    if (e.locked_until_ms > now_ms) return Refuse(e.locked_until_ms - now_ms);
    if (e.not_before_ms > now_ms) return Refuse(e.not_before_ms - now_ms);
  }
  std::string sender_key = Key(container, "", uid);
  std::string user_key = Key(container, user, 0);
  auto sb = sender_.find(sender_key);
  auto pu = user_.find(user_key);
  size_t fresh = (sb == sender_.end()) + (pu == user_.end());
  if (fresh != 0 && Entries(container) + fresh > options_.max_entries_per_container) {
    return Refuse(options_.sender_refill_ms);  // too many guessers at once in here
  }
  if (sb == sender_.end()) {
    sb = sender_.emplace(sender_key, Bucket{options_.sender_burst, now_ms}).first;
    ++Entries(container);
  }
  if (pu == user_.end()) {
    pu = user_.emplace(user_key, PerUser{Bucket{options_.user_burst, now_ms}, {}}).first;
    ++Entries(container);
  }
  Bucket& sender = sb->second;
  if (Refill(sender, options_.sender_burst, options_.sender_refill_ms, now_ms) < 1) {
    return Refuse(static_cast<int64_t>((1 - sender.tokens) * options_.sender_refill_ms));
  }
  bool trusted = Trusted(pu->second, uid);
  Bucket& ceiling = pu->second.bucket;
  if (!trusted && Refill(ceiling, options_.user_burst, options_.user_refill_ms, now_ms) < 1) {
    return Refuse(static_cast<int64_t>((1 - ceiling.tokens) * options_.user_refill_ms));
  }
  Bucket* tenant = nullptr;
  if (!trusted) {
    auto [ct, fresh_ct] =
        container_.try_emplace(container, Bucket{options_.container_burst, now_ms});
    tenant = &ct->second;
    if (Refill(*tenant, options_.container_burst, options_.container_refill_ms, now_ms) < 1) {
      return Refuse(static_cast<int64_t>((1 - tenant->tokens) * options_.container_refill_ms));
    }
  }
  sender.tokens -= 1;
  if (!trusted) {
    ceiling.tokens -= 1;
    tenant->tokens -= 1;
  }
  return Status::Ok();
}

void LoginThrottle::Succeeded(const std::string& container, const std::string& user, uid_t uid,
                              int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto su = sender_user_.find(Key(container, user, uid));
  if (su != sender_user_.end()) {
    sender_user_.erase(su);
    --Entries(container);
  }
  auto sb = sender_.find(Key(container, "", uid));
  if (sb != sender_.end()) {
    sb->second.tokens = std::min(options_.sender_burst, sb->second.tokens + 1);
  }
  auto pu = user_.find(Key(container, user, 0));
  if (pu == user_.end()) return;
  PerUser& u = pu->second;
  if (!Trusted(u, uid)) {
    u.bucket.tokens = std::min(options_.user_burst, u.bucket.tokens + 1);
    auto ct = container_.find(container);
    if (ct != container_.end()) {
      ct->second.tokens = std::min(options_.container_burst, ct->second.tokens + 1);
    }
    u.trusted.push_back(uid);
    if (u.trusted.size() > options_.trusted_uids_per_user) u.trusted.pop_front();
  } else {
    u.trusted.erase(std::find(u.trusted.begin(), u.trusted.end(), uid));
    u.trusted.push_back(uid);
  }
}

void LoginThrottle::Failed(const std::string& container, const std::string& user, uid_t uid,
                           int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = sender_user_.try_emplace(Key(container, user, uid));
  if (inserted) ++Entries(container);
  PerSenderUser& e = it->second;
  ++e.failures;
  if (e.failures >= options_.lockout_failures) {
    e.locked_until_ms = now_ms + options_.lockout_ms;
  } else if (e.failures > options_.free_failures) {
    int64_t delay = options_.base_delay_ms;
    for (int32_t i = options_.free_failures + 1; i < e.failures && delay < options_.max_delay_ms;
         ++i) {
      delay *= 2;
    }
    e.not_before_ms = now_ms + std::min(delay, options_.max_delay_ms);
  }
  // not_before_ms is at least the last failure's time: Sweep forgets the
  // count lockout_ms after it when no lock-out is running.
  e.not_before_ms = std::max(e.not_before_ms, now_ms);
}

void LoginThrottle::Forget(const std::string& container, const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string prefix = container + '\0' + user + '\0';
  for (auto it = sender_user_.begin(); it != sender_user_.end();) {
    if (it->first.compare(0, prefix.size(), prefix) == 0) {
      --Entries(container);
      it = sender_user_.erase(it);
    } else {
      ++it;
    }
  }
  if (user_.erase(Key(container, user, 0)) != 0) --Entries(container);
}

size_t LoginThrottle::Sweep(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto drop = [&](const std::string& key) {
    std::string c = ContainerOf(key);
    if (--Entries(c) == 0) entries_.erase(c);
  };
  for (auto it = sender_user_.begin(); it != sender_user_.end();) {
    const PerSenderUser& e = it->second;
    bool lock_over = e.locked_until_ms != 0 && now_ms >= e.locked_until_ms;
    // not_before_ms holds the last failure (or later): forget a count that
    // has been quiet for a whole lock-out period.
    bool quiet = e.locked_until_ms == 0 && now_ms - e.not_before_ms >= options_.lockout_ms;
    if (lock_over || quiet) {
      drop(it->first);
      it = sender_user_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = sender_.begin(); it != sender_.end();) {
    if (Refill(it->second, options_.sender_burst, options_.sender_refill_ms, now_ms) >=
        options_.sender_burst) {
      drop(it->first);
      it = sender_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = user_.begin(); it != user_.end();) {
    if (it->second.trusted.empty() &&
        Refill(it->second.bucket, options_.user_burst, options_.user_refill_ms, now_ms) >=
            options_.user_burst) {
      drop(it->first);
      it = user_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = container_.begin(); it != container_.end();) {
    bool full = Refill(it->second, options_.container_burst, options_.container_refill_ms,
                       now_ms) >= options_.container_burst;
    it = full ? container_.erase(it) : std::next(it);
  }
  return sender_user_.size() + sender_.size() + user_.size() + container_.size();
}

}  // namespace vhsm::server
