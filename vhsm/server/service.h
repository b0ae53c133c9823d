// Service: validates and executes one request from one client. It is the
// server's dispatch stage: the transport hands it a frame's payload and the
// kernel-given identity of the sender (container, port id, credentials);
// it answers with a serialized Response. Everything a tenant can name is
// looked up under that identity, so no request reaches another container,
// another user's keys, or another client's session.
//
// The operations themselves live in ops/ (one file per family) and are
// found through one table (ops/registry.cc) that also says what each needs:
// a session, a logged-in user, or root on the host. Those checks happen
// here, once, after ValidateRequest and before any handler runs.
//
// Handle() is thread-safe; requests of one session are serialized by the
// session's lock. It never returns key material: only MACs, digests,
// signatures, ciphertexts, plaintexts of ciphertexts and public keys leave.
#ifndef VHSM_SERVER_SERVICE_H_
#define VHSM_SERVER_SERVICE_H_

#include <string>
#include <vector>

#include "vhsm/proto/vhsm.pb.h"
#include "vhsm/server/audit_log.h"
#include "vhsm/server/login_throttle.h"
#include "vhsm/server/netns_pin.h"
#include "vhsm/server/ops/ops.h"
#include "vhsm/server/request_log.h"
#include "vhsm/server/resource_ledger.h"
#include "vhsm/server/session.h"
#include "vhsm/storage/vault.h"
#include "vhsm/transport/listener.h"

namespace vhsm::server {

// What the service shares with the rest of the daemon. log may be null (no
// request log); the others are required.
struct ServiceDeps {
  const crypto::X25519KeyPair* identity = nullptr;  // vhsmd's long-term key
  storage::Vault* vault = nullptr;
  SessionManager* sessions = nullptr;
  transport::Listener* listener = nullptr;
  ResourceLedger* ledger = nullptr;
  LoginThrottle* throttle = nullptr;
  RequestLog* log = nullptr;
  AuditLog* audit = nullptr;         // null: no audit log (tests)
  PresignFiller* presign = nullptr;  // null: ordinary ECDSA signatures
};

class Service {
 public:
  Service(const ServiceDeps& deps, ServiceOptions options);

  // Handle decodes, validates and runs one request; returns the serialized
  // Response. A payload that does not parse gets an INVALID_ARGUMENT reply.
  std::string Handle(const Caller& caller, const std::string& payload);
  // HandleRequest is Handle on a parsed request. With `deferred` (the
  // polling thread), a sealed operation that turns out slow only once its
  // key is known (a signature or decryption with an RSA or P-384 key) is
  // not run: *deferred receives it, opened from the channel, for
  // HandleOpened on a worker, and the Response returned is empty.
  proto::Response HandleRequest(const Caller& caller, const proto::Request& request,
                                std::string* deferred = nullptr);
  // HandleOpened runs a request HandleRequest deferred, wipes *opened, and
  // returns the sealed answer (or an error answer if the session is gone).
  proto::Response HandleOpened(const Caller& caller, std::string* opened);
  // ErrorResponse serializes an error answer (for frames that never parsed).
  static std::string ErrorResponse(const Status& status);
  // IsSlow: whether the request must be served off the polling thread (for
  // a sealed request, what its sender marked).
  static bool IsSlow(const proto::Request& request);
  // WipeSecrets clears the passwords and key material a request holds.
  static void WipeSecrets(proto::Request* request);
  // WipeResult clears the bytes an answer carries (plaintexts, MACs).
  static void WipeResult(proto::Response* response);

  // RestoreAttachments re-attaches every recorded container whose pinned
  // namespace is still the one recorded (netns_pin.h); returns one message
  // per container it could not restore (gone, rebooted, or an impostor).
  std::vector<std::string> RestoreAttachments();

  int64_t Now() const;
  // Sweep forgets expired throttling state and, every 10 s, has the store
  // retry what it left pending (a warning on stderr when that starts or
  // stops failing); the serving loop calls it.
  void Sweep(int64_t now_ms);

 private:
  // Plain: what may travel outside a channel (opening one, its key).
  Status Plain(const ops::Op& op, ops::Call& call);
  Status RunInSession(const ops::Op& op, ops::Call& call, Session& session);
  // In service_sealed.cc: Sealed opens a sealed request, runs it, seals
  // the answer into resp (or defers it, see HandleRequest). RunInner
  // parses, checks and runs the request a sealed message held (plain,
  // wiped here), in the locked session. SealAnswer seals call.resp, with
  // s, for the session's client into resp; the caller holds session.mu.
  Status Sealed(const Caller& caller, const proto::Request& outer, proto::Response* resp,
                std::string* deferred);
  Status RunInner(const proto::Request& outer, std::string* plain, proto::Request* inner,
                  ops::Call& call, Session& session);
  Status SealAnswer(const Status& s, ops::Call& call, Session& session, proto::Response* resp);
  void Log(const ops::Call& call, const Status& status) const;
  void Audit(const ops::Call& call, const Status& status) const;  // service_audit.cc
  // ChangesState: the operations that change what the store holds.
  static bool ChangesState(proto::Request::OpCase op);
  storage::AuditRecord AuditTemplate(const ops::Call& call, const Session& session,
                                     ops::Need need) const;
  struct Restoring {
    storage::ContainerRecord c;
    NetnsIdentity want, found;
    std::string source;  // the pin or path its namespace was found at
    bool recorded = false, was_pinned = false;
  };
  Result<Restoring> PrepareRestore(storage::ContainerRecord c, const std::string& boot);

  ops::Env env_;
  RequestLog* log_;
  AuditLog* audit_;
  ServiceOptions options_;
  int64_t last_housekeeping_ms_ = 0;  // Sweep's (one thread)
  bool store_failing_ = false;
};

}  // namespace vhsm::server

#endif  // VHSM_SERVER_SERVICE_H_
