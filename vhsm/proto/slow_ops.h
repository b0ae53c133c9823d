// IsSlowOp: the operations that cost milliseconds (PBKDF2, key generation
// plus a synced write, X25519 handshakes, setns), which vhsmd serves on its
// worker pool, fairly across containers, never on its polling thread, so
// one tenant's logins cannot stall every other tenant's MACs. Signatures
// and decryptions are not in the list: their cost depends on the key
// (P-256: ~25 us; RSA-4096: several ms), which vhsmd learns only once it
// has opened the request; it serves the fast ones on the polling thread
// and hands RSA and P-384 ones to the workers itself.
// Clients mark sealed requests of these operations as slow (the daemon
// cannot look inside the seal before it is a request's turn, and refuses a
// slow operation that was not marked). One list for both sides.
#ifndef VHSM_PROTO_SLOW_OPS_H_
#define VHSM_PROTO_SLOW_OPS_H_

#include "vhsm/proto/vhsm.pb.h"

namespace vhsm {

inline bool IsSlowOp(proto::Request::OpCase op) {
  switch (op) {
    case proto::Request::kOpenSession:
    case proto::Request::kLogin:
    case proto::Request::kPasswordChange:
    case proto::Request::kKeyGenerate:
    case proto::Request::kKeyImport:
    case proto::Request::kKeyDelete:
    case proto::Request::kKeyDerive:
    case proto::Request::kKeyRotate:
    case proto::Request::kKeySet:
    case proto::Request::kKeyShare:
    case proto::Request::kKeyUnshare:
    case proto::Request::kKeyImportWrapped:
    case proto::Request::kObjectCreate:
    case proto::Request::kObjectDelete:
    case proto::Request::kUserAdd:
    case proto::Request::kUserPassword:
    case proto::Request::kUserDelete:
    case proto::Request::kMemberAdd:
    case proto::Request::kMemberDelete:
    case proto::Request::kContainerAttach:
    case proto::Request::kContainerAttachMany:
    case proto::Request::kContainerDetach:
    case proto::Request::kContainerExport:
    case proto::Request::kContainerImport:
      return true;
    default:
      return false;
  }
}

}  // namespace vhsm

#endif  // VHSM_PROTO_SLOW_OPS_H_
