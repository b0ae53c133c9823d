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
  };

  // Create returns Unavailable when no netlink socket can be made.
  static Result<std::unique_ptr<ClientChannel>> Create(const Options& options);

  // Send frames payload as a request and returns its seq. Unavailable when
  // the daemon does not listen in this namespace.
  Result<uint32_t> Send(std::string_view payload);
  // Receive returns the payload of the reply to seq, waiting up to the
  // timeout (DeadlineExceeded). Replies to other seqs are kept for later.
  Result<std::string> Receive(uint32_t seq);
  // Call is Send then Receive.
  Result<std::string> Call(std::string_view payload);

  uint32_t local_port() const { return socket_->port(); }

 private:
  ClientChannel(const Options& options, std::unique_ptr<NetlinkSocket> socket)
      : options_(options), socket_(std::move(socket)) {}
  Options options_;
  std::unique_ptr<NetlinkSocket> socket_;
  uint32_t next_seq_ = 1;
  std::map<uint32_t, std::string> early_;  // replies that arrived out of order
  FrameEncoder encoder_;
};

}  // namespace vhsm::transport

#endif  // VHSM_TRANSPORT_CLIENT_CHANNEL_H_
