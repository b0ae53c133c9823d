// Channel: one session with vhsmd, as a secure channel (Noise NK, see
// vhsm/noise/noise_nk.h). Open() pins vhsmd's public key (server_key.h),
// runs the handshake inside open_session, and from then on every request
// is sealed and every answer must open under the session's keys: nothing
// a client sends (passwords, key material, data) leaves it before the
// daemon has proved it holds the pinned key, and nothing another process
// answers (a squatter on the VHSM port, a recorded or modified message) is
// accepted.
//
// Not thread-safe (Client and Admin lock around it).
#ifndef VHSM_API_CHANNEL_H_
#define VHSM_API_CHANNEL_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "vhsm/api/client_options.h"
#include "vhsm/base/status.h"
#include "vhsm/crypto/bytes.h"
#include "vhsm/proto/vhsm.pb.h"

namespace vhsm {

class Channel {
 public:
  // Open connects, authenticates vhsmd and opens a session. Unavailable when
  // no daemon listens in this network namespace; FailedPrecondition when no
  // daemon key is configured (fail closed); Unauthenticated when whoever
  // answers cannot prove it is the daemon of that key.
  static Result<std::unique_ptr<Channel>> Open(const ClientOptions& options);
  ~Channel();
  // The port id and daemon key this channel was opened with (resolved from
  // the options or the environment).
  uint32_t port() const;
  const crypto::Bytes& server_key() const;

  // Call seals request, sends it, and returns the opened answer when its
  // status is OK, or the daemon's error.
  Result<proto::Response> Call(proto::Request& request);
  // Send puts a request in flight; ReceiveNext returns the answer to the
  // oldest one in flight (or its error).
  Status Send(proto::Request& request);
  Result<proto::Response> ReceiveNext();
  // Close ends the session with a request in clear (no cryptography, so it
  // works even while the process exits after libcrypto's cleanup).
  Status Close();
  // Pipelined: send all (up to window in flight), then read all in order.
  Result<std::vector<proto::Response>> CallMany(std::vector<proto::Request> requests,
                                                size_t window = 32);

 private:
  struct State;
  explicit Channel(std::unique_ptr<State> state);
  Result<uint32_t> SendSealed(proto::Request& request);
  Result<proto::Response> Open(const std::string& reply);
  std::unique_ptr<State> state_;
};

// ResolvePortId: 0 means $VHSM_PORT_ID when set, else the default VHSM port;
// InvalidArgument for a bad $VHSM_PORT_ID.
Result<uint32_t> ResolvePortId(uint32_t port_id);

}  // namespace vhsm

#endif  // VHSM_API_CHANNEL_H_
