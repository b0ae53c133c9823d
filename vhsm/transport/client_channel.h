// ClientChannel: the client side of the transport. It binds a netlink socket
// to an automatic port id in the caller's network namespace (inside a
// container, that is the container's namespace: the daemon learns who we are
// from the socket it receives on, not from anything we say) and exchanges
// frames with the daemon's VHSM port.
//
// Replies are matched by seq; several requests may be in flight (Send many,
// then Receive each). Replies from any other port, or of the wrong type, are
// dropped. Not thread-safe: use one channel per thread or lock around it.
#ifndef VHSM_TRANSPORT_CLIENT_CHANNEL_H_
#define VHSM_TRANSPORT_CLIENT_CHANNEL_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vhsm/base/status.h"
#include "vhsm/transport/frame.h"
#include "vhsm/transport/netlink_socket.h"

namespace vhsm::transport {

class ClientChannel {
 public:
  struct Options {
    uint32_t server_port = kDefaultVhsmPort;
    int timeout_ms = 30000;  // per reply
    // Before sleeping for a reply, look for it this long (microseconds; -1:
    // $VHSM_SPIN_US, else 100; 0: never). A reply that comes while the
    // client looks costs no wake-up on either side; the channel looks only
    // while its replies have been coming within that time (a moving
    // average), so a busy daemon or a slow operation costs no spinning.
    int spin_us = -1;
  };

  // Create returns Unavailable when no netlink socket can be made.
  static Result<std::unique_ptr<ClientChannel>> Create(const Options& options);

  // Send frames payload as a request and returns its seq. Unavailable when
  // the daemon does not listen in this namespace.
  Result<uint32_t> Send(std::string_view payload);
  // Receive returns the payload of the reply to seq, waiting up to the
  // timeout (DeadlineExceeded). Replies to other seqs are kept for later.
  // may_spin: false for an operation known to take milliseconds.
  Result<std::string> Receive(uint32_t seq, bool may_spin = true);
  // Call is Send then Receive, without spinning (opening a session).
  Result<std::string> Call(std::string_view payload);

  uint32_t local_port() const { return socket_->port(); }

 private:
  ClientChannel(const Options& options, std::unique_ptr<NetlinkSocket> socket);
  // Take: the payload if datagram d is the reply to seq; keeps other
  // replies in early_, drops everything else.
  std::optional<std::string> Take(Datagram& d, uint32_t seq);
  // Spin looks for the reply to seq without sleeping, up to spin_ns_.
  std::optional<std::string> Spin(uint32_t seq);
  Options options_;
  int64_t spin_ns_ = 0;
  int64_t reply_ns_ = 0;  // moving average of the time to a reply
  int64_t last_send_ns_ = 0;
  std::unique_ptr<NetlinkSocket> socket_;
  uint32_t next_seq_ = 1;
  std::map<uint32_t, std::string> early_;  // replies that arrived out of order
  FrameEncoder encoder_;
};

}  // namespace vhsm::transport

#endif  // VHSM_TRANSPORT_CLIENT_CHANNEL_H_
