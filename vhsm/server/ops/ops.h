// The server's operations, one family per file (session_ops.cc, key_ops.cc,
// digest_mac_ops.cc, crypto_ops.cc, admin_ops.cc, object_ops.cc, ...), found through one table
// (registry.cc). A handler runs after the Service has validated the request
// (request_validator.h), checked what the table says the operation needs
// (a session, a logged-in user, root on the host) and locked the session;
// it reads only the already-validated request, and what it may reach is
// what Env gives it.
//
// Misuse: a handler never looks a session up itself, never trusts a name
// from the request for whose keys it touches (Session::owner_of_keys() is
// the only owner), and puts a key id into Call::key_for_log only after
// checking it (storage::ValidKeyId). Handlers are thread-safe given the
// session lock the Service holds.
#ifndef VHSM_SERVER_OPS_OPS_H_
#define VHSM_SERVER_OPS_OPS_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>

#include "vhsm/base/status.h"
#include "vhsm/crypto/x25519.h"
#include "vhsm/proto/vhsm.pb.h"
#include "vhsm/server/audit_log.h"
#include "vhsm/server/login_throttle.h"
#include "vhsm/server/presign_filler.h"
#include "vhsm/server/resource_ledger.h"
#include "vhsm/server/session.h"
#include "vhsm/storage/record_store.h"
#include "vhsm/storage/vault.h"
#include "vhsm/transport/listener.h"

namespace vhsm::server {

// Who sent a request, as the transport established it.
struct Caller {
  ClientId client;
  bool has_creds = false;
  pid_t pid = 0;
  uid_t uid = 0;
};

struct ServiceOptions {
  int64_t max_keys_per_container = 10000;
  size_t max_contexts_per_session = 64;
  size_t max_cached_keys_per_session = 64;
  std::string run_dir = "/run/vhsm";  // where namespaces are pinned
  std::function<int64_t()> now_ms;    // default: the real clock
  // A store shared with other vhsmd (PostgreSQL): a key opened longer ago
  // than this is read again before use, so that a deletion, rotation or
  // unshare through another vhsmd holds here too (0: never; the local
  // store's changes all pass through this vhsmd).
  int64_t recheck_keys_ms = 0;
  // A shared store also counts failed logins, so that failures through
  // every vhsmd add up to one lock-out (0: only this vhsmd's throttle).
  int32_t store_lockout_failures = 0;
  int64_t store_lockout_ms = 0;
};

namespace ops {

// Env: what the handlers share; none of it owned.
struct Env {
  storage::Vault* vault = nullptr;
  storage::RecordStore* store = nullptr;
  SessionManager* sessions = nullptr;
  transport::Listener* listener = nullptr;
  ResourceLedger* ledger = nullptr;
  LoginThrottle* throttle = nullptr;
  const ServiceOptions* options = nullptr;
  const crypto::X25519KeyPair* identity = nullptr;  // vhsmd's long-term key
  AuditLog* audit = nullptr;                        // null: none (tests)
  PresignFiller* presign = nullptr;                 // null: no ECDSA presignatures
  int64_t now_ms = 0;                               // this request's time
};

// Call: one request on its way through a handler.
struct Call {
  Call(const Caller& c, const proto::Request& r, Session* s, proto::Response* out)
      : caller(c), req(r), session(s), resp(out) {}

  const Caller& caller;
  const proto::Request& req;
  Session* session;  // locked by the Service; null when the op needs none
  proto::Response* resp;
  std::string key_for_log;
  std::string user_for_log;
  std::string role_for_log;      // "user", "admin", "operator" (host root)
  uint32_t version_for_log = 0;  // the key version a result came from
  bool audited = false;          // its audit record went in with its change
  // On the polling thread: an operation that finds its key slow to use
  // (DeferIfSlow) stops and sets `deferred`, to run again on a worker.
  bool may_defer = false;
  bool deferred = false;
};

enum class Need {
  kNothing,         // open_session, server_key
  kSession,         // a session of the caller's, logged in or not
  kLogin,           // a session logged in as a user
  kContainerAdmin,  // a session logged in as an admin of its container
  kAdminOrHost,     // either of those and kHostRoot (the audit log)
  kHostRoot,        // uid 0 in the host namespace (administration)
};

// Which operations are slow is vhsm/proto/slow_ops.h's (clients need it too).
struct Op {
  Status (*handle)(Env& env, Call& call);
  Need need;
};

// ValidKeyName: a key id of the session's user, or OWNER/ID for a key
// another user of the container shared with them (key_access.cc).
bool ValidKeyName(const std::string& name);

// Find returns the operation's entry, or null for an unknown operation.
const Op* Find(proto::Request::OpCase op);

// The handlers, by family.
Status OpenSession(Env& env, Call& call);
Status ServerKey(Env& env, Call& call);
Status CloseSession(Env& env, Call& call);
Status Login(Env& env, Call& call);
Status Logout(Env& env, Call& call);
Status UserStatus(Env& env, Call& call);

Status KeyGenerate(Env& env, Call& call);
Status KeyImport(Env& env, Call& call);
Status KeyDelete(Env& env, Call& call);
Status KeyList(Env& env, Call& call);
Status KeyInfo(Env& env, Call& call);
Status KeyPublic(Env& env, Call& call);
Status KeyDerive(Env& env, Call& call);
Status KeyRotate(Env& env, Call& call);
Status PasswordChange(Env& env, Call& call);
Status KeyExport(Env& env, Call& call);
Status KeyImportWrapped(Env& env, Call& call);
Status ContainerExport(Env& env, Call& call);
Status ContainerImport(Env& env, Call& call);
Status KeySet(Env& env, Call& call);
Status Rewrap(Env& env, Call& call);

Status KeyShare(Env& env, Call& call);
Status KeyUnshare(Env& env, Call& call);
// GranteesChanged: every grantee of a key forgets it in their sessions
// (share_ops.cc; after a rotation, retirement or deletion by the owner).
void GranteesChanged(Env& env, const storage::Owner& owner, const std::string& key_id);

Status ObjectCreate(Env& env, Call& call);
Status ObjectList(Env& env, Call& call);
Status ObjectGet(Env& env, Call& call);
Status ObjectDelete(Env& env, Call& call);

Status ContextInit(Env& env, Call& call);    // digest_init, mac_init
Status ContextUpdate(Env& env, Call& call);  // digest_update, mac_update
Status ContextFinal(Env& env, Call& call);   // digest_final, mac_final
Status Digest(Env& env, Call& call);
Status Mac(Env& env, Call& call);

Status Encrypt(Env& env, Call& call);
Status Decrypt(Env& env, Call& call);
Status Sign(Env& env, Call& call);
Status Verify(Env& env, Call& call);

Status ContainerAttach(Env& env, Call& call);
Status ContainerAttachMany(Env& env, Call& call);
Status ContainerDetach(Env& env, Call& call);
Status ContainerList(Env& env, Call& call);
Status UserAdd(Env& env, Call& call);
Status UserDelete(Env& env, Call& call);
Status UserList(Env& env, Call& call);
Status UserPassword(Env& env, Call& call);

Status AuditRead(Env& env, Call& call);
Status AuditVerify(Env& env, Call& call);

Status MemberAdd(Env& env, Call& call);
Status MemberDelete(Env& env, Call& call);
Status MemberList(Env& env, Call& call);
Status MemberQuota(Env& env, Call& call);
Status ContainerQuota(Env& env, Call& call);

}  // namespace ops
}  // namespace vhsm::server

#endif  // VHSM_SERVER_OPS_OPS_H_
