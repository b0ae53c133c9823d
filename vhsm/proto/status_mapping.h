// The one mapping between Status codes and the wire's StatusCode enum, used
// by the server (to answer) and the client library (to report).
#ifndef VHSM_PROTO_STATUS_MAPPING_H_
#define VHSM_PROTO_STATUS_MAPPING_H_

#include "vhsm/base/status.h"
#include "vhsm/proto/vhsm.pb.h"

namespace vhsm {

proto::StatusCode ToWireStatus(StatusCode code);
// FromWireStatus maps OK to kOk and anything unknown to kInternal.
StatusCode FromWireStatus(proto::StatusCode code);

// The answer (NOT_FOUND) to a request naming a session that does not exist
// (closed, expired, another client's, or from before a daemon restart):
// the one answer on which libvhsm re-opens its channel and logs in again.
inline constexpr char kNoSuchSession[] = "no such session (closed, expired, or not yours)";

}  // namespace vhsm

#endif  // VHSM_PROTO_STATUS_MAPPING_H_
