// NetlinkRtt: the transport's own round trip, the reference of the `hmac64`
// and `hmac1m` rows: a datagram of `payload` bytes to an echo process over
// NETLINK_USERSOCK and back, as many as fit in `seconds`; returns round
// trips per second. Both ends sleep in recvmsg between datagrams.
#ifndef TOOLS_BENCH_NETLINK_RTT_H_
#define TOOLS_BENCH_NETLINK_RTT_H_

#include <cstddef>

namespace vhsm::bench {

double NetlinkRtt(size_t payload, double seconds);

}  // namespace vhsm::bench

#endif  // TOOLS_BENCH_NETLINK_RTT_H_
