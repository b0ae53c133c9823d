// Constants of the wire protocol that both sides rely on.
#ifndef VHSM_PROTO_WIRE_H_
#define VHSM_PROTO_WIRE_H_

#include <cstddef>

namespace vhsm {

// Session ids are 128 random bits.
inline constexpr size_t kSessionIdSize = 16;

// The answer (NOT_FOUND) to a request naming a session that does not exist
// (closed, expired, another client's, or from before a daemon restart):
// the one answer on which libvhsm re-opens its channel and logs in again.
inline constexpr char kNoSuchSession[] = "no such session (closed, expired, or not yours)";

}  // namespace vhsm

#endif  // VHSM_PROTO_WIRE_H_
