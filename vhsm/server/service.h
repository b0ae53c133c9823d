// Service: validates and executes one request from one client. It is the
// server's dispatch stage: the transport hands it a frame's payload and the
// kernel-given identity of the sender (container, port id, credentials);
// it answers with a serialized Response. Everything a tenant can name is
// looked up under that identity, so no request reaches another container,
// another user's keys, or another client's session.
//
// Handle() is thread-safe; requests of one session are serialized by the
// session's lock. It never returns key material: only MACs, digests,
// signatures, ciphertexts, plaintexts of ciphertexts and public keys leave.
#ifndef VHSM_SERVER_SERVICE_H_
#define VHSM_SERVER_SERVICE_H_

#include <functional>
#include <string>

#include "vhsm/proto/vhsm.pb.h"
#include "vhsm/server/login_throttle.h"
#include "vhsm/server/request_log.h"
#include "vhsm/server/resource_ledger.h"
#include "vhsm/server/session.h"
#include "vhsm/storage/record_store.h"
#include "vhsm/storage/vault.h"
#include "vhsm/transport/listener.h"

namespace vhsm::server {

struct ServiceOptions {
  int64_t max_keys_per_container = 10000;
  size_t max_contexts_per_session = 64;
  size_t max_cached_keys_per_session = 64;
  std::function<int64_t()> now_ms;  // default: the real clock
};

// What the service shares with the rest of the daemon. log may be null (no
// request log); the others are required.
struct ServiceDeps {
  storage::Vault* vault = nullptr;
  SessionManager* sessions = nullptr;
  transport::Listener* listener = nullptr;
  ResourceLedger* ledger = nullptr;
  LoginThrottle* throttle = nullptr;
  RequestLog* log = nullptr;
};

// Who sent a request, as the transport established it.
struct Caller {
  ClientId client;
  bool has_creds = false;
  pid_t pid = 0;
  uid_t uid = 0;
};

class Service {
 public:
  Service(const ServiceDeps& deps, ServiceOptions options);

  // Handle decodes, validates and runs one request; returns the serialized
  // Response. A payload that does not parse gets an INVALID_ARGUMENT reply.
  std::string Handle(const Caller& caller, const std::string& payload);
  // HandleRequest is Handle on a parsed request.
  proto::Response HandleRequest(const Caller& caller, const proto::Request& request);
  // ErrorResponse serializes an error answer (for frames that never parsed).
  static std::string ErrorResponse(const Status& status);

  // RestoreAttachments re-attaches every recorded container whose namespace
  // still exists; returns one message per container it could not restore.
  std::vector<std::string> RestoreAttachments();

  int64_t Now() const;
  // Sweep forgets expired throttling state; the serving loop calls it.
  void Sweep(int64_t now_ms);

 private:
  using Response = proto::Response;
  Status Dispatch(const Caller& caller, const proto::Request& req, Response* resp,
                  std::string* key_for_log, std::string* user_for_log);
  Status DispatchSession(const Caller& caller, const proto::Request& req, Session& s,
                         Response* resp, std::string* key_for_log);
  Status DispatchAdmin(const proto::Request& req, Response* resp);

  Result<std::shared_ptr<const LoadedKey>> LoadKey(Session& s,
                                                            const std::string& key_id,
                                                            uint32_t needed_op);
  void CacheKey(Session& s, const std::string& key_id,
                const std::shared_ptr<const LoadedKey>& key);
  Status Login(const Caller& caller, const proto::LoginRequest& login, Session& s);
  Status ListKeys(const proto::KeyListRequest& req, Session& s, Response* resp);
  Status ListContainers(const proto::ContainerListRequest& req, Response* resp);
  Status ListUsers(const proto::UserListRequest& req, Response* resp);
  Status StoreNewKey(Session& s, proto::KeyType type, std::string id,
                     const crypto::SecretBytes& material, Response* resp);
  void Log(const Caller& caller, const std::string& user, const proto::Request& req,
           const std::string& key_id, const Status& status) const;

  storage::Vault* vault_;
  storage::RecordStore* store_;
  SessionManager* sessions_;
  transport::Listener* listener_;
  ResourceLedger* ledger_;
  LoginThrottle* throttle_;
  RequestLog* log_;
  ServiceOptions options_;
};

}  // namespace vhsm::server

#endif  // VHSM_SERVER_SERVICE_H_
