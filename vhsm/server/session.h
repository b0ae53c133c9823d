// Sessions: what a client holds between requests. A session id is 128 random
// bits, and a session is bound to the (container, sender port id) that opened
// it: presented by any other client it does not exist. Logging out or closing
// wipes the master key, every open digest/MAC context and cached key.
//
// SessionManager is thread-safe. A Session's mutable state is guarded by its
// own mutex, which the server holds for the whole of one request, so the
// requests of one session run one at a time.
#ifndef VHSM_SERVER_SESSION_H_
#define VHSM_SERVER_SESSION_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "vhsm/base/status.h"
#include "vhsm/crypto/asymmetric_key.h"
#include "vhsm/crypto/digest.h"
#include "vhsm/crypto/hmac.h"
#include "vhsm/crypto/secret_bytes.h"
#include "vhsm/noise/noise_nk.h"
#include "vhsm/proto/wire.h"
#include "vhsm/server/resource_ledger.h"
#include "vhsm/storage/vault.h"

namespace vhsm::server {

struct ClientId {
  std::string container;
  uint32_t port = 0;
  bool operator==(const ClientId& o) const { return port == o.port && container == o.container; }
};

// A key as the session uses it: the opened record, and for signing keys the
// parsed private key (parsing PKCS#8 costs more than signing).
struct LoadedKey {
  storage::OpenedKey opened;
  std::optional<crypto::PrivateKey> private_key;
};

struct Context {
  std::optional<crypto::Digest> digest;
  std::optional<crypto::Hmac> mac;
  uint32_t key_version = 0;    // MAC contexts: the key version they use
  ResourceLedger::Token held;  // the container's kContexts
};

// A cached key and what it holds of its container's caps.
struct CachedKey {
  std::shared_ptr<const LoadedKey> key;
  ResourceLedger::Token count, locked;
  int64_t opened_ms = 0;  // when it was read from the store
};

// A container import in progress (host root's session only): records
// gathered until the request that commits them.
struct ImportStaging {
  storage::ContainerImage image;
  size_t bytes = 0;
};

class Session {
 public:
  Session(std::string id, ClientId owner, ResourceLedger::Token held)
      : id_(std::move(id)), owner_(std::move(owner)), held_(std::move(held)) {}

  const std::string& id() const { return id_; }
  const ClientId& owner() const { return owner_; }

  std::mutex mu;
  // Guarded by mu.
  std::optional<std::string> user;
  std::string role;  // the logged-in user's role when they logged in
  crypto::SecretBytes master_key;
  ResourceLedger::Token master_key_locked;  // kLockedBytes while logged in
  std::map<uint32_t, Context> contexts;
  uint32_t next_context_id = 1;
  // Opened keys, so a hot key is not decrypted on every request. Valid while
  // key_cache_generation equals the manager's generation for this user
  // (bumped on every key deletion); wiped on logout.
  std::unordered_map<std::string, CachedKey> key_cache;
  std::unique_ptr<ImportStaging> import_staging;
  uint64_t key_cache_generation = 0;
  int64_t last_used_ms = 0;
  // The session's secure channel: send is vhsmd -> client; every request
  // must open under receive with a counter above the last one.
  noise::TransportKeys channel;
  noise::TransportReceiver inbound;
  uint64_t outbound = 0;
  std::string request_ad, response_ad;  // kRequestAd/kResponseAd || id

  // Logout forgets the user and wipes every secret the session holds.
  void Logout();
  storage::Owner owner_of_keys() const { return {owner_.container, user.value_or("")}; }

 private:
  friend class SessionManager;
  const std::string id_;
  const ClientId owner_;
  ResourceLedger::Token held_;  // the container's kSessions
  std::string logged_in_as_;    // guarded by the SessionManager's mu_
};

class SessionManager {
 public:
  struct Limits {
    int64_t idle_timeout_ms = 15 * 60 * 1000;
  };
  // Sessions per container are capped by ledger (Resource::kSessions).
  SessionManager(Limits limits, ResourceLedger* ledger) : limits_(limits), ledger_(ledger) {}

  // Open makes a session for client; ResourceExhausted past the limit.
  Result<std::shared_ptr<Session>> Open(const ClientId& client, int64_t now_ms);
  // Find returns the session when it exists and belongs to client, else
  // NotFound (the same answer for a foreign id as for a made-up one).
  Result<std::shared_ptr<Session>> Find(const ClientId& client, const std::string& id,
                                        int64_t now_ms);
  Status Close(const ClientId& client, const std::string& id);
  // KeysChanged invalidates every session's key cache for (container, user).
  void KeysChanged(const std::string& container, const std::string& user);
  // KeyGeneration returns the current cache generation of (container, user).
  uint64_t KeyGeneration(const std::string& container, const std::string& user) const;
  // ExpireIdle closes sessions idle for longer than the limit; returns how many.
  size_t ExpireIdle(int64_t now_ms);
  // CloseContainer closes every session of a container (on detach).
  void CloseContainer(const std::string& container);
  // CloseClient closes every session opened by client (it stopped reading).
  void CloseClient(const ClientId& client);
  // SetLoggedIn records whom session is logged in as ("" after logout), for
  // CloseUser. Called by the login/logout handlers (session lock held).
  void SetLoggedIn(Session& session, const std::string& user);
  // CloseUser ends every session logged in as (container, user), wiping
  // their keys (the user was deleted or changed password); returns how many.
  size_t CloseUser(const std::string& container, const std::string& user);
  void CloseAll();
  size_t size() const;

 private:
  // CloseIf removes and wipes every session for which pred(session) holds.
  template <typename Pred>
  size_t CloseIf(Pred pred);

  Limits limits_;
  ResourceLedger* ledger_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Session>> sessions_;  // guarded by mu_
  std::unordered_map<std::string, uint64_t> key_generation_;            // guarded by mu_
};

}  // namespace vhsm::server

#endif  // VHSM_SERVER_SESSION_H_
