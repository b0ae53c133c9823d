// The one mapping between Status codes and the wire's StatusCode enum, used
// by the server (to answer) and the client library (to report).
#ifndef VHSM_PROTO_STATUS_MAPPING_H_
#define VHSM_PROTO_STATUS_MAPPING_H_

#include "vhsm/base/status.h"
#include "vhsm/proto/vhsm.pb.h"
#include "vhsm/proto/wire.h"  // kNoSuchSession, for status users

namespace vhsm {

proto::StatusCode ToWireStatus(StatusCode code);
// FromWireStatus maps OK to kOk and anything unknown to kInternal.
StatusCode FromWireStatus(proto::StatusCode code);

}  // namespace vhsm

#endif  // VHSM_PROTO_STATUS_MAPPING_H_
