// ValidateRequest: the one check every decoded Request passes before
// dispatch (DESIGN.md section 4). After it, handlers may rely on: exactly one
// operation set; no unknown fields at any depth; every enum field set to a
// known, non-UNSPECIFIED value; strings at most 4096 bytes; a 16-byte session
// id on every operation but open_session and server_key, which take none.
// Returns InvalidArgument naming the first violation. Thread-safe.
#ifndef VHSM_SERVER_REQUEST_VALIDATOR_H_
#define VHSM_SERVER_REQUEST_VALIDATOR_H_

#include "vhsm/base/status.h"
#include "vhsm/proto/vhsm.pb.h"
#include "vhsm/proto/wire.h"

namespace vhsm::server {

// IsAdminOp: container/user administration (host uid 0 only).
bool IsAdminOp(const proto::Request& request);
// OpName returns the operation's field name ("mac_init"), or "none".
const char* OpName(const proto::Request& request);

Status ValidateRequest(const proto::Request& request);

}  // namespace vhsm::server

#endif  // VHSM_SERVER_REQUEST_VALIDATOR_H_
