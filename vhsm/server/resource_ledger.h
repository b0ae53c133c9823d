// ResourceLedger: what each container holds in vhsmd, against per-container
// caps and one global memory budget. One hostile tenant can open sessions,
// contexts and cached keys and queue requests only up to its own caps, and
// all tenants together only up to the budget, so vhsmd's memory stays
// bounded whatever they send.
//
// Every holding is taken with Take(), which returns a Token that gives it
// back when destroyed: store the token beside what it pays for (a session,
// a context, a cached key, a queued request) and the books balance by
// construction. Misuse: a token outliving its ledger is undefined; copy a
// token and you cannot (it is move-only). Thread-safe. A container with
// nothing held has no entry (idle tenants cost nothing).
#ifndef VHSM_SERVER_RESOURCE_LEDGER_H_
#define VHSM_SERVER_RESOURCE_LEDGER_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "vhsm/base/status.h"

namespace vhsm::server {

enum class Resource : int {
  kSessions = 0,
  kContexts,
  kCachedKeys,
  kLockedBytes,  // mlock()ed secrets: master keys, cached keys
  kQueuedBytes,  // requests read from the socket and waiting to be served
  kCount,
};

// ResourceName: the configuration name of the cap on r ("max-sessions", ...).
const char* ResourceName(Resource r);

struct ResourceLimits {
  // Per container.
  size_t max_sessions = 256;
  size_t max_contexts = 1024;
  size_t max_cached_keys = 256;
  size_t max_locked_bytes = 4u << 20;
  size_t max_queued_bytes = 8u << 20;
  // Everything that every container holds, in (estimated) bytes.
  size_t memory_budget_bytes = 40u << 20;
};

class ResourceLedger {
 public:
  explicit ResourceLedger(ResourceLimits limits) : limits_(limits) {}
  ResourceLedger(const ResourceLedger&) = delete;
  ResourceLedger& operator=(const ResourceLedger&) = delete;

  // Token: a holding; releases it on destruction. Move-only.
  class Token {
   public:
    Token() = default;
    Token(Token&& o) noexcept { *this = std::move(o); }
    Token& operator=(Token&& o) noexcept;
    ~Token() { Release(); }
    void Release();
    bool held() const { return ledger_ != nullptr; }

   private:
    friend class ResourceLedger;
    ResourceLedger* ledger_ = nullptr;
    std::string container_;
    Resource resource_ = Resource::kSessions;
    size_t units_ = 0;
    size_t bytes_ = 0;
  };

  // Take holds `units` of r for container (bytes for kLockedBytes and
  // kQueuedBytes, a count otherwise) plus memory_bytes of the global
  // budget. ResourceExhausted, naming the cap and its value, when either
  // would be exceeded; nothing is held then.
  Result<Token> Take(const std::string& container, Resource r, size_t units, size_t memory_bytes);

  // Held returns what container holds of r now; MemoryHeld the budget used.
  size_t Held(const std::string& container, Resource r) const;
  size_t MemoryHeld() const;
  size_t ContainersHolding() const;
  const ResourceLimits& limits() const { return limits_; }

 private:
  size_t Cap(Resource r) const;
  void Give(const std::string& container, Resource r, size_t units, size_t bytes);

  const ResourceLimits limits_;
  mutable std::mutex mu_;
  struct Holding {
    size_t units[static_cast<int>(Resource::kCount)] = {};
  };
  std::unordered_map<std::string, Holding> by_container_;  // guarded by mu_
  size_t memory_ = 0;                                      // guarded by mu_
};

}  // namespace vhsm::server

#endif  // VHSM_SERVER_RESOURCE_LEDGER_H_
