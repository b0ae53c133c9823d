#include "vhsm/server/resource_ledger.h"

namespace vhsm::server {

const char* ResourceName(Resource r) {
  switch (r) {
    case Resource::kSessions:
      return "max-sessions";
    case Resource::kContexts:
      return "max-contexts";
    case Resource::kCachedKeys:
      return "max-cached-keys";
    case Resource::kLockedBytes:
      return "max-locked-kb";
    case Resource::kQueuedBytes:
      return "max-queued-kb";
    default:
      return "?";
  }
}

namespace {

const char* What(Resource r) {
  switch (r) {
    case Resource::kSessions:
      return "open sessions";
    case Resource::kContexts:
      return "open digest/MAC contexts";
    case Resource::kCachedKeys:
      return "cached keys";
    case Resource::kLockedBytes:
      return "KiB of locked memory";
    case Resource::kQueuedBytes:
      return "KiB of queued requests";
    default:
      return "?";
  }
}

}  // namespace

ResourceLedger::Token& ResourceLedger::Token::operator=(Token&& o) noexcept {
  if (this != &o) {
    Release();
    ledger_ = o.ledger_;
    container_ = std::move(o.container_);
    resource_ = o.resource_;
    units_ = o.units_;
    bytes_ = o.bytes_;
    o.ledger_ = nullptr;
  }
  return *this;
}

void ResourceLedger::Token::Release() {
  if (ledger_ == nullptr) return;
  ledger_->Give(container_, resource_, units_, bytes_);
  ledger_ = nullptr;
}

size_t ResourceLedger::Cap(Resource r) const {
  switch (r) {
    case Resource::kSessions:
      return limits_.max_sessions;
    case Resource::kContexts:
      return limits_.max_contexts;
    case Resource::kCachedKeys:
      return limits_.max_cached_keys;
    case Resource::kLockedBytes:
      return limits_.max_locked_bytes;
    case Resource::kQueuedBytes:
      return limits_.max_queued_bytes;
    default:
      return 0;
  }
}

Result<ResourceLedger::Token> ResourceLedger::Take(const std::string& container, Resource r,
                                                   size_t units, size_t memory_bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t cap = Cap(r);
  auto it = by_container_.find(container);
  size_t held = it == by_container_.end() ? 0 : it->second.units[static_cast<int>(r)];
  if (held + units > cap) {
    bool kib = r == Resource::kLockedBytes || r == Resource::kQueuedBytes;
    return ResourceExhausted("container '" + container + "' has " +
                             std::to_string(kib ? held >> 10 : held) + " " + What(r) +
                             ", the limit (" + ResourceName(r) + " = " +
                             std::to_string(kib ? cap >> 10 : cap) + ")");
  }
  if (memory_ + memory_bytes > limits_.memory_budget_bytes) {
    return ResourceExhausted("vhsmd's memory budget is spent (memory-budget-mb = " +
                             std::to_string(limits_.memory_budget_bytes >> 20) +
                             "); try again later");
  }
  if (it == by_container_.end()) it = by_container_.emplace(container, Holding{}).first;
  it->second.units[static_cast<int>(r)] += units;
  memory_ += memory_bytes;
  Token t;
  t.ledger_ = this;
  t.container_ = container;
  t.resource_ = r;
  t.units_ = units;
  t.bytes_ = memory_bytes;
  return t;
}

void ResourceLedger::Give(const std::string& container, Resource r, size_t units, size_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  memory_ -= bytes;
  auto it = by_container_.find(container);
  if (it == by_container_.end()) return;
  it->second.units[static_cast<int>(r)] -= units;
  for (size_t u : it->second.units) {
    if (u != 0) return;
  }
  by_container_.erase(it);  // nothing held: forget the container
}

size_t ResourceLedger::Held(const std::string& container, Resource r) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_container_.find(container);
  return it == by_container_.end() ? 0 : it->second.units[static_cast<int>(r)];
}

size_t ResourceLedger::MemoryHeld() const {
  std::lock_guard<std::mutex> lock(mu_);
  return memory_;
}

size_t ResourceLedger::ContainersHolding() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_container_.size();
}

}  // namespace vhsm::server
